import Core
import SMS

/// Decodes SMS PDUs from raw octets, re-encodes what decodes, and reassembles parts.
///
/// The whole input is one PDU, decoded with and without the SMSC field. The same input is
/// also read as a sequence of length-prefixed PDUs (one length octet, then that many octets),
/// which go through a `Reassembler` one minute apart, so that multipart seeds exercise
/// concatenation.
enum PDUFuzzing {
    /// The SMSC of re-encoded PDUs. The round trip checks the TPDU: a decoded SMSC field may
    /// hold no digits or an alphanumeric type, which the encoders rightly reject.
    private static let defaultSMSC = SMSAddress.international("8613800000000")

    static func run(_ bytes: [UInt8], _ result: inout FuzzResult) {
        for hasSMSC in [true, false] {
            decodeAndReencode(bytes, hasSMSC: hasSMSC, &result)
        }
        reassemble(records(in: bytes), &result)
    }

    private static func decodeAndReencode(_ bytes: [UInt8], hasSMSC: Bool, _ result: inout FuzzResult) {
        let decoded: DecodedPDU
        do {
            decoded = try PDUDecoder.decode(bytes, hasSMSC: hasSMSC)
        } catch {
            result.reject(error, by: "PDUDecoder.decode")
            return
        }
        result.accept()
        if let userData = decoded.userData {
            checkLimits(of: userData, &result)
        }

        switch decoded {
        case .deliver(let deliver):
            let pdus: [[UInt8]]
            do {
                pdus = try NetworkPDUEncoder.deliver(
                    deliver.userData.text, from: deliver.originator, smsc: defaultSMSC,
                    timestamp: deliver.serviceCentreTimestamp)
            } catch {
                result.expect(false, "NetworkPDUEncoder.deliver failed on a decoded SMS-DELIVER: \(error)")
                return
            }
            checkRoundTrip(pdus, text: deliver.userData.text, address: deliver.originator, &result)

        case .submit(let submit):
            let pdus: [SubmitPDU]
            do {
                pdus = try SubmitEncoder.encode(
                    submit.userData.text, to: submit.destination, options: SubmitOptions())
            } catch {
                result.expect(false, "SubmitEncoder.encode failed on a decoded SMS-SUBMIT: \(error)")
                return
            }
            checkRoundTrip(pdus.map(\.bytes), text: submit.userData.text, address: submit.destination, &result)

        case .statusReport(let report):
            do {
                let pdu = try NetworkPDUEncoder.statusReport(
                    reference: report.messageReference, recipient: report.recipient, smsc: defaultSMSC,
                    submitted: report.serviceCentreTimestamp, discharged: report.dischargeTime, status: report.status)
                guard case .statusReport(let again) = try PDUDecoder.decode(pdu) else {
                    result.expect(false, "a re-encoded SMS-STATUS-REPORT decodes as another type")
                    return
                }
                result.expect(
                    again.messageReference == report.messageReference && again.status == report.status
                        && again.recipient == report.recipient,
                    "a re-encoded SMS-STATUS-REPORT changed: \(report) became \(again)")
            } catch {
                result.expect(false, "re-encoding a decoded SMS-STATUS-REPORT failed: \(error)")
            }
        }
    }

    /// Checks the TP-UDL limits of 3GPP TS 23.040 §9.2.3.16 that the decoder documents.
    private static func checkLimits(of userData: UserData, _ result: inout FuzzResult) {
        switch userData.alphabet {
        case .gsm7:
            result.expect(userData.length <= 160, "GSM 7-bit TP-UDL \(userData.length) exceeds 160 septets")
            result.expect(userData.payload.count <= 160, "GSM 7-bit payload of \(userData.payload.count) septets exceeds 160")
            result.expect(userData.payload.allSatisfy { $0 < 0x80 }, "a GSM 7-bit payload contains a value above 0x7F")
        case .ucs2, .eightBit:
            result.expect(userData.length <= 140, "TP-UDL \(userData.length) exceeds 140 octets")
            result.expect(userData.payload.count <= userData.length, "payload longer than TP-UDL \(userData.length)")
        }
        if let concatenation = userData.concatenation {
            result.expect(
                (1...max(1, concatenation.total)).contains(concatenation.sequence),
                "concatenation part \(concatenation.sequence) of \(concatenation.total) is out of range")
        }
    }

    /// Decodes the PDUs an encoder built from decoded fields and checks that their texts join
    /// into the original text and that the address survived.
    private static func checkRoundTrip(_ pdus: [[UInt8]], text: String, address: SMSAddress, _ result: inout FuzzResult) {
        var joined = ""
        for pdu in pdus {
            do {
                let again = try PDUDecoder.decode(pdu)
                joined += again.userData?.text ?? ""
                switch again {
                case .deliver(let deliver):
                    result.expect(deliver.originator == address, "TP-OA \(address) re-encoded as \(deliver.originator)")
                case .submit(let submit):
                    result.expect(submit.destination == address, "TP-DA \(address) re-encoded as \(submit.destination)")
                case .statusReport:
                    result.expect(false, "an encoded message decodes as an SMS-STATUS-REPORT")
                }
            } catch {
                result.expect(false, "a PDU built from decoded fields does not decode: \(error); PDU \(Hex.encode(pdu))")
                return
            }
        }
        result.expect(joined == text, "text \(text.debugDescription) re-encoded as \(joined.debugDescription)")
    }

    /// Splits `bytes` into length-prefixed records; a last record that is cut short is dropped.
    private static func records(in bytes: [UInt8]) -> [[UInt8]] {
        var records: [[UInt8]] = []
        var index = 0
        while index < bytes.count {
            let length = Int(bytes[index])
            let start = index + 1
            guard start + length <= bytes.count else { break }
            records.append(Array(bytes[start..<(start + length)]))
            index = start + length
        }
        return records
    }

    /// Feeds every record that decodes as an SMS-DELIVER to a reassembler and checks the
    /// part numbers of the messages it returns.
    private static func reassemble(_ records: [[UInt8]], _ result: inout FuzzResult) {
        guard records.count > 1 else { return }
        var reassembler = Reassembler(configuration: Reassembler.Configuration(maximumPendingMessages: 4))
        var now = MonotonicInstant(nanoseconds: 0)
        var events: [ReassemblyEvent] = []
        for record in records {
            guard case .deliver(let deliver) = try? PDUDecoder.decode(record) else { continue }
            now = now.advanced(by: .seconds(60))
            events += reassembler.receive(ReceivedPart(deliver), at: now)
        }
        events += reassembler.expire(at: now.advanced(by: reassembler.configuration.timeout))
        result.expect(reassembler.pendingCount == 0, "\(reassembler.pendingCount) messages still pending after the timeout")

        for event in events {
            let message: ReassembledMessage
            switch event {
            case .complete(let complete): message = complete
            case .partial(let partial): message = partial
            case .correction(let correction): message = correction
            }
            let total = message.key?.total ?? 1
            let numbers = message.receivedParts + message.missingParts
            result.expect(
                numbers.sorted() == Array(1...total),
                "received \(message.receivedParts) and missing \(message.missingParts) are not parts 1 to \(total)")
            if case .complete = event {
                result.expect(message.missingParts.isEmpty, "a complete message misses parts \(message.missingParts)")
            }
        }
    }
}
