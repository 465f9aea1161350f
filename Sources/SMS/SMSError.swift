public import Core

/// An error from encoding or decoding SMS text, PDUs and phone numbers.
///
/// Each case carries the failing value and what to do about it, in Chinese and English. Phone
/// numbers appear masked and message text never appears, so an error can be logged as it is.
public enum SMSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The hex text has an odd length or a character that is not a hex digit.
    case invalidHex(position: Int, reason: LocalizedText)
    /// The PDU ended before the named field was complete.
    case truncated(field: String, offset: Int, needed: Int, available: Int)
    /// A field contains a value the standard does not allow.
    case invalidField(field: String, value: String, reason: LocalizedText)
    /// The PDU is valid but uses a feature this decoder does not implement.
    case unsupported(field: String, value: String, reason: LocalizedText)
    /// Bytes remain after the last field.
    case trailingBytes(count: Int)
    /// The text needs more concatenated parts than TP-UDH allows.
    case tooManyParts(needed: Int, maximum: Int)
    /// A phone number could not be normalised.
    case invalidPhoneNumber(masked: String, reason: LocalizedText)
    /// A destination or sender address cannot be encoded.
    case invalidAddress(masked: String, reason: LocalizedText)

    /// Compares errors by their English message, so two errors with the same cause, value and
    /// English reason are equal whatever the Chinese wording.
    public static func == (lhs: SMSError, rhs: SMSError) -> Bool {
        lhs.description == rhs.description
    }

    /// The message in English, for logs.
    public var description: String {
        message(.english)
    }

    /// The message in the operator's language.
    public func message(_ language: Language) -> String {
        switch self {
        case .invalidHex(let position, let reason):
            LocalizedText(
                zh: "十六进制 PDU 第 \(position) 个字符无效：\(reason.chinese)；PDU 应为偶数个十六进制数字",
                en: "invalid hex PDU at character \(position): \(reason.english); give the PDU as an even number of hex digits"
            )(language)
        case .truncated(let field, let offset, let needed, let available):
            LocalizedText(
                zh: "PDU 在第 \(offset) 字节的 \(field) 处不完整：需要 \(needed) 字节，只剩 \(available) 字节；请检查 PDU 行是否完整复制",
                en: "PDU truncated in \(field) at byte \(offset): needs \(needed) \(needed == 1 ? "byte" : "bytes"), \(available) left; check that the whole PDU line was copied"
            )(language)
        case .invalidField(let field, let value, let reason):
            LocalizedText(
                zh: "\(field) 的值 \(value) 无效：\(reason.chinese)",
                en: "invalid \(field) \(value): \(reason.english)")(language)
        case .unsupported(let field, let value, let reason):
            LocalizedText(
                zh: "不支持的 \(field) \(value)：\(reason.chinese)",
                en: "unsupported \(field) \(value): \(reason.english)")(language)
        case .trailingBytes(let count):
            LocalizedText(
                zh: "用户数据之后多出 \(count) 字节；请确认 PDU 是否含短信中心字段（不含时加 --no-smsc）",
                en: "\(count) \(count == 1 ? "byte follows" : "bytes follow") the user data; check whether the PDU includes an SMSC field (use --no-smsc if it does not)"
            )(language)
        case .tooManyParts(let needed, let maximum):
            LocalizedText(
                zh: "文本需要 \(needed) 条，但一条长短信最多 \(maximum) 条；请缩短文本",
                en: "text needs \(needed) parts but one concatenated SMS has at most \(maximum); shorten the text")(language)
        case .invalidPhoneNumber(let masked, let reason):
            LocalizedText(
                zh: "手机号 \(masked) 无效：\(reason.chinese)",
                en: "invalid phone number \(masked): \(reason.english)")(language)
        case .invalidAddress(let masked, let reason):
            LocalizedText(
                zh: "地址 \(masked) 无效：\(reason.chinese)",
                en: "invalid address \(masked): \(reason.english)")(language)
        }
    }

    /// Creates `invalidPhoneNumber` for `number`, masking it.
    static func phone(_ number: String, _ reason: LocalizedText) -> SMSError {
        .invalidPhoneNumber(masked: PhoneMask.mask(number), reason: reason)
    }
}
