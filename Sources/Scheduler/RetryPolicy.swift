/// When a failed attempt is tried again, by the class of the failure and the priority.
///
/// Temporary failures retry with doubling back-off up to a cap, and life-safety alerts try
/// more often and sooner. Rate limits wait out the time the channel asked for, without using
/// up attempts. Permanent failures and broken channels never retry. An unknown outcome is
/// resent only for P0, because a duplicate fire alarm beats a missed one while a duplicate
/// notice only annoys.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts per delivery for temporary failures, by priority P0 to P3.
    public var attempts: [Int]
    /// The first back-off, by priority P0 to P3; each further attempt doubles it.
    public var firstBackOff: [Duration]
    public var maximumBackOff: Duration
    /// Rate-limit waits a delivery may sit through before it fails.
    public var rateLimitWaits: Int

    public init(
        attempts: [Int] = [10, 6, 4, 3], firstBackOff: [Duration] = [.seconds(10), .seconds(30), .seconds(60), .seconds(120)],
        maximumBackOff: Duration = .seconds(600), rateLimitWaits: Int = 20
    ) {
        precondition(attempts.count == 4 && firstBackOff.count == 4, "one value per priority P0 to P3")
        self.attempts = attempts
        self.firstBackOff = firstBackOff
        self.maximumBackOff = maximumBackOff
        self.rateLimitWaits = rateLimitWaits
    }

    public enum Decision: Sendable, Equatable {
        case sent
        /// Try again after this long; `countsAsAttempt` is false for rate-limit waits.
        case retry(after: Duration, countsAsAttempt: Bool)
        /// Record the delivery as failed.
        case fail
        /// Record the outcome as unknown and do not resend.
        case unknown
    }

    /// Decides what follows attempt number `attempt` (from 1) of a delivery at `priority`.
    /// - Parameter rateLimitWaitsSoFar: how many times the delivery already waited for a limit.
    public func decide(_ outcome: ChannelOutcome, priority: Int, attempt: Int, rateLimitWaitsSoFar: Int = 0) -> Decision {
        switch outcome {
        case .accepted:
            return .sent
        case .failed(.rateLimited(let retryAfter), _):
            return rateLimitWaitsSoFar < rateLimitWaits ? .retry(after: retryAfter, countsAsAttempt: false) : .fail
        case .failed(.permanent, _), .failed(.channelBroken, _):
            return .fail
        case .failed(.temporary, _):
            return backOff(priority: priority, attempt: attempt).map { .retry(after: $0, countsAsAttempt: true) } ?? .fail
        case .outcomeUnknown:
            guard priority == 0 else { return .unknown }
            return backOff(priority: priority, attempt: attempt).map { .retry(after: $0, countsAsAttempt: true) } ?? .unknown
        }
    }

    private func backOff(priority: Int, attempt: Int) -> Duration? {
        guard attempt < attempts[priority] else { return nil }
        let factor = 1 << min(attempt - 1, 16)
        return min(firstBackOff[priority] * factor, maximumBackOff)
    }
}
