import Glibc

/// A point on the monotonic timeline, in nanoseconds since an arbitrary origin.
///
/// Deadlines, timeouts and rate windows use this instant because it never jumps when the
/// wall clock is set by NTP, by the cellular network or by an operator.
public struct MonotonicInstant: InstantProtocol, Hashable, Sendable, CustomStringConvertible {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    public func advanced(by duration: Duration) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: nanoseconds + duration.nanoseconds)
    }

    public func duration(to other: MonotonicInstant) -> Duration {
        .nanoseconds(other.nanoseconds - nanoseconds)
    }

    public static func < (lhs: MonotonicInstant, rhs: MonotonicInstant) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    public var description: String {
        "\(Double(nanoseconds) / 1e9)s"
    }
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at the range of `Int64`.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return seconds < 0 ? .min : .max }
        return scaled + attoseconds / 1_000_000_000
    }
}

/// A clock that tells monotonic time for deadlines and wall time for timestamps.
///
/// Components take a `BoxClock` instead of reading the system time, so that tests drive them
/// with a `ManualClock` and never sleep. It refines the standard library's `Clock`, so
/// `sleep(for:)` and `measure` work as usual.
public protocol BoxClock: Clock, Sendable where Instant == MonotonicInstant, Duration == Swift.Duration {
    /// The wall-clock time as seconds since the Unix epoch, UTC.
    var wallNow: WallTime { get }
}

/// A wall-clock time as nanoseconds since 1970-01-01T00:00:00Z.
public struct WallTime: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var nanosecondsSinceEpoch: Int64

    public init(nanosecondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
    }

    public init(secondsSinceEpoch: Int64) {
        self.nanosecondsSinceEpoch = secondsSinceEpoch * 1_000_000_000
    }

    public var secondsSinceEpoch: Int64 {
        nanosecondsSinceEpoch / 1_000_000_000
    }

    public func advanced(by duration: Duration) -> WallTime {
        WallTime(nanosecondsSinceEpoch: nanosecondsSinceEpoch + duration.nanoseconds)
    }

    public static func < (lhs: WallTime, rhs: WallTime) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    public var description: String {
        "\(secondsSinceEpoch)"
    }
}

/// The system's clocks: `CLOCK_MONOTONIC` for instants and `CLOCK_REALTIME` for wall time.
public struct SystemClock: BoxClock {
    public init() {}

    public var now: MonotonicInstant {
        MonotonicInstant(nanoseconds: Self.read(CLOCK_MONOTONIC))
    }

    public var wallNow: WallTime {
        WallTime(nanosecondsSinceEpoch: Self.read(CLOCK_REALTIME))
    }

    public var minimumResolution: Duration {
        .nanoseconds(1)
    }

    public func sleep(until deadline: MonotonicInstant, tolerance: Duration? = nil) async throws {
        let remaining = now.duration(to: deadline)
        if remaining > .zero {
            try await ContinuousClock().sleep(for: remaining, tolerance: tolerance)
        }
    }

    /// Reads a POSIX clock with `clock_gettime(2)`.
    private static func read(_ clock: clockid_t) -> Int64 {
        var spec = timespec()
        clock_gettime(clock, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }
}
