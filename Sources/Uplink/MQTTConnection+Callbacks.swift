import CMosquitto
import Core
import Glibc

/// Recovers the connection from libmosquitto's user data.
///
/// The pointer is the unretained connection that `installCallbacks` stored. It stays valid
/// while a callback runs, because callbacks run only on the network thread, which holds a
/// strong reference for as long as it runs.
private func connection(from object: UnsafeMutableRawPointer?) -> MQTTConnection {
    // `installCallbacks` sets the user data before any callback can run.
    Unmanaged<MQTTConnection>.fromOpaque(object!).takeUnretainedValue()
}

extension MQTTConnection {
    /// Registers the C callbacks with this connection as their user data.
    ///
    /// Every callback runs on the network thread inside `mosquitto_loop`, and every pointer
    /// it receives is valid only until it returns, so each copies what it needs first.
    /// `mosquitto_user_data_set(3)`, `mosquitto_*_callback_set(3)`.
    nonisolated func installCallbacks() {
        let pointer = handle.pointer
        mosquitto_user_data_set(pointer, Unmanaged.passUnretained(self).toOpaque())

        mosquitto_connect_with_flags_callback_set(pointer) { _, object, code, flags in
            connection(from: object).handleConnect(code: code, flags: flags)
        }
        mosquitto_disconnect_callback_set(pointer) { _, object, code in
            connection(from: object).handleDisconnect(code: code)
        }
        mosquitto_publish_callback_set(pointer) { _, object, mid in
            connection(from: object).resolvePublish(mid: mid, token: nil, with: .acknowledged)
        }
        mosquitto_message_callback_set(pointer) { _, object, message in
            guard let message else { return }
            let copy = MQTTMessage(
                topic: String(cString: message.pointee.topic),
                payload: Array(UnsafeRawBufferPointer(start: message.pointee.payload, count: Int(message.pointee.payloadlen))),
                qos: message.pointee.qos, retained: message.pointee.retain)
            connection(from: object).messageSink.yield(copy)
        }
        mosquitto_log_callback_set(pointer) { _, object, level, text in
            guard let text else { return }
            connection(from: object).handleLog(level: level, text: String(cString: text))
        }
    }

    /// Handles CONNACK: on success publishes the retained `online` status and subscribes to
    /// every topic again, because a broker that lost the session has no subscriptions.
    nonisolated func handleConnect(code: Int32, flags: Int32) {
        guard code == 0 else {
            reportEnd(.refused(connackCode: Int(code)))
            return
        }
        let sessionPresent = flags & 1 != 0
        let subscriptions = state.withLock { state -> [String: Int32] in
            state.connected = true
            state.resetsBeforeConnack = 0
            return state.subscriptions
        }
        logger.info("connected to the MQTT broker", ["mqtt.session_present": "\(sessionPresent)"])
        eventSink.yield(.connected(sessionPresent: sessionPresent))

        let online = statusPayload(online: true)
        let published = mosquitto_publish(handle.pointer, nil, settings.statusTopic, Int32(online.count), online, 1, true)
        if published != MOSQ_ERR_SUCCESS.rawValue {
            logger.warning("publishing the online status failed", ["mqtt.topic": .plain(settings.statusTopic), "mqtt.error": "\(published)"])
        }
        for (topic, qos) in subscriptions.sorted(by: { $0.key < $1.key }) {
            let subscribed = mosquitto_subscribe(handle.pointer, nil, topic, qos)
            if subscribed != MOSQ_ERR_SUCCESS.rawValue {
                logger.warning("subscribe failed", ["mqtt.topic": .plain(topic), "mqtt.error": "\(subscribed)"])
            }
        }
    }

    /// Handles the end of a connection; code 0 means the box disconnected itself.
    ///
    /// libmosquitto calls this on the network thread right after the failed read or write
    /// and the close of the socket, so `errno` is the error number of one of the two.
    nonisolated func handleDisconnect(code: Int32) {
        let errorNumber = errno
        let (stopping, wasConnected) = state.withLock { ($0.stopping, $0.connected) }
        if code == 0 && stopping {
            reportEnd(MQTTDisconnectReason(.stopped, detail: "the box disconnected"))
        } else {
            reportEnd(reason(for: code, errorNumber: errorNumber, wasConnected: wasConnected))
        }
    }

    /// Keeps libmosquitto's last warning or error, which names TLS failures that return codes
    /// do not, and logs every line at debug level. libmosquitto logs packet headers and sizes,
    /// never a payload or a password.
    nonisolated func handleLog(level: Int32, text: String) {
        if level & Int32(MOSQ_LOG_ERR | MOSQ_LOG_WARNING) != 0 {
            state.withLock { $0.lastLibraryError = text }
        }
        logger.debug("libmosquitto: \(text)")
    }

    /// Counts the attempts in a row, this one included, whose TLS session the broker reset after
    /// the handshake and before CONNACK. Only the first reason built for an attempt counts,
    /// because a failure that both a callback and a return code show builds two.
    private nonisolated func countResetBeforeConnack(_ reset: Bool) -> Int {
        state.withLock { state in
            guard !state.endReported else { return state.resetsBeforeConnack }
            state.resetsBeforeConnack = reset ? state.resetsBeforeConnack + 1 : 0
            return state.resetsBeforeConnack
        }
    }

    /// Describes a TLS session that the broker reset after the handshake and before CONNACK.
    ///
    /// A TLS 1.3 broker checks the client's certificate after the client's handshake is done,
    /// and when its reset overtakes its alert, OpenSSL gives no reason. A broker or a proxy in
    /// front of it that is going down gives the same, so one such end is temporary. The same end
    /// `resetsBeforeTLSFailure` times in a row counts as a TLS failure, which needs a person.
    private nonisolated func resetBeforeConnack(code: Int32, count: Int) -> MQTTDisconnectReason {
        let certificate =
            settings.tls?.certificateFile == nil
            ? "the broker may require a client certificate (set certificate_file and key_file in [mqtt])"
            : "the broker may not accept the client certificate \(settings.tls?.certificateFile ?? "")"
        let cause = "the broker reset the connection after the TLS handshake and before CONNACK"
        guard count >= Self.resetsBeforeTLSFailure else {
            return MQTTDisconnectReason(
                .connectFailed, code: code,
                detail: "\(cause) (\(count) of \(Self.resetsBeforeTLSFailure) in a row before it counts as a TLS failure); \(certificate), or the broker or a proxy in front of it is down")
        }
        // The detail names the threshold, not the count, so that the same failure repeats the
        // same reason and reportEnd's log throttle applies.
        return MQTTDisconnectReason(
            .tlsFailed, code: code,
            detail: "TLS with the broker failed: \(cause) \(Self.resetsBeforeTLSFailure) times in a row or more; \(certificate), unless the broker or a proxy in front of it is down")
    }

    /// How many resets in a row after the TLS handshake count as a TLS failure. With the
    /// default reconnect delays of 1 s and then 2 s, the third comes about 3 s after the first.
    static let resetsBeforeTLSFailure = 3

    /// Records why the current attempt or connection ended, once per attempt, and reports it
    /// on `events` and in the log.
    ///
    /// A reason that repeats the previous one is logged only at its 2nd, 4th, 8th, … repeat,
    /// with the count, so that a broker refusing every attempt does not flood the log.
    nonisolated func reportEnd(_ reason: MQTTDisconnectReason) {
        let repeats = state.withLock { state -> Int? in
            guard !state.endReported else { return nil }
            state.endReported = true
            state.connected = false
            state.repeatedReasons = state.lastReason == reason ? state.repeatedReasons + 1 : 0
            state.lastReason = reason
            return state.repeatedReasons
        }
        guard let repeats else { return }

        eventSink.yield(.disconnected(reason))
        guard repeats == 0 || repeats & (repeats - 1) == 0 else { return }
        let suffix = repeats == 0 ? "" : " (repeated \(repeats) times)"
        switch (reason.kind, reason.failureClass) {
        case (.stopped, _):
            logger.info("disconnected from the MQTT broker")
        case (_, .channelBroken):
            logger.error("MQTT connection failed and needs a fix: \(reason)\(suffix)")
        default:
            logger.warning("MQTT connection lost or not made: \(reason)\(suffix)")
        }
    }

    /// Maps a `MOSQ_ERR_*` code, the `errno` read with it and libmosquitto's last log line to
    /// a reason. It also counts resets after the TLS handshake, which decide that reason.
    nonisolated func reason(for code: Int32, errorNumber: Int32, wasConnected: Bool) -> MQTTDisconnectReason {
        let libraryError = state.withLock { $0.lastLibraryError }
        let tlsHint = libraryError.map { $0.contains("SSL") || $0.contains("certificate") || $0.contains("TLS") } ?? false
        // libmosquitto sets EPROTO for every failed TLS read or write, and closing the socket
        // afterwards may leave EPIPE or ECONNRESET instead.
        let tlsSessionReset =
            settings.tls != nil && !wasConnected && code == MOSQ_ERR_ERRNO.rawValue && [EPROTO, EPIPE, ECONNRESET].contains(errorNumber)
            && libraryError == nil
        let resets = countResetBeforeConnack(tlsSessionReset)

        if code == MOSQ_ERR_TLS.rawValue || code == MOSQ_ERR_TLS_HANDSHAKE.rawValue || (!wasConnected && tlsHint) {
            let caFile = settings.tls?.caFile ?? "none"
            return MQTTDisconnectReason(
                .tlsFailed, code: code,
                detail: "TLS with the broker failed (\(libraryError ?? Self.errorText(code))); check that the CA file \(caFile) signed the broker's certificate, that the certificate names \(settings.host), and that a client certificate is set if the broker requires one")
        }
        if tlsSessionReset {
            return resetBeforeConnack(code: code, count: resets)
        }
        switch code {
        case MOSQ_ERR_KEEPALIVE.rawValue:
            return MQTTDisconnectReason(
                .keepaliveTimedOut, code: code, detail: "the broker did not answer within the keepalive of \(settings.keepaliveSeconds) s")
        case MOSQ_ERR_EAI.rawValue:
            return MQTTDisconnectReason(.connectFailed, code: code, detail: "the host name \(settings.host) did not resolve")
        case MOSQ_ERR_PROTOCOL.rawValue, MOSQ_ERR_MALFORMED_PACKET.rawValue:
            return MQTTDisconnectReason(.protocolError, code: code, detail: "the broker sent invalid MQTT: \(Self.errorText(code))")
        case MOSQ_ERR_CONN_REFUSED.rawValue:
            return MQTTDisconnectReason(.refused(connackCode: -1), code: code, detail: "the broker refused the connection")
        default:
            break
        }

        var cause = Self.errorText(code)
        if code == MOSQ_ERR_ERRNO.rawValue, errorNumber != 0 {
            cause = String(cString: strerror(errorNumber))
        }
        if wasConnected {
            return MQTTDisconnectReason(.connectionLost, code: code, detail: "the connection to the broker was lost: \(cause)")
        }
        return MQTTDisconnectReason(
            .connectFailed, code: code, detail: "connecting to \(settings.host):\(settings.port) failed: \(cause)")
    }
}
