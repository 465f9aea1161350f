import CMosquitto
public import Core
public import Scheduler

/// A delivery channel that publishes alerts to an MQTT broker at QoS 1.
///
/// Each message goes to `<prefix>/alerts/p<priority>` as an `MQTTAlertPayload` carrying the
/// alert's identifier, so receivers can drop the duplicates that QoS 1 and the scheduler's
/// resends produce. A send is `accepted` only after the broker's PUBACK.
public struct MQTTChannel: DeliveryChannel {
    public let name: String
    let connection: MQTTConnection
    /// The time allowed from queueing a PUBLISH to its PUBACK.
    let acknowledgementTimeout: Duration
    let logger: Logger

    public init(name: String = "mqtt", connection: MQTTConnection, acknowledgementTimeout: Duration = .seconds(10), logger: Logger) {
        self.name = name
        self.connection = connection
        self.acknowledgementTimeout = acknowledgementTimeout
        self.logger = logger.with("channel", .plain(name))
    }

    /// Returns the topic of alerts of `priority`, such as `campus-a/alerts/p0`.
    public func topic(priority: Int) -> String {
        "\(connection.settings.topicPrefix)/alerts/p\(priority)"
    }

    /// Returns the JSON payload of `message`.
    ///
    /// NOTE: `ChannelMessage` carries no status, sent time or language, so the payload leaves
    /// them out. Receivers that need them must get the alert through another path.
    public func payload(for message: ChannelMessage) -> MQTTAlertPayload {
        let text = MQTTAlertPayload.Text(
            language: nil, headline: message.headline ?? message.imMessage?.title, text: message.imMessage?.text ?? message.text)
        return MQTTAlertPayload(
            identifier: message.alertIdentifier, priority: message.priority, texts: [text], delivery: message.deliveryID,
            attempt: message.attempt)
    }

    /// Publishes `message` and waits for the PUBACK.
    ///
    /// The outcome is `accepted` after the PUBACK. When no connection is up, it is `failed`
    /// with the class of the last disconnect: `channelBroken` for rejected credentials or
    /// certificates, else `temporary`. A payload that libmosquitto rejects as too large is
    /// `failed(.permanent)`. A PUBLISH that was queued but got no PUBACK in time is `outcomeUnknown`.
    public func send(_ message: ChannelMessage) async -> ChannelOutcome {
        let topic = topic(priority: message.priority)
        let body = payload(for: message).encoded()
        let fields: KeyValuePairs<String, LogValue> = [
            "alert.id": .plain(message.alertIdentifier), "delivery.id": .plain(String(message.deliveryID)), "mqtt.topic": .plain(topic),
        ]
        logger.debug("publishing alert payload \(String(decoding: body, as: UTF8.self))", fields)

        let result = await connection.publish(topic: topic, payload: body, qos: 1, timeout: acknowledgementTimeout)
        let cause = result.failureReason(timeout: acknowledgementTimeout) ?? ""
        switch result {
        case .acknowledged:
            logger.info("the broker acknowledged the alert", fields)
            return .accepted(references: [])
        case .notConnected(let reason):
            logger.warning("alert not published: \(cause)", fields)
            return .failed(reason?.failureClass ?? .temporary, cause: cause)
        case .rejected(let error):
            logger.error("alert not published: \(cause)", fields)
            let tooLarge = error.code == MOSQ_ERR_PAYLOAD_SIZE.rawValue || error.code == MOSQ_ERR_OVERSIZE_PACKET.rawValue
            return .failed(tooLarge ? .permanent : .temporary, cause: cause)
        case .timedOut, .stopped:
            logger.warning("alert outcome unknown: \(cause)", fields)
            return .outcomeUnknown(cause: cause)
        }
    }
}
