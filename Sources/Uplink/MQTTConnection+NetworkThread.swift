import CMosquitto
import Core
import Glibc

extension MQTTConnection {
    /// Starts the network thread, which keeps a strong reference to the connection until it ends.
    /// `pthread_create(3)`.
    nonisolated func startNetworkThread() {
        let retained = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let status = pthread_create(
            &thread, nil,
            { argument in
                // The argument is the connection retained just above.
                let connection = Unmanaged<MQTTConnection>.fromOpaque(argument!).takeRetainedValue()
                connection.runNetworkLoop()
                return nil
            }, retained.toOpaque())
        // Without its thread the connection cannot work at all. pthread_create(3) fails with
        // EAGAIN when the process is out of threads or memory, and the other errors need invalid attributes.
        precondition(status == 0, "pthread_create failed for the MQTT network thread: \(status)")
        pthread_detach(thread)
    }

    /// Connects, runs the connection until it ends, and waits with exponential back-off and
    /// jitter before the next attempt, until `stop()`.
    ///
    /// Each attempt calls `mosquitto_connect_bind_async`, which resolves the host again, so a
    /// broker that moved to another address is found. The TCP connect and the TLS handshake
    /// then run inside `mosquitto_loop` without blocking.
    /// `mosquitto_connect_bind_async(3)`, `mosquitto_loop(3)`.
    nonisolated func runNetworkLoop() {
        var delay = settings.reconnectDelay
        var attempt = 0
        while !isStopping {
            attempt += 1
            state.withLock { state in
                state.endReported = false
                state.lastLibraryError = nil
            }
            eventSink.yield(.connecting(attempt: attempt))
            logger.info("connecting to the MQTT broker", ["mqtt.attempt": .plain(String(attempt))])

            let code = mosquitto_connect_bind_async(handle.pointer, settings.host, Int32(settings.port), settings.keepaliveSeconds, nil)
            let errorNumber = errno
            if code == MOSQ_ERR_SUCCESS.rawValue {
                if runUntilDisconnected() {
                    attempt = 0
                    delay = settings.reconnectDelay
                }
            } else {
                reportEnd(reason(for: code, errorNumber: errorNumber, wasConnected: false))
            }
            guard !isStopping else { break }

            let wait = delay * Double.random(in: 0.8...1.2)
            logger.info("reconnecting after a delay", ["mqtt.delay": .plain("\(wait)")])
            sleepUnlessStopping(wait)
            delay = min(delay * 2, settings.maxReconnectDelay)
        }
        finishNetworkThread()
    }

    /// Runs `mosquitto_loop` until the connection ends; returns whether the broker accepted it.
    ///
    /// libmosquitto's keepalive check inside `mosquitto_loop` ends a connection whose broker
    /// stops answering. A connect that gets no CONNACK within the connect timeout, and a
    /// DISCONNECT that cannot be written within 2 s of `stop()`, end by `shutdown(2)` of the
    /// socket: libmosquitto then reads end-of-file and closes the socket itself.
    private nonisolated func runUntilDisconnected() -> Bool {
        let clock = SystemClock()
        let connectDeadline = clock.now.advanced(by: settings.connectTimeout)
        var stopDeadline: MonotonicInstant?
        var wasConnected = false
        while true {
            let code = loopOnce(timeoutMilliseconds: 250)
            let errorNumber = errno
            let (connected, stopping) = state.withLock { ($0.connected, $0.stopping) }
            wasConnected = wasConnected || connected
            guard code == MOSQ_ERR_SUCCESS.rawValue else {
                reportEnd(reason(for: code, errorNumber: errorNumber, wasConnected: wasConnected))
                return wasConnected
            }

            let now = clock.now
            if !wasConnected, now > connectDeadline {
                reportEnd(
                    MQTTDisconnectReason(
                        .connectTimedOut, detail: "no CONNACK within \(settings.connectTimeout); the broker or the network is not answering"))
                shutdownSocket()
            }
            if stopping {
                let deadline = stopDeadline ?? now.advanced(by: .seconds(2))
                stopDeadline = deadline
                if now > deadline { shutdownSocket() }
            }
        }
    }

    /// Runs one round of libmosquitto's loop: `mosquitto_loop` where it can, else a poll(2) of
    /// the socket followed by `mosquitto_loop_read`, `_write` and `_misc`.
    ///
    /// `mosquitto_loop` waits with select(2) on the socket and on the wake-up socket pair that
    /// `mosquitto_new` created, and fails with MOSQ_ERR_INVAL when either descriptor is at or
    /// above FD_SETSIZE (1024). A process with many files open, such as a test run with hundreds
    /// of pseudo-terminals and sockets, gets such descriptors. The pair may be high while the
    /// socket is low. So the round falls back to poll whenever select cannot be used. The
    /// wake-up pair is not reachable through the API, so the poll round uses a short timeout
    /// and reads on every round: a publish queued by another thread and TLS records already
    /// decrypted then wait at most `pollFallbackTick`.
    private nonisolated func loopOnce(timeoutMilliseconds: Int32) -> Int32 {
        let descriptor = mosquitto_socket(handle.pointer)
        if descriptor < FD_SETSIZE {
            let code = mosquitto_loop(handle.pointer, timeoutMilliseconds, 1)
            guard code == MOSQ_ERR_INVAL.rawValue else { return code }
        }
        var events = Int16(POLLIN)
        if mosquitto_want_write(handle.pointer) { events |= Int16(POLLOUT) }
        var request = pollfd(fd: descriptor, events: events, revents: 0)
        let ready = poll(&request, 1, min(timeoutMilliseconds, Self.pollFallbackTick))
        if ready < 0, errno != EINTR { return MOSQ_ERR_ERRNO.rawValue }
        let code = mosquitto_loop_read(handle.pointer, 1)
        if code != MOSQ_ERR_SUCCESS.rawValue { return code }
        // A hung-up socket that read nothing (a connect still pending when it was shut down)
        // would wake poll at once for ever: the connection is lost.
        if ready > 0, request.revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 { return MOSQ_ERR_CONN_LOST.rawValue }
        if mosquitto_want_write(handle.pointer) {
            let code = mosquitto_loop_write(handle.pointer, 1)
            if code != MOSQ_ERR_SUCCESS.rawValue { return code }
        }
        return mosquitto_loop_misc(handle.pointer)
    }

    /// The maximum wait of a poll round, in milliseconds (see `loopOnce`).
    private static let pollFallbackTick: Int32 = 20

    /// Shuts the socket down without closing it, so libmosquitto keeps ownership of the descriptor.
    private nonisolated func shutdownSocket() {
        let descriptor = mosquitto_socket(handle.pointer)
        if descriptor >= 0 {
            _ = shutdown(descriptor, Int32(SHUT_RDWR))
        }
    }

    private nonisolated var isStopping: Bool {
        state.withLock { $0.stopping }
    }

    /// Sleeps for `duration` in steps of 50 ms, returning early once `stop()` was called.
    private nonisolated func sleepUnlessStopping(_ duration: Duration) {
        let clock = SystemClock()
        let deadline = clock.now.advanced(by: duration)
        while !isStopping, clock.now < deadline {
            var step = timespec(tv_sec: 0, tv_nsec: 50_000_000)
            nanosleep(&step, nil)
        }
    }

    /// Ends every waiting publish as `stopped`, finishes the streams and wakes `stop()`.
    private nonisolated func finishNetworkThread() {
        let (pending, waiters) = state.withLock { state in
            state.finished = true
            state.connected = false
            let pending = Array(state.pending.values)
            let waiters = state.stopWaiters
            state.pending = [:]
            state.stopWaiters = []
            return (pending, waiters)
        }
        for entry in pending {
            entry.continuation.resume(returning: .stopped)
        }
        finishStreams()
        for waiter in waiters {
            waiter.resume()
        }
    }
}
