import CPosix
public import Core

/// The trust in the wall clock for signing: DingTalk and Feishu reject signatures more than
/// an hour off, and a box that booted without a network may think it is 1970.
///
/// The clock is trusted when the kernel reports it synchronised (NTP through adjtimex), when
/// the modem reported network time, or when the configuration trusts it for a lab without
/// either. It is never trusted while the wall time is before `earliest`.
public final class ClockTrust: Sendable {
    public enum Policy: String, Sendable, CaseIterable {
        /// Trust the kernel's synchronisation state or network time from the modem.
        case synchronized
        /// Trust the clock whenever it is plausible; for labs and tests without NTP.
        case assumed
    }

    private let policy: Policy
    private let clock: any BoxClock
    /// Wall times before this are impossible for the running build, so never trusted.
    private let earliest: WallTime
    private let networkTime = Locked(false)

    public init(policy: Policy, clock: any BoxClock, earliest: WallTime = WallTime(secondsSinceEpoch: 1_767_225_600)) {
        self.policy = policy
        self.clock = clock
        self.earliest = earliest
    }

    /// Records that the modem's network time (`+CTZV`, `+CCLK?`) set the clock.
    public func networkTimeReceived() {
        networkTime.withLock { $0 = true }
    }

    /// Returns whether a signature made now would carry a trustworthy time.
    public var isTrusted: Bool {
        guard clock.wallNow >= earliest else { return false }
        switch policy {
        case .assumed:
            return true
        case .synchronized:
            return networkTime.withLock { $0 } || cposix_clock_synchronized() == 1
        }
    }
}
