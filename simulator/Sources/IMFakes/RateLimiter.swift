public import Core

/// A per-robot rate limit: sliding windows that each admit at most `count` requests, and an
/// optional block that starts when a request is over a limit.
///
/// WeCom admits 20 a minute, DingTalk 20 a minute and then blocks the robot for 10 minutes,
/// and Feishu 5 a second and 100 a minute. Requests that are refused do not count. While
/// blocked, every request is refused, and the block does not extend.
/// NOTE: WeCom does not document whether its window is sliding or fixed; a sliding window
/// is the stricter reading.
public struct RateLimiter: Sendable, Equatable {
    /// At most `count` requests in any `window`.
    public struct Rule: Sendable, Equatable {
        public var count: Int
        public var window: Duration

        public init(count: Int, window: Duration) {
            self.count = count
            self.window = window
        }
    }

    public var rules: [Rule]
    /// How long a robot stays blocked after going over a limit, or nil for no block.
    public var block: Duration?
    private var admitted: [MonotonicInstant] = []
    private(set) var blockedUntil: MonotonicInstant?

    public init(rules: [Rule], block: Duration? = nil) {
        self.rules = rules
        self.block = block
    }

    /// Returns whether a request at `now` is within the limits, and counts it when it is.
    public mutating func admit(at now: MonotonicInstant) -> Bool {
        if let blockedUntil {
            guard now >= blockedUntil else { return false }
            self.blockedUntil = nil
        }

        let longest = rules.map(\.window).max() ?? .zero
        admitted.removeAll { $0.duration(to: now) >= longest }
        for rule in rules {
            let recent = admitted.filter { $0.duration(to: now) < rule.window }.count
            if recent >= rule.count {
                if let block {
                    blockedUntil = now.advanced(by: block)
                }
                return false
            }
        }
        admitted.append(now)
        return true
    }

    /// Returns whether a block is in force at `now`.
    public func isBlocked(at now: MonotonicInstant) -> Bool {
        blockedUntil.map { now < $0 } ?? false
    }
}
