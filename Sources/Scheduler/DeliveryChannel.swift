public import Alerting
import Core

/// A message for one channel worker to send: one SMS recipient, or one IM target.
public struct ChannelMessage: Sendable, Equatable {
    public var deliveryID: Int64
    /// The attempt this send is, from 1.
    public var attempt: Int
    public var alertID: Int64
    /// The alert's CAP identifier, which IM receivers use to drop duplicates.
    public var alertIdentifier: String
    public var priority: Int
    public var recipient: String?
    public var targetID: Int64?
    public var headline: String?
    /// The SMS text, or for IM the plain text.
    public var text: String
    /// For IM, the text formatted and escaped for the target's channel.
    public var imMessage: IMMessage?

    public init(
        deliveryID: Int64, attempt: Int, alertID: Int64, alertIdentifier: String, priority: Int, recipient: String? = nil,
        targetID: Int64? = nil, headline: String? = nil, text: String, imMessage: IMMessage? = nil
    ) {
        self.deliveryID = deliveryID
        self.attempt = attempt
        self.alertID = alertID
        self.alertIdentifier = alertIdentifier
        self.priority = priority
        self.recipient = recipient
        self.targetID = targetID
        self.headline = headline
        self.text = text
        self.imMessage = imMessage
    }
}

/// The class of a failed send, by what the scheduler should do about it.
public enum FailureClass: Sendable, Equatable {
    /// Retrying later can help: congestion, no service, 5xx, a timeout before sending.
    case temporary
    /// The channel's rate limit was hit; it may take traffic again after this long.
    case rateLimited(retryAfter: Duration)
    /// This recipient can never get it: an unassigned number, a rejected destination.
    case permanent
    /// The channel needs a person: a removed robot, a bad key or a bad signature. Retrying in
    /// a loop cannot help, so every delivery of the channel falls back.
    case channelBroken
}

/// The outcome of one attempt.
public enum ChannelOutcome: Sendable, Equatable {
    /// The network took the message. For SMS, the TP-MR of each part, for pairing status reports.
    case accepted(references: [Int])
    case failed(FailureClass, cause: String)
    /// The attempt was cut off after bytes left: the message may or may not have gone.
    case outcomeUnknown(cause: String)
}

/// A channel worker's sending side: the modem for SMS, a robot or broker for IM.
///
/// `send` must not throw or hang past the channel's own timeouts: every way it can end is an
/// outcome, so the scheduler can record it.
public protocol DeliveryChannel: Sendable {
    /// The name the SMS budget and the logs use, such as the SIM's ICCID or `modem0`.
    var name: String { get }
    func send(_ message: ChannelMessage) async -> ChannelOutcome
}
