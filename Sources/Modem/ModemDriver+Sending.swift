public import ATProtocol
import Core
public import SMS

/// A text to send to one recipient.
public struct OutgoingSMS: Sendable, Equatable {
    /// The caller's id for the message, used to pair status reports.
    public var id: String
    public var recipient: PhoneNumber
    public var text: String
    public var statusReport: Bool
    public var encoding: EncodingPreference

    public init(id: String, recipient: PhoneNumber, text: String, statusReport: Bool = true, encoding: EncodingPreference = .automatic) {
        self.id = id
        self.recipient = recipient
        self.text = text
        self.statusReport = statusReport
        self.encoding = encoding
    }
}

/// The outcome of one send.
public enum SendResult: Sendable, Equatable {
    /// Every part was accepted by the SMSC; the TP-MR of each part, in order.
    case accepted(references: [UInt8])
    /// A part failed. `kind` tells whether retrying can help, and `cause` is the CMS error.
    case failed(kind: CMSError.SendFailureKind, cause: Int?, acceptedParts: Int, reason: String)
    /// The modem was cut off after a PDU was written (a reset, a timeout, a vanished port):
    /// the SMSC may or may not have the part.
    case outcomeUnknown(acceptedParts: Int, reason: String)
}

extension ModemDriver {
    /// Sends one message, one `AT+CMGS` per part, and reports the outcome.
    ///
    /// A failure is classified, never retried here: the caller decides when to try again, so
    /// one bad destination never holds up the messages behind it.
    public func send(_ message: OutgoingSMS) async -> SendResult {
        guard state == .ready else {
            return .failed(kind: .temporary, cause: nil, acceptedParts: 0, reason: "modem not ready (\(state))")
        }
        nextConcatenationReference &+= 1
        let pdus: [SubmitPDU]
        do {
            pdus = try SubmitEncoder.encode(
                message.text, to: message.recipient.smsAddress,
                options: SubmitOptions(
                    statusReportRequest: message.statusReport, encoding: message.encoding,
                    concatenationReference: .eightBit(nextConcatenationReference)))
        } catch {
            return .failed(kind: .permanent, cause: nil, acceptedParts: 0, reason: error.description)
        }

        sendsInFlight += 1
        defer { sendsInFlight -= 1 }
        var references: [UInt8] = []
        for (index, pdu) in pdus.enumerated() {
            let command: ATCommand
            do {
                command = try ATCommand.sendPDU(pdu.hex)
            } catch {
                return .failed(kind: .permanent, cause: nil, acceptedParts: index, reason: String(describing: error))
            }
            let response: ATResponse
            do {
                response = try await execute(command)
            } catch let error as ATEngineError {
                count("sms.send_cut_off")
                // A modem that misses its prompt or its result deadline is unwell: recover it.
                switch error {
                case .timedOut, .promptTimedOut: reportHealthProblem("AT+CMGS: \(error)")
                case .portClosed: break
                }
                if error.payloadSent {
                    logger.error("send cut off; outcome unknown", ["sms.id": .plain(message.id), "sms.part": .plain(String(index + 1)), "error": .plain(error.description)])
                    return .outcomeUnknown(acceptedParts: index, reason: error.description)
                }
                return .failed(kind: .temporary, cause: nil, acceptedParts: index, reason: error.description)
            } catch {
                return .failed(kind: .temporary, cause: nil, acceptedParts: index, reason: String(describing: error))
            }

            guard response.result.isSuccess, let reference = response.first(MessageReference.self)?.reference else {
                let failure = classify(response.result)
                count("sms.send_failed.\(failure.kind)")
                logger.warning(
                    "send failed",
                    ["sms.id": .plain(message.id), "sms.to": .phone(message.recipient.e164), "sms.part": .plain(String(index + 1)), "at.result": .plain(response.result.description)])
                return .failed(kind: failure.kind, cause: failure.cause, acceptedParts: index, reason: response.result.description)
            }
            let messageReference = UInt8(truncatingIfNeeded: reference)
            references.append(messageReference)
            if message.statusReport {
                reportMatcher.recordSent(
                    message: message.id, part: index + 1, of: pdus.count, reference: messageReference,
                    recipient: message.recipient.e164, at: clock.now)
            }
        }
        count("sms.sent")
        logger.info(
            "sent", ["sms.id": .plain(message.id), "sms.to": .phone(message.recipient.e164), "sms.parts": .plain(String(pdus.count))])
        return .accepted(references: references)
    }

    /// Classifies the final result of a failed send.
    func classify(_ result: FinalResult) -> (kind: CMSError.SendFailureKind, cause: Int?) {
        switch result {
        case .cmsError(let error):
            if error.isModemCondition {
                // SIM or modem trouble is not the message's fault: retry once the modem recovers.
                return (.temporary, error.code)
            }
            return (error.sendFailureKind, error.code)
        case .cmeError(let error):
            return (.temporary, error.code)
        default:
            return (.unknown, nil)
        }
    }
}
