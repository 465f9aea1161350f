/// TP-Validity-Period: how long the SMSC keeps trying to deliver a submitted message.
/// 3GPP TS 23.040 §9.2.3.12.
public enum ValidityPeriod: Sendable, Equatable {
    /// A relative period in one octet, rounded up to the next value the octet can express.
    case relative(minutes: Int)
    /// An absolute expiry time.
    case absolute(SMSTimestamp)
    /// The enhanced format's seven octets, kept undecoded.
    case enhanced([UInt8])

    /// The TP-VPF bits (4-3 of the first octet) for this format.
    var formatBits: UInt8 {
        switch self {
        case .relative: 0x10
        case .enhanced: 0x08
        case .absolute: 0x18
        }
    }

    /// The relative octet for `minutes`, rounded up; from 5 minutes to 63 weeks.
    public static func relativeOctet(minutes: Int) -> UInt8 {
        func up(_ value: Int, _ step: Int) -> Int { (value + step - 1) / step }
        switch minutes {
        case ..<5: return 0
        case ...720: return UInt8(up(minutes, 5) - 1)
        case ...1440: return UInt8(143 + up(minutes - 720, 30))
        case ...(30 * 1440): return UInt8(166 + max(2, up(minutes, 1440)))
        default: return UInt8(min(255, 192 + max(5, up(minutes, 10080))))
        }
    }

    /// The minutes a relative octet stands for.
    public static func minutes(relativeOctet octet: UInt8) -> Int {
        let value = Int(octet)
        switch value {
        case 0...143: return (value + 1) * 5
        case 144...167: return 720 + (value - 143) * 30
        case 168...196: return (value - 166) * 1440
        default: return (value - 192) * 10080
        }
    }

    func encoded() -> [UInt8] {
        switch self {
        case .relative(let minutes): [Self.relativeOctet(minutes: minutes)]
        case .absolute(let stamp): stamp.encoded()
        case .enhanced(let octets): octets
        }
    }
}
