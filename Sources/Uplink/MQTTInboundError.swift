/// The rejection of an inbound MQTT message, with the names an operator needs to find the sender.
///
/// It carries the topic, the publisher named by the topic's last level and a sentence on the
/// cause, never the payload, so it can be logged at any level.
public struct MQTTInboundError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Reason: String, Sendable, Equatable {
        /// The topic is not `<prefix>/inbound/<publisher>`.
        case invalidTopic = "invalid topic"
        /// The payload exceeds the size limit.
        case oversize = "oversize"
        /// No shared secret is configured for the publisher.
        case unknownPublisher = "unknown publisher"
        /// The signature line is missing or malformed.
        case malformedEnvelope = "malformed envelope"
        /// The HMAC does not match the publisher's secret.
        case badSignature = "bad signature"
        /// The timestamp is outside the accepted window around the box's clock.
        case stale = "stale timestamp"
        /// The message id was already accepted from this publisher within the window.
        case replay = "replayed message id"
        /// The body is not a valid CAP document.
        case invalidCAP = "invalid CAP"
        /// The body is not a valid JSON alert.
        case invalidJSON = "invalid JSON alert"
    }

    public let reason: Reason
    public var topic: String?
    public var publisher: String?
    public let detail: String

    public init(_ reason: Reason, topic: String? = nil, publisher: String? = nil, detail: String) {
        self.reason = reason
        self.topic = topic
        self.publisher = publisher
        self.detail = detail
    }

    public var description: String {
        "inbound message rejected (\(reason.rawValue)) from publisher \(publisher ?? "?") on topic \(topic ?? "?"): \(detail)"
    }
}
