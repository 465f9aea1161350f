import ATProtocol
public import Core

/// When a failed send is tried again.
///
/// Temporary causes (network out of order, congestion, no service) retry with growing
/// back-off. Permanent causes (unassigned number, rejected) fail at once. Unknown causes
/// (`+CMS ERROR: 500`) get a small bounded number of tries. An unknown outcome is not
/// resent unless `resendUnknownOutcome` is set, because the SMSC may already have the message;
/// the scheduler sets it for life-safety alarms, where a duplicate beats a missed alarm.
public struct SendRetryPolicy: Sendable, Equatable {
    public var temporaryAttempts: Int
    public var unknownAttempts: Int
    public var baseBackOff: Duration
    public var maximumBackOff: Duration
    public var resendUnknownOutcome: Bool

    public init(
        temporaryAttempts: Int = 5, unknownAttempts: Int = 3, baseBackOff: Duration = .seconds(30),
        maximumBackOff: Duration = .seconds(600), resendUnknownOutcome: Bool = false
    ) {
        self.temporaryAttempts = temporaryAttempts
        self.unknownAttempts = unknownAttempts
        self.baseBackOff = baseBackOff
        self.maximumBackOff = maximumBackOff
        self.resendUnknownOutcome = resendUnknownOutcome
    }

    public enum Decision: Sendable, Equatable {
        case done
        case retry(after: Duration)
        case giveUp
    }

    /// Decides what follows attempt number `attempt` (from 1) that ended with `result`.
    public func decide(_ result: SendResult, attempt: Int) -> Decision {
        let limit: Int
        switch result {
        case .accepted:
            return .done
        case .failed(let kind, _, _, _):
            switch kind {
            case .permanent: return .giveUp
            case .temporary: limit = temporaryAttempts
            case .unknown: limit = unknownAttempts
            }
        case .outcomeUnknown:
            guard resendUnknownOutcome else { return .giveUp }
            limit = unknownAttempts
        }
        guard attempt < limit else { return .giveUp }
        let factor = Int64(1) << Int64(min(attempt - 1, 20))
        let backOff = baseBackOff * Int(factor)
        return .retry(after: min(backOff, maximumBackOff))
    }
}

/// Messages waiting to be sent, each ready at its own instant, so a message waiting out a
/// back-off never holds up the ones behind it.
public struct OutboundQueue: Sendable {
    public struct Entry: Sendable, Equatable {
        public var message: OutgoingSMS
        public var attempt: Int
        public var notBefore: MonotonicInstant
    }

    /// The final result of one message.
    public struct Outcome: Sendable, Equatable {
        public var id: String
        public var result: SendResult
        public var attempts: Int
        public var finishedAt: MonotonicInstant
    }

    public let policy: SendRetryPolicy
    public private(set) var entries: [Entry] = []
    public private(set) var outcomes: [Outcome] = []

    public init(policy: SendRetryPolicy) {
        self.policy = policy
    }

    public mutating func add(_ message: OutgoingSMS, at now: MonotonicInstant) {
        entries.append(Entry(message: message, attempt: 0, notBefore: now))
    }

    public var isEmpty: Bool {
        entries.isEmpty
    }

    /// The earliest instant an entry becomes ready.
    public var nextReady: MonotonicInstant? {
        entries.map(\.notBefore).min()
    }

    /// Takes the first entry in queue order that is ready at `now`.
    public mutating func takeNext(at now: MonotonicInstant) -> Entry? {
        guard let index = entries.firstIndex(where: { $0.notBefore <= now }) else { return nil }
        var entry = entries.remove(at: index)
        entry.attempt += 1
        return entry
    }

    /// Records an attempt's result: the entry is done, given up, or queued again after its back-off.
    public mutating func record(_ result: SendResult, for entry: Entry, at now: MonotonicInstant) {
        switch policy.decide(result, attempt: entry.attempt) {
        case .done, .giveUp:
            outcomes.append(Outcome(id: entry.message.id, result: result, attempts: entry.attempt, finishedAt: now))
        case .retry(let after):
            var again = entry
            again.notBefore = now.advanced(by: after)
            entries.append(again)
        }
    }
}

extension ModemDriver {
    /// Sends every message of `queue`, retrying by its policy, until each is done or given up.
    public func drain(_ queue: OutboundQueue) async -> OutboundQueue {
        var queue = queue
        while !queue.isEmpty, !stopped {
            if let entry = queue.takeNext(at: clock.now) {
                let result = await send(entry.message)
                queue.record(result, for: entry, at: clock.now)
                continue
            }
            if let next = queue.nextReady {
                try? await Task.sleep(for: clock.now.duration(to: next))
            }
        }
        return queue
    }
}
