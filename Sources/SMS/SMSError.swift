import Core

/// An error from encoding or decoding SMS text, PDUs and phone numbers.
///
/// Each case carries the failing value and what to do about it. Phone numbers appear masked and
/// message text never appears, so an error can be logged as it is.
public enum SMSError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The hex text has an odd length or a character that is not a hex digit.
    case invalidHex(position: Int, reason: String)
    /// The PDU ended before the named field was complete.
    case truncated(field: String, offset: Int, needed: Int, available: Int)
    /// A field holds a value the standard does not allow.
    case invalidField(field: String, value: String, reason: String)
    /// The PDU is valid but uses a feature this decoder does not implement.
    case unsupported(field: String, value: String, reason: String)
    /// Bytes remain after the last field.
    case trailingBytes(count: Int)
    /// The text needs more concatenated parts than TP-UDH allows.
    case tooManyParts(needed: Int, maximum: Int)
    /// A phone number could not be normalised.
    case invalidPhoneNumber(masked: String, reason: String)
    /// A destination or sender address cannot be encoded.
    case invalidAddress(masked: String, reason: String)

    public var description: String {
        switch self {
        case .invalidHex(let position, let reason):
            "invalid hex PDU at character \(position): \(reason); give the PDU as an even number of hex digits"
        case .truncated(let field, let offset, let needed, let available):
            "PDU truncated in \(field) at byte \(offset): needs \(needed) bytes, \(available) left; check that the whole PDU line was copied"
        case .invalidField(let field, let value, let reason):
            "invalid \(field) \(value): \(reason)"
        case .unsupported(let field, let value, let reason):
            "unsupported \(field) \(value): \(reason)"
        case .trailingBytes(let count):
            "\(count) bytes follow the user data; check whether the PDU includes an SMSC field (use --no-smsc if it does not)"
        case .tooManyParts(let needed, let maximum):
            "text needs \(needed) parts but one concatenated SMS has at most \(maximum); shorten the text"
        case .invalidPhoneNumber(let masked, let reason):
            "invalid phone number \(masked): \(reason)"
        case .invalidAddress(let masked, let reason):
            "invalid address \(masked): \(reason)"
        }
    }

    /// Creates `invalidPhoneNumber` for `number`, masking it.
    static func phone(_ number: String, _ reason: String) -> SMSError {
        .invalidPhoneNumber(masked: PhoneMask.mask(number), reason: reason)
    }
}
