import Testing

@testable import SMS

/// Packing of septets into octets, least significant bit first (3GPP TS 23.038 §6.1.2.1.1).
@Suite struct SeptetPackingTests {
    @Test(arguments: [
        ("Test", 0, "D4F29C0E"),
        ("hellohello", 0, "E8329BFD4697D9EC37"),
        ("Test 1", 0, "D4F29C0E8A01"),
        ("1234567", 0, "31D98C56B3DD00"),
        ("12345678", 0, "31D98C56B3DD70"),
        ("Test", 1, "A8E5391D"),
        ("", 0, ""),
    ])
    func knownVector(text: String, fillBits: Int, hex: String) throws {
        let septets = try GSMAlphabet.encode(text)
        #expect(Hex.encode(SeptetPacking.pack(septets, fillBits: fillBits)) == hex)
        let unpacked = try SeptetPacking.unpack(PDUVectors.bytes(hex), count: septets.count, fillBits: fillBits)
        #expect(unpacked == septets)
    }

    /// Eight septets fill seven octets exactly, and the eighth is the top 7 bits of the last
    /// octet. Reading seven septets from the same octets must stop before it.
    @Test func eightSeptetsFillLastOctet() throws {
        let septets: [UInt8] = Array(repeating: 0x7F, count: 8)
        let packed = SeptetPacking.pack(septets)
        #expect(packed == Array(repeating: 0xFF, count: 7))
        #expect(try SeptetPacking.unpack(packed, count: 8) == septets)
        #expect(try SeptetPacking.unpack(packed, count: 7) == Array(repeating: 0x7F, count: 7))
    }

    /// Seven septets take 49 bits, so the last of seven octets carries one bit and seven zeros.
    @Test func sevenSeptetsLeaveSpareBitsClear() {
        let packed = SeptetPacking.pack(Array(repeating: 0x7F, count: 7))
        #expect(packed.count == 7)
        #expect(packed.last == 0x01)
    }

    /// Every fill-bit value, every length from 0 to 200, random septets including 0x00 and
    /// 0x7F at the ends.
    @Test(arguments: 0...6)
    func roundTripEveryLength(fillBits: Int) throws {
        var generator = SplitMix64(seed: 0x5E97 + UInt64(fillBits))
        for length in 0...200 {
            var septets = (0..<length).map { _ in UInt8.random(in: 0...0x7F, using: &generator) }
            if length >= 2 {
                septets[0] = 0x7F
                septets[length - 1] = 0x7F
            }
            let packed = SeptetPacking.pack(septets, fillBits: fillBits)
            #expect(packed.count == (fillBits + length * 7 + 7) / 8, "length \(length)")
            #expect(try SeptetPacking.unpack(packed, count: length, fillBits: fillBits) == septets, "length \(length)")
            if let first = packed.first {
                #expect(first & UInt8((1 << fillBits) - 1) == 0, "fill bits set at length \(length)")
            }
        }
    }

    @Test func packIgnoresHighBit() {
        #expect(SeptetPacking.pack([0xD4 | 0x80]) == SeptetPacking.pack([0x54]))
    }

    @Test(arguments: [
        (0, 4, 1),
        (0, 8, 6),
        (1, 8, 7),
        (0, 160, 139),
    ])
    func unpackRejectsShortInput(fillBits: Int, count: Int, available: Int) {
        let octets = [UInt8](repeating: 0, count: available)
        let needed = (fillBits + count * 7 + 7) / 8
        #expect(throws: SMSError.truncated(field: "TP-UD septets", offset: 0, needed: needed, available: available)) {
            try SeptetPacking.unpack(octets, count: count, fillBits: fillBits)
        }
    }

    /// Header octets and the fill bits that bring the septets after it to a septet boundary.
    @Test(arguments: [
        (0, 0, 0), (1, 6, 2), (2, 5, 3), (3, 4, 4), (4, 3, 5), (5, 2, 6), (6, 1, 7), (7, 0, 8), (8, 6, 10),
    ])
    func headerAlignment(headerOctets: Int, fillBits: Int, headerSeptets: Int) {
        #expect(SeptetPacking.fillBits(afterHeaderOctets: headerOctets) == fillBits)
        #expect(SeptetPacking.headerSeptets(headerOctets: headerOctets) == headerSeptets)
    }
}
