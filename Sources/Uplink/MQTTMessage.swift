/// A message received on a subscribed topic, copied out of libmosquitto's memory.
public struct MQTTMessage: Sendable, Equatable {
    public var topic: String
    public var payload: [UInt8]
    public var qos: Int32
    /// Whether the broker sent the message from its retained store, not as a new publish.
    public var retained: Bool

    public init(topic: String, payload: [UInt8], qos: Int32 = 1, retained: Bool = false) {
        self.topic = topic
        self.payload = payload
        self.qos = qos
        self.retained = retained
    }
}

/// The result of one publish.
public enum MQTTPublishResult: Sendable, Equatable {
    /// The broker returned PUBACK (QoS 1), or libmosquitto queued the message (QoS 0).
    case acknowledged
    /// No connection was up or the connection was stopped, so nothing was queued. The value is
    /// the reason of the last disconnect, if any.
    case notConnected(MQTTDisconnectReason?)
    /// libmosquitto refused the request, such as an invalid topic or an oversize payload.
    case rejected(MQTTError)
    /// The message was queued, but no PUBACK came before the deadline. The broker may still
    /// receive it, because libmosquitto resends it after a reconnect.
    case timedOut
    /// The message was queued, but the connection was stopped before the PUBACK.
    case stopped
}

extension MQTTPublishResult {
    /// Returns why the publish did not succeed, for logs and delivery causes, or nil when the
    /// broker acknowledged it. `timeout` is the deadline the PUBACK had.
    func failureReason(timeout: Duration) -> String? {
        switch self {
        case .acknowledged: nil
        case .notConnected(let reason): "MQTT is not connected: \(reason?.description ?? "no connection was made yet")"
        case .rejected(let error): error.description
        case .timedOut: "no PUBACK within \(timeout) after the PUBLISH was queued"
        case .stopped: "the MQTT connection was stopped before the PUBACK"
        }
    }
}
