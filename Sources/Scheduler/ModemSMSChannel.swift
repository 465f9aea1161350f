import ATProtocol
public import Modem
import SMS

/// The SMS channel of one modem: sends through the driver and classifies its outcome.
public struct ModemSMSChannel: DeliveryChannel {
    public let name: String
    let driver: ModemDriver

    /// - Parameter name: the SIM's name for the budget and the logs, such as `modem0`.
    public init(name: String, driver: ModemDriver) {
        self.name = name
        self.driver = driver
    }

    public func send(_ message: ChannelMessage) async -> ChannelOutcome {
        guard let recipient = message.recipient else {
            return .failed(.permanent, cause: "delivery \(message.deliveryID) has no SMS recipient")
        }
        let number: PhoneNumber
        do {
            number = try PhoneNumber(parsing: recipient)
        } catch {
            return .failed(.permanent, cause: error.description)
        }
        let result = await driver.send(OutgoingSMS(id: "d\(message.deliveryID)a\(message.attempt)", recipient: number, text: message.text))
        return Self.outcome(of: result)
    }

    /// Maps the driver's send result onto the scheduler's failure classes.
    static func outcome(of result: SendResult) -> ChannelOutcome {
        switch result {
        case .accepted(let references):
            return .accepted(references: references.map(Int.init))
        case .failed(let kind, _, let acceptedParts, let reason):
            // Parts the SMSC already took make a resend a partial duplicate; a retry still sends the whole text.
            let cause = acceptedParts > 0 ? "\(reason) after \(acceptedParts) parts were accepted" : reason
            switch kind {
            case .permanent: return .failed(.permanent, cause: cause)
            case .temporary, .unknown: return .failed(.temporary, cause: cause)
            }
        case .outcomeUnknown(_, let reason):
            return .outcomeUnknown(cause: reason)
        }
    }
}
