public import Core

/// One sender's wrong PINs and lockout, as stored between commands and across restarts.
public struct SenderLockout: Sendable, Equatable {
    /// Wall times of the wrong PINs inside the counting window, in milliseconds since the epoch, oldest first.
    public var failures: [Int64]
    /// The wall time at which a lockout ends, in milliseconds since the epoch.
    public var lockedUntil: Int64?

    public init(failures: [Int64] = [], lockedUntil: Int64? = nil) {
        self.failures = failures
        self.lockedUntil = lockedUntil
    }

    /// Returns whether the sender is locked out at `now`.
    public func isLocked(at now: Int64) -> Bool {
        lockedUntil.map { now < $0 } ?? false
    }
}

/// The age of a command by its TP-SCTS.
public enum CommandAge: Sendable, Equatable {
    /// Within the replay window.
    case fresh
    /// Older than the replay window by the SCTS; the payload is the age.
    case tooOld(Duration)
    /// Ahead of the reference time by more than the allowed skew; the payload is how far.
    case inFuture(Duration)
    /// There is no SCTS, or no time to compare it with: the box's clock is not trusted and
    /// no earlier SMS gave the network's time since the start.
    case unknown
}

/// The decisions of the SMS command path that depend on time: lockouts after wrong PINs, and
/// the age of a command by its TP-SCTS. A pure value; the router stores and performs.
///
/// Times are wall times in milliseconds since the epoch, because a lockout must survive a
/// restart and the monotonic clock starts again at each boot.
/// - Note: Setting the wall clock back lengthens a running lockout by the same amount.
public struct SMSCommandGuard: Sendable {
    public var maximumFailures: Int
    public var failureWindow: Duration
    public var lockoutDuration: Duration
    public var replayWindow: Duration
    public var clockSkew: Duration

    public init(settings: SMSCommandSettings) {
        maximumFailures = settings.maximumFailures
        failureWindow = settings.failureWindow
        lockoutDuration = settings.lockoutDuration
        replayWindow = settings.replayWindow
        clockSkew = settings.clockSkew
    }

    /// The outcome of a wrong PIN.
    public enum FailureOutcome: Sendable, Equatable {
        /// Counted; this many tries remain before a lockout.
        case counted(remaining: Int)
        /// This wrong PIN started a lockout that ends at the given wall time.
        case lockedOut(until: Int64)
    }

    /// Counts a wrong PIN at `now`: failures older than the window are forgotten, and the
    /// `maximumFailures`-th one inside it starts a lockout and clears the count.
    public func recordFailure(_ record: SenderLockout, at now: Int64) -> (SenderLockout, FailureOutcome) {
        let windowStart = now - failureWindow.wholeMilliseconds
        var failures = record.failures.filter { $0 > windowStart }
        failures.append(now)
        guard failures.count >= maximumFailures else {
            return (SenderLockout(failures: failures, lockedUntil: record.lockedUntil), .counted(remaining: maximumFailures - failures.count))
        }
        let until = now + lockoutDuration.wholeMilliseconds
        return (SenderLockout(failures: [], lockedUntil: until), .lockedOut(until: until))
    }

    /// Clears the count after a right PIN; an expired lockout is dropped too.
    public func recordSuccess(_ record: SenderLockout, at now: Int64) -> SenderLockout {
        SenderLockout(failures: [], lockedUntil: record.isLocked(at: now) ? record.lockedUntil : nil)
    }

    /// Judges a command's age: its SCTS against `reference`, which is the box's wall time
    /// when the box trusts its clock, else the network time estimated from earlier messages.
    /// - Parameter checksFuture: whether an SCTS ahead of `reference` by more than the skew
    ///   is rejected. An estimate from earlier messages lags whenever one of them sat in the
    ///   SMSC, so a later command is often ahead of it, and only the box's own clock checks this.
    public func age(of serviceCentreTime: WallTime?, reference: WallTime?, checksFuture: Bool = true) -> CommandAge {
        guard let serviceCentreTime, let reference else { return .unknown }
        let age = Duration.nanoseconds(reference.nanosecondsSinceEpoch - serviceCentreTime.nanosecondsSinceEpoch)
        if age > replayWindow { return .tooOld(age) }
        if checksFuture, age < .zero - clockSkew { return .inFuture(.zero - age) }
        return .fresh
    }
}

/// The network's time as the SMSC stamps it, carried forward on the monotonic clock, for a
/// box whose own wall clock is not trusted (no NTP, no RTC, no network time yet).
///
/// Each message's SCTS is a lower bound of the network's time when it arrived, so the
/// estimate takes the latest of them. An old stored message read after a restart cannot pull
/// it back. A message that sat in the SMSC makes the estimate late, never early.
public struct NetworkTimeEstimate: Sendable, Equatable {
    /// The SCTS minus the monotonic instant of arrival that gave the latest estimate, in nanoseconds.
    private var offset: Int64?

    public init() {}

    /// Takes the SCTS of a message that arrived at `instant`.
    public mutating func observe(_ serviceCentreTime: WallTime, at instant: MonotonicInstant) {
        let candidate = serviceCentreTime.nanosecondsSinceEpoch - instant.nanoseconds
        offset = max(offset ?? candidate, candidate)
    }

    /// Returns the estimated network time at `instant`, or nil before any message.
    public func estimate(at instant: MonotonicInstant) -> WallTime? {
        offset.map { WallTime(nanosecondsSinceEpoch: $0 + instant.nanoseconds) }
    }
}

extension Duration {
    /// The duration in whole milliseconds.
    var wholeMilliseconds: Int64 {
        nanoseconds / 1_000_000
    }
}
