public import Core
public import SMS

/// The part of a template that an error is about.
public enum TemplateField: String, Sendable, CaseIterable {
    case name
    case smsText
    case imText
    case signature

    /// The field's name shown to operators, in both languages.
    public var displayName: LocalizedText {
        switch self {
        case .name: LocalizedText(zh: "模板名称", en: "template name")
        case .smsText: LocalizedText(zh: "短信文本", en: "SMS text")
        case .imText: LocalizedText(zh: "即时通讯文本", en: "IM text")
        case .signature: LocalizedText(zh: "短信签名", en: "SMS signature")
        }
    }
}

/// An error that rejects a template or an SMS signature.
///
/// Each case names the template (its name and language code, such as `fire-alarm (zh)`), the
/// field, the offending value and the fix, in Chinese and English. Template texts are
/// configuration written by operators and contain no alert values, so an error may show them.
public enum TemplateError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The template has no name.
    case emptyName(template: String)
    /// A text is empty or contains only white space.
    case emptyText(template: String, field: TemplateField)
    /// A `{` has no matching `}`, or a `}` has no `{` before it.
    /// `offset` counts characters from 1, and `excerpt` shows the text around the brace.
    case unbalancedBrace(template: String, field: TemplateField, brace: Character, offset: Int, excerpt: String)
    /// `{}` names no variable.
    case emptyVariableName(template: String, field: TemplateField, offset: Int)
    /// `{name}` names no variable of `TemplateVariable`.
    case unknownVariable(template: String, field: TemplateField, name: String)
    /// The signature is empty, has brackets of its own or has control characters.
    case invalidSignature(value: String, reason: LocalizedText)
    /// A P0 or P1 SMS text cannot fit one SMS in the worst case.
    /// `largestVariables` lists the variables that cost the most, largest first.
    case tooLongForOneSMS(
        template: String, priority: AlertPriority, worstCaseUnits: Int, capacity: Int, alphabet: SMSAlphabet,
        largestVariables: [TemplateVariable])
    /// The worst-case SMS text needs more parts than a concatenated SMS allows.
    case tooManyParts(template: String, needed: Int, maximum: Int)

    /// The message in English, for logs.
    public var description: String {
        text.english
    }

    /// Returns the message in `language`.
    public func message(_ language: Language) -> String {
        text(language)
    }

    /// The message in both languages.
    public var text: LocalizedText {
        switch self {
        case .emptyName(let template):
            LocalizedText(
                zh: "模板“\(template)”的名称为空；请填写名称，例如 fire-alarm",
                en: "template '\(template)' has an empty name; give it a name such as fire-alarm")

        case .emptyText(let template, let field):
            LocalizedText(
                zh: "模板 \(template) 的\(field.displayName.chinese)为空；请填写要发送的文字",
                en: "template \(template): the \(field.displayName.english) is empty; write the text to send")

        case .unbalancedBrace(let template, let field, let brace, let offset, let excerpt):
            brace == "{"
                ? LocalizedText(
                    zh: "模板 \(template) 的\(field.displayName.chinese)第 \(offset) 个字符处的“{”没有对应的“}”（“\(excerpt)”）；变量应写成 {event}，字面花括号写成 {{",
                    en: "template \(template), \(field.displayName.english): the '{' at character \(offset) has no closing '}' ('\(excerpt)'); write a variable as {event} and a literal brace as {{")
                : LocalizedText(
                    zh: "模板 \(template) 的\(field.displayName.chinese)第 \(offset) 个字符处的“}”前面没有“{”（“\(excerpt)”）；字面花括号请写成 }}",
                    en: "template \(template), \(field.displayName.english): the '}' at character \(offset) has no opening '{' ('\(excerpt)'); write a literal brace as }}")

        case .emptyVariableName(let template, let field, let offset):
            LocalizedText(
                zh: "模板 \(template) 的\(field.displayName.chinese)第 \(offset) 个字符处的“{}”没有变量名；可用变量：\(TemplateVariable.knownNames)；字面花括号请写成 {{}}",
                en: "template \(template), \(field.displayName.english): '{}' at character \(offset) names no variable; use one of \(TemplateVariable.knownNames), or write literal braces as {{}}")

        case .unknownVariable(let template, let field, let name):
            LocalizedText(
                zh: "模板 \(template) 的\(field.displayName.chinese)含未知变量 {\(name)}；可用变量：\(TemplateVariable.knownNames)；字面花括号请写成 {{ 或 }}",
                en: "template \(template), \(field.displayName.english): unknown variable {\(name)}; use one of \(TemplateVariable.knownNames), or write a literal brace as {{ or }}")

        case .invalidSignature(let value, let reason):
            LocalizedText(
                zh: "短信签名“\(value)”无效：\(reason.chinese)",
                en: "invalid SMS signature '\(value)': \(reason.english)")

        case .tooLongForOneSMS(let template, let priority, let units, let capacity, let alphabet, let largest):
            Self.tooLongText(
                template: template, priority: priority, units: units, capacity: capacity, alphabet: alphabet,
                largest: largest)

        case .tooManyParts(let template, let needed, let maximum):
            LocalizedText(
                zh: "模板 \(template) 的短信文本最长需要 \(needed) 条，超过上限 \(maximum) 条；请缩短文本",
                en: "template \(template): the SMS text needs up to \(needed) parts, more than the maximum of \(maximum); shorten the text")
        }
    }

    private static func tooLongText(
        template: String, priority: AlertPriority, units: Int, capacity: Int, alphabet: SMSAlphabet,
        largest: [TemplateVariable]
    ) -> LocalizedText {
        let over = units - capacity
        let unitName: LocalizedText =
            alphabet == .gsm7
            ? LocalizedText(zh: "个 GSM 7 位字符", en: over == 1 ? "GSM 7-bit septet" : "GSM 7-bit septets")
            : LocalizedText(zh: "个 UCS-2 字符", en: over == 1 ? "UCS-2 character" : "UCS-2 characters")
        let variablesChinese = largest.map { "\($0)（\($0.displayName.chinese)，最长 \($0.maximumLength)）" }
            .joined(separator: "、")
        let variablesEnglish = largest.map { "\($0) (\($0.displayName.english), up to \($0.maximumLength))" }
            .joined(separator: ", ")
        let zhCause = largest.isEmpty ? "" : "占用最多的变量：\(variablesChinese)；"
        let enCause = largest.isEmpty ? "" : "; the largest variables are \(variablesEnglish)"
        return LocalizedText(
            zh: "模板 \(template)（\(priority)）的短信文本在最坏情况下超出单条短信 \(over) \(unitName.chinese)（最坏 \(units)，上限 \(capacity)，含签名和测试/演练标记）；\(zhCause)请缩短固定文字或删去变量",
            en: "template \(template) (\(priority)): the SMS text is \(over) \(unitName.english) over one SMS in the worst case (\(units) of \(capacity), counting the signature and the test or exercise label)\(enCause); shorten the fixed text or remove a variable"
        )
    }
}
