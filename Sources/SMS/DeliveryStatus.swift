/// A TP-Status from a status report, with its class.
/// 3GPP TS 23.040 §9.2.3.15.
public struct DeliveryStatus: Hashable, Sendable, CustomStringConvertible {
    /// What the status means for the message.
    public enum Category: String, Sendable, Codable {
        /// The short message reached the recipient (or was forwarded or replaced).
        case delivered
        /// A temporary error, and the SMSC is still trying; another report may follow.
        case temporaryFailureStillTrying
        /// A temporary error, and the SMSC has stopped trying; sending again may succeed.
        case temporaryFailure
        /// A permanent error; sending again will fail the same way.
        case permanentFailure

        /// Whether no further report for this part is expected.
        public var isFinal: Bool {
            self != .temporaryFailureStillTrying
        }
    }

    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The class of the value. Reserved values are read by their range, and values from 0x80
    /// on, which the standard reserves, as permanent failures.
    public var category: Category {
        switch rawValue {
        case 0x00...0x1F: .delivered
        case 0x20...0x3F: .temporaryFailureStillTrying
        case 0x40...0x5F: .permanentFailure
        case 0x60...0x7F: .temporaryFailure
        default: .permanentFailure
        }
    }

    /// The standard's name for the value.
    public var description: String {
        switch rawValue {
        case 0x00: "received by the recipient"
        case 0x01: "forwarded, delivery unconfirmed"
        case 0x02: "replaced by the SMSC"
        case 0x20, 0x60: "congestion"
        case 0x21, 0x61: "recipient busy"
        case 0x22, 0x62: "no response from recipient"
        case 0x23, 0x63: "service rejected"
        case 0x24, 0x44, 0x64: "quality of service not available"
        case 0x25, 0x65: "error in recipient"
        case 0x40: "remote procedure error"
        case 0x41: "incompatible destination"
        case 0x42: "connection rejected by recipient"
        case 0x43: "not obtainable"
        case 0x45: "no interworking available"
        case 0x46: "validity period expired"
        case 0x47: "deleted by the sender"
        case 0x48: "deleted by SMSC administration"
        case 0x49: "message does not exist"
        default: "reserved or SMSC-specific status 0x\(Hex.encode([rawValue]))"
        }
    }
}
