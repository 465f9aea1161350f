import Testing

@testable import SMS

/// Every TP-DCS coding group, read from an SMS-DELIVER that carries it (3GPP TS 23.038 §4).
@Suite struct DataCodingSchemeTests {
    typealias Waiting = DataCodingScheme.MessageWaiting

    struct Case: Sendable, CustomTestStringConvertible {
        var dcs: UInt8
        var alphabet: SMSAlphabet
        var messageClass: MessageClass?
        var automaticDeletion = false
        var waiting: Waiting?

        var testDescription: String {
            "0x" + Hex.encode([dcs])
        }
    }

    static let cases: [Case] = [
        // 00xx: general data coding. Bit 4 set makes bits 1-0 a class.
        Case(dcs: 0x00, alphabet: .gsm7),
        Case(dcs: 0x01, alphabet: .gsm7),
        Case(dcs: 0x04, alphabet: .eightBit),
        Case(dcs: 0x08, alphabet: .ucs2),
        Case(dcs: 0x0C, alphabet: .gsm7),  // Reserved alphabet, read as the default alphabet.
        Case(dcs: 0x10, alphabet: .gsm7, messageClass: .class0),
        Case(dcs: 0x11, alphabet: .gsm7, messageClass: .class1),
        Case(dcs: 0x12, alphabet: .gsm7, messageClass: .class2),
        Case(dcs: 0x13, alphabet: .gsm7, messageClass: .class3),
        Case(dcs: 0x14, alphabet: .eightBit, messageClass: .class0),
        Case(dcs: 0x16, alphabet: .eightBit, messageClass: .class2),
        Case(dcs: 0x18, alphabet: .ucs2, messageClass: .class0),
        Case(dcs: 0x19, alphabet: .ucs2, messageClass: .class1),
        Case(dcs: 0x1C, alphabet: .gsm7, messageClass: .class0),
        // 01xx: the same layout, marked for automatic deletion.
        Case(dcs: 0x40, alphabet: .gsm7, automaticDeletion: true),
        Case(dcs: 0x44, alphabet: .eightBit, automaticDeletion: true),
        Case(dcs: 0x48, alphabet: .ucs2, automaticDeletion: true),
        Case(dcs: 0x4C, alphabet: .gsm7, automaticDeletion: true),
        Case(dcs: 0x4F, alphabet: .gsm7, automaticDeletion: true),
        Case(dcs: 0x51, alphabet: .gsm7, messageClass: .class1, automaticDeletion: true),
        Case(dcs: 0x5A, alphabet: .ucs2, messageClass: .class2, automaticDeletion: true),
        // 1000-1011: reserved groups, read as the default alphabet.
        Case(dcs: 0x80, alphabet: .gsm7),
        Case(dcs: 0x8C, alphabet: .gsm7),
        Case(dcs: 0x9F, alphabet: .gsm7),
        Case(dcs: 0xA8, alphabet: .gsm7),
        Case(dcs: 0xBF, alphabet: .gsm7),
        // 1100: message waiting, discard message, GSM 7-bit. Bit 3 sets the indication.
        Case(dcs: 0xC0, alphabet: .gsm7, waiting: Waiting(kind: .voicemail, isActive: false, discardMessage: true)),
        Case(dcs: 0xC8, alphabet: .gsm7, waiting: Waiting(kind: .voicemail, isActive: true, discardMessage: true)),
        Case(dcs: 0xCB, alphabet: .gsm7, waiting: Waiting(kind: .other, isActive: true, discardMessage: true)),
        // 1101: message waiting, store message, GSM 7-bit.
        Case(dcs: 0xD0, alphabet: .gsm7, waiting: Waiting(kind: .voicemail, isActive: false, discardMessage: false)),
        Case(dcs: 0xD9, alphabet: .gsm7, waiting: Waiting(kind: .fax, isActive: true, discardMessage: false)),
        Case(dcs: 0xDF, alphabet: .gsm7, waiting: Waiting(kind: .other, isActive: true, discardMessage: false)),
        // 1110: message waiting, store message, UCS-2.
        Case(dcs: 0xE0, alphabet: .ucs2, waiting: Waiting(kind: .voicemail, isActive: false, discardMessage: false)),
        Case(dcs: 0xEA, alphabet: .ucs2, waiting: Waiting(kind: .email, isActive: true, discardMessage: false)),
        Case(dcs: 0xEF, alphabet: .ucs2, waiting: Waiting(kind: .other, isActive: true, discardMessage: false)),
        // 1111: data coding and message class. Bit 2 selects 8-bit data.
        Case(dcs: 0xF0, alphabet: .gsm7, messageClass: .class0),
        Case(dcs: 0xF1, alphabet: .gsm7, messageClass: .class1),
        Case(dcs: 0xF2, alphabet: .gsm7, messageClass: .class2),
        Case(dcs: 0xF3, alphabet: .gsm7, messageClass: .class3),
        Case(dcs: 0xF4, alphabet: .eightBit, messageClass: .class0),
        Case(dcs: 0xF5, alphabet: .eightBit, messageClass: .class1),
        Case(dcs: 0xF6, alphabet: .eightBit, messageClass: .class2),
        Case(dcs: 0xF7, alphabet: .eightBit, messageClass: .class3),
    ]

    /// Returns user data in `alphabet` and the text it decodes to.
    static func userData(for alphabet: SMSAlphabet) -> (octets: [UInt8], length: Int, text: String) {
        switch alphabet {
        case .gsm7: ([0xD4, 0xF2, 0x9C, 0x0E], 4, "Test")
        case .ucs2: ([0x6D, 0x4B, 0x8B, 0xD5], 4, "测试")
        case .eightBit: ([0xD4, 0xF2, 0x9C, 0x0E], 4, "\u{D4}\u{F2}\u{9C}\u{0E}")
        }
    }

    @Test(arguments: cases)
    func deliverWithScheme(testCase: Case) throws {
        let data = Self.userData(for: testCase.alphabet)
        let bytes = DeliverPDU.bytes(dcs: testCase.dcs, userDataLength: data.length, userData: data.octets)
        guard case .deliver(let deliver) = try PDUDecoder.decode(bytes) else {
            Issue.record("expected SMS-DELIVER")
            return
        }
        let scheme = deliver.dataCodingScheme
        #expect(scheme.rawValue == testCase.dcs)
        #expect(scheme.alphabet == testCase.alphabet)
        #expect(scheme.messageClass == testCase.messageClass)
        #expect(scheme.isMarkedForAutomaticDeletion == testCase.automaticDeletion)
        #expect(scheme.messageWaiting == testCase.waiting)
        #expect(scheme.isCompressed == false)
        #expect(deliver.userData.alphabet == testCase.alphabet)
        #expect(deliver.userData.text == data.text)
    }

    @Test func eightBitDataKeepsEveryByte() throws {
        let payload: [UInt8] = [0x00, 0x1B, 0x7F, 0x80, 0xC3, 0xFF]
        let bytes = DeliverPDU.bytes(dcs: 0x04, userDataLength: payload.count, userData: payload)
        let userData = try #require(try PDUDecoder.decode(bytes).userData)
        #expect(userData.alphabet == .eightBit)
        #expect(userData.payload == payload)
        #expect(userData.text.unicodeScalars.map(\.value) == payload.map(UInt32.init))
    }

    /// A WAP push: 8-bit data behind a 16-bit application port header (IEI 0x05).
    @Test func eightBitDataAfterPortHeader() throws {
        let payload: [UInt8] = [0x01, 0x06, 0x03, 0xBE, 0xAF, 0x84]
        let bytes = DeliverPDU.octetCoded(header: [0x06, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0], payload: payload, dcs: 0xF5)
        let userData = try #require(try PDUDecoder.decode(bytes).userData)
        #expect(userData.payload == payload)
        #expect(userData.header?.elements == [InformationElement(identifier: 0x05, data: [0x0B, 0x84, 0x23, 0xF0])])
        #expect(userData.concatenation == nil)
    }

    @Test(arguments: [
        (SMSAlphabet.gsm7, nil, 0x00), (.eightBit, nil, 0x04), (.ucs2, nil, 0x08),
        (.gsm7, .class0, 0x10), (.ucs2, .class0, 0x18), (.eightBit, .class1, 0x15), (.ucs2, .class3, 0x1B),
    ] as [(SMSAlphabet, MessageClass?, UInt8)])
    func schemeForSending(alphabet: SMSAlphabet, messageClass: MessageClass?, rawValue: UInt8) {
        let scheme = DataCodingScheme(alphabet: alphabet, messageClass: messageClass)
        #expect(scheme.rawValue == rawValue)
        #expect(DataCodingScheme(rawValue: rawValue) == scheme)
    }
}
