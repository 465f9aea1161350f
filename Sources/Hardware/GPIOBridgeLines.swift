public import Core
import Foundation
import Glibc

/// GPIO lines through the simulator's bridge socket, so the box runs its GPIO code in CI.
///
/// The actor runs on its own event-loop thread, which also waits on the socket, so no call
/// blocks Swift's shared concurrency pool. The protocol is one JSON object per line: requests
/// `request`, `set`, `get` and `release` with an `id`, replies with the same `id`, and
/// `{"event":"edge","role":...,"active":...,"ns":...}` lines whose `ns` is the simulator's
/// `CLOCK_MONOTONIC` reading, the clock of `MonotonicInstant`. `docs/simulator.md` describes it.
/// Requests are matched by role; the chip and line of a `GPIOLineRequest` are not sent.
public actor GPIOBridgeLines: GPIOLines {
    /// The reply to one request, copied out of the JSON object.
    private struct Reply: Sendable {
        var ok: Bool
        var active: Bool?
        var code: String
        var error: String
    }

    private struct Waiter {
        let role: String
        let operation: String
        let continuation: CheckedContinuation<Reply, any Error>
        let timer: UInt64
    }

    /// How long a request may wait for its reply before the bridge counts as hung.
    public static let replyTimeout: Duration = .seconds(5)

    nonisolated let loop: EventLoop
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        loop.asUnownedSerialExecutor()
    }

    public nonisolated let socketPath: String
    /// Edges of the inputs requested with edges, in the order the bridge sent them. The stream
    /// keeps the newest 4096 edges that no one has read yet.
    public nonisolated let edges: AsyncStream<GPIOEdge>
    private let edgeSink: AsyncStream<GPIOEdge>.Continuation
    private let logger: Logger

    private var socket: FileDescriptor?
    private var received: [UInt8] = []
    private var nextID = 1
    private var waiters: [Int: Waiter] = [:]
    private var requests: [String: GPIOLineRequest] = [:]
    /// Why the lines are unusable: the bridge went away or `close()` was called.
    private var lostReason: String?

    private init(socketPath: String, logger: Logger) {
        self.socketPath = socketPath
        self.logger = logger.with("gpio.bridge", .plain(socketPath))
        loop = EventLoop(name: "gpio bridge \(socketPath)")
        (edges, edgeSink) = AsyncStream.makeStream(of: GPIOEdge.self, bufferingPolicy: .bufferingNewest(4096))
    }

    deinit {
        loop.shutdown()
    }

    /// Connects to the bridge at `socketPath` and requests every line.
    ///
    /// - Throws: `GPIOError.duplicateRole` when two requests share a role,
    ///   `GPIOError.bridgeRejected` when the bridge rejects a line (unknown role, busy, wrong
    ///   direction), `GPIOError.backendLost` when the socket cannot be reached.
    public static func open(socketPath: String, requests: [GPIOLineRequest], logger: Logger) async throws(GPIOError) -> GPIOBridgeLines {
        let lines = GPIOBridgeLines(socketPath: socketPath, logger: logger)
        do {
            try await lines.connect()
            try await lines.requestAll(requests)
        } catch {
            await lines.close()
            throw error
        }
        return lines
    }

    // MARK: GPIOLines

    public func value(of role: String) async throws -> Bool {
        _ = try request(for: role)
        let reply = try await send(["op": "get", "role": role], role: role, operation: "get")
        return reply.active ?? false
    }

    public func set(_ role: String, active: Bool) async throws {
        guard try request(for: role).isOutput else { throw GPIOError.notAnOutput(role: role) }
        _ = try await send(["op": "set", "role": role, "active": active], role: role, operation: "set")
    }

    public func pulse(_ role: String, for length: Duration) async throws {
        try await set(role, active: true)
        let deadline = SystemClock().now.advanced(by: length)
        let reply = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Reply, any Error>) in
            _ = loop.schedule(atNanoseconds: deadline.nanoseconds) { [unowned self] in
                self.assumeIsolated { $0.begin(["op": "set", "role": role, "active": false], role: role, operation: "set", continuation) }
            }
        }
        try Self.check(reply, role: role)
    }

    public func close() async {
        lose("the lines were closed", log: false)
    }

    // MARK: Connection

    private func connect() throws(GPIOError) {
        let descriptor = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            throw .backendLost(reason: "socket(2) failed: \(Errno.current)")
        }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        guard path.count < MemoryLayout.size(ofValue: address.sun_path) else {
            Glibc.close(descriptor)
            throw .backendLost(reason: "the socket path \(socketPath) is longer than a UNIX socket address allows; use a shorter --gpio-socket")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            let error = Errno.current
            Glibc.close(descriptor)
            throw .backendLost(reason: "cannot connect to \(socketPath): \(error); is alertbox-sim running with --gpio?")
        }
        let opened = FileDescriptor(rawValue: descriptor)
        try? opened.setNonBlocking(true)
        socket = opened
        loop.watch(opened) { [unowned self] in
            self.assumeIsolated { $0.readSocket() }
        }
        logger.info("GPIO bridge connected")
    }

    private func requestAll(_ lineRequests: [GPIOLineRequest]) async throws(GPIOError) {
        for line in lineRequests {
            guard requests[line.role] == nil else { throw .duplicateRole(line.role) }
            var fields: [String: Any] = ["op": "request", "role": line.role, "active_low": line.activeLow]
            switch line.direction {
            case .input(let bias, let edges):
                fields["direction"] = "input"
                fields["bias"] = bias.rawValue
                fields["edges"] = edges
            case .output(let initialActive):
                fields["direction"] = "output"
                fields["initial"] = initialActive
            }
            do {
                _ = try await send(fields, role: line.role, operation: "request")
            } catch let error as GPIOError {
                throw error
            } catch {
                throw .failed(role: line.role, operation: "request", reason: String(describing: error))
            }
            requests[line.role] = line
        }
        logger.info("GPIO lines requested", ["gpio.lines": .plain(lineRequests.map(\.role).joined(separator: ","))])
    }

    private func request(for role: String) throws(GPIOError) -> GPIOLineRequest {
        if let lostReason { throw .backendLost(reason: lostReason) }
        guard let line = requests[role] else { throw .unknownRole(role) }
        return line
    }

    /// Sends one request and waits for its reply, at most `replyTimeout`.
    private func send(_ fields: [String: Any], role: String, operation: String) async throws -> Reply {
        let reply = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Reply, any Error>) in
            begin(fields, role: role, operation: operation, continuation)
        }
        try Self.check(reply, role: role)
        return reply
    }

    /// Writes one request and registers `continuation` for its reply, or resumes it with the
    /// error at once. Runs on the loop thread, so a timer may call it without waiting.
    private func begin(_ fields: [String: Any], role: String, operation: String, _ continuation: CheckedContinuation<Reply, any Error>) {
        if let lostReason { return continuation.resume(throwing: GPIOError.backendLost(reason: lostReason)) }
        guard let socket else { return continuation.resume(throwing: GPIOError.backendLost(reason: "not connected")) }
        let id = nextID
        nextID += 1
        var object = fields
        object["id"] = id
        // The callers pass only strings, integers and booleans, which JSONSerialization encodes.
        let data = try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        let deadline = SystemClock().now.advanced(by: Self.replyTimeout)
        let timer = loop.schedule(atNanoseconds: deadline.nanoseconds) { [unowned self] in
            self.assumeIsolated { $0.lose("no reply to \(operation) on \"\(role)\" within \(Self.replyTimeout)", log: true) }
        }
        waiters[id] = Waiter(role: role, operation: operation, continuation: continuation, timer: timer)
        do {
            try socket.writeAll(Array(data) + [0x0A])
        } catch {
            lose("writing to the bridge failed: \(error)", log: true)
        }
    }

    private static func check(_ reply: Reply, role: String) throws(GPIOError) {
        guard reply.ok else { throw .bridgeRejected(role: role, code: reply.code, reason: reply.error) }
    }

    // MARK: Reading

    /// Reads what arrived; runs on the loop thread when the socket is readable or hung up.
    private func readSocket() {
        guard let socket else { return }
        while true {
            let bytes: [UInt8]
            do {
                bytes = try socket.read(maximum: 65_536)
            } catch {
                if error != .wouldBlock {
                    lose("reading the bridge failed: \(error)", log: true)
                }
                break
            }
            if bytes.isEmpty {
                lose("the simulator closed the bridge socket", log: true)
                return
            }
            received += bytes
        }
        while let newline = received.firstIndex(of: 0x0A) {
            let line = Array(received[..<newline])
            received.removeSubrange(...newline)
            handle(line)
        }
    }

    private func handle(_ line: [UInt8]) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any] else {
            logger.warning("GPIO bridge sent a line that is not a JSON object", ["gpio.bytes": .plain(String(line.count))])
            return
        }
        if object["event"] as? String == "edge" {
            guard let role = object["role"] as? String, let active = (object["active"] as? NSNumber)?.boolValue,
                let nanoseconds = (object["ns"] as? NSNumber)?.int64Value
            else {
                logger.warning("GPIO bridge sent an edge without role, active or ns")
                return
            }
            edgeSink.yield(GPIOEdge(role: role, active: active, timestamp: MonotonicInstant(nanoseconds: nanoseconds)))
            return
        }
        guard let id = (object["id"] as? NSNumber)?.intValue, let waiter = waiters.removeValue(forKey: id) else {
            logger.warning("GPIO bridge sent a reply to no pending request")
            return
        }
        loop.cancelTimer(waiter.timer)
        let reply = Reply(
            ok: (object["ok"] as? NSNumber)?.boolValue ?? false, active: (object["active"] as? NSNumber)?.boolValue,
            code: object["code"] as? String ?? "", error: object["error"] as? String ?? "")
        waiter.continuation.resume(returning: reply)
    }

    /// Marks the lines lost: pending requests fail, the edge stream finishes, the socket closes.
    private func lose(_ reason: String, log: Bool) {
        guard lostReason == nil else { return }
        lostReason = reason
        if log {
            logger.error("GPIO bridge lost", ["error": .plain(reason)])
        } else {
            logger.info("GPIO bridge closed")
        }
        if let socket {
            loop.unwatch(socket)
            socket.close()
            self.socket = nil
        }
        let pending = waiters.values
        waiters = [:]
        for waiter in pending {
            loop.cancelTimer(waiter.timer)
            waiter.continuation.resume(throwing: GPIOError.backendLost(reason: reason))
        }
        edgeSink.finish()
    }
}
