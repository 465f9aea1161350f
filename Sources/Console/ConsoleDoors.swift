import Core
import Glibc
public import Hardware

/// The serial door: the console on the tty that the board profile names, at 115200 8N1.
///
/// The line stays open for the life of the box; a session that logs out or goes idle starts
/// over at the login prompt.
public final class SerialConsole: Sendable {
    public let path: String
    public let session: ConsoleSession
    let port: SerialPort
    let loop: EventLoop
    let logger: Logger

    /// Opens the tty and creates its session; `start()` shows the login prompt.
    /// - Throws: `Errno` when the device is missing, busy or not a terminal.
    public init(path: String, baudRate: Int = 115_200, runner: CommandRunner) throws(Errno) {
        self.path = path
        port = try SerialPort.open(path: path, baudRate: baudRate)
        loop = EventLoop(name: "console \(path)")
        logger = runner.context.logger.labeled("console").with("console.port", .plain(path))
        session = ConsoleSession(descriptor: port.descriptor, door: "serial", runner: runner, loop: loop, restartsAfterClose: true)
    }

    public func start() async {
        logger.notice("serial console started")
        await session.start()
    }

    /// Closes the port and stops the session's thread.
    public func stop() async {
        await session.close()
        loop.shutdown()
    }
}

/// The socket door: a UNIX stream socket that `alertbox console` connects to, one session
/// per client, all on one event loop thread.
public actor SocketConsole {
    nonisolated let loop: EventLoop
    public nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }

    public nonisolated let path: String
    let listener: FileDescriptor
    let runner: CommandRunner
    let logger: Logger
    var sessions: [Int32: ConsoleSession] = [:]
    /// The maximum number of clients at once; a client past it gets a busy line and is closed.
    public let maximumSessions: Int

    /// Creates the socket at `path`, readable and writable by its owner only.
    /// - Throws: `Errno` when the directory is missing or the path is too long for a socket.
    public init(path: String, runner: CommandRunner, maximumSessions: Int = 8) throws(Errno) {
        self.path = path
        self.runner = runner
        self.maximumSessions = maximumSessions
        logger = runner.context.logger.labeled("console").with("console.socket", .plain(path))
        listener = try UnixSocket.listen(path: path)
        loop = EventLoop(name: "console socket")
    }

    /// Starts accepting clients.
    public func start() {
        loop.watch(listener) { [self] in
            self.assumeIsolated { $0.acceptClients() }
        }
        logger.notice("console socket listening")
    }

    private func acceptClients() {
        while true {
            let client: FileDescriptor?
            do {
                client = try UnixSocket.accept(listener)
            } catch {
                logger.error("console accept failed", ["error": .plain("\(error)")])
                return
            }
            guard let client else { return }
            guard sessions.count < maximumSessions else {
                _ = try? client.write(Array("console busy: too many sessions, try again later\r\n".utf8))
                client.close()
                logger.warning("console client rejected: too many sessions", ["console.sessions": .plain(String(sessions.count))])
                continue
            }
            let key = client.rawValue
            let session = ConsoleSession(
                descriptor: client, door: "socket", runner: runner, loop: loop, restartsAfterClose: false,
                onClose: { [self] in
                    Task { await self.remove(key) }
                })
            sessions[key] = session
            Task { await session.start() }
        }
    }

    private func remove(_ key: Int32) {
        sessions[key] = nil
    }

    /// Closes every session and the socket.
    public func stop() async {
        for session in sessions.values { await session.close() }
        sessions = [:]
        loop.unwatch(listener)
        listener.close()
        unlink(path)
        loop.shutdown()
    }
}
