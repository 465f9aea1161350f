public import Core
public import Scheduler

/// The health of one uplink channel from what its sends, probes and connection report,
/// with hysteresis so that one lost packet does not flap the box between IM and SMS.
///
/// A refused connection is unambiguous (the peer or a firewall replied with a reset), so
/// one refusal marks the channel down. Other failures (timeouts, resets, 5xx) mark it
/// degraded, and `failuresToDown` in a row mark it down. Coming back needs successes over a
/// whole hold-down period: at least `successesToUp` of them, the first at least `holdDown`
/// before the last, and no failure in between.
///
/// A pure value: the monitor feeds it events with their instants and acts on the changes it
/// returns. Tests drive it with a manual clock.
public struct HealthTracker: Sendable, Equatable {
    public enum Failure: Sendable, Equatable {
        /// The connection was refused or the broker rejected the socket at once.
        case refused
        /// A connect, request or keepalive timed out: the path may be blackholed.
        case timedOut
        /// Any other transport or server failure.
        case other
    }

    public struct Settings: Sendable, Equatable {
        public var failuresToDown: Int
        public var successesToUp: Int
        public var holdDown: Duration

        public init(failuresToDown: Int = 2, successesToUp: Int = 3, holdDown: Duration = .seconds(10)) {
            self.failuresToDown = failuresToDown
            self.successesToUp = successesToUp
            self.holdDown = holdDown
        }
    }

    public let settings: Settings
    public private(set) var health: UplinkHealth = .up
    private var failuresInRow = 0
    private var recoveryStart: MonotonicInstant?
    private var successesSinceRecoveryStart = 0

    public init(settings: Settings = Settings()) {
        self.settings = settings
    }

    /// Records a success; returns the new health when it changed.
    public mutating func recordSuccess(at now: MonotonicInstant) -> UplinkHealth? {
        failuresInRow = 0
        switch health {
        case .up:
            return nil
        case .degraded:
            return change(to: .up)
        case .down:
            if recoveryStart == nil {
                recoveryStart = now
                successesSinceRecoveryStart = 0
            }
            successesSinceRecoveryStart += 1
            guard let start = recoveryStart, successesSinceRecoveryStart >= settings.successesToUp,
                start.duration(to: now) >= settings.holdDown
            else { return nil }
            return change(to: .up)
        }
    }

    /// Records a failure; returns the new health when it changed.
    public mutating func recordFailure(_ failure: Failure, at now: MonotonicInstant) -> UplinkHealth? {
        failuresInRow += 1
        recoveryStart = nil
        successesSinceRecoveryStart = 0
        if failure == .refused || failuresInRow >= settings.failuresToDown {
            return change(to: .down)
        }
        return health == .up ? change(to: .degraded) : nil
    }

    private mutating func change(to new: UplinkHealth) -> UplinkHealth? {
        guard new != health else { return nil }
        health = new
        if new != .down {
            recoveryStart = nil
            successesSinceRecoveryStart = 0
        }
        return new
    }

    /// Combines the health of every channel into the uplink's: up while any channel is up,
    /// degraded while the best is degraded, down when all are down or there are none.
    public static func combined(_ channels: some Collection<UplinkHealth>) -> UplinkHealth {
        if channels.contains(.up) { return .up }
        if channels.contains(.degraded) { return .degraded }
        return .down
    }
}
