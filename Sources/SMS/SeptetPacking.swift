/// Packing of 7-bit septets into octets, least significant bit first.
///
/// After a user data header the septets start on a septet boundary counted from the start of
/// the user data, so `fillBits` zero bits sit between the header and the first septet.
/// 3GPP TS 23.038 §6.1.2.1.1 and TS 23.040 §9.2.3.24.
public enum SeptetPacking {
    /// Returns the fill bits that align septets after a header of `headerOctets` octets.
    public static func fillBits(afterHeaderOctets headerOctets: Int) -> Int {
        (7 - (headerOctets * 8) % 7) % 7
    }

    /// Returns the septets a header of `headerOctets` octets takes, fill bits included.
    public static func headerSeptets(headerOctets: Int) -> Int {
        (headerOctets * 8 + 6) / 7
    }

    /// Packs septets into octets, starting `fillBits` bits into the first octet.
    public static func pack(_ septets: [UInt8], fillBits: Int = 0) -> [UInt8] {
        precondition((0..<7).contains(fillBits), "fill bits are 0 to 6")
        let totalBits = fillBits + septets.count * 7
        var output = [UInt8](repeating: 0, count: (totalBits + 7) / 8)
        var bit = fillBits
        for raw in septets {
            let septet = UInt16(raw & 0x7F)
            let index = bit / 8
            let shift = bit % 8
            let shifted = septet << shift
            output[index] |= UInt8(truncatingIfNeeded: shifted)
            if shift > 1 {
                output[index + 1] |= UInt8(truncatingIfNeeded: shifted >> 8)
            }
            bit += 7
        }
        return output
    }

    /// Unpacks `count` septets from octets, skipping `fillBits` bits at the start.
    /// - Throws: `SMSError.truncated` when the octets hold fewer septets than `count`.
    public static func unpack(_ octets: [UInt8], count: Int, fillBits: Int = 0) throws(SMSError) -> [UInt8] {
        let neededOctets = (fillBits + count * 7 + 7) / 8
        guard neededOctets <= octets.count else {
            throw .truncated(field: "TP-UD septets", offset: 0, needed: neededOctets, available: octets.count)
        }
        var septets: [UInt8] = []
        septets.reserveCapacity(count)
        var bit = fillBits
        for _ in 0..<count {
            let index = bit / 8
            let shift = bit % 8
            var value = UInt16(octets[index]) >> shift
            if shift > 1 {
                value |= UInt16(octets[index + 1]) << (8 - shift)
            }
            septets.append(UInt8(value & 0x7F))
            bit += 7
        }
        return septets
    }
}
