public import Core

/// Pairs status reports with the parts they report on and tracks each message's outcome.
///
/// Every part sent gets its own TP-MR from `+CMGS`, so a three-part message waits for three
/// reports. A report matches the newest unreported part with the same reference and recipient
/// sent within the window; the message counts as delivered only when every part is, and as
/// failed as soon as one part fails for good.
/// - Note: TP-MR is one octet and wraps after 256 sends, so the window must stay shorter than
///   the time the box takes to send 256 messages to one recipient.
/// 3GPP TS 23.040 §9.2.3.6 (TP-MR) and §9.2.3.15 (TP-ST).
public struct StatusReportMatcher<MessageID: Hashable & Sendable>: Sendable {
    /// A message's delivery outcome, from the reports so far.
    public enum Outcome: Sendable, Equatable {
        /// Some parts have no final report yet.
        case pending(delivered: Int, total: Int)
        /// Every part reached the recipient.
        case delivered
        /// A part failed. `permanent` tells whether sending again can help.
        case failed(status: DeliveryStatus, permanent: Bool)
    }

    /// A report paired with its part.
    public struct Match: Sendable, Equatable {
        public var message: MessageID
        /// The part number, from 1.
        public var part: Int
        public var status: DeliveryStatus
        /// The message's outcome after this report.
        public var outcome: Outcome
    }

    private struct SentPart {
        let message: MessageID
        let part: Int
        let reference: UInt8
        let recipientDigits: String
        let sentAt: MonotonicInstant
        var status: DeliveryStatus?
    }

    private struct Message {
        var total: Int
        var parts: [Int: DeliveryStatus] = [:]
        var lastSent: MonotonicInstant
    }

    /// How long after sending a part its report is still paired.
    public let window: Duration
    private var sent: [SentPart] = []
    private var messages: [MessageID: Message] = [:]

    /// Creates a matcher; 48 hours covers a recipient whose phone was off over a weekend night.
    public init(window: Duration = .seconds(48 * 3600)) {
        self.window = window
    }

    /// The parts still waiting for a final report.
    public var awaitingCount: Int {
        sent.count
    }

    /// Records a part accepted by the SMSC with its TP-MR from `+CMGS`.
    public mutating func recordSent(
        message: MessageID, part: Int, of total: Int, reference: UInt8, recipient: String, at now: MonotonicInstant
    ) {
        sent.append(
            SentPart(
                message: message, part: part, reference: reference, recipientDigits: Self.digits(recipient),
                sentAt: now, status: nil))
        messages[message, default: Message(total: total, lastSent: now)].lastSent = now
    }

    /// Pairs a report with its part; nil when no part matches (a stray or expired report).
    public mutating func match(_ report: SMSStatusReport, at now: MonotonicInstant) -> Match? {
        expire(at: now)
        let digits = Self.digits(report.recipient.value)
        guard
            let index = sent.lastIndex(where: {
                $0.reference == report.messageReference && Self.sameNumber($0.recipientDigits, digits)
            })
        else { return nil }

        let part = sent[index]
        if report.status.category.isFinal {
            sent.remove(at: index)
        } else {
            sent[index].status = report.status
        }
        messages[part.message]?.parts[part.part] = report.status
        let match = Match(message: part.message, part: part.part, status: report.status, outcome: outcome(of: part.message))
        // A message whose every part has its final report is done. Kept for the whole window,
        // such messages would fill the matcher with every message of the last 48 hours.
        if let record = messages[part.message], record.parts.count == record.total,
            record.parts.values.allSatisfy({ $0.category.isFinal })
        {
            messages[part.message] = nil
        }
        return match
    }

    /// The messages with a part still awaiting its final report, or with parts to be sent.
    public var messageCount: Int {
        messages.count
    }

    /// Returns the outcome of a message from the reports so far. A message whose every part
    /// had its final report is forgotten, so it reads as pending with no parts.
    public func outcome(of message: MessageID) -> Outcome {
        guard let record = messages[message] else { return .pending(delivered: 0, total: 0) }
        let statuses = record.parts.values
        if let failure = statuses.first(where: { $0.category == .permanentFailure }) {
            return .failed(status: failure, permanent: true)
        }
        if let failure = statuses.first(where: { $0.category == .temporaryFailure }) {
            return .failed(status: failure, permanent: false)
        }
        let delivered = statuses.filter { $0.category == .delivered }.count
        return delivered == record.total ? .delivered : .pending(delivered: delivered, total: record.total)
    }

    /// Forgets parts sent longer ago than the window.
    public mutating func expire(at now: MonotonicInstant) {
        sent.removeAll { $0.sentAt.advanced(by: window) < now }
        messages = messages.filter { $0.value.lastSent.advanced(by: window) >= now }
    }

    private static func digits(_ number: String) -> String {
        String(number.unicodeScalars.filter { ("0"..."9").contains($0) }.map(Character.init))
    }

    /// Compares numbers that an SMSC may write in international or national form.
    private static func sameNumber(_ lhs: String, _ rhs: String) -> Bool {
        if lhs == rhs { return true }
        let (shorter, longer) = lhs.count < rhs.count ? (lhs, rhs) : (rhs, lhs)
        return shorter.count >= 8 && longer.hasSuffix(shorter)
    }
}
