import Core

/// Decodes PDUs as modems print them in `+CMGR`, `+CMGL`, `+CMT` and `+CDS`.
///
/// The TP-MTI bits pick the type. A PDU from the network is an SMS-DELIVER (00) or an
/// SMS-STATUS-REPORT (10); 01 is read as an SMS-SUBMIT, the type a modem stores for messages
/// written to its memory. Every field is checked against its stated length, and nothing may
/// follow the user data.
/// 3GPP TS 23.040 §9.2.3.1 and TS 27.005 §3.1 (the SMSC field before the TPDU).
public enum PDUDecoder {
    /// Decodes a hex PDU.
    /// - Parameter hasSMSC: whether the PDU starts with the SMSC field, as in every PDU a modem
    ///   prints; false for a bare TPDU.
    public static func decode(hex: String, hasSMSC: Bool = true) throws(SMSError) -> DecodedPDU {
        try decode(Hex.decode(hex), hasSMSC: hasSMSC)
    }

    /// Decodes PDU bytes.
    public static func decode(_ bytes: [UInt8], hasSMSC: Bool = true) throws(SMSError) -> DecodedPDU {
        var reader = ByteReader(bytes)
        let smsc = hasSMSC ? try SMSAddress.decodeSMSC(&reader) : nil
        let firstOctet = try reader.byte("first octet")

        let decoded: DecodedPDU
        switch firstOctet & 0x03 {
        case 0x00: decoded = .deliver(try decodeDeliver(&reader, firstOctet: firstOctet, smsc: smsc))
        case 0x01: decoded = .submit(try decodeSubmit(&reader, firstOctet: firstOctet, smsc: smsc))
        case 0x02: decoded = .statusReport(try decodeStatusReport(&reader, firstOctet: firstOctet, smsc: smsc))
        default:
            throw .invalidField(field: "TP-MTI", value: "11", reason: LocalizedText(zh: "保留的消息类型", en: "reserved message type"))
        }
        guard reader.remaining == 0 else {
            throw .trailingBytes(count: reader.remaining)
        }
        return decoded
    }

    private static func decodeDeliver(_ reader: inout ByteReader, firstOctet: UInt8, smsc: SMSAddress?) throws(SMSError) -> SMSDeliver {
        let originator = try SMSAddress.decodeTPAddress(&reader, field: "TP-OA")
        let protocolIdentifier = try reader.byte("TP-PID")
        let scheme = DataCodingScheme(rawValue: try reader.byte("TP-DCS"))
        let timestamp = try SMSTimestamp.decode(try reader.take(7, "TP-SCTS"), field: "TP-SCTS")
        let userData = try UserData.decode(&reader, scheme: scheme, hasHeader: firstOctet & 0x40 != 0)
        return SMSDeliver(
            smsc: smsc, originator: originator, moreMessagesToSend: firstOctet & 0x04 == 0,
            loopPrevention: firstOctet & 0x08 != 0, statusReportIndication: firstOctet & 0x20 != 0,
            replyPath: firstOctet & 0x80 != 0, protocolIdentifier: protocolIdentifier, dataCodingScheme: scheme,
            serviceCentreTimestamp: timestamp, userData: userData)
    }

    private static func decodeSubmit(_ reader: inout ByteReader, firstOctet: UInt8, smsc: SMSAddress?) throws(SMSError) -> SMSSubmit {
        let reference = try reader.byte("TP-MR")
        let destination = try SMSAddress.decodeTPAddress(&reader, field: "TP-DA")
        let protocolIdentifier = try reader.byte("TP-PID")
        let scheme = DataCodingScheme(rawValue: try reader.byte("TP-DCS"))

        let validity: ValidityPeriod?
        switch (firstOctet >> 3) & 0x03 {
        case 0b10: validity = .relative(minutes: ValidityPeriod.minutes(relativeOctet: try reader.byte("TP-VP")))
        case 0b11: validity = .absolute(try SMSTimestamp.decode(try reader.take(7, "TP-VP"), field: "TP-VP"))
        case 0b01: validity = .enhanced(try reader.take(7, "TP-VP"))
        default: validity = nil
        }

        let userData = try UserData.decode(&reader, scheme: scheme, hasHeader: firstOctet & 0x40 != 0)
        return SMSSubmit(
            smsc: smsc, destination: destination, rejectDuplicates: firstOctet & 0x04 != 0,
            statusReportRequest: firstOctet & 0x20 != 0, replyPath: firstOctet & 0x80 != 0, messageReference: reference,
            protocolIdentifier: protocolIdentifier, dataCodingScheme: scheme, validityPeriod: validity,
            userData: userData)
    }

    private static func decodeStatusReport(
        _ reader: inout ByteReader, firstOctet: UInt8, smsc: SMSAddress?
    ) throws(SMSError) -> SMSStatusReport {
        let reference = try reader.byte("TP-MR")
        let recipient = try SMSAddress.decodeTPAddress(&reader, field: "TP-RA")
        let timestamp = try SMSTimestamp.decode(try reader.take(7, "TP-SCTS"), field: "TP-SCTS")
        let discharge = try SMSTimestamp.decode(try reader.take(7, "TP-DT"), field: "TP-DT")
        let status = DeliveryStatus(rawValue: try reader.byte("TP-ST"))

        // TP-PI and the fields it announces are optional; a set bit 7 chains another TP-PI octet.
        var protocolIdentifier: UInt8?
        var scheme: DataCodingScheme?
        var userData: UserData?
        if reader.remaining > 0 {
            let indicator = try reader.byte("TP-PI")
            var extended = indicator
            while extended & 0x80 != 0 {
                extended = try reader.byte("TP-PI extension")
            }
            if indicator & 0x01 != 0 {
                protocolIdentifier = try reader.byte("TP-PID")
            }
            if indicator & 0x02 != 0 {
                scheme = DataCodingScheme(rawValue: try reader.byte("TP-DCS"))
            }
            if indicator & 0x04 != 0 {
                userData = try UserData.decode(&reader, scheme: scheme ?? .gsm7, hasHeader: firstOctet & 0x40 != 0)
            }
        }
        return SMSStatusReport(
            smsc: smsc, messageReference: reference, recipient: recipient, moreMessagesToSend: firstOctet & 0x04 == 0,
            isCommandResult: firstOctet & 0x20 != 0, serviceCentreTimestamp: timestamp, dischargeTime: discharge,
            status: status, protocolIdentifier: protocolIdentifier, dataCodingScheme: scheme, userData: userData)
    }
}
