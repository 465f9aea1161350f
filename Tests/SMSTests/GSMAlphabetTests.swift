import Testing

@testable import SMS

/// The GSM 03.38 default alphabet and its extension table (3GPP TS 23.038 §6.2.1).
@Suite struct GSMAlphabetTests {
    static let extensionCharacters: [(character: Unicode.Scalar, code: UInt8)] = [
        ("\u{0C}", 0x0A), ("^", 0x14), ("{", 0x28), ("}", 0x29), ("\\", 0x2F),
        ("[", 0x3C), ("~", 0x3D), ("]", 0x3E), ("|", 0x40), ("€", 0x65),
    ]

    /// Every septet of the default table except 0x1B, the escape.
    static let defaultSeptets: [UInt8] = (0...127).map(UInt8.init).filter { $0 != GSMAlphabet.escape }

    @Test func defaultTableHas128Entries() {
        #expect(GSMAlphabet.defaultTable.count == 128)
    }

    @Test(arguments: defaultSeptets)
    func defaultSeptetRoundTrips(septet: UInt8) throws {
        let text = GSMAlphabet.decode([septet])
        #expect(text.unicodeScalars.count == 1)
        #expect(try GSMAlphabet.encode(text) == [septet])
    }

    @Test func defaultTableHasNoDuplicates() {
        let scalars = Self.defaultSeptets.map { GSMAlphabet.defaultTable[Int($0)] }
        #expect(Set(scalars).count == scalars.count)
    }

    /// Spot checks against the table printed in TS 23.038, so a shifted table cannot pass the
    /// round trip above.
    @Test(arguments: [
        ("@", 0x00), ("£", 0x01), ("$", 0x02), ("¥", 0x03), ("Ç", 0x09), ("\n", 0x0A), ("Ø", 0x0B),
        ("\r", 0x0D), ("Δ", 0x10), ("_", 0x11), ("Ξ", 0x1A), ("Æ", 0x1C), ("É", 0x1F), (" ", 0x20),
        ("¤", 0x24), ("0", 0x30), ("¡", 0x40), ("A", 0x41), ("Z", 0x5A), ("Ä", 0x5B), ("§", 0x5F),
        ("¿", 0x60), ("a", 0x61), ("z", 0x7A), ("ä", 0x7B), ("ü", 0x7E), ("à", 0x7F),
    ] as [(Unicode.Scalar, UInt8)])
    func defaultTablePosition(character: Unicode.Scalar, septet: UInt8) {
        #expect(GSMAlphabet.septets(for: character) == [septet])
    }

    @Test(arguments: extensionCharacters)
    func extensionCharacterEncodesEscapePair(character: Unicode.Scalar, code: UInt8) throws {
        #expect(try GSMAlphabet.encode(String(character)) == [0x1B, code])
        #expect(GSMAlphabet.cost(of: character) == 2)
        #expect(GSMAlphabet.decode([0x1B, code]) == String(character))
    }

    /// TS 23.038 §6.2.1.1: a code missing from the extension table shows the default table's
    /// character for that code.
    @Test func escapeWithUnknownCodeUsesDefaultTable() {
        let knownCodes = Set(Self.extensionCharacters.map(\.code))
        for code in Self.defaultSeptets where !knownCodes.contains(code) {
            let expected = String(GSMAlphabet.defaultTable[Int(code)])
            #expect(GSMAlphabet.decode([0x1B, code]) == expected, "ESC 0x\(Hex.encode([code]))")
        }
    }

    @Test(arguments: [
        ([0x1B, 0x41], "A"),
        ([0x1B, 0x00], "@"),
        ([0x1B, 0x0D], "\r"),
        ([0x48, 0x1B, 0x61, 0x69], "Hai"),
    ] as [([UInt8], String)])
    func escapeWithUnknownCodeExamples(septets: [UInt8], text: String) {
        #expect(GSMAlphabet.decode(septets) == text)
    }

    @Test func trailingEscapeDecodesAsSpace() {
        #expect(GSMAlphabet.decode([0x48, 0x69, 0x1B]) == "Hi ")
    }

    @Test func loneEscapeDecodesAsSpace() {
        #expect(GSMAlphabet.decode([0x1B]) == " ")
    }

    /// 0x1B 0x1B is reserved for a further extension table and shows as a space.
    @Test func doubleEscapeDecodesAsSpace() {
        #expect(GSMAlphabet.decode([0x1B, 0x1B, 0x41]) == " A")
    }

    @Test func highBitIsIgnored() {
        #expect(GSMAlphabet.decode([0xC1, 0x80]) == "A@")
    }

    @Test func nonGSMCharacterRejected() {
        #expect(
            throws: SMSError.invalidField(
                field: "GSM 7-bit text", value: "U+706B",
                reason: .english("not in the GSM 03.38 default or extension table; send the text as UCS-2"))
        ) {
            try GSMAlphabet.encode("Fire 火")
        }
    }

    @Test(arguments: [
        ("Line1\r\nLine2", true),
        ("{[|€|]}\u{0C}", true),
        ("café", true),
        ("façade", false),
        ("It’s", false),
        ("\u{1B}", false),
        ("火警", false),
        ("", true),
    ])
    func canEncodeDecidesAlphabet(text: String, encodable: Bool) {
        #expect(GSMAlphabet.canEncode(text) == encodable)
    }
}
