public import Core

/// An alert as the box plans and sends it: shaped like CAP 1.2, whatever the trigger, plus the
/// box's priority, its audience and the texts to send.
///
/// A GPIO button, a console command, an SMS command and a CAP feed all end up as one of these.
/// OASIS CAP 1.2 §3.2.1 for the fields that share CAP's names.
public struct Alert: Sendable, Equatable {
    /// The kind of trigger that raised the alert.
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
    /// The event, in the box's language, such as 火警 (CAP `info/event`).
    public var event: String?
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
        certainty: CAPInfo.Certainty? = nil, expiresAt: Int64? = nil, source: Source, event: String? = nil, audience: [String],
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
        self.event = event
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
    /// The plain text for IM channels that have no rendering of their own in `imRenders`.
    public var imText: String
    /// The text formatted and escaped for each IM channel, by channel name (`wecom`,
    /// `dingtalk`, ...), when it was rendered from a template.
    public var imRenders: [String: IMMessage]

    public init(language: Language, headline: String? = nil, smsText: String, imText: String, imRenders: [String: IMMessage] = [:]) {
        self.language = language
        self.headline = headline
        self.smsText = smsText
        self.imText = imText
        self.imRenders = imRenders
    }

    /// Returns the message for IM channel `channel`: its own rendering, else the plain text.
    public func imMessage(for channel: String) -> IMMessage {
        imRenders[channel] ?? IMMessage(format: .plain, title: headline, text: imText)
    }
}

extension Alert {
    /// Builds an alert from a parsed CAP document.
    ///
    /// Each language of the composer gets its text from the info block in that language
    /// (else the preferred block), rendered with `templates` so the SMS carries the signature
    /// and keeps to the template's length. Priority comes from `mapping` applied to the block
    /// in the box's language, and expiry from the earliest `expires` of the blocks. A CAP
    /// message without an info block (a bare `Cancel`, for example) gets no texts: the
    /// scheduler composes the all-clear itself.
    /// - Parameters:
    ///   - cap: the parsed document.
    ///   - mapping: the urgency, severity and warning-level table.
    ///   - audience: the groups a feed's alerts go to; CAP carries no contact groups.
    ///   - composer: the renderer and the box's languages, first to last.
    ///   - templates: the template to render, one per language; the built-in severe-weather one by default.
    public init(
        cap: CAPAlert, mapping: PriorityMapping, audience: [String], composer: AlertComposer,
        templates: [AlertTemplate]? = nil, source: Source = .cap
    ) {
        let codes = composer.languages.map(\.rawValue)
        let preferred = cap.info(preferring: codes)
        let priority = preferred.map { mapping.priority(of: $0) } ?? mapping.fallback
        let templates = templates ?? composer.languages.map { BuiltInTemplates.template(.severeWeather, language: $0) }

        var texts: [AlertText] = []
        for language in composer.languages {
            guard let template = templates.first(where: { $0.language == language }),
                let info = cap.infos.first(where: { Language(code: $0.language) == language }) ?? preferred
            else { continue }
            texts.append(composer.text(from: template, values: TemplateValues(alert: cap, info: info, priority: priority)))
        }

        let expiries = cap.infos.compactMap { $0.expires?.secondsSinceEpoch }
        self.init(
            identifier: cap.identifier, sender: cap.sender, sentAt: cap.sent.secondsSinceEpoch * 1000, status: cap.status,
            messageType: cap.messageType, references: cap.references, scope: cap.scope,
            priority: priority, urgency: preferred?.urgency, severity: preferred?.severity, certainty: preferred?.certainty,
            expiresAt: expiries.min().map { $0 * 1000 }, source: source, event: preferred?.event, audience: audience, texts: texts)
    }
}
