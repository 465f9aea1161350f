public import Core

/// An alert as the box plans and sends it: shaped like CAP 1.2, whatever the trigger, plus the
/// box's priority, its audience and the texts to send.
///
/// A GPIO button, a console command, an SMS command and a CAP feed all end up as one of these.
/// OASIS CAP 1.2 §3.2.1 for the fields that share CAP's names.
public struct Alert: Sendable, Equatable {
    /// What raised the alert.
    public enum Source: String, Sendable, CaseIterable {
        case gpio
        case console
        case smsCommand = "sms_command"
        case cap
        case mqtt
    }

    public var identifier: String
    public var sender: String
    /// `sent`, in milliseconds since the Unix epoch.
    public var sentAt: Int64
    public var status: CAPAlert.Status
    public var messageType: CAPAlert.MessageType
    /// Earlier alerts this one updates or cancels.
    public var references: [CAPReference]
    public var scope: CAPAlert.Scope
    public var priority: AlertPriority
    public var urgency: CAPInfo.Urgency?
    public var severity: CAPInfo.Severity?
    public var certainty: CAPInfo.Certainty?
    /// The instant after which nothing more is sent, in milliseconds since the Unix epoch.
    public var expiresAt: Int64?
    public var source: Source
    /// Names of the contact groups to alert; a group's IM targets come with it.
    public var audience: [String]
    /// The texts to send, one per language, the box's language first.
    public var texts: [AlertText]
    /// Identifies the trigger, such as `gpio:fire-panel-1`, so that a bouncing button or a
    /// chattering relay raises one alert within the scheduler's window.
    public var triggerKey: String?

    public init(
        identifier: String, sender: String, sentAt: Int64, status: CAPAlert.Status = .actual,
        messageType: CAPAlert.MessageType = .alert, references: [CAPReference] = [], scope: CAPAlert.Scope = .private,
        priority: AlertPriority, urgency: CAPInfo.Urgency? = nil, severity: CAPInfo.Severity? = nil,
        certainty: CAPInfo.Certainty? = nil, expiresAt: Int64? = nil, source: Source, audience: [String],
        texts: [AlertText], triggerKey: String? = nil
    ) {
        self.identifier = identifier
        self.sender = sender
        self.sentAt = sentAt
        self.status = status
        self.messageType = messageType
        self.references = references
        self.scope = scope
        self.priority = priority
        self.urgency = urgency
        self.severity = severity
        self.certainty = certainty
        self.expiresAt = expiresAt
        self.source = source
        self.audience = audience
        self.texts = texts
        self.triggerKey = triggerKey
    }

    /// Whether the alert goes only to the test audience, labelled as a test or an exercise.
    public var isForTestAudience: Bool {
        status == .test || status == .exercise
    }

    /// Returns whether the alert has expired at `wallMillis`.
    public func isExpired(at wallMillis: Int64) -> Bool {
        guard let expiresAt else { return false }
        return wallMillis >= expiresAt
    }

    /// Returns the text for `language`, then for the languages in `fallback`, then the first.
    public func text(for language: Language, fallback: [Language] = Language.allCases) -> AlertText? {
        for wanted in [language] + fallback {
            if let text = texts.first(where: { $0.language == wanted }) { return text }
        }
        return texts.first
    }
}

/// An alert's words in one language, ready to send.
public struct AlertText: Sendable, Equatable {
    public var language: Language
    public var headline: String?
    /// The text for SMS: plain, and one segment for P0 and P1.
    public var smsText: String
    /// The text for IM channels, markdown where the channel shows it.
    public var imText: String

    public init(language: Language, headline: String? = nil, smsText: String, imText: String) {
        self.language = language
        self.headline = headline
        self.smsText = smsText
        self.imText = imText
    }
}

extension Alert {
    /// Builds an alert from a parsed CAP document.
    ///
    /// The info blocks become texts in `languages` order (blocks in other languages are kept
    /// after them). Priority comes from `mapping` applied to the first block in the box's
    /// language, and expiry from the earliest `expires` of those blocks. A CAP message without
    /// an info block (a bare `Cancel`, for example) gets no texts: the scheduler composes the
    /// all-clear itself.
    /// - Parameters:
    ///   - cap: the parsed document.
    ///   - mapping: the urgency, severity and warning-level table.
    ///   - audience: the groups a feed's alerts go to; CAP carries no contact groups.
    ///   - languages: the box's language first, then the fallback order.
    public init(cap: CAPAlert, mapping: PriorityMapping, audience: [String], languages: [Language], source: Source = .cap) {
        let codes = languages.map(\.rawValue)
        let preferred = cap.info(preferring: codes)
        var ordered: [CAPInfo] = []
        for code in codes {
            if let info = cap.infos.first(where: { Language(code: $0.language) == Language(code: code) }), !ordered.contains(info) {
                ordered.append(info)
            }
        }
        for info in cap.infos where !ordered.contains(info) {
            ordered.append(info)
        }

        var texts: [AlertText] = []
        for info in ordered {
            let language = Language(code: info.language) ?? languages.first ?? .chinese
            guard !texts.contains(where: { $0.language == language }) else { continue }
            let body = [info.headline ?? info.event, info.instruction].compactMap { $0 }.joined(separator: " ")
            texts.append(AlertText(language: language, headline: info.headline, smsText: body, imText: body))
        }

        let expiries = cap.infos.compactMap { $0.expires?.secondsSinceEpoch }
        self.init(
            identifier: cap.identifier, sender: cap.sender, sentAt: cap.sent.secondsSinceEpoch * 1000, status: cap.status,
            messageType: cap.messageType, references: cap.references, scope: cap.scope,
            priority: preferred.map { mapping.priority(of: $0) } ?? mapping.fallback, urgency: preferred?.urgency,
            severity: preferred?.severity, certainty: preferred?.certainty, expiresAt: expiries.min().map { $0 * 1000 },
            source: source, audience: audience, texts: texts)
    }
}
