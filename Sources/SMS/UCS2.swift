/// UCS-2 text as SMS carries it: UTF-16 code units, big-endian, without a byte-order mark.
///
/// Characters outside the Basic Multilingual Plane travel as surrogate pairs, as handsets
/// send and display them, although TS 23.038 names the encoding UCS-2.
/// 3GPP TS 23.038 §6.2.3.
public enum UCS2 {
    /// Encodes text as UTF-16BE bytes.
    public static func encode(_ text: some StringProtocol) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf16.count * 2)
        for unit in text.utf16 {
            bytes.append(UInt8(unit >> 8))
            bytes.append(UInt8(unit & 0xFF))
        }
        return bytes
    }

    /// Decodes UTF-16BE bytes; a lone surrogate becomes U+FFFD and an odd last byte is dropped.
    ///
    /// A part of a concatenated message can end in the middle of a pair when the sender split
    /// it there, so reassembly joins the raw units before decoding (see `decodeUnits`).
    public static func decode(_ bytes: [UInt8]) -> String {
        decodeUnits(units(bytes))
    }

    /// Returns the UTF-16 code units of big-endian bytes, dropping an odd last byte.
    public static func units(_ bytes: [UInt8]) -> [UInt16] {
        stride(from: 0, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }
    }

    /// Decodes UTF-16 code units, repairing lone surrogates with U+FFFD.
    public static func decodeUnits(_ units: [UInt16]) -> String {
        String(decoding: units, as: UTF16.self)
    }
}
