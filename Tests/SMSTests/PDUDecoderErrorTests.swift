import Testing

@testable import SMS

/// Bad PDUs give an `SMSError` that names the field, and never a crash or a wrong value.
@Suite struct PDUDecoderErrorTests {
    // MARK: Hex text

    @Test func oddHexDigitCountRejected() {
        #expect(throws: SMSError.invalidHex(position: 5, reason: .english("odd number of hex digits"))) {
            try PDUDecoder.decode(hex: "0011A")
        }
    }

    @Test(arguments: [
        ("00G1", 3, "'G' is not a hex digit"),
        ("0x11", 2, "'x' is not a hex digit"),
        ("0011 00Z0", 8, "'Z' is not a hex digit"),
        ("00-11", 3, "'-' is not a hex digit"),
        ("001\u{FF11}", 4, "'\\u{FF11}' is not a hex digit"),
    ])
    func nonHexCharacterPositionReported(hex: String, position: Int, reason: String) {
        #expect(throws: SMSError.invalidHex(position: position, reason: .english(reason))) {
            try PDUDecoder.decode(hex: hex)
        }
    }

    @Test func whitespaceInHexIgnored() throws {
        let spaced = try PDUDecoder.decode(hex: " 0891683108000000F0 040D91683108000000F1\r\n0000 42105080000023 06D4F29C0E8A01\n")
        let plain = try PDUDecoder.decode(hex: PDUVectors.deliverGSM7)
        #expect(spaced == plain)
    }

    // MARK: Truncation and trailing bytes

    /// Every prefix of a real PDU must be rejected as truncated, naming the field that ran
    /// short; only the whole PDU decodes.
    @Test(arguments: PDUVectors.all)
    func everyPrefixTruncated(hex: String) throws {
        let bytes = PDUVectors.bytes(hex)
        for length in 0..<bytes.count {
            let error = try #require(PDUDecoder.error(decoding: Array(bytes.prefix(length))), "prefix of \(length) bytes decoded")
            guard case .truncated(let field, let offset, let needed, let available) = error else {
                Issue.record("prefix of \(length) bytes: expected truncated, got \(error)")
                continue
            }
            #expect(!field.isEmpty)
            #expect(needed > available, "prefix of \(length) bytes, field \(field)")
            #expect(offset <= length, "prefix of \(length) bytes, field \(field)")
        }
        #expect(PDUDecoder.error(decoding: bytes) == nil)
    }

    @Test(arguments: [
        PDUVectors.deliverGSM7, PDUVectors.deliverUCS2, PDUVectors.deliverPart1of2, PDUVectors.deliverAlphanumeric,
        PDUVectors.submitGSM7, PDUVectors.submitUCS2,
    ])
    func trailingBytesRejected(hex: String) {
        let bytes = PDUVectors.bytes(hex)
        #expect(PDUDecoder.error(decoding: bytes + [0x00]) == .trailingBytes(count: 1))
        #expect(PDUDecoder.error(decoding: bytes + [0x00, 0xFF, 0x12]) == .trailingBytes(count: 3))
    }

    /// A status report may end after TP-ST or carry TP-PI, so one extra zero octet is an empty
    /// TP-PI, and the octet after it is trailing.
    @Test func statusReportTrailingBytesRejected() {
        let bytes = PDUVectors.bytes(PDUVectors.statusReportDelivered)
        #expect(PDUDecoder.error(decoding: bytes + [0x00]) == nil)
        #expect(PDUDecoder.error(decoding: bytes + [0x00, 0x00]) == .trailingBytes(count: 1))
    }

    @Test func missingSMSCFieldReportedAsTrailing() {
        // A bare TPDU read as if it had an SMSC field: 0x11 octets cannot be an SMSC address.
        let tpdu = Array(PDUVectors.bytes(PDUVectors.submitGSM7).dropFirst())
        #expect(
            PDUDecoder.error(decoding: tpdu)
                == .invalidField(
                    field: "SMSC length", value: "17",
                    reason: .english("an SMSC field has at most 11 octets; if this PDU has no SMSC field, use --no-smsc")))
        #expect(PDUDecoder.error(decoding: tpdu, hasSMSC: false) == nil)
    }

    // MARK: Header fields

    @Test func reservedMessageTypeRejected() {
        var bytes = PDUVectors.bytes(PDUVectors.deliverGSM7)
        bytes[9] = 0x07  // The first octet after the 9-octet SMSC field, with TP-MTI 11.
        #expect(PDUDecoder.error(decoding: bytes) == .invalidField(field: "TP-MTI", value: "11", reason: .english("reserved message type")))
    }

    /// TS 23.038 §4: bit 5 of the general data coding groups (00xx and 01xx) marks text
    /// compressed with TS 23.042, which this decoder does not implement.
    @Test(arguments: [0x20, 0x21, 0x24, 0x28, 0x2C, 0x30, 0x3F, 0x60, 0x6A, 0x7F] as [UInt8])
    func compressedTextUnsupported(dcs: UInt8) {
        let bytes = DeliverPDU.bytes(dcs: dcs, userDataLength: 4, userData: [0xD4, 0xF2, 0x9C, 0x0E])
        let error = PDUDecoder.error(decoding: bytes)
        guard case .unsupported(let field, let value, _) = error else {
            Issue.record("expected unsupported, got \(String(describing: error))")
            return
        }
        #expect(field == "TP-DCS")
        #expect(value == "0x" + Hex.encode([dcs]))
    }

    @Test(arguments: [
        // UDHL 5, but the element announces 5 data octets where 3 remain.
        ([0x05, 0x00, 0x05, 0xA7, 0x02, 0x01], "information element 0x00 runs past the header"),
        // The second element's length octet would be the first text octet.
        ([0x06, 0x00, 0x03, 0xA7, 0x02, 0x01, 0x0A], "information element at octet 6 has no length octet"),
        ([0x01, 0x00], "information element at octet 1 has no length octet"),
        ([0x03, 0x0A, 0x03, 0x00], "information element 0x0A runs past the header"),
    ] as [([UInt8], String)])
    func headerElementPastHeaderRejected(header: [UInt8], reason: String) {
        let bytes = DeliverPDU.octetCoded(header: header, payload: [0x6D, 0x4B, 0x8B, 0xD5])
        let error = PDUDecoder.error(decoding: bytes)
        guard case .invalidField(let field, _, let shownReason) = error else {
            Issue.record("expected invalidField, got \(String(describing: error))")
            return
        }
        #expect(field == "TP-UDH")
        #expect(shownReason.english == reason)
    }

    @Test func headerLongerThanUserDataRejected() {
        // TP-UDL 4, but UDHL claims 9 octets.
        let bytes = DeliverPDU.bytes(firstOctet: 0x44, dcs: 0x08, userDataLength: 4, userData: [0x09, 0x00, 0x03, 0xA7])
        #expect(PDUDecoder.error(decoding: bytes) == .truncated(field: "TP-UDH", offset: 1, needed: 9, available: 3))
    }

    @Test func gsm7HeaderLongerThanUserDataRejected() {
        // 7 septets take 7 octets, one short of the 8 that UDHL 7 needs.
        let bytes = DeliverPDU.bytes(
            firstOctet: 0x44, dcs: 0x00, userDataLength: 7, userData: [0x07, 0x00, 0x03, 0xA7, 0x02, 0x01, 0x00])
        #expect(PDUDecoder.error(decoding: bytes) == .truncated(field: "TP-UDH", offset: 1, needed: 7, available: 6))
    }

    @Test func gsm7LengthShorterThanHeaderRejected() {
        // TP-UDL 6 septets (6 octets) cannot hold a 6-octet header and its fill bit.
        let bytes = DeliverPDU.bytes(
            firstOctet: 0x44, dcs: 0x00, userDataLength: 6, userData: [0x05, 0x00, 0x03, 0xA7, 0x02, 0x01])
        let error = PDUDecoder.error(decoding: bytes)
        guard case .invalidField(let field, let value, _) = error else {
            Issue.record("expected invalidField, got \(String(describing: error))")
            return
        }
        #expect(field == "TP-UDL")
        #expect(value == "6")
    }

    @Test(arguments: [
        (0x00, 161, 141, "GSM 7-bit user data has at most 160 septets"),
        (0x00, 255, 224, "GSM 7-bit user data has at most 160 septets"),
        (0x08, 141, 141, "user data has at most 140 octets"),
        (0x04, 141, 141, "user data has at most 140 octets"),
    ] as [(UInt8, Int, Int, String)])
    func userDataLengthOverMaximumRejected(dcs: UInt8, length: Int, octets: Int, reason: String) {
        let bytes = DeliverPDU.bytes(dcs: dcs, userDataLength: length, userData: Array(repeating: 0x41, count: octets))
        #expect(PDUDecoder.error(decoding: bytes) == .invalidField(field: "TP-UDL", value: String(length), reason: .english(reason)))
    }

    @Test(arguments: [(0x00, 160, 140), (0x08, 140, 140), (0x04, 140, 140)] as [(UInt8, Int, Int)])
    func userDataLengthAtMaximumAccepted(dcs: UInt8, length: Int, octets: Int) throws {
        let bytes = DeliverPDU.bytes(dcs: dcs, userDataLength: length, userData: Array(repeating: 0x41, count: octets))
        let decoded = try PDUDecoder.decode(bytes)
        #expect(decoded.userData?.length == length)
    }

    @Test(arguments: [
        ("4A105080000023", "semi-octet 0 is not a decimal digit"),
        ("42F05080000023", "semi-octet 1 is not a decimal digit"),
        ("421050800000F3", "semi-octet 6 is not a decimal digit"),
        ("42315080000023", "date, time or offset out of range"),  // month 13
        ("42100080000023", "date, time or offset out of range"),  // day 0
        ("42105042000023", "date, time or offset out of range"),  // hour 24
        ("42105080060023", "date, time or offset out of range"),  // minute 60
    ])
    func badTimestampRejected(timestamp: String, reason: String) {
        let bytes = DeliverPDU.bytes(
            dcs: 0x00, userDataLength: 4, userData: [0xD4, 0xF2, 0x9C, 0x0E], timestamp: PDUVectors.bytes(timestamp))
        #expect(PDUDecoder.error(decoding: bytes) == .invalidField(field: "TP-SCTS", value: timestamp, reason: .english(reason)))
    }

    @Test func negativeTimeZoneDecoded() throws {
        // 0x0A: bit 3 is the minus sign, the low nibble is the tens digit 2 and the high
        // nibble the units digit 0, so the offset is -20 quarters of an hour.
        let bytes = DeliverPDU.bytes(
            dcs: 0x00, userDataLength: 4, userData: [0xD4, 0xF2, 0x9C, 0x0E], timestamp: PDUVectors.bytes("4210508000000A"))
        guard case .deliver(let deliver) = try PDUDecoder.decode(bytes) else {
            Issue.record("expected SMS-DELIVER")
            return
        }
        #expect(deliver.serviceCentreTimestamp.utcOffsetMinutes == -300)
        #expect(deliver.serviceCentreTimestamp.description == "2024-01-05T08:00:00-05:00")
    }

    @Test func badDischargeTimeNamesField() {
        let hex = "0891683108000000F006110D91683108000000F2" + "42105080000023" + "F2105080000023" + "00"
        let error = PDUDecoder.error(decoding: PDUVectors.bytes(hex))
        guard case .invalidField(let field, _, _) = error else {
            Issue.record("expected invalidField, got \(String(describing: error))")
            return
        }
        #expect(field == "TP-DT")
    }

    @Test func addressLengthOverTwentyRejected() {
        var bytes = PDUVectors.bytes(PDUVectors.deliverGSM7)
        bytes[10] = 21  // TP-OA length in semi-octets.
        #expect(
            PDUDecoder.error(decoding: bytes)
                == .invalidField(field: "TP-OA length", value: "21", reason: .english("an address has at most 20 semi-octets")))
    }

    // MARK: Addresses

    @Test func alphanumericSenderDecoded() throws {
        guard case .deliver(let deliver) = try PDUDecoder.decode(hex: PDUVectors.deliverAlphanumeric) else {
            Issue.record("expected SMS-DELIVER")
            return
        }
        #expect(deliver.originator == .alphanumeric("ALERT"))
        #expect(deliver.originator.masked == "ALERT")
        #expect(deliver.userData.text == "Hi")
    }

    /// Names of 1 to 11 septets, extension characters included, survive encoding as TP-DA and
    /// decoding back.
    @Test(arguments: ["A", "ALERT", "AlertBox", "Fire-Alarm1", "ABCDEFGHIJK", "[SOS] 119", "Zone 7", "@home"])
    func alphanumericAddressRoundTrips(name: String) throws {
        let pdus = try SubmitEncoder.encode("Hi", to: .alphanumeric(name))
        guard case .submit(let submit) = try PDUDecoder.decode(pdus[0].bytes) else {
            Issue.record("expected SMS-SUBMIT")
            return
        }
        #expect(submit.destination == .alphanumeric(name))
    }

    // MARK: Status reports

    static let statusReportHead = "0891683108000000F006110D91683108000000F2" + "42105080000023" + "42105080000023" + "00"

    @Test func statusReportWithUserDataDecoded() throws {
        let report = try Self.statusReport(Self.statusReportHead + "07" + "00" + "00" + "04D4F29C0E")
        #expect(report.protocolIdentifier == 0x00)
        #expect(report.dataCodingScheme == .gsm7)
        #expect(report.userData?.text == "Test")
        #expect(report.status.category == .delivered)
    }

    @Test func statusReportWithUCS2UserData() throws {
        let report = try Self.statusReport(Self.statusReportHead + "06" + "08" + "046D4B8BD5")
        #expect(report.protocolIdentifier == nil)
        #expect(report.dataCodingScheme?.alphabet == .ucs2)
        #expect(report.userData?.text == "测试")
    }

    /// Without TP-DCS the user data is read in the default alphabet.
    @Test func statusReportUserDataWithoutDCS() throws {
        let report = try Self.statusReport(Self.statusReportHead + "04" + "04D4F29C0E")
        #expect(report.dataCodingScheme == nil)
        #expect(report.userData?.alphabet == .gsm7)
        #expect(report.userData?.text == "Test")
    }

    @Test func statusReportExtendedIndicator() throws {
        // TP-PI 0x83 (extension, TP-DCS, TP-PID), then one more TP-PI octet, then the fields.
        let report = try Self.statusReport(Self.statusReportHead + "83" + "00" + "7F" + "08")
        #expect(report.protocolIdentifier == 0x7F)
        #expect(report.dataCodingScheme == .ucs2)
        #expect(report.userData == nil)
    }

    @Test func statusReportIndicatorWithoutFieldsTruncated() {
        let error = PDUDecoder.error(decoding: PDUVectors.bytes(Self.statusReportHead + "07"))
        guard case .truncated(let field, _, _, _) = error else {
            Issue.record("expected truncated, got \(String(describing: error))")
            return
        }
        #expect(field == "TP-PID")
    }

    @Test func statusReportUserDataWithHeader() throws {
        // First octet 0x46 sets TP-UDHI; the user data is a concatenation header and "测试".
        let hex = "0891683108000000F046110D91683108000000F2" + "42105080000023" + "42105080000023" + "00"
            + "06" + "08" + "0A050003A70201" + "6D4B8BD5"
        let report = try Self.statusReport(hex)
        #expect(report.userData?.text == "测试")
        #expect(report.userData?.concatenation == Concatenation(referenceBits: 8, reference: 0xA7, total: 2, sequence: 1))
    }

    static func statusReport(_ hex: String) throws -> SMSStatusReport {
        let decoded = try PDUDecoder.decode(hex: hex)
        guard case .statusReport(let report) = decoded else {
            throw SMSError.invalidField(field: "TP-MTI", value: "\(decoded)", reason: .english("expected SMS-STATUS-REPORT"))
        }
        return report
    }
}
