import Core

/// The GSM 7-bit default alphabet and its extension table.
///
/// A character of the default table costs one septet. A character of the extension table
/// costs two: the escape septet 0x1B, then its code. Form feed is in the extension table.
/// - Note: National language shift tables (TP-UDH IEI 0x24 and 0x25) are not implemented;
///   Chinese networks do not use them.
/// 3GPP TS 23.038 §6.2.1 and §6.2.1.1.
public enum GSMAlphabet {
    /// The escape septet that introduces an extension-table character.
    public static let escape: UInt8 = 0x1B

    /// The default table indexed by septet; index 0x1B is the escape and decodes through the
    /// extension table.
    static let defaultTable: [Unicode.Scalar] = Array(
        ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u{1B}ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
            + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà").unicodeScalars)

    /// The extension table: the code that follows the escape septet, and its character.
    static let extensionTable: [UInt8: Unicode.Scalar] = [
        0x0A: "\u{0C}", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\",
        0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€",
    ]

    private static let defaultIndex: [Unicode.Scalar: UInt8] = {
        var index: [Unicode.Scalar: UInt8] = [:]
        for (septet, scalar) in defaultTable.enumerated() where septet != Int(escape) {
            index[scalar] = UInt8(septet)
        }
        return index
    }()

    private static let extensionIndex: [Unicode.Scalar: UInt8] = Dictionary(
        uniqueKeysWithValues: extensionTable.map { ($0.value, $0.key) })

    /// Returns the septets for one scalar: one for the default table, two for the extension
    /// table, or nil when the scalar is in neither.
    public static func septets(for scalar: Unicode.Scalar) -> [UInt8]? {
        if let septet = defaultIndex[scalar] {
            return [septet]
        }
        if let code = extensionIndex[scalar] {
            return [escape, code]
        }
        return nil
    }

    /// Returns the septet cost of one scalar, or nil when it is not encodable.
    public static func cost(of scalar: Unicode.Scalar) -> Int? {
        if defaultIndex[scalar] != nil { return 1 }
        if extensionIndex[scalar] != nil { return 2 }
        return nil
    }

    /// Returns whether every scalar of `text` is in the default or the extension table.
    public static func canEncode(_ text: some StringProtocol) -> Bool {
        text.unicodeScalars.allSatisfy { cost(of: $0) != nil }
    }

    /// Encodes text into septets.
    /// - Throws: `SMSError.invalidField` naming the first scalar outside both tables.
    public static func encode(_ text: some StringProtocol) throws(SMSError) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            guard let septets = septets(for: scalar) else {
                throw .invalidField(
                    field: "GSM 7-bit text", value: "U+" + String(scalar.value, radix: 16, uppercase: true),
                    reason: LocalizedText(zh: "不在 GSM 03.38 默认字母表或扩展表中，请以 UCS-2 发送", en: "not in the GSM 03.38 default or extension table; send the text as UCS-2"))
            }
            output += septets
        }
        return output
    }

    /// Decodes septets into text.
    ///
    /// An escape followed by a code missing from the extension table decodes as the default
    /// table's character for that code, and an escape at the end decodes as a space, as the
    /// standard tells receivers to display them.
    /// 3GPP TS 23.038 §6.2.1.1.
    public static func decode(_ septets: some Sequence<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        var escaped = false
        for raw in septets {
            let septet = raw & 0x7F
            if escaped {
                escaped = false
                if let scalar = extensionTable[septet] {
                    scalars.append(scalar)
                } else if septet == escape {
                    scalars.append(" ")
                } else {
                    scalars.append(defaultTable[Int(septet)])
                }
            } else if septet == escape {
                escaped = true
            } else {
                scalars.append(defaultTable[Int(septet)])
            }
        }
        if escaped {
            scalars.append(" ")
        }
        return String(scalars)
    }
}
