import Core

/// A recipient's phone number normalised to E.164.
///
/// Chinese mobile numbers are accepted in every form people write them: bare 11 digits,
/// with spaces, dashes, dots or brackets, with `+86`, `0086` or `86` in front, with a trunk
/// `0` before the mobile number, and with full-width digits from a Chinese input method.
/// Other international numbers are kept when they start with `+` or the `00` international
/// prefix. Fixed-line numbers and short codes are rejected, because SMS to them does not reach
/// a person.
public struct PhoneNumber: Hashable, Sendable, CustomStringConvertible, Comparable {
    public enum Kind: String, Sendable, Codable {
        case chineseMobile
        case international
    }

    /// The number in E.164 form, `+` and digits only: `+8613800000001`.
    public let e164: String
    public let kind: Kind

    /// Parses and normalises a phone number.
    /// - Throws: `SMSError.invalidPhoneNumber` with the reason and the number masked.
    public init(parsing input: String) throws(SMSError) {
        let (hasPlus, digits) = try Self.clean(input)
        guard !digits.isEmpty else {
            throw .phone(input, LocalizedText(zh: "不含数字，请填写 11 位手机号，如 13800000001", en: "contains no digits; write an 11-digit mobile number such as 13800000001"))
        }
        // Errors mask the cleaned digits, so the masked number reads the same whatever
        // separators or full-width digits the input had.
        let cleaned = (hasPlus ? "+" : "") + String(digits)

        var national: [Character]
        var afterCountryCode = true
        if hasPlus {
            if digits.starts(with: ["8", "6"]) {
                national = Array(digits.dropFirst(2))
            } else {
                (e164, kind) = (try Self.international(digits, input: cleaned), .international)
                return
            }
        } else if digits.starts(with: ["0", "0"]) {
            let rest = Array(digits.dropFirst(2))
            if rest.starts(with: ["8", "6"]) {
                national = Array(rest.dropFirst(2))
            } else {
                (e164, kind) = (try Self.international(rest, input: cleaned), .international)
                return
            }
        } else if digits.count == 13, digits.starts(with: ["8", "6", "1"]) {
            national = Array(digits.dropFirst(2))
        } else {
            national = digits
            afterCountryCode = false
        }

        // A trunk 0 before a mobile number is still seen in old address books.
        if national.count == 12, national.starts(with: ["0", "1"]) {
            national.removeFirst()
        }
        try Self.checkChineseMobile(national, input: cleaned, afterCountryCode: afterCountryCode)
        e164 = "+86" + String(national)
        kind = .chineseMobile
    }

    /// The number as written in an SMS address: international type, digits only.
    public var smsAddress: SMSAddress {
        .international(e164)
    }

    /// The number masked for logs, such as `138****0001`.
    public var masked: String {
        SMSAddress.international(e164).masked
    }

    public var description: String {
        e164
    }

    public static func < (lhs: PhoneNumber, rhs: PhoneNumber) -> Bool {
        lhs.e164 < rhs.e164
    }

    // MARK: Rules

    private static let separators: Set<Unicode.Scalar> = [
        " ", "-", ".", "(", ")", "/", "\u{00A0}", "\u{3000}", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}",
        "\u{2014}", "\u{2212}", "\u{FF0D}", "\u{FF08}", "\u{FF09}", "\u{FF0E}", "\u{30FB}", "\u{00B7}", "\t",
    ]

    /// Strips separators and a `tel:` prefix, maps full-width digits, and returns the digits.
    private static func clean(_ input: String) throws(SMSError) -> (hasPlus: Bool, digits: [Character]) {
        var text = Substring(input)
        while let first = text.unicodeScalars.first, first.properties.isWhitespace {
            text = text.dropFirst()
        }
        if text.lowercased().hasPrefix("tel:") {
            text = text.dropFirst(4)
        }

        var hasPlus = false
        var digits: [Character] = []
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39:
                digits.append(Character(scalar))
            case 0xFF10...0xFF19:
                // Full-width digits from Chinese input methods.
                digits.append(Character(Unicode.Scalar(scalar.value - 0xFF10 + 0x30)!))
            case 0x2B, 0xFF0B:
                guard digits.isEmpty, !hasPlus else {
                    throw .phone(input, LocalizedText(zh: "数字之后出现 '+'，'+' 只能写在号码开头", en: "has '+' after the first digit; '+' may only start the number"))
                }
                hasPlus = true
            default:
                guard separators.contains(scalar) || scalar.properties.isWhitespace else {
                    throw .phone(
                        input,
                        LocalizedText(
                            zh: "含有 '\(scalar.escaped(asASCII: false))'，号码只能由数字、开头的 +、空格或短横线组成",
                            en: "contains '\(scalar.escaped(asASCII: false))'; use digits, an optional leading +, spaces or dashes"))
                }
            }
        }
        return (hasPlus, digits)
    }

    private static func checkChineseMobile(_ national: [Character], input: String, afterCountryCode: Bool) throws(SMSError) {
        // After +86 a number that does not start with 1 is a fixed line: 10 for Beijing, 2x
        // and 3-9xx area codes elsewhere, written there without the trunk 0.
        if national.first == "0" || (afterCountryCode && national.count >= 2 && !(national[0] == "1" && ("3"..."9").contains(national[1]))) {
            throw .phone(
                input,
                LocalizedText(
                    zh: "像是固定电话号码；短信需要以 13-19 开头的 11 位手机号",
                    en: "looks like a fixed-line number; SMS needs an 11-digit mobile number starting with 13-19"))
        }
        guard national.count == 11 else {
            throw .phone(
                input,
                LocalizedText(
                    zh: "不含国家码有 \(national.count) 位，中国手机号应为 11 位，以 13-19 开头",
                    en: "has \(national.count) digits without the country code; a Chinese mobile number has 11, starting with 13-19"))
        }
        guard national[0] == "1", ("3"..."9").contains(national[1]) else {
            throw .phone(
                input,
                LocalizedText(
                    zh: "不以 13-19 开头，不是中国手机号；其他国家的号码请写 + 和国家码",
                    en: "does not start with 13-19, so it is not a Chinese mobile number; write other countries' numbers with + and the country code"))
        }
    }

    private static func international(_ digits: [Character], input: String) throws(SMSError) -> String {
        guard digits.first != "0" else {
            throw .phone(
                input,
                LocalizedText(
                    zh: "+ 或 00 之后没有国家码（国家码不以 0 开头）",
                    en: "has no country code after + or 00; a country code never starts with 0"))
        }
        guard (8...15).contains(digits.count) else {
            throw .phone(
                input,
                LocalizedText(
                    zh: "连同国家码共 \(digits.count) 位，国际号码应为 8 到 15 位 (ITU-T E.164)",
                    en: "has \(digits.count) digits with its country code; an international number has 8 to 15 (ITU-T E.164)"))
        }
        return "+" + String(digits)
    }
}
