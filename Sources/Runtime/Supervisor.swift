public import Core
import Dispatch
import Glibc

/// A part of the box the supervisor starts and stops: the database, the modem driver, the
/// scheduler's workers, the uplink, the panel, the console.
public protocol SupervisedService: Sendable {
    var name: String { get }
    /// Starts the service; throws when the box cannot run without it.
    func start() async throws
    /// Stops the service, finishing or journaling what is in flight. It may be cut short when
    /// the stop deadline passes.
    func stop() async
}

/// A service built from two closures, for wiring.
public struct ServiceBlock: SupervisedService {
    public let name: String
    private let startBody: @Sendable () async throws -> Void
    private let stopBody: @Sendable () async -> Void

    public init(name: String, start: @escaping @Sendable () async throws -> Void, stop: @escaping @Sendable () async -> Void) {
        self.name = name
        startBody = start
        stopBody = stop
    }

    public func start() async throws { try await startBody() }
    public func stop() async { await stopBody() }
}

/// Why a service failed to start, naming it.
public struct ServiceStartError: Error, CustomStringConvertible {
    public var service: String
    public var underlying: any Error

    public var description: String {
        "\(service) failed to start: \(underlying)"
    }
}

/// Starts the box's services in order and stops them in reverse within a deadline.
///
/// If one fails to start, those already started are stopped in reverse and the error is
/// raised, so a half-started box never runs. On stop, each service gets what is left of the
/// deadline, and at least 200 ms. One that does not finish in time is logged by name and left
/// behind, because systemd's own stop timeout would otherwise kill the process with nothing logged.
public actor Supervisor {
    private let services: [any SupervisedService]
    private let stopDeadline: Duration
    private let clock: any BoxClock
    private let logger: Logger
    private var started: [any SupervisedService] = []
    static let minimumGrace: Duration = .milliseconds(200)

    public init(services: [any SupervisedService], stopDeadline: Duration = .seconds(5), clock: any BoxClock, logger: Logger) {
        self.services = services
        self.stopDeadline = stopDeadline
        self.clock = clock
        self.logger = logger.labeled("supervisor")
    }

    /// Starts every service in order.
    public func start() async throws(ServiceStartError) {
        for service in services {
            let begin = clock.now
            do {
                try await service.start()
            } catch {
                logger.critical("service failed to start", ["service": .plain(service.name), "error": .plain(String(describing: error))])
                await stop()
                throw ServiceStartError(service: service.name, underlying: error)
            }
            started.append(service)
            logger.info("service started", ["service": .plain(service.name), "ms": .plain(String(begin.duration(to: clock.now).nanoseconds / 1_000_000))])
        }
    }

    /// Stops the started services in reverse order within the deadline.
    /// - Returns: the names of services that did not stop in time.
    @discardableResult
    public func stop() async -> [String] {
        let deadline = clock.now.advanced(by: stopDeadline)
        var late: [String] = []
        while let service = started.popLast() {
            // Services after a slow one still get a short grace, so the database closes cleanly
            // even when the modem's stop used up the deadline.
            let remaining = clock.now.duration(to: deadline)
            let finished = await Self.run(service, within: max(remaining, Self.minimumGrace), clock: clock)
            if finished {
                logger.info("service stopped", ["service": .plain(service.name)])
            } else {
                late.append(service.name)
                logger.error("service did not stop in time; left behind", ["service": .plain(service.name)])
            }
        }
        return late
    }

    /// Runs a service's stop, returning whether it finished within `limit`. A stop that does
    /// not finish keeps running unobserved: it may not react to cancellation at all.
    private static func run(_ service: any SupervisedService, within limit: Duration, clock: any BoxClock) async -> Bool {
        await withCheckedContinuation { continuation in
            let decided = Locked(false)
            let finish: @Sendable (Bool) -> Void = { finished in
                let first = decided.withLock { done in
                    defer { done = true }
                    return !done
                }
                if first { continuation.resume(returning: finished) }
            }
            let timer = Task {
                try? await clock.sleep(for: limit)
                finish(false)
            }
            Task {
                await service.stop()
                finish(true)
                timer.cancel()
            }
        }
    }
}

/// Waits for SIGTERM or SIGINT, the way systemd and a terminal ask a service to stop.
public enum TerminationSignal {
    /// Returns a stream that yields the signal number each time one arrives. The signals'
    /// default action is turned off, so the process lives until the caller exits.
    public static func stream() -> AsyncStream<Int32> {
        let (stream, continuation) = AsyncStream.makeStream(of: Int32.self)
        let queue = DispatchQueue(label: "alertbox.signals")
        var sources: [any DispatchSourceSignal] = []
        for number in [SIGTERM, SIGINT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            sources.append(source)
        }
        let retained = SignalSources(sources: sources)
        continuation.onTermination = { _ in retained.cancel() }
        return stream
    }
}

/// Keeps the dispatch sources alive as long as the stream.
private final class SignalSources: @unchecked Sendable {
    // Only touched at creation and in `cancel`, which the stream calls once.
    let sources: [any DispatchSourceSignal]

    init(sources: [any DispatchSourceSignal]) {
        self.sources = sources
    }

    func cancel() {
        for source in sources { source.cancel() }
    }
}
