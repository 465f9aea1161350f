import Testing

@testable import SMS

@Suite struct MultipartEncodingTests {
    @Test func chineseThreePartHeaders() throws {
        let text = String(repeating: "火警测试", count: 40)  // 160 units: three parts of 67, 67, 26.
        let pdus = try SubmitEncoder.encode(
            text, to: .international("+8613800000002"),
            options: SubmitOptions(statusReportRequest: true, concatenationReference: .eightBit(0xA7)))
        #expect(pdus.count == 3)
        for (index, pdu) in pdus.enumerated() {
            let decoded = try PDUDecoder.decode(pdu.bytes)
            #expect(decoded.userData?.concatenation == Concatenation(referenceBits: 8, reference: 0xA7, total: 3, sequence: index + 1))
            #expect(decoded.userData?.text == pdu.text)
        }
        #expect(pdus.map(\.text).joined() == text)
    }

    @Test func gsm7PartWithHeaderHasFillBits() throws {
        let text = String(repeating: "0123456789", count: 17)  // 170 septets: 153 + 17.
        let pdus = try SubmitEncoder.encode(text, to: .international("+8613800000001"))
        #expect(pdus.count == 2)
        // Header 050003000201 is 6 octets = 48 bits, so 1 fill bit; UDL = 7 + 153 = 160.
        let first = try PDUDecoder.decode(pdus[0].bytes)
        #expect(first.userData?.length == 160)
        #expect(first.userData?.text == String(text.prefix(153)))
        let second = try PDUDecoder.decode(pdus[1].bytes)
        #expect(second.userData?.length == 7 + 17)
    }

    @Test func sixteenBitReferenceHeader() throws {
        let text = String(repeating: "警", count: 100)
        let pdus = try SubmitEncoder.encode(
            text, to: .international("+8613800000001"), options: SubmitOptions(concatenationReference: .sixteenBit(0x1234)))
        #expect(pdus.count == 2)
        #expect(pdus[0].hex.contains("0608041234020"))
        let decoded = try PDUDecoder.decode(pdus[1].bytes)
        #expect(decoded.userData?.concatenation?.referenceBits == 16)
        #expect(decoded.userData?.text == String(repeating: "警", count: 34))
    }

    @Test func smscFieldAndLength() throws {
        let pdus = try SubmitEncoder.encode(
            "Test", to: .international("+8613800000001"),
            options: SubmitOptions(smsc: .international("+8613800000000")))
        #expect(pdus[0].hex.hasPrefix("0891683108000000F0"))
        #expect(pdus[0].smscLength == 9)
        #expect(pdus[0].tpduLength == 19)
        guard case .submit(let submit) = try PDUDecoder.decode(pdus[0].bytes) else {
            Issue.record("expected SMS-SUBMIT")
            return
        }
        #expect(submit.smsc?.description == "+8613800000000")
    }

    @Test func nationalAndAlphanumericDestinations() throws {
        let national = try SubmitEncoder.encode("Hi", to: .national("13800000001"))
        #expect(national[0].hex.hasPrefix("0011000BA13108000000F1"))
        let alpha = try SubmitEncoder.encode("Hi", to: .alphanumeric("ALERT"))
        #expect(alpha[0].hex.hasPrefix("00110009D04166514A05"))
        guard case .submit(let submit) = try PDUDecoder.decode(alpha[0].bytes) else {
            Issue.record("expected SMS-SUBMIT")
            return
        }
        #expect(submit.destination == .alphanumeric("ALERT"))
    }

    @Test func noValidityPeriodClearsVPF() throws {
        let pdus = try SubmitEncoder.encode("Test", to: .international("+8613800000001"), options: SubmitOptions(validityPeriod: nil))
        #expect(pdus[0].hex == "0001000D91683108000000F1000004D4F29C0E")
    }

    @Test func flashClassInDCS() throws {
        let pdus = try SubmitEncoder.encode("火", to: .international("+8613800000001"), options: SubmitOptions(messageClass: .class0))
        let decoded = try PDUDecoder.decode(pdus[0].bytes)
        guard case .submit(let submit) = decoded else {
            Issue.record("expected SMS-SUBMIT")
            return
        }
        #expect(submit.dataCodingScheme.rawValue == 0x18)
        #expect(submit.dataCodingScheme.messageClass == .class0)
    }

    static let validityCases: [(minutes: Int, octet: UInt8)] = [
        (5, 0), (7, 1), (720, 143), (1440, 167), (2880, 168), (5760, 0xAA), (43200, 196),
        (50400, 197), (635040, 255), (1_008_000, 255),
    ]

    @Test(arguments: validityCases)
    func relativeValidityRoundsUp(minutes: Int, octet: UInt8) {
        #expect(ValidityPeriod.relativeOctet(minutes: minutes) == octet)
    }

    @Test func addressRejectsLetters() {
        #expect(throws: SMSError.self) {
            try SubmitEncoder.encode("Hi", to: .international("+86138x0000001"))
        }
    }
}
