/// The alphabet a message's user data is written in.
public enum SMSAlphabet: String, Sendable, Equatable, Codable {
    /// GSM 03.38 default alphabet, 7 bits per character, packed.
    case gsm7
    /// 8-bit data, shown as bytes.
    case eightBit = "8bit"
    /// UCS-2 (UTF-16BE in practice).
    case ucs2
}

/// A message class from TP-DCS: 0 is shown at once (flash), 1 goes to the handset, 2 to the
/// SIM, 3 to the terminal equipment.
public enum MessageClass: UInt8, Sendable, Equatable, Codable {
    case class0 = 0
    case class1 = 1
    case class2 = 2
    case class3 = 3
}

/// A decoded TP-Data-Coding-Scheme octet.
///
/// Every coding group a network may send is recognised: general data coding (compressed or
/// not, with or without a class), automatic deletion, the reserved groups that receivers read as
/// GSM 7-bit, the message waiting groups and the data coding/message class group.
/// 3GPP TS 23.038 §4.
public struct DataCodingScheme: Sendable, Equatable {
    /// The octet as sent.
    public let rawValue: UInt8
    /// The alphabet of the user data.
    public let alphabet: SMSAlphabet
    /// The message class, when the scheme carries one.
    public let messageClass: MessageClass?
    /// Whether the text is compressed with the algorithm of TS 23.042.
    public let isCompressed: Bool
    /// Whether the message is marked for automatic deletion once read.
    public let isMarkedForAutomaticDeletion: Bool
    /// The message waiting indication group, when the scheme belongs to one.
    public let messageWaiting: MessageWaiting?

    /// A message waiting indication: voice mail, fax, e-mail or other, set or cleared.
    public struct MessageWaiting: Sendable, Equatable {
        public enum Kind: UInt8, Sendable {
            case voicemail = 0
            case fax = 1
            case email = 2
            case other = 3
        }

        public let kind: Kind
        public let isActive: Bool
        /// Whether the handset may discard the message after updating the indication.
        public let discardMessage: Bool
    }

    /// GSM 7-bit with no class, the scheme of ordinary text.
    public static let gsm7 = DataCodingScheme(rawValue: 0x00)
    /// UCS-2 with no class, the scheme of Chinese text.
    public static let ucs2 = DataCodingScheme(rawValue: 0x08)

    /// Decodes the octet; no value is rejected, because reserved values have a defined meaning.
    public init(rawValue: UInt8) {
        self.rawValue = rawValue
        let group = rawValue >> 4
        switch group {
        case 0x0...0x7:
            // General data coding (00xx) and automatic deletion (01xx) share one layout: bit 5
            // compressed, bit 4 class present, bits 3-2 alphabet, bits 1-0 class.
            isCompressed = rawValue & 0x20 != 0
            isMarkedForAutomaticDeletion = rawValue & 0x40 != 0
            alphabet = Self.alphabet(bits: (rawValue >> 2) & 0x03)
            messageClass = rawValue & 0x10 != 0 ? MessageClass(rawValue: rawValue & 0x03) : nil
            messageWaiting = nil
        case 0x8...0xB:
            // Reserved coding groups are read as the GSM 7-bit default alphabet.
            isCompressed = false
            isMarkedForAutomaticDeletion = false
            alphabet = .gsm7
            messageClass = nil
            messageWaiting = nil
        case 0xC, 0xD, 0xE:
            isCompressed = false
            isMarkedForAutomaticDeletion = false
            alphabet = group == 0xE ? .ucs2 : .gsm7
            messageClass = nil
            messageWaiting = MessageWaiting(
                // Two bits cannot exceed 3, so the kind always exists.
                kind: MessageWaiting.Kind(rawValue: rawValue & 0x03)!,
                isActive: rawValue & 0x08 != 0,
                discardMessage: group == 0xC)
        default:
            // 1111: bit 2 selects 8-bit data over GSM 7-bit, bits 1-0 are the class.
            isCompressed = false
            isMarkedForAutomaticDeletion = false
            alphabet = rawValue & 0x04 != 0 ? .eightBit : .gsm7
            messageClass = MessageClass(rawValue: rawValue & 0x03)
            messageWaiting = nil
        }
    }

    /// Builds the scheme for sending text in `alphabet`, with an optional class.
    public init(alphabet: SMSAlphabet, messageClass: MessageClass? = nil) {
        var value: UInt8
        switch alphabet {
        case .gsm7: value = 0x00
        case .eightBit: value = 0x04
        case .ucs2: value = 0x08
        }
        if let messageClass {
            value |= 0x10 | messageClass.rawValue
        }
        self.init(rawValue: value)
    }

    private static func alphabet(bits: UInt8) -> SMSAlphabet {
        switch bits {
        case 1: .eightBit
        case 2: .ucs2
        // 11 is reserved and read as the default alphabet.
        default: .gsm7
        }
    }
}
