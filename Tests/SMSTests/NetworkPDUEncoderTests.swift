import Testing

@testable import SMS

@Suite struct NetworkPDUEncoderTests {
    static let stamp = SMSTimestamp(year: 2024, month: 1, day: 5, hour: 8, minute: 0, second: 0, utcOffsetMinutes: 480)

    @Test func deliverMatchesFieldCaseVector() throws {
        let pdus = try NetworkPDUEncoder.deliver(
            "Test 1", from: .international("+8613800000001"), smsc: .international("+8613800000000"), timestamp: Self.stamp)
        #expect(pdus.map { Hex.encode($0) } == ["0891683108000000F0040D91683108000000F100004210508000002306D4F29C0E8A01"])
    }

    @Test func deliverPartMatchesVector() throws {
        let pdus = try NetworkPDUEncoder.deliver(
            String(repeating: "第一部分", count: 20), from: .international("+8613800000001"),
            smsc: .international("+8613800000000"), timestamp: Self.stamp, reference: .eightBit(0xA7))
        #expect(pdus.count == 2)
        #expect(Hex.encode(pdus[0]).hasPrefix("0891683108000000F0440D91683108000000F10008421050800000238C050003A702017B2C4E0090E85206"))
    }

    @Test func statusReportMatchesVector() throws {
        let pdu = try NetworkPDUEncoder.statusReport(
            reference: 17, recipient: .international("+8613800000002"), smsc: .international("+8613800000000"),
            submitted: Self.stamp, discharged: Self.stamp, status: DeliveryStatus(rawValue: 0))
        #expect(Hex.encode(pdu) == "0891683108000000F006110D91683108000000F2421050800000234210508000002300")
    }

    @Test(arguments: [Int64(1_704_412_800), 0, 951_782_400, 4_102_444_799])
    func timestampEpochRoundTrip(seconds: Int64) {
        let stamp = SMSTimestamp(secondsSinceEpoch: seconds, utcOffsetMinutes: 480)
        #expect(stamp.secondsSinceEpoch == seconds)
    }

    @Test func timestampFromEpoch() {
        #expect(SMSTimestamp(secondsSinceEpoch: 1_704_412_800, utcOffsetMinutes: 480) == Self.stamp)
    }

    @Test func negativeOffsetRoundTrip() throws {
        let stamp = SMSTimestamp(year: 2024, month: 3, day: 1, hour: 23, minute: 59, second: 59, utcOffsetMinutes: -300)
        #expect(try SMSTimestamp.decode(stamp.encoded(), field: "TP-SCTS") == stamp)
    }
}
