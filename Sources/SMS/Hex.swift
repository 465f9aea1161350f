import Core

/// Hex text as AT commands carry PDUs.
public enum Hex {
    /// Decodes hex digits of either case into bytes; white space is ignored.
    /// - Throws: `SMSError.invalidHex` naming the position of the first bad character.
    public static func decode(_ text: String) throws(SMSError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count / 2)
        var high: UInt8?
        for (position, scalar) in text.unicodeScalars.enumerated() {
            if scalar.properties.isWhitespace { continue }
            guard let nibble = nibble(scalar) else {
                throw .invalidHex(position: position + 1, reason: LocalizedText(zh: "'\(scalar.escaped(asASCII: true))' 不是十六进制数字", en: "'\(scalar.escaped(asASCII: true))' is not a hex digit"))
            }
            if let pending = high {
                bytes.append(pending << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        if high != nil {
            throw .invalidHex(position: text.unicodeScalars.count, reason: LocalizedText(zh: "十六进制数字个数为奇数", en: "odd number of hex digits"))
        }
        return bytes
    }

    /// Encodes bytes as upper-case hex digits, the form modems print and accept.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789ABCDEF".utf8)
        var output: [UInt8] = []
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func nibble(_ scalar: Unicode.Scalar) -> UInt8? {
        switch scalar.value {
        case 0x30...0x39: UInt8(scalar.value - 0x30)
        case 0x41...0x46: UInt8(scalar.value - 0x41 + 10)
        case 0x61...0x66: UInt8(scalar.value - 0x61 + 10)
        default: nil
        }
    }
}
