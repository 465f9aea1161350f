public import Core

/// A rate limit for one IM robot: a token bucket, plus the penalty block some APIs impose.
///
/// WeCom and DingTalk robots take 20 messages a minute, and DingTalk then blocks the robot for
/// 10 minutes. So the box never crosses the limit, and waits out a block the API reports.
public struct TokenBucket: Sendable, Equatable {
    public let capacity: Double
    /// Tokens added per second.
    public let refillRate: Double
    private var tokens: Double
    private var updatedAt: MonotonicInstant
    /// Sending is refused until this instant after the API reported a block.
    public private(set) var blockedUntil: MonotonicInstant?

    /// Creates a bucket that allows `count` messages per `period`, starting full.
    public init(count: Int, per period: Duration, at now: MonotonicInstant) {
        capacity = Double(count)
        refillRate = Double(count) / (Double(period.nanoseconds) / 1e9)
        tokens = Double(count)
        updatedAt = now
    }

    private mutating func refill(at now: MonotonicInstant) {
        let elapsed = Double(updatedAt.duration(to: now).nanoseconds) / 1e9
        if elapsed > 0 {
            tokens = min(capacity, tokens + elapsed * refillRate)
            updatedAt = now
        }
    }

    /// Takes one token if sending is allowed now; returns whether it was taken.
    public mutating func take(at now: MonotonicInstant) -> Bool {
        if let blockedUntil, now < blockedUntil { return false }
        refill(at: now)
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }

    /// Returns the earliest instant a token is available.
    public mutating func nextAvailable(at now: MonotonicInstant) -> MonotonicInstant {
        refill(at: now)
        var ready = now
        if tokens < 1 {
            let wait = (1 - tokens) / refillRate
            ready = now.advanced(by: .nanoseconds(Int64((wait * 1e9).rounded(.up))))
        }
        if let blockedUntil, blockedUntil > ready {
            ready = blockedUntil
        }
        return ready
    }

    /// Records a block the API reported, such as DingTalk's 10 minutes after its limit.
    public mutating func block(for duration: Duration, at now: MonotonicInstant) {
        blockedUntil = now.advanced(by: duration)
        tokens = 0
        updatedAt = now
    }
}
