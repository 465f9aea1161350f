/// The masking rule for phone numbers in logs, errors and audit lines.
///
/// China's PIPL treats phone numbers as personal data, so no log line carries one in clear.
/// A Chinese mobile number keeps its first 3 and last 4 digits (`138****0001`); other numbers
/// keep a leading `+`, their first 3 and last 4 digits; numbers of fewer than 8 digits keep
/// only their last 2.
public enum PhoneMask {
    /// Masks a phone number written in any common form (`+86 138-0000-0001`, `13800000001`).
    public static func mask(_ number: String) -> String {
        let hasPlus = number.unicodeScalars.first { !$0.properties.isWhitespace } == "+"
        // Full-width digits from Chinese input methods count as digits too.
        var digits: [Character] = number.unicodeScalars.compactMap { scalar in
            switch scalar.value {
            case 0x30...0x39: Character(scalar)
            case 0xFF10...0xFF19: Character(Unicode.Scalar(scalar.value - 0xFF10 + 0x30)!)
            default: nil
            }
        }

        // A Chinese mobile number is shown in its national form, as people read it.
        if digits.count == 13, digits.starts(with: ["8", "6"]), digits[2] == "1" {
            digits.removeFirst(2)
            return masked(digits, plus: false)
        }
        if digits.count == 15, digits.starts(with: ["0", "0", "8", "6"]), digits[4] == "1" {
            digits.removeFirst(4)
            return masked(digits, plus: false)
        }
        return masked(digits, plus: hasPlus)
    }

    private static func masked(_ digits: [Character], plus: Bool) -> String {
        let prefix = plus ? "+" : ""
        guard digits.count >= 8 else {
            return prefix + "***" + String(digits.suffix(2))
        }
        return prefix + String(digits.prefix(3)) + "****" + String(digits.suffix(4))
    }
}
