/// Encodes the PDUs a network sends to a handset: SMS-DELIVER and SMS-STATUS-REPORT.
///
/// The box never sends these; the simulator's SMSC does, and tests use them to feed the modem
/// driver exactly what a network would.
/// 3GPP TS 23.040 §9.2.2.1 and §9.2.2.3.
public enum NetworkPDUEncoder {
    /// Encodes `text` from `originator` as the SMS-DELIVER PDUs of its parts, SMSC field first.
    /// - Throws: `SMSError` for an address that cannot be encoded or more than 255 parts.
    public static func deliver(
        _ text: String, from originator: SMSAddress, smsc: SMSAddress, timestamp: SMSTimestamp,
        reference: ConcatenationReference = .eightBit(0), encoding: EncodingPreference = .automatic,
        statusReportIndication: Bool = false
    ) throws(SMSError) -> [[UInt8]] {
        let referenceBits: Int
        switch reference {
        case .eightBit: referenceBits = 8
        case .sixteenBit: referenceBits = 16
        }
        let plan = try Segmenter.plan(text, preference: encoding, referenceBits: referenceBits)
        let smscField = try smsc.encodedAsSMSCAddress()
        let address = try originator.encodedAsTPAddress()
        let scheme = DataCodingScheme(alphabet: plan.alphabet)
        let total = plan.segments.count

        var pdus: [[UInt8]] = []
        for (index, segment) in plan.segments.enumerated() {
            let header = total > 1 ? UserDataHeader(concatenation: reference, total: total, sequence: index + 1) : nil
            let (length, userData) = try SubmitEncoder.userData(segment, alphabet: plan.alphabet, header: header)
            // TP-MTI 00; TP-MMS set means no more messages wait at the SMSC.
            var firstOctet: UInt8 = 0x04
            if statusReportIndication { firstOctet |= 0x20 }
            if header != nil { firstOctet |= 0x40 }
            var bytes = smscField
            bytes.append(firstOctet)
            bytes += address
            bytes.append(0x00)
            bytes.append(scheme.rawValue)
            bytes += timestamp.encoded()
            bytes.append(UInt8(length))
            bytes += userData
            pdus.append(bytes)
        }
        return pdus
    }

    /// Encodes a status report for the message with `reference` sent to `recipient`.
    public static func statusReport(
        reference: UInt8, recipient: SMSAddress, smsc: SMSAddress, submitted: SMSTimestamp, discharged: SMSTimestamp,
        status: DeliveryStatus
    ) throws(SMSError) -> [UInt8] {
        var bytes = try smsc.encodedAsSMSCAddress()
        // TP-MTI 10, TP-MMS set (no more messages), TP-SRQ clear (the result of an SMS-SUBMIT).
        bytes.append(0x06)
        bytes.append(reference)
        bytes += try recipient.encodedAsTPAddress()
        bytes += submitted.encoded()
        bytes += discharged.encoded()
        bytes.append(status.rawValue)
        return bytes
    }
}
