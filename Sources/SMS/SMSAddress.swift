import Core

/// An address field: TP-OA, TP-DA, TP-RA, or the SMSC address.
///
/// Digits are kept as written in the PDU. `*`, `#` and `a`-`c` appear where the semi-octets
/// contain them. An alphanumeric address contains text in the GSM 7-bit alphabet.
/// 3GPP TS 23.040 §9.1.2.5 and TS 24.011 §8.2.5.2.
public struct SMSAddress: Hashable, Sendable, CustomStringConvertible {
    /// The type of number from bits 6-4 of the type-of-address octet.
    public enum TypeOfNumber: UInt8, Sendable, Codable {
        case unknown = 0
        case international = 1
        case national = 2
        case networkSpecific = 3
        case subscriber = 4
        case alphanumeric = 5
        case abbreviated = 6
        case reserved = 7
    }

    public var typeOfNumber: TypeOfNumber
    /// The numbering plan from bits 3-0: 1 is ISDN/E.164, 0 is unknown.
    public var numberingPlan: UInt8
    /// The digits without a leading `+`, or the alphanumeric text.
    public var value: String

    public init(typeOfNumber: TypeOfNumber, numberingPlan: UInt8 = 1, value: String) {
        self.typeOfNumber = typeOfNumber
        self.numberingPlan = numberingPlan
        self.value = value
    }

    /// An international number; `digits` may start with `+`.
    public static func international(_ digits: String) -> SMSAddress {
        SMSAddress(typeOfNumber: .international, value: digits.hasPrefix("+") ? String(digits.dropFirst()) : digits)
    }

    /// A number in national format, such as a Chinese mobile number without its country code.
    public static func national(_ digits: String) -> SMSAddress {
        SMSAddress(typeOfNumber: .national, value: digits)
    }

    /// A number of unknown type, the usual type for short codes such as 10086.
    public static func unknown(_ digits: String) -> SMSAddress {
        SMSAddress(typeOfNumber: .unknown, value: digits)
    }

    /// An alphanumeric sender name of at most 11 GSM 7-bit characters.
    public static func alphanumeric(_ text: String) -> SMSAddress {
        SMSAddress(typeOfNumber: .alphanumeric, numberingPlan: 0, value: text)
    }

    /// The type-of-address octet.
    public var typeOfAddress: UInt8 {
        0x80 | typeOfNumber.rawValue << 4 | (numberingPlan & 0x0F)
    }

    /// The address as people write it: `+8613800000001`, `10086` or `ALERT`.
    public var description: String {
        typeOfNumber == .international ? "+" + value : value
    }

    /// The address masked for logs; alphanumeric names are not personal data and stay whole.
    public var masked: String {
        typeOfNumber == .alphanumeric ? value : PhoneMask.mask(description)
    }

    // MARK: Encoding

    /// Encodes the address as TP-DA: digit count, type of address, semi-octets.
    /// - Throws: `SMSError.invalidAddress` when a digit or the length is not encodable.
    func encodedAsTPAddress() throws(SMSError) -> [UInt8] {
        if typeOfNumber == .alphanumeric {
            let septets = try alphanumericSeptets()
            let octets = SeptetPacking.pack(septets)
            // The length counts the semi-octets that carry the packed septets.
            let semiOctets = (septets.count * 7 + 3) / 4
            return [UInt8(semiOctets), typeOfAddress] + octets
        }
        let semiOctets = try Self.semiOctets(value, masked: masked)
        guard semiOctets.count <= 20 else {
            throw .invalidAddress(masked: masked, reason: LocalizedText(zh: "有 \(semiOctets.count) 位数字，短信地址最多 20 位", en: "has \(semiOctets.count) digits; an SMS address has at most 20"))
        }
        return [UInt8(semiOctets.count), typeOfAddress] + Self.packSemiOctets(semiOctets)
    }

    /// Encodes the address as the SMSC field: octet count, type of address, semi-octets.
    func encodedAsSMSCAddress() throws(SMSError) -> [UInt8] {
        guard typeOfNumber != .alphanumeric else {
            throw .invalidAddress(masked: masked, reason: LocalizedText(zh: "短信中心地址必须是号码", en: "an SMSC address must be a number"))
        }
        let semiOctets = try Self.semiOctets(value, masked: masked)
        guard !semiOctets.isEmpty, semiOctets.count <= 20 else {
            throw .invalidAddress(masked: masked, reason: LocalizedText(zh: "短信中心地址应为 1 到 20 位数字", en: "an SMSC address has 1 to 20 digits"))
        }
        let packed = Self.packSemiOctets(semiOctets)
        return [UInt8(packed.count + 1), typeOfAddress] + packed
    }

    private func alphanumericSeptets() throws(SMSError) -> [UInt8] {
        let septets: [UInt8]
        do {
            septets = try GSMAlphabet.encode(value)
        } catch {
            throw .invalidAddress(masked: value, reason: LocalizedText(zh: "字母数字地址只能使用 GSM 7 位字母表", en: "an alphanumeric address uses the GSM 7-bit alphabet only"))
        }
        guard septets.count <= 11 else {
            throw .invalidAddress(masked: value, reason: LocalizedText(zh: "字母数字地址最多 11 个七位组", en: "an alphanumeric address has at most 11 septets"))
        }
        return septets
    }

    private static func semiOctets(_ digits: String, masked: String) throws(SMSError) -> [UInt8] {
        var output: [UInt8] = []
        for scalar in digits.unicodeScalars {
            switch scalar {
            case "0"..."9": output.append(UInt8(scalar.value - 0x30))
            case "*": output.append(0xA)
            case "#": output.append(0xB)
            case "a", "A": output.append(0xC)
            case "b", "B": output.append(0xD)
            case "c", "C": output.append(0xE)
            default:
                throw .invalidAddress(masked: masked, reason: LocalizedText(zh: "含有 '\(scalar.escaped(asASCII: true))'，只能使用数字、* 和 #", en: "contains '\(scalar.escaped(asASCII: true))'; use digits, * and # only"))
            }
        }
        return output
    }

    /// Packs semi-octets low nibble first, padding an odd count with 0xF.
    static func packSemiOctets(_ values: [UInt8]) -> [UInt8] {
        stride(from: 0, to: values.count, by: 2).map { index in
            let low = values[index]
            let high = index + 1 < values.count ? values[index + 1] : 0x0F
            return high << 4 | low
        }
    }

    // MARK: Decoding

    /// Decodes TP-OA, TP-DA or TP-RA at the reader's position.
    static func decodeTPAddress(_ reader: inout ByteReader, field: String) throws(SMSError) -> SMSAddress {
        let length = Int(try reader.byte("\(field) length"))
        guard length <= 20 else {
            throw .invalidField(field: "\(field) length", value: String(length), reason: LocalizedText(zh: "地址最多 20 个半字节", en: "an address has at most 20 semi-octets"))
        }
        let typeOfAddress = try reader.byte("\(field) type of address")
        let octets = try reader.take((length + 1) / 2, field)
        return decode(typeOfAddress: typeOfAddress, octets: octets, semiOctets: length)
    }

    /// Decodes the SMSC field at the start of a PDU; a zero length means the modem's default.
    static func decodeSMSC(_ reader: inout ByteReader) throws(SMSError) -> SMSAddress? {
        let length = Int(try reader.byte("SMSC length"))
        guard length > 0 else { return nil }
        guard length <= 11 else {
            throw .invalidField(
                field: "SMSC length", value: String(length),
                reason: LocalizedText(zh: "短信中心字段最多 11 个字节；若此 PDU 不含短信中心字段，请加 --no-smsc", en: "an SMSC field has at most 11 octets; if this PDU has no SMSC field, use --no-smsc"))
        }
        let typeOfAddress = try reader.byte("SMSC type of address")
        let octets = try reader.take(length - 1, "SMSC address")
        return decode(typeOfAddress: typeOfAddress, octets: octets, semiOctets: octets.count * 2)
    }

    private static func decode(typeOfAddress: UInt8, octets: [UInt8], semiOctets: Int) -> SMSAddress {
        // Three bits always name a case, so the type exists.
        let type = TypeOfNumber(rawValue: (typeOfAddress >> 4) & 0x07)!
        let plan = typeOfAddress & 0x0F
        if type == .alphanumeric {
            let septetCount = semiOctets * 4 / 7
            // The octet count was taken from the same length, so unpacking cannot run short.
            let septets = (try? SeptetPacking.unpack(octets, count: septetCount)) ?? []
            return SMSAddress(typeOfNumber: type, numberingPlan: plan, value: GSMAlphabet.decode(septets))
        }
        let symbols = Array("0123456789*#abc")
        let nibbles = octets.flatMap { [$0 & 0x0F, $0 >> 4] }
        var digits = ""
        // 0xF is the filler after an odd number of digits.
        for nibble in nibbles.prefix(semiOctets) where nibble != 0x0F {
            digits.append(symbols[Int(nibble)])
        }
        return SMSAddress(typeOfNumber: type, numberingPlan: plan, value: digits)
    }
}
