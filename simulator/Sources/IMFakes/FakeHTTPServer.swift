public import Core
import Dispatch
import Glibc
import Hardware

/// An HTTP/1.1 server on 127.0.0.1 for one fake IM API, plain or TLS, on its own thread.
///
/// The actor runs on an `EventLoop` of its own: the loop waits in `poll(2)` on the listening
/// socket and every connection, and the handler runs there too, so a slow client never
/// blocks another server. Connections stay open between requests (keep-alive) unless the
/// client sends `Connection: close`; bodies need a `Content-Length` and at most `bodyLimit`
/// bytes, and a larger one gets 413 and a closed connection.
/// `socket(2)`, `bind(2)`, `listen(2)`, `accept(2)`.
public actor FakeHTTPServer {
    nonisolated let loop: EventLoop
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        loop.asUnownedSerialExecutor()
    }

    /// The bound port on 127.0.0.1.
    public nonisolated let port: Int
    /// The context of normal TLS connections, or nil for plain HTTP.
    public nonisolated let tls: TLSContext?
    /// The context served by the `untrustedCertificate` fault.
    private let untrustedTLS: TLSContext?
    private let listener: FileDescriptor
    private let handler: any FakeHTTPHandler
    private let bodyLimit: Int
    private let logger: Logger
    private var connections: [Int32: FakeHTTPConnection] = [:]
    /// The number of connections accepted so far.
    private var acceptedCount = 0
    private var stopped = false

    /// Binds 127.0.0.1:`port` (0 picks a free port) and starts the server's thread; call
    /// `start()` to begin accepting.
    /// - Throws: `IMFakeError` when the socket cannot be bound, for example because the port
    ///   is taken.
    public init(
        name: String, port: Int = 0, tls: TLSContext? = nil, untrustedTLS: TLSContext? = nil, bodyLimit: Int = 1_048_576,
        handler: any FakeHTTPHandler, logger: Logger
    ) throws(IMFakeError) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else {
            throw IMFakeError("socket(2) failed for the \(name) fake server: \(Errno.current)")
        }
        var reuse: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound, listen(descriptor, 64) == 0 else {
            let error = Errno.current
            Glibc.close(descriptor)
            throw IMFakeError("cannot listen on 127.0.0.1:\(port) for the \(name) fake server: \(error); choose another port or 0")
        }

        listener = FileDescriptor(rawValue: descriptor)
        self.port = Int(UInt16(bigEndian: address.sin_port))
        self.tls = tls
        self.untrustedTLS = untrustedTLS
        self.handler = handler
        self.bodyLimit = bodyLimit
        self.logger = logger.with("im.server", .plain(name)).with("im.port", .plain(String(self.port)))
        loop = EventLoop(name: "\(name) fake server")
    }

    /// Starts accepting connections.
    public func start() {
        loop.watch(listener) { [self] in
            assumeIsolated { $0.acceptConnections() }
        }
        logger.info("fake IM server listening", ["im.tls": .plain(tls == nil ? "off" : "on")])
    }

    /// Closes every connection and the listening socket, and ends the thread.
    public func stop() {
        guard !stopped else { return }
        stopped = true
        for connection in connections.values {
            close(connection)
        }
        loop.unwatch(listener)
        listener.close()
        loop.shutdown()
        logger.info("fake IM server stopped")
    }

    /// Closes connections that wait for their next request, so that the client's next
    /// request opens a new connection. A fault injected afterwards then hits a fresh
    /// connection, which libcurl does not silently retry.
    public func closeIdleConnections() {
        for connection in connections.values where !connection.awaitingResponse && !connection.parser.hasPartialRequest {
            close(connection)
        }
    }

    /// Runs `closeIdleConnections()` and waits for it, for callers outside Swift
    /// concurrency such as the simulator's control loop. Never call it on the server's thread.
    public nonisolated func closeIdleConnectionsAndWait() {
        let done = DispatchSemaphore(value: 0)
        Task {
            await self.closeIdleConnections()
            done.signal()
        }
        done.wait()
    }

    // MARK: Connections

    private func acceptConnections() {
        while true {
            // accept4(2) is hidden from Swift with glibc, so the flags are set after accept(2).
            let descriptor = accept(listener.rawValue, nil, nil)
            guard descriptor >= 0 else { return }
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)

            var context = tls
            var garbage = false
            var resets = false
            if tls != nil {
                switch handler.connectionFault() {
                case .untrustedCertificate: context = untrustedTLS ?? tls
                case .plaintextGarbage: garbage = true
                case .resetAfterHandshake: resets = true
                case nil: break
                }
            }
            acceptedCount += 1
            let connection = FakeHTTPConnection(
                number: acceptedCount, descriptor: FileDescriptor(rawValue: descriptor), tls: context, bodyLimit: bodyLimit)
            connection.answersWithGarbage = garbage
            connection.resetsAfterHandshake = resets
            connections[descriptor] = connection
            // The closures capture the descriptor, not the connection, which stays in the
            // actor's dictionary.
            loop.watch(connection.descriptor) { [self] in
                assumeIsolated { server in
                    if let connection = server.connections[descriptor] {
                        server.service(connection)
                    }
                }
            }
        }
    }

    private func close(_ connection: FakeHTTPConnection, reset: Bool = false) {
        guard connection.isOpen else { return }
        loop.unwatch(connection.descriptor)
        connections[connection.descriptor.rawValue] = nil
        connection.close(reset: reset)
    }

    /// Reads what the client sent and responds to each complete request.
    private func service(_ connection: FakeHTTPConnection) {
        guard connection.isOpen else { return }
        if connection.answersWithGarbage {
            connection.discardRawInput()
            connection.writeRaw(Array("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
            close(connection)
            return
        }
        if connection.handshaking {
            switch connection.continueHandshake() {
            case true? where connection.resetsAfterHandshake:
                close(connection, reset: true)
                return
            case true?: break
            case false?: return
            case nil:
                logger.debug("TLS handshake failed; the client may have rejected the certificate")
                close(connection)
                return
            }
        }

        while true {
            switch connection.read() {
            case .bytes(let bytes):
                if !connection.draining {
                    connection.parser.append(bytes)
                }
                continue
            case .wouldBlock:
                break
            case .closed:
                close(connection)
                return
            }
            break
        }
        answerRequests(on: connection)
    }

    private func answerRequests(on connection: FakeHTTPConnection) {
        while connection.isOpen, !connection.awaitingResponse, !connection.draining {
            switch connection.parser.next() {
            case .incomplete:
                return
            case .invalid(let status, let reason):
                handler.rejectedUnparsed(status: status, reason: reason)
                let body = "{\"error\":\"\(reason)\"}"
                connection.write(FakeHTTPResponse.json(body, status: status).serialized(keepAlive: false))
                connection.finishSending()
                return
            case .request(let request):
                perform(handler.handle(request, connection: connection.number), for: request, on: connection)
            }
        }
    }

    private func perform(_ action: FakeHTTPAction, for request: FakeHTTPRequest, on connection: FakeHTTPConnection) {
        switch action {
        case .respond(let response, let delay) where delay <= .zero:
            send(response, keepAlive: request.keepAlive, on: connection)
        case .respond(let response, let delay):
            connection.awaitingResponse = true
            let deadline = SystemClock().now.advanced(by: delay).nanoseconds
            let descriptor = connection.descriptor.rawValue
            let identity = ObjectIdentifier(connection)
            loop.schedule(atNanoseconds: deadline) { [self] in
                assumeIsolated { server in
                    // The client may have closed the connection, and a new one may have the same descriptor.
                    guard let connection = server.connections[descriptor], ObjectIdentifier(connection) == identity else { return }
                    connection.awaitingResponse = false
                    server.send(response, keepAlive: request.keepAlive, on: connection)
                    server.answerRequests(on: connection)
                }
            }
        case .neverRespond:
            connection.awaitingResponse = true
        case .reset:
            close(connection, reset: true)
        case .close:
            close(connection)
        }
    }

    private func send(_ response: FakeHTTPResponse, keepAlive: Bool, on connection: FakeHTTPConnection) {
        let written = connection.write(response.serialized(keepAlive: keepAlive))
        if !written || !keepAlive {
            close(connection)
        }
    }
}
