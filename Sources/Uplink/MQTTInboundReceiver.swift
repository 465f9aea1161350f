public import Core

/// Receives signed alerts on `<prefix>/inbound/+` and delivers those that pass every check.
///
/// The receiver subscribes at QoS 1 and reads the connection's `messages`, so it must be the
/// only reader of that stream. Each rejected message is logged once at warning level with
/// the topic, the publisher and the reason, and its payload only at debug level. A rejected
/// message is never delivered. Accepted alerts arrive on `alerts` in the order the broker sent them.
public actor MQTTInboundReceiver {
    /// Alerts that passed every check. The stream ends when the connection's messages end.
    public nonisolated let alerts: AsyncStream<MQTTInboundAlert>
    private let sink: AsyncStream<MQTTInboundAlert>.Continuation
    private let connection: MQTTConnection
    private var verifier: MQTTInboundVerifier
    private let clock: any BoxClock
    private let logger: Logger
    private var task: Task<Void, Never>?
    /// Rejections so far, by reason, for health reports.
    public private(set) var rejections: [MQTTInboundError.Reason: Int] = [:]

    public init(connection: MQTTConnection, settings: MQTTInboundVerifier.Settings, clock: any BoxClock, logger: Logger) {
        self.connection = connection
        self.verifier = MQTTInboundVerifier(settings: settings)
        self.clock = clock
        self.logger = logger
        (alerts, sink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1_000))
    }

    /// Subscribes to the inbound topics and starts reading messages. Calling it again does nothing.
    /// - Throws: `MQTTError` when the topic prefix makes an invalid filter.
    public func start() async throws(MQTTError) {
        guard task == nil else { return }
        try await connection.subscribe(verifier.topicFilter, qos: 1)
        let messages = connection.messages
        task = Task {
            for await message in messages {
                self.handle(message)
            }
            self.finish()
        }
    }

    /// Stops reading and ends `alerts`.
    public func stop() {
        task?.cancel()
        task = nil
        sink.finish()
    }

    /// Checks one message and delivers or rejects it.
    func handle(_ message: MQTTMessage) {
        do throws(MQTTInboundError) {
            let alert = try verifier.verify(topic: message.topic, payload: message.payload, now: clock.wallNow)
            logger.info(
                "accepted inbound alert",
                ["mqtt.topic": .plain(message.topic), "mqtt.publisher": .plain(alert.publisher), "mqtt.message_id": .plain(alert.messageID),
                 "alert.id": .plain(alert.identifier)])
            sink.yield(alert)
        } catch {
            rejections[error.reason, default: 0] += 1
            logger.warning(
                "rejected inbound message: \(error.detail)",
                ["mqtt.topic": .plain(message.topic), "mqtt.publisher": .plain(error.publisher ?? "?"), "mqtt.reason": .plain(error.reason.rawValue),
                 "mqtt.bytes": .plain(String(message.payload.count))])
            logger.debug("rejected payload \(String(decoding: message.payload, as: UTF8.self))")
        }
    }

    private func finish() {
        sink.finish()
    }
}
