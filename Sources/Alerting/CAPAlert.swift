/// An alert message shaped like CAP 1.2 (OASIS Common Alerting Protocol), with the fields the
/// box uses.
/// OASIS CAP 1.2 §3.2.
public struct CAPAlert: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable { case actual = "Actual", exercise = "Exercise", system = "System", test = "Test", draft = "Draft" }
    public enum MessageType: String, Sendable, CaseIterable { case alert = "Alert", update = "Update", cancel = "Cancel", ack = "Ack", error = "Error" }
    public enum Scope: String, Sendable, CaseIterable { case `public` = "Public", restricted = "Restricted", `private` = "Private" }

    /// The CAP version the document declared: "1.2", "1.1" or "1.0".
    public var version: String
    public var identifier: String
    public var sender: String
    /// `sent` as written, with its offset, such as `2026-12-04T10:15:00+08:00`.
    public var sent: CAPDateTime
    public var status: Status
    public var messageType: MessageType
    public var source: String?
    public var scope: Scope
    public var restriction: String?
    public var addresses: String?
    public var codes: [String]
    public var note: String?
    public var references: [CAPReference]
    public var incidents: String?
    public var infos: [CAPInfo]

    /// The info block to show in `language`, then in the fallback order, then the first.
    public func info(preferring languages: [String]) -> CAPInfo? {
        for language in languages {
            let wanted = language.lowercased()
            if let exact = infos.first(where: { $0.language.lowercased() == wanted }) { return exact }
            let base = wanted.split(separator: "-").first.map(String.init) ?? wanted
            if let near = infos.first(where: { $0.language.lowercased().split(separator: "-").first.map(String.init) == base }) {
                return near
            }
        }
        return infos.first
    }
}

/// One entry of `references`: the sender, identifier and sent time of an earlier alert.
public struct CAPReference: Sendable, Equatable {
    public var sender: String
    public var identifier: String
    public var sent: String

    public init(sender: String, identifier: String, sent: String) {
        self.sender = sender
        self.identifier = identifier
        self.sent = sent
    }
}

/// A CAP date-time: the instant and the offset it was written with.
public struct CAPDateTime: Sendable, Equatable, CustomStringConvertible {
    public var text: String
    /// Seconds since the Unix epoch, UTC.
    public var secondsSinceEpoch: Int64
    public var utcOffsetMinutes: Int

    public var description: String { text }
}

/// One `info` block: the event in one language.
/// OASIS CAP 1.2 §3.2.2.
public struct CAPInfo: Sendable, Equatable {
    public enum Urgency: String, Sendable, CaseIterable { case immediate = "Immediate", expected = "Expected", future = "Future", past = "Past", unknown = "Unknown" }
    public enum Severity: String, Sendable, CaseIterable { case extreme = "Extreme", severe = "Severe", moderate = "Moderate", minor = "Minor", unknown = "Unknown" }
    public enum Certainty: String, Sendable, CaseIterable {
        case observed = "Observed", likely = "Likely", possible = "Possible", unlikely = "Unlikely", unknown = "Unknown"
        /// CAP 1.0's value, read as `Likely` as CAP 1.1 §3.2.2 specifies.
        case veryLikely = "Very Likely"
    }

    public var language: String
    public var categories: [String]
    public var event: String
    public var responseTypes: [String]
    public var urgency: Urgency
    public var severity: Severity
    public var certainty: Certainty
    public var audience: String?
    public var effective: CAPDateTime?
    public var onset: CAPDateTime?
    public var expires: CAPDateTime?
    public var senderName: String?
    public var headline: String?
    public var description: String?
    public var instruction: String?
    public var web: String?
    public var contact: String?
    /// `parameter` pairs in document order, such as ("预警级别", "红色").
    public var parameters: [(name: String, value: String)]
    public var areas: [String]

    public static func == (lhs: CAPInfo, rhs: CAPInfo) -> Bool {
        lhs.language == rhs.language && lhs.event == rhs.event && lhs.headline == rhs.headline
            && lhs.parameters.map { "\($0.name)=\($0.value)" } == rhs.parameters.map { "\($0.name)=\($0.value)" }
            && lhs.urgency == rhs.urgency && lhs.severity == rhs.severity && lhs.certainty == rhs.certainty
            && lhs.expires == rhs.expires && lhs.description == rhs.description && lhs.instruction == rhs.instruction
    }
}
