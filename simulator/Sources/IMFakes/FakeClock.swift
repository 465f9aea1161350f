public import Core

/// The clock of the fake IM servers: the system's clocks plus an offset that a test
/// advances, so that rate windows, DingTalk's 10-minute block and the signature windows
/// pass without sleeping.
///
/// The offset moves the monotonic instant and the wall time together, as if the servers
/// had run that much longer. Response delays and timeouts still use real time.
public final class FakeClock: Sendable {
    private let offset = Locked<Duration>(.zero)
    private let system = SystemClock()

    public init() {}

    /// The monotonic instant plus the offset, for rate windows.
    public var now: MonotonicInstant {
        system.now.advanced(by: offset.withLock { $0 })
    }

    /// The wall time plus the offset, for signature timestamps.
    public var wallNow: WallTime {
        system.wallNow.advanced(by: offset.withLock { $0 })
    }

    /// The total offset, for replies to the control socket.
    public var advanced: Duration {
        offset.withLock { $0 }
    }

    /// Moves the servers' time forward by `duration`.
    public func advance(by duration: Duration) {
        offset.withLock { $0 += duration }
    }
}
