public import Storage

/// The upstream behind the MQTT broker: each event is published with QoS 1 to
/// `<prefix>/events/<box-id>`, and counts as taken once the broker acknowledged it.
///
/// The event's idempotency key is in its JSON payload, so a subscriber drops the repeat that
/// a crash between the PUBACK and the outbox update causes.
public struct MQTTUpstream: Upstream {
    public let name: String
    let connection: MQTTConnection
    let timeout: Duration

    public init(name: String = "mqtt", connection: MQTTConnection, acknowledgementTimeout: Duration = .seconds(10)) {
        self.name = name
        self.connection = connection
        self.timeout = acknowledgementTimeout
    }

    /// The topic events go to.
    public var topic: String {
        "\(connection.settings.topicPrefix)/events/\(connection.settings.boxID)"
    }

    public func publish(_ entry: SyncOutbox.Entry) async -> UpstreamOutcome {
        let result = await connection.publish(topic: topic, payload: Array(entry.payload.utf8), qos: 1, timeout: timeout)
        return result.failureReason(timeout: timeout).map { .notAcknowledged(reason: $0) } ?? .acknowledged
    }
}
