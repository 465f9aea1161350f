import Testing

@testable import SMS

/// The test vectors of the field-case table: real PDUs that libgammu and python-gsmmodem decode.
@Suite struct FieldCaseVectorTests {
    static let sender = "+8613800000001"

    @Test func deliverGSM7() throws {
        let pdu = try PDUDecoder.decode(hex: "0891683108000000F0040D91683108000000F100004210508000002306D4F29C0E8A01")
        guard case .deliver(let deliver) = pdu else {
            Issue.record("expected SMS-DELIVER, got \(pdu)")
            return
        }
        #expect(deliver.smsc?.description == "+8613800000000")
        #expect(deliver.originator.description == Self.sender)
        #expect(deliver.userData.alphabet == .gsm7)
        #expect(deliver.userData.text == "Test 1")
        #expect(deliver.serviceCentreTimestamp.description == "2024-01-05T08:00:00+08:00")
        #expect(deliver.userData.concatenation == nil)
    }

    @Test func deliverUCS2() throws {
        let pdu = try PDUDecoder.decode(hex: "0891683108000000F0040D91683108000000F1000842105080000023046D4B8BD5")
        guard case .deliver(let deliver) = pdu else {
            Issue.record("expected SMS-DELIVER, got \(pdu)")
            return
        }
        #expect(deliver.originator.description == Self.sender)
        #expect(deliver.userData.alphabet == .ucs2)
        #expect(deliver.userData.text == "测试")
    }

    @Test(arguments: [
        (
            "0891683108000000F0440D91683108000000F10008421050800000230E050003A702017B2C4E0090E85206",
            "第一部分", Concatenation(referenceBits: 8, reference: 0xA7, total: 2, sequence: 1)
        ),
        (
            "0891683108000000F0440D91683108000000F10008421050800000230E050003A702027B2C4E8C90E85206",
            "第二部分", Concatenation(referenceBits: 8, reference: 0xA7, total: 2, sequence: 2)
        ),
        (
            "0891683108000000F0440D91683108000000F100084210508000002309060804123402014E00",
            "一", Concatenation(referenceBits: 16, reference: 0x1234, total: 2, sequence: 1)
        ),
    ])
    func deliverConcatenatedPart(hex: String, text: String, concatenation: Concatenation) throws {
        let pdu = try PDUDecoder.decode(hex: hex)
        #expect(pdu.userData?.text == text)
        #expect(pdu.userData?.concatenation == concatenation)
    }

    @Test func deliverAlphanumericSender() throws {
        let pdu = try PDUDecoder.decode(hex: "0891683108000000F00409D04166514A0500004210508000002302C834")
        guard case .deliver(let deliver) = pdu else {
            Issue.record("expected SMS-DELIVER, got \(pdu)")
            return
        }
        #expect(deliver.originator.typeOfNumber == .alphanumeric)
        #expect(deliver.originator.description == "ALERT")
        #expect(deliver.userData.text == "Hi")
    }

    @Test func statusReportDelivered() throws {
        let pdu = try PDUDecoder.decode(hex: "0891683108000000F006110D91683108000000F2421050800000234210508000002300")
        guard case .statusReport(let report) = pdu else {
            Issue.record("expected SMS-STATUS-REPORT, got \(pdu)")
            return
        }
        #expect(report.messageReference == 17)
        #expect(report.recipient.description == "+8613800000002")
        #expect(report.status.rawValue == 0)
        #expect(report.status.category == .delivered)
        #expect(report.dischargeTime.description == "2024-01-05T08:00:00+08:00")
    }

    @Test(arguments: [
        ("Test", "+8613800000001", false, "0011000D91683108000000F10000AA04D4F29C0E"),
        ("Test", "+8613800000002", true, "0031000D91683108000000F20000AA04D4F29C0E"),
        ("火警", "+8613800000001", false, "0011000D91683108000000F10008AA04706B8B66"),
        ("测试", "+8613800000001", false, "0011000D91683108000000F10008AA046D4B8BD5"),
    ])
    func submitEncodesVector(text: String, number: String, report: Bool, expected: String) throws {
        let pdus = try SubmitEncoder.encode(
            text, to: .international(number), options: SubmitOptions(statusReportRequest: report))
        #expect(pdus.count == 1)
        #expect(pdus.first?.hex == expected)
    }

    @Test func submitChineseCMGSLength() throws {
        let pdus = try SubmitEncoder.encode("测试", to: .international(Self.sender))
        #expect(pdus.first?.tpduLength == 19)
    }

    @Test func submitVectorDecodesBack() throws {
        let pdu = try PDUDecoder.decode(hex: "0031000D91683108000000F20000AA04D4F29C0E")
        guard case .submit(let submit) = pdu else {
            Issue.record("expected SMS-SUBMIT, got \(pdu)")
            return
        }
        #expect(submit.smsc == nil)
        #expect(submit.destination.description == "+8613800000002")
        #expect(submit.statusReportRequest)
        #expect(submit.validityPeriod == .relative(minutes: 4 * 1440))
        #expect(submit.userData.text == "Test")
    }
}
