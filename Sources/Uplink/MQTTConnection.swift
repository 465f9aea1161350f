import CMosquitto
public import Core
import Glibc

/// An MQTT 3.1.1 connection to one broker through libmosquitto, with its network loop on a
/// thread of its own.
///
/// The connection owns one `struct mosquitto *`. `start()` creates a thread that runs
/// `mosquitto_loop` and reconnects with exponential back-off, so no blocking network call
/// occupies Swift's shared concurrency pool. Every libmosquitto callback runs on that thread
/// and receives this actor through `Unmanaged`. The callbacks copy what they need out of the
/// library's memory at once, and touch only `state`, which a mutex guards.
///
/// The session is persistent by default: the broker keeps the subscriptions and queues QoS 1
/// messages while the box is away. A retained `offline` Last Will is registered on
/// `<prefix>/status/<box-id>`, and a retained `online` message is published there after each
/// connect. `stop()` publishes `offline` itself, because a clean DISCONNECT does not fire the
/// will. Changes of state arrive on `events`, and messages of the subscribed topics on
/// `messages`.
///
/// MQTT 3.1.1 is used, not MQTT 5: a persistent MQTT 5 session needs the session-expiry
/// property in CONNECT, and libmosquitto 2.0.11 takes CONNECT properties only in the blocking
/// `mosquitto_connect_bind_v5`, whose TLS handshake has no timeout and would hang the network
/// thread on a link that drops packets silently.
/// `mosquitto_new(3)`, `mosquitto_loop(3)`, `mosquitto_threaded_set(3)`.
public actor MQTTConnection {
    /// A `struct mosquitto *`.
    struct Handle: @unchecked Sendable {
        // @unchecked Sendable: libmosquitto locks its own state once `mosquitto_threaded_set`
        // is on, so the network thread and the actor may both call into the handle.
        let pointer: OpaquePointer
    }

    /// The state the network thread and the actor share, guarded by `state`.
    struct State {
        var connected = false
        var stopping = false
        var started = false
        var finished = false
        /// Whether the current attempt's end has been reported, so a failure that both a
        /// callback and a return code show is reported once.
        var endReported = true
        var lastReason: MQTTDisconnectReason?
        /// How many ends in a row had the same reason as `lastReason`.
        var repeatedReasons = 0
        /// The last error line of libmosquitto's log, such as an OpenSSL verification error.
        var lastLibraryError: String?
        /// How many attempts in a row ended with the TLS session reset after the handshake and
        /// before CONNACK; a CONNACK or another kind of end sets it back to 0.
        var resetsBeforeConnack = 0
        var subscriptions: [String: Int32] = [:]
        var pending: [Int32: PendingPublish] = [:]
        var nextToken: UInt64 = 0
        var stopWaiters: [CheckedContinuation<Void, Never>] = []
    }

    struct PendingPublish {
        let token: UInt64
        let continuation: CheckedContinuation<MQTTPublishResult, Never>
    }

    public nonisolated let settings: MQTTSettings
    /// Connection state changes, in order. The stream ends after `stop()`.
    public nonisolated let events: AsyncStream<MQTTConnectionEvent>
    /// Messages on the subscribed topics, copied out of libmosquitto. The stream ends after `stop()`.
    /// It buffers 1,000 unread messages and then drops the oldest, which the broker already
    /// counts as delivered, so its reader must keep up.
    public nonisolated let messages: AsyncStream<MQTTMessage>
    nonisolated let eventSink: AsyncStream<MQTTConnectionEvent>.Continuation
    nonisolated let messageSink: AsyncStream<MQTTMessage>.Continuation
    nonisolated let handle: Handle
    nonisolated let state = Locked(State())
    nonisolated let logger: Logger

    /// Creates the libmosquitto client and applies the settings; nothing connects before `start()`.
    /// - Throws: `MQTTError` of kind `invalidSettings` for a bad value, or `setupFailed` when
    ///   libmosquitto rejects an option, such as a CA file it cannot read.
    /// `mosquitto_new(3)`, `mosquitto_will_set(3)`, `mosquitto_tls_set(3)`.
    public init(settings: MQTTSettings, logger: Logger) throws(MQTTError) {
        try settings.validate()
        let initResult = alertbox_mosquitto_lib_init_once()
        guard initResult == MOSQ_ERR_SUCCESS.rawValue else {
            throw MQTTError(.setupFailed, code: initResult, detail: "libmosquitto failed to initialise")
        }
        guard let pointer = mosquitto_new(settings.clientID, settings.cleanSession, nil) else {
            throw MQTTError(.setupFailed, code: Int32(errno), detail: "mosquitto_new failed for client id \(settings.clientID)")
        }
        let handle = Handle(pointer: pointer)
        do throws(MQTTError) {
            try Self.configure(handle, settings: settings)
        } catch {
            mosquitto_destroy(pointer)
            throw error
        }

        self.settings = settings
        self.handle = handle
        self.logger = logger.with("mqtt.client", .plain(settings.clientID)).with("mqtt.broker", "\(settings.host):\(settings.port)")
        (events, eventSink) = AsyncStream.makeStream(bufferingPolicy: .unbounded)
        (messages, messageSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1_000))
        installCallbacks()
    }

    deinit {
        // The network thread holds a strong reference until it ends, so the handle is idle here.
        mosquitto_destroy(handle.pointer)
    }

    /// Starts the network thread, which connects and keeps reconnecting until `stop()`.
    /// Calling it again does nothing.
    public func start() {
        let first = state.withLock { state -> Bool in
            defer { state.started = true }
            return !state.started
        }
        guard first else { return }
        logger.info("starting MQTT connection", ["mqtt.keepalive": "\(settings.keepaliveSeconds)s", "mqtt.tls": settings.tls == nil ? "off" : "on"])
        startNetworkThread()
    }

    /// Publishes the retained `offline` status, disconnects and waits for the network thread
    /// to end. Publishes still waiting for their PUBACK end as `stopped`.
    /// `mosquitto_disconnect(3)`.
    public func stop() async {
        let (started, finished, connected) = state.withLock { ($0.started, $0.finished, $0.connected) }
        guard started, !finished else {
            finishStreams()
            return
        }
        if connected {
            let result = await publish(topic: settings.statusTopic, payload: statusPayload(online: false), retain: true, timeout: .seconds(2))
            if result != .acknowledged {
                logger.warning("the offline status was not acknowledged before disconnecting", ["mqtt.result": "\(result)"])
            }
        }

        state.withLock { $0.stopping = true }
        _ = mosquitto_disconnect(handle.pointer)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.finished { return true }
                state.stopWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
        logger.info("stopped MQTT connection")
    }

    /// Whether the broker has accepted the current connection.
    public nonisolated var isConnected: Bool {
        state.withLock { $0.connected }
    }

    /// The reason the last connection or attempt ended, or nil when none has ended.
    public nonisolated var lastDisconnectReason: MQTTDisconnectReason? {
        state.withLock { $0.lastReason }
    }

    /// Subscribes to `topic` now if connected, and again after every reconnect.
    /// - Throws: `MQTTError` of kind `requestFailed` when libmosquitto rejects the topic filter.
    /// `mosquitto_subscribe(3)`.
    public func subscribe(_ topic: String, qos: Int32 = 1) throws(MQTTError) {
        guard mosquitto_sub_topic_check(topic) == MOSQ_ERR_SUCCESS.rawValue, (0...2).contains(qos) else {
            throw MQTTError(.requestFailed, detail: "topic filter \"\(topic)\" or QoS \(qos) is invalid; use a valid MQTT filter and QoS 0-2")
        }
        let connected = state.withLock { state -> Bool in
            state.subscriptions[topic] = qos
            return state.connected
        }
        if connected {
            let result = mosquitto_subscribe(handle.pointer, nil, topic, qos)
            if result != MOSQ_ERR_SUCCESS.rawValue {
                logger.warning("subscribe failed; it is repeated after the next connect", ["mqtt.topic": .plain(topic), "mqtt.error": "\(result)"])
            }
        }
    }

    /// Publishes `payload` and, for QoS 1, waits for the broker's PUBACK until `timeout`.
    ///
    /// A publish that libmosquitto took stays in its queue when the connection drops, and is
    /// sent again after a reconnect within the same session, so a PUBACK that arrives after a
    /// reconnect still counts if it comes before `timeout`. After `timeout` the result is
    /// `timedOut` and the message may still reach the broker later.
    /// - Returns: `acknowledged` after the PUBACK (for QoS 0, once queued), `notConnected`
    ///   when no connection is up or `stop()` was called, `rejected` when libmosquitto
    ///   refuses the request, and `timedOut` or `stopped` when the message was queued but
    ///   not acknowledged.
    /// `mosquitto_publish(3)`, `on_publish` of `mosquitto_publish_callback_set(3)`.
    public func publish(topic: String, payload: [UInt8], qos: Int32 = 1, retain: Bool = false, timeout: Duration) async -> MQTTPublishResult {
        guard (0...1).contains(qos) else {
            return .rejected(MQTTError(.requestFailed, detail: "QoS \(qos) is not supported for publishing; use 0 or 1"))
        }
        return await withCheckedContinuation { (continuation: CheckedContinuation<MQTTPublishResult, Never>) in
            // The PUBACK callback takes the same lock, so it cannot run between
            // `mosquitto_publish` and the registration of the mid. No deadlock follows: the
            // callback holds only libmosquitto's callback mutex, which `mosquitto_publish` never takes.
            let registration = state.withLock { state -> Result<(mid: Int32, token: UInt64), PublishEnd> in
                guard !state.stopping, !state.finished else {
                    let reason = MQTTDisconnectReason(.stopped, detail: "the MQTT connection was stopped")
                    return .failure(PublishEnd(.notConnected(reason)))
                }
                guard state.connected else { return .failure(PublishEnd(.notConnected(state.lastReason))) }

                var mid: Int32 = 0
                let code = payload.withUnsafeBytes { bytes in
                    mosquitto_publish(handle.pointer, &mid, topic, Int32(bytes.count), bytes.baseAddress, qos, retain)
                }
                guard code == MOSQ_ERR_SUCCESS.rawValue else {
                    let error = MQTTError(.requestFailed, code: code, detail: "publishing to \(topic) failed: \(Self.errorText(code))")
                    return .failure(PublishEnd(.rejected(error)))
                }
                if qos == 0 { return .failure(PublishEnd(.acknowledged)) }
                state.nextToken += 1
                state.pending[mid] = PendingPublish(token: state.nextToken, continuation: continuation)
                return .success((mid, state.nextToken))
            }

            switch registration {
            case .failure(let end):
                continuation.resume(returning: end.result)
            case .success(let (mid, token)):
                Task {
                    try? await Task.sleep(for: timeout)
                    self.resolvePublish(mid: mid, token: token, with: .timedOut)
                }
            }
        }
    }

    /// A publish that ended before it was registered, as the failure side of a `Result`.
    struct PublishEnd: Error {
        let result: MQTTPublishResult

        init(_ result: MQTTPublishResult) {
            self.result = result
        }
    }

    /// Resumes the publish waiting for `mid`, if it is still the one `token` names.
    nonisolated func resolvePublish(mid: Int32, token: UInt64?, with result: MQTTPublishResult) {
        let pending = state.withLock { state -> PendingPublish? in
            guard let entry = state.pending[mid], token == nil || entry.token == token else { return nil }
            state.pending[mid] = nil
            return entry
        }
        pending?.continuation.resume(returning: result)
    }

    /// Returns the JSON of the retained status message: `{"box":"…","status":"online"}` or `offline`.
    nonisolated func statusPayload(online: Bool) -> [UInt8] {
        let box = JSONText.quoted(settings.boxID)
        return Array("{\"box\":\(box),\"status\":\"\(online ? "online" : "offline")\"}".utf8)
    }

    nonisolated func finishStreams() {
        eventSink.finish()
        messageSink.finish()
    }

    /// Returns libmosquitto's text for a `MOSQ_ERR_*` code. `mosquitto_strerror(3)`.
    static func errorText(_ code: Int32) -> String {
        String(cString: mosquitto_strerror(code))
    }
}
