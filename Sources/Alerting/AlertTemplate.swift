public import Core
public import SMS

/// A named text for one kind of alert in one language: an SMS text and an IM text.
///
/// Both texts use `{name}` variables from `TemplateVariable` and `{{` / `}}` for literal
/// braces. The IM text is plain text, and the renderer adds each channel's formatting.
/// Creating a template checks its syntax. `validate(signature:)` checks the SMS length, so
/// call it whenever a template or the signature is saved.
public struct AlertTemplate: Sendable, Equatable, CustomStringConvertible {
    /// A short identifier shared by the template's language versions, such as `fire-alarm`.
    public let name: String
    public let language: Language
    public let priority: AlertPriority
    public let sms: TemplateText
    public let im: TemplateText

    /// Creates a template and checks the syntax of both texts.
    /// - Throws: `TemplateError` for an empty name or text, an unbalanced brace, `{}` or an
    ///   unknown variable.
    public init(name: String, language: Language, priority: AlertPriority, smsText: String, imText: String)
        throws(TemplateError)
    {
        let reference = Self.reference(name: name, language: language)
        guard !name.trimmingWhitespace().isEmpty else {
            throw .emptyName(template: reference)
        }
        self.name = name
        self.language = language
        self.priority = priority
        self.sms = try TemplateText(smsText, template: reference, field: .smsText)
        self.im = try TemplateText(imText, template: reference, field: .imText)
    }

    /// The SMS text as written.
    public var smsText: String { sms.source }

    /// The IM text as written.
    public var imText: String { im.source }

    /// The name and language that errors show, such as `fire-alarm (zh)`.
    public var reference: String {
        Self.reference(name: name, language: language)
    }

    /// The name, language and priority, such as `fire-alarm (zh) P0`, without the texts.
    public var description: String {
        "\(reference) \(priority)"
    }

    /// Whether the SMS text must fit one SMS whatever the values: true for P0 and P1.
    public var requiresSingleSMS: Bool {
        priority <= .urgent
    }

    private static func reference(name: String, language: Language) -> String {
        "\(name) (\(language.rawValue))"
    }
}

// MARK: - SMS length

extension AlertTemplate {
    /// Checks that the SMS text fits its priority's limit in the worst case.
    ///
    /// The worst case fills every variable to its maximum length and adds `signature` and the
    /// longer of the test and exercise labels. P0 and P1 texts must fit one SMS. P2 and P3
    /// texts may take several parts, and the report gives their count.
    /// - Parameter signature: the configured signature, or nil when the SMS carries none.
    /// - Returns: the worst-case length and part count.
    /// - Throws: `TemplateError.tooLongForOneSMS` naming the excess and the largest variables.
    @discardableResult
    public func validate(signature: SMSSignature?) throws(TemplateError) -> SMSLengthReport {
        let report = try measureSMS(signature: signature)
        guard !requiresSingleSMS || report.parts == 1 else {
            throw .tooLongForOneSMS(
                template: reference, priority: priority, worstCaseUnits: report.worstCaseUnits,
                capacity: report.singleSMSCapacity, alphabet: report.alphabet,
                largestVariables: report.largestVariables())
        }
        return report
    }

    /// Measures the worst-case SMS text without applying a limit.
    ///
    /// The worst case is the text the renderer would produce with every variable at its maximum
    /// length. A value that may leave the GSM 7-bit alphabet is filled with a Chinese character.
    /// The text includes the signature and the longer of the test and exercise labels in the
    /// template's language. The renderer cuts values to the same maximum lengths, so a text that
    /// passes here fits at send time.
    /// - Note: A text that fits in UCS-2 also fits in GSM 7-bit, because a GSM character costs at
    ///   most two septets and 2 × 70 is below 160, so filling with Chinese is the worst case.
    /// - Throws: `TemplateError.tooManyParts` past 255 parts.
    /// 3GPP TS 23.038 §6.2.1 and §6.2.3 for the costs, TS 23.040 §9.2.3.24.1 for the parts.
    public func measureSMS(signature: SMSSignature?) throws(TemplateError) -> SMSLengthReport {
        let text = worstCaseSMSText(signature: signature)
        let plan: SegmentationPlan
        do {
            plan = try Segmenter.plan(text)
        } catch {
            throw .tooManyParts(template: reference, needed: Self.neededParts(error), maximum: Segmenter.maximumParts)
        }

        var variableUnits: [TemplateVariable: Int] = [:]
        for case .variable(let variable) in sms.pieces {
            let value = variable.worstCaseValue(in: language)
            variableUnits[variable, default: 0] += TextEncoding.cost(of: value, in: plan.alphabet)
        }
        return SMSLengthReport(
            alphabet: plan.alphabet, worstCaseUnits: plan.totalUnits,
            singleSMSCapacity: Segmenter.capacity(alphabet: plan.alphabet, concatenated: false),
            parts: plan.segments.count, variableUnits: variableUnits)
    }

    /// Returns the longest SMS text that the template can render to.
    public func worstCaseSMSText(signature: SMSSignature?) -> String {
        let body = sms.substituting { $0.worstCaseValue(in: language) }
        return TemplateRenderer.composeSMS(body: body, label: AlertLabel.longest(in: language), signature: signature)
    }

    private static func neededParts(_ error: SMSError) -> Int {
        if case .tooManyParts(let needed, _) = error { return needed }
        return Segmenter.maximumParts + 1
    }
}

/// The worst-case length of a template's SMS text.
public struct SMSLengthReport: Sendable, Equatable {
    /// The alphabet of the worst-case text: UCS-2 whenever a value may be Chinese.
    public var alphabet: SMSAlphabet
    /// The worst-case length in units: septets for GSM 7-bit, UTF-16 units for UCS-2.
    public var worstCaseUnits: Int
    /// The units that fit in one SMS in `alphabet`: 160 or 70.
    public var singleSMSCapacity: Int
    /// The SMS parts the worst-case text needs.
    public var parts: Int
    /// The units each variable adds in the worst case, summed over its uses.
    public var variableUnits: [TemplateVariable: Int]

    /// Returns the variables that add the most units, largest first, at most `limit`.
    public func largestVariables(limit: Int = 3) -> [TemplateVariable] {
        let ranked = variableUnits.filter { $0.value > 0 }.sorted {
            ($0.value, $1.key.rawValue) > ($1.value, $0.key.rawValue)
        }
        return ranked.prefix(limit).map(\.key)
    }
}
