import Core

/// Decoded TP-UDL and TP-UD: the header, if any, and the text.
public struct UserData: Sendable, Equatable {
    public var alphabet: SMSAlphabet
    public var header: UserDataHeader?
    /// The text; for 8-bit data, the bytes read as ISO 8859-1 so that none is lost.
    public var text: String
    /// The payload after the header: septets, one per byte, for GSM 7-bit, otherwise octets.
    ///
    /// Reassembly joins payloads before decoding, so an escape pair or a surrogate pair that a
    /// sender split across two parts still decodes as one character.
    public var payload: [UInt8]
    /// TP-UDL as sent: septets for GSM 7-bit, octets otherwise, header included.
    public var length: Int

    public var concatenation: Concatenation? {
        header?.concatenation
    }

    /// Decodes text from a payload of the given alphabet.
    public static func text(from payload: [UInt8], alphabet: SMSAlphabet) -> String {
        switch alphabet {
        case .gsm7: GSMAlphabet.decode(payload)
        case .ucs2: UCS2.decode(payload)
        case .eightBit: String(String.UnicodeScalarView(payload.map { Unicode.Scalar($0) }))
        }
    }

    /// Reads TP-UDL and TP-UD at the reader's position.
    /// 3GPP TS 23.040 §9.2.3.16 and §9.2.3.24.
    static func decode(
        _ reader: inout ByteReader, scheme: DataCodingScheme, hasHeader: Bool
    ) throws(SMSError) -> UserData {
        let length = Int(try reader.byte("TP-UDL"))
        if scheme.isCompressed {
            throw .unsupported(
                field: "TP-DCS", value: "0x" + Hex.encode([scheme.rawValue]),
                reason: LocalizedText(zh: "不支持压缩文本 (TS 23.042)，请发送方以不压缩方式发送", en: "compressed text (TS 23.042) is not supported; ask the sender to send it uncompressed"))
        }

        switch scheme.alphabet {
        case .gsm7:
            guard length <= 160 else {
                throw .invalidField(field: "TP-UDL", value: String(length), reason: LocalizedText(zh: "GSM 7 位用户数据最多 160 个七位组", en: "GSM 7-bit user data has at most 160 septets"))
            }
            let octets = try reader.take((length * 7 + 7) / 8, "TP-UD")
            guard hasHeader else {
                let septets = try SeptetPacking.unpack(octets, count: length)
                return UserData(alphabet: .gsm7, header: nil, text: GSMAlphabet.decode(septets), payload: septets, length: length)
            }
            let (header, headerOctets) = try UserDataHeader.decode(octets)
            let headerSeptets = SeptetPacking.headerSeptets(headerOctets: headerOctets)
            guard length >= headerSeptets else {
                throw .invalidField(
                    field: "TP-UDL", value: String(length), reason: LocalizedText(zh: "短于其 \(headerOctets) 字节的消息头", en: "shorter than its \(headerOctets)-octet header"))
            }
            let fill = headerSeptets * 7 - headerOctets * 8
            let septets = try SeptetPacking.unpack(
                Array(octets[headerOctets...]), count: length - headerSeptets, fillBits: fill)
            return UserData(alphabet: .gsm7, header: header, text: GSMAlphabet.decode(septets), payload: septets, length: length)

        case .ucs2, .eightBit:
            guard length <= 140 else {
                throw .invalidField(field: "TP-UDL", value: String(length), reason: LocalizedText(zh: "用户数据最多 140 个字节", en: "user data has at most 140 octets"))
            }
            let octets = try reader.take(length, "TP-UD")
            var header: UserDataHeader?
            var payload = octets
            if hasHeader {
                let decoded = try UserDataHeader.decode(octets)
                header = decoded.header
                payload = Array(octets[decoded.octets...])
            }
            return UserData(
                alphabet: scheme.alphabet, header: header, text: text(from: payload, alphabet: scheme.alphabet),
                payload: payload, length: length)
        }
    }
}
