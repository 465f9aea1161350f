import Testing

@testable import SMS

/// User data headers with elements other than concatenation, and concatenation elements that
/// must be ignored (3GPP TS 23.040 §9.2.3.24).
@Suite struct UserDataHeaderTests {
    static let chinese: [UInt8] = [0x6D, 0x4B, 0x8B, 0xD5]  // "测试" in UCS-2.

    /// Headers whose first element is unknown to the decoder, then a concatenation element.
    @Test(arguments: [
        // Text formatting (0x0A), 3 octets.
        ([0x0A, 0x0A, 0x03, 0x00, 0x04, 0x00, 0x00, 0x03, 0xA7, 0x02, 0x01], 8, 0xA7, 2, 1),
        // National language single shift (0x24) and locking shift (0x25), 1 octet each.
        ([0x0B, 0x24, 0x01, 0x01, 0x25, 0x01, 0x01, 0x00, 0x03, 0xA7, 0x03, 0x03], 8, 0xA7, 3, 3),
        // An empty element (0x70, SIM toolkit security), then a 16-bit reference.
        ([0x08, 0x70, 0x00, 0x08, 0x04, 0x12, 0x34, 0x02, 0x02], 16, 0x1234, 2, 2),
        // Application port addressing (0x05), then a 16-bit reference.
        ([0x0C, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0, 0x08, 0x04, 0xBE, 0xEF, 0x05, 0x04], 16, 0xBEEF, 5, 4),
    ] as [([UInt8], Int, UInt16, Int, Int)])
    func unknownElementSkipped(header: [UInt8], bits: Int, reference: UInt16, total: Int, sequence: Int) throws {
        let expected = Concatenation(referenceBits: bits, reference: reference, total: total, sequence: sequence)

        let ucs2 = try #require(try PDUDecoder.decode(DeliverPDU.octetCoded(header: header, payload: Self.chinese)).userData)
        #expect(ucs2.concatenation == expected)
        #expect(ucs2.text == "测试")

        let septets = try GSMAlphabet.encode("Test {1}")
        let gsm7 = try #require(try PDUDecoder.decode(DeliverPDU.gsm7(header: header, septets: septets)).userData)
        #expect(gsm7.concatenation == expected)
        #expect(gsm7.text == "Test {1}")
        #expect(gsm7.payload == septets)
    }

    /// TS 23.040 §9.2.3.24.1 and §9.2.3.24.8: a part count of 0, or a part number of 0 or above
    /// the count, makes the receiver ignore the element and read the part as a message of its own.
    @Test(arguments: [
        [0x05, 0x00, 0x03, 0xA7, 0x02, 0x00],
        [0x05, 0x00, 0x03, 0xA7, 0x02, 0x03],
        [0x05, 0x00, 0x03, 0xA7, 0x00, 0x00],
        [0x05, 0x00, 0x03, 0xA7, 0x00, 0x01],
        [0x06, 0x08, 0x04, 0x12, 0x34, 0x02, 0x00],
        [0x06, 0x08, 0x04, 0x12, 0x34, 0x02, 0xFF],
        // Wrong element lengths.
        [0x06, 0x00, 0x04, 0xA7, 0x02, 0x01, 0x00],
        [0x05, 0x08, 0x03, 0x12, 0x02, 0x01],
    ] as [[UInt8]])
    func invalidConcatenationIgnored(header: [UInt8]) throws {
        let userData = try #require(try PDUDecoder.decode(DeliverPDU.octetCoded(header: header, payload: Self.chinese)).userData)
        #expect(userData.header != nil)
        #expect(userData.concatenation == nil)
        #expect(userData.text == "测试")
    }

    /// TS 23.040 §9.2.3.24: of repeated or mutually exclusive elements, the last one counts.
    @Test(arguments: [
        ([0x0A, 0x00, 0x03, 0xA7, 0x02, 0x01, 0x00, 0x03, 0xA8, 0x03, 0x02], 8, 0xA8, 3, 2),
        ([0x0B, 0x00, 0x03, 0xA7, 0x02, 0x01, 0x08, 0x04, 0x12, 0x34, 0x04, 0x04], 16, 0x1234, 4, 4),
        ([0x0B, 0x08, 0x04, 0x12, 0x34, 0x04, 0x04, 0x00, 0x03, 0xA7, 0x02, 0x01], 8, 0xA7, 2, 1),
        // The last element is invalid and ignored, so the one before it counts.
        ([0x0A, 0x00, 0x03, 0xA7, 0x02, 0x01, 0x00, 0x03, 0xA8, 0x02, 0x00], 8, 0xA7, 2, 1),
    ] as [([UInt8], Int, UInt16, Int, Int)])
    func lastConcatenationElementWins(header: [UInt8], bits: Int, reference: UInt16, total: Int, sequence: Int) throws {
        let userData = try #require(try PDUDecoder.decode(DeliverPDU.octetCoded(header: header, payload: Self.chinese)).userData)
        #expect(userData.concatenation == Concatenation(referenceBits: bits, reference: reference, total: total, sequence: sequence))
    }

    @Test func emptyHeaderDecoded() throws {
        let userData = try #require(try PDUDecoder.decode(DeliverPDU.octetCoded(header: [0x00], payload: Self.chinese)).userData)
        #expect(userData.header?.elements == [])
        #expect(userData.text == "测试")
    }

    @Test(arguments: [
        (ConcatenationReference.eightBit(0xA7), 3, 2, [0x05, 0x00, 0x03, 0xA7, 0x03, 0x02]),
        (.sixteenBit(0x1234), 2, 1, [0x06, 0x08, 0x04, 0x12, 0x34, 0x02, 0x01]),
    ] as [(ConcatenationReference, Int, Int, [UInt8])])
    func concatenationHeaderEncoded(reference: ConcatenationReference, total: Int, sequence: Int, octets: [UInt8]) throws {
        let header = UserDataHeader(concatenation: reference, total: total, sequence: sequence)
        #expect(header.encoded() == octets)
        #expect(try UserDataHeader.decode(octets).header == header)
    }
}
