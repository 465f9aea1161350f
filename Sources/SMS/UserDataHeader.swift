import Core

/// The concatenation data of one part: which message it belongs to and where it goes.
/// 3GPP TS 23.040 §9.2.3.24.1 (8-bit reference) and §9.2.3.24.8 (16-bit reference).
public struct Concatenation: Hashable, Sendable, Codable {
    /// The width of the reference number in bits: 8 (IEI 0x00) or 16 (IEI 0x08).
    public var referenceBits: Int
    public var reference: UInt16
    public var total: Int
    /// The part number, from 1.
    public var sequence: Int

    public init(referenceBits: Int, reference: UInt16, total: Int, sequence: Int) {
        self.referenceBits = referenceBits
        self.reference = reference
        self.total = total
        self.sequence = sequence
    }
}

/// The reference a sender gives the parts of one concatenated message.
public enum ConcatenationReference: Sendable, Equatable {
    /// An 8-bit reference, the default; its header takes 6 octets.
    case eightBit(UInt8)
    /// A 16-bit reference; its header takes 7 octets and leaves one septet or unit less.
    case sixteenBit(UInt16)

    /// The header octets, length octet included, for a concatenated part.
    var headerOctets: Int {
        switch self {
        case .eightBit: 6
        case .sixteenBit: 7
        }
    }
}

/// One information element of a user data header.
public struct InformationElement: Hashable, Sendable {
    public var identifier: UInt8
    public var data: [UInt8]

    public init(identifier: UInt8, data: [UInt8]) {
        self.identifier = identifier
        self.data = data
    }
}

/// A TP-User-Data-Header: a list of information elements.
///
/// Elements other than concatenation are kept as they are and skipped by their length.
/// 3GPP TS 23.040 §9.2.3.24.
public struct UserDataHeader: Hashable, Sendable {
    public var elements: [InformationElement]

    public init(elements: [InformationElement]) {
        self.elements = elements
    }

    /// Builds the header that marks one part of a concatenated message.
    public init(concatenation reference: ConcatenationReference, total: Int, sequence: Int) {
        switch reference {
        case .eightBit(let value):
            elements = [InformationElement(identifier: 0x00, data: [value, UInt8(total), UInt8(sequence)])]
        case .sixteenBit(let value):
            elements = [
                InformationElement(identifier: 0x08, data: [UInt8(value >> 8), UInt8(value & 0xFF), UInt8(total), UInt8(sequence)])
            ]
        }
    }

    /// The concatenation element, when present and valid.
    ///
    /// An element whose total or sequence is zero, or whose sequence exceeds its total, is
    /// ignored as the standard requires, and the part is read as a message of its own. When the
    /// header repeats the element, or has both the 8-bit and the 16-bit form, the last valid one
    /// counts, because the standard makes the last occurrence of such elements win.
    public var concatenation: Concatenation? {
        for element in elements.reversed() {
            let parsed: Concatenation?
            switch (element.identifier, element.data.count) {
            case (0x00, 3):
                parsed = Concatenation(
                    referenceBits: 8, reference: UInt16(element.data[0]), total: Int(element.data[1]),
                    sequence: Int(element.data[2]))
            case (0x08, 4):
                parsed = Concatenation(
                    referenceBits: 16, reference: UInt16(element.data[0]) << 8 | UInt16(element.data[1]),
                    total: Int(element.data[2]), sequence: Int(element.data[3]))
            default:
                parsed = nil
            }
            if let parsed, parsed.total > 0, parsed.sequence > 0, parsed.sequence <= parsed.total {
                return parsed
            }
        }
        return nil
    }

    /// The header bytes with the UDHL octet first.
    public func encoded() -> [UInt8] {
        var body: [UInt8] = []
        for element in elements {
            body.append(element.identifier)
            body.append(UInt8(element.data.count))
            body += element.data
        }
        return [UInt8(body.count)] + body
    }

    /// Decodes a header from the start of the user data; returns it and its length with UDHL.
    /// - Throws: `SMSError` when an element runs past the header's stated length.
    static func decode(_ userData: [UInt8]) throws(SMSError) -> (header: UserDataHeader, octets: Int) {
        guard let lengthOctet = userData.first else {
            throw .truncated(field: "TP-UDHL", offset: 0, needed: 1, available: 0)
        }
        let length = Int(lengthOctet)
        guard length + 1 <= userData.count else {
            throw .truncated(field: "TP-UDH", offset: 1, needed: length, available: userData.count - 1)
        }
        var elements: [InformationElement] = []
        var index = 1
        while index < length + 1 {
            guard index + 1 < length + 1 else {
                throw .invalidField(
                    field: "TP-UDH", value: Hex.encode(userData.prefix(length + 1)),
                    reason: LocalizedText(zh: "第 \(index) 字节处的信息单元缺少长度字节", en: "information element at octet \(index) has no length octet"))
            }
            let identifier = userData[index]
            let elementLength = Int(userData[index + 1])
            let start = index + 2
            guard start + elementLength <= length + 1 else {
                throw .invalidField(
                    field: "TP-UDH", value: Hex.encode(userData.prefix(length + 1)),
                    reason: LocalizedText(zh: "信息单元 0x\(Hex.encode([identifier])) 超出消息头长度", en: "information element 0x\(Hex.encode([identifier])) runs past the header"))
            }
            elements.append(InformationElement(identifier: identifier, data: Array(userData[start..<start + elementLength])))
            index = start + elementLength
        }
        return (UserDataHeader(elements: elements), length + 1)
    }
}
