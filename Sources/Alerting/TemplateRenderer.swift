public import Core
import SMS

/// Renders alert templates into SMS and IM texts.
///
/// Every value is cleaned before it goes into a text: control characters (line breaks, tabs,
/// bidirectional overrides) become spaces, runs of white space become one space, and the ends
/// are trimmed. A value longer than its variable's maximum length is cut at a character
/// boundary and ends with `…`, so a text that `AlertTemplate.validate(signature:)` accepted still fits one
/// SMS.
/// The renderer does not log, because its input and output are message bodies.
public struct TemplateRenderer: Sendable {
    /// The signature added to every SMS, or nil when the SMS carries none.
    public var signature: SMSSignature?
    /// The offset from UTC of the local time that `{time}` and `{date}` show, in minutes.
    public var utcOffsetMinutes: Int

    /// Creates a renderer. The default offset, UTC+8, is China Standard Time.
    public init(signature: SMSSignature?, utcOffsetMinutes: Int = 8 * 60) {
        self.signature = signature
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    /// Renders the SMS text: the signature, the test or exercise label, then the text.
    public func renderSMS(_ template: AlertTemplate, values: TemplateValues) -> String {
        let body = template.sms.substituting { value(of: $0, in: template, values: values) }
        let label = AlertLabel(status: values.status)?.text(in: template.language) ?? ""
        return Self.composeSMS(body: body, label: label, signature: signature)
    }

    /// Renders the IM text for `channel`, with the channel's formatting and escaping.
    ///
    /// The template's first line is the title. Values are escaped for the channel, so a value
    /// cannot add formatting or mention people. The template's own text is used as written.
    public func renderIM(_ template: AlertTemplate, values: TemplateValues, channel: IMChannel) -> IMMessage {
        let body = template.im.substituting { variable in
            channel.escape(value(of: variable, in: template, values: values))
        }
        let label = AlertLabel(status: values.status)?.text(in: template.language) ?? ""
        return channel.format(
            label: label, body: body, highlighted: (values.priority ?? template.priority) <= .urgent)
    }

    /// Returns a variable's value as it goes into a text: cleaned, formatted and cut.
    public func value(of variable: TemplateVariable, in template: AlertTemplate, values: TemplateValues) -> String {
        switch variable {
        case .time:
            return TemplateValues.localTime(values.sent, utcOffsetMinutes: utcOffsetMinutes)
        case .date:
            return TemplateValues.localDate(values.sent, utcOffsetMinutes: utcOffsetMinutes)
        case .identifier:
            return TemplateValues.shortIdentifier(values.identifier, maximumLength: variable.maximumLength)
        case .priority:
            return TemplateVariable.priorityName(values.priority ?? template.priority)(template.language)
        case .event, .location, .sender, .instruction, .headline, .level:
            let raw = values.text(of: variable) ?? ""
            return TemplateValues.truncate(TemplateValues.clean(raw), maximumLength: variable.maximumLength)
        }
    }

    /// Joins the parts of an SMS text. `AlertTemplate.worstCaseSMSText` uses it too, so the check
    /// and the renderer agree on the layout.
    static func composeSMS(body: String, label: String, signature: SMSSignature?) -> String {
        let labelled = label + body
        return signature?.sign(labelled) ?? labelled
    }
}

/// The sender's signature that Chinese carriers require in every SMS, written `【name】`.
///
/// The signature goes at the start or the end of the text, as the carrier's registration
/// states. Its brackets are outside the GSM 7-bit alphabet, so every signed SMS is sent as UCS-2
/// and one SMS has room for 70 characters.
public struct SMSSignature: Sendable, Equatable {
    /// The position of the signature in the SMS text.
    public enum Placement: String, Sendable, CaseIterable {
        case start
        case end
    }

    /// The name inside the brackets, such as 某某医院.
    public let name: String
    public var placement: Placement

    /// Creates a signature from its name, with or without the brackets.
    /// - Throws: `TemplateError.invalidSignature` when the name is empty, contains a bracket,
    ///   or contains a control character such as a line break.
    public init(_ name: String, placement: Placement = .start) throws(TemplateError) {
        var inner = name.trimmingWhitespace()
        if inner.hasPrefix("【") && inner.hasSuffix("】") && inner.count >= 2 {
            inner = String(inner.dropFirst().dropLast()).trimmingWhitespace()
        }
        guard !inner.isEmpty else {
            throw .invalidSignature(
                value: name,
                reason: LocalizedText(zh: "签名为空；请填写运营商备案的签名，例如 某某医院", en: "the signature is empty; give the name registered with the carrier, such as 某某医院"))
        }
        if let bracket = inner.first(where: { "【】[]".contains($0) }) {
            throw .invalidSignature(
                value: name,
                reason: LocalizedText(zh: "签名内不能含“\(bracket)”；只填写括号内的名称", en: "the name contains '\(bracket)'; give only the name inside the brackets"))
        }
        if inner.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw .invalidSignature(
                value: name,
                reason: LocalizedText(zh: "签名含控制字符（如换行）；请删去", en: "the name contains a control character such as a line break; remove it"))
        }
        self.name = inner
        self.placement = placement
    }

    /// The signature as it appears in the SMS: `【name】`.
    public var text: String {
        "【\(name)】"
    }

    /// Returns `body` with the signature at its configured place.
    public func sign(_ body: String) -> String {
        switch placement {
        case .start: text + body
        case .end: body + text
        }
    }
}

/// The label that marks a test or exercise alert, so recipients do not take it for a real
/// emergency.
///
/// The renderer puts the label at the start of the SMS body, after a signature placed at the
/// start, and at the start of the IM text.
public enum AlertLabel: Sendable, CaseIterable {
    case test
    case exercise

    /// Returns the label for a CAP status: `Test` and `Exercise` carry one, others none.
    public init?(status: CAPAlert.Status) {
        switch status {
        case .test: self = .test
        case .exercise: self = .exercise
        case .actual, .system, .draft: return nil
        }
    }

    /// Returns the label as it starts a text in `language`.
    ///
    /// The Chinese labels use full-width brackets and need no space after them. The English
    /// labels end with a space that separates them from the text.
    public func text(in language: Language) -> String {
        switch (self, language) {
        case (.test, .chinese): "【测试】"
        case (.exercise, .chinese): "【演练】"
        case (.test, .english): "[TEST] "
        case (.exercise, .english): "[EXERCISE] "
        }
    }

    /// Returns the label that costs the most SMS units in `language`, which the worst-case
    /// check reserves room for.
    ///
    /// The cost is counted in GSM 7-bit septets, where `[` and `]` cost two each. For these
    /// labels that is never less than their UCS-2 cost.
    public static func longest(in language: Language) -> String {
        let texts = allCases.map { $0.text(in: language) }
        return texts.max { TextEncoding.cost(of: $0, in: .gsm7) < TextEncoding.cost(of: $1, in: .gsm7) }!  // Not empty.
    }
}
