internal import CGPIOD
public import Core
import Glibc

/// The board's GPIO lines through libgpiod 1.6 and the kernel's GPIO character devices.
///
/// The actor runs on its own `EventLoop` thread, which opens the chips, requests the lines,
/// reads and drives values, and waits in `poll(2)` on the event descriptor of every input
/// requested with edges. Nothing here runs on Swift's shared concurrency pool, and libgpiod,
/// which is not thread-safe, is only called from that thread.
///
/// Values are logical: the kernel inverts them on lines requested active-low, for reads, for
/// writes, for the initial value of an output and for the direction of edges.
/// Edge timestamps come from the kernel, on `CLOCK_MONOTONIC` from Linux 5.7 on.
///
/// When a chip goes away (`ENODEV` from a read, a write, an event read or the check that runs
/// every second, or a hang-up on an event descriptor), the actor logs `GPIOError.backendLost`,
/// releases every line and finishes `edges`. Later calls throw that error.
/// `gpiod_chip_open_lookup`, `gpiod_line_request`, `gpiod_line_event_read_multiple`.
public actor LibgpiodLines: GPIOLines {
    /// The consumer label that `gpioinfo` shows on lines the box holds.
    public static let defaultConsumer = "alertbox"

    /// An event read returns at most this many events; a longer burst takes more reads.
    private static let eventBatch = 16

    /// How often the loop checks that every chip is still there. On Linux 6.1 a reader of
    /// line events is not reliably woken when its chip goes away (seen with gpio-sim), so an
    /// input-only user would otherwise not learn of it.
    private static let chipCheckInterval = Duration.seconds(1)

    private struct HeldLine {
        let request: GPIOLineRequest
        let line: OpaquePointer
        /// The event descriptor of an input requested with edges, watched by the loop.
        let eventDescriptor: FileDescriptor?
    }

    private enum State {
        case open
        case closed
        case lost(reason: String)
    }

    nonisolated let loop: EventLoop
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        loop.asUnownedSerialExecutor()
    }

    public nonisolated let edges: AsyncStream<GPIOEdge>
    private let edgeSink: AsyncStream<GPIOEdge>.Continuation
    private let consumer: String
    private let logger: Logger
    private var state = State.open
    /// Open chips by the descriptor the board profile gives (name, label, number or path).
    private var chips: [String: OpaquePointer] = [:]
    private var lines: [String: HeldLine] = [:]
    private var chipCheckTimer: UInt64?

    private init(consumer: String, logger: Logger) {
        self.consumer = consumer
        self.logger = logger
        loop = EventLoop(name: "gpio libgpiod")
        (edges, edgeSink) = AsyncStream.makeStream(of: GPIOEdge.self, bufferingPolicy: .bufferingNewest(4096))
    }

    deinit {
        // NOTE: without close(), the lines stay requested until the process exits, because a
        // nonisolated deinit may not touch the libgpiod handles.
        edgeSink.finish()
        loop.shutdown()
    }

    /// Opens the chips and requests every line, or none: on any failure the lines already
    /// requested are released before the error is thrown.
    ///
    /// - Parameters:
    ///   - requests: the lines of the board profile; each role must be unique.
    ///   - consumer: the label the kernel records as the lines' user.
    ///   - logger: receives the requests, the release and a lost backend.
    /// - Throws: `GPIOError`, naming the role, the chip and the line that failed.
    public static func open(
        _ requests: [GPIOLineRequest], consumer: String = defaultConsumer, logger: Logger
    ) async throws(GPIOError) -> LibgpiodLines {
        let lines = LibgpiodLines(consumer: consumer, logger: logger)
        do {
            try await lines.requestAll(requests)
        } catch {
            await lines.close()
            throw error
        }
        return lines
    }

    // MARK: GPIOLines

    public func value(of role: String) throws(GPIOError) -> Bool {
        let held = try heldLine(role)
        let value = gpiod_line_get_value(held.line)
        guard value >= 0 else { throw failure(.current, role: role, operation: "read") }
        return value == 1
    }

    public func set(_ role: String, active: Bool) throws(GPIOError) {
        let held = try heldLine(role)
        guard held.request.isOutput else { throw .notAnOutput(role: role) }
        guard gpiod_line_set_value(held.line, active ? 1 : 0) == 0 else {
            throw failure(.current, role: role, operation: "write")
        }
    }

    public func pulse(_ role: String, for length: Duration) async throws {
        try set(role, active: true)
        let deadline = SystemClock().now.advanced(by: length)
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            _ = loop.schedule(atNanoseconds: deadline.nanoseconds) { [unowned self] in
                self.assumeIsolated { lines in
                    continuation.resume(with: Result { () throws(GPIOError) in try lines.set(role, active: false) })
                }
            }
        }
    }

    /// Releases every line and finishes `edges`; outputs fall back to the kernel's default.
    /// A second call does nothing.
    public func close() {
        guard case .open = state else { return }
        state = .closed
        releaseAll()
        logger.info("GPIO lines released")
    }

    // MARK: Requests

    private func requestAll(_ requests: [GPIOLineRequest]) throws(GPIOError) {
        var roles: Set<String> = []
        for request in requests where !roles.insert(request.role).inserted {
            throw .duplicateRole(request.role)
        }
        for request in requests {
            try requestLine(request)
        }
        logger.info("GPIO lines requested", ["gpio.lines": .plain(String(requests.count)), "gpio.consumer": .plain(consumer)])
        if !lines.isEmpty {
            scheduleChipCheck()
        }

        let release = Self.kernelRelease()
        if lines.values.contains(where: { $0.eventDescriptor != nil }), LibgpiodRequest.stampsMonotonic(kernelRelease: release) == false {
            logger.warning(
                "this kernel stamps GPIO edges with CLOCK_REALTIME, so edge timestamps are off by the time since boot; use Linux 5.7 or later",
                ["kernel.release": .plain(release)])
        }
    }

    /// Returns the running kernel's release with `uname(2)`.
    private static func kernelRelease() -> String {
        var names = utsname()
        guard uname(&names) == 0 else { return "" }
        return withUnsafeBytes(of: &names.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    private func requestLine(_ request: GPIOLineRequest) throws(GPIOError) {
        let chip = try openChip(request.chip, role: request.role)

        let found: OpaquePointer? =
            switch request.line {
            case .name(let name): gpiod_chip_find_line(chip, name)
            case .offset(let offset): gpiod_chip_get_line(chip, offset)
            }
        guard let line = found else { throw LibgpiodRequest.lineLookupError(.current, request: request) }

        let status = consumer.withCString { label in
            var config = gpiod_line_request_config(
                consumer: label,
                request_type: LibgpiodRequest.requestType(for: request.direction),
                flags: LibgpiodRequest.flags(for: request))
            return gpiod_line_request(line, &config, LibgpiodRequest.defaultValue(for: request.direction))
        }
        guard status == 0 else { throw LibgpiodRequest.requestError(.current, request: request) }

        var eventDescriptor: FileDescriptor?
        if case .input(_, edges: true) = request.direction {
            let descriptor = FileDescriptor(rawValue: gpiod_line_event_get_fd(line))
            do {
                // Non-blocking, so that a read after a spurious wake-up returns EAGAIN.
                try descriptor.setNonBlocking(true)
            } catch {
                gpiod_line_release(line)
                throw .failed(role: request.role, operation: "event setup", reason: error.description)
            }
            let role = request.role
            loop.watch(descriptor) { [weak self] in
                self?.assumeIsolated { $0.readEvents(role: role) }
            }
            eventDescriptor = descriptor
        }
        lines[request.role] = HeldLine(request: request, line: line, eventDescriptor: eventDescriptor)
        logger.debug(
            "GPIO line requested",
            ["gpio.role": .plain(request.role), "gpio.chip": .plain(request.chip), "gpio.line": .plain(request.line.description)])
    }

    /// Returns the open chip for `descriptor`, opening it on first use.
    private func openChip(_ descriptor: String, role: String) throws(GPIOError) -> OpaquePointer {
        if let chip = chips[descriptor] { return chip }
        guard let chip = gpiod_chip_open_lookup(descriptor) else {
            throw LibgpiodRequest.chipError(.current, chip: descriptor, role: role)
        }
        chips[descriptor] = chip
        return chip
    }

    private func heldLine(_ role: String) throws(GPIOError) -> HeldLine {
        switch state {
        case .open: break
        case .closed: throw .closed
        case .lost(let reason): throw .backendLost(reason: reason)
        }
        guard let held = lines[role] else { throw .unknownRole(role) }
        return held
    }

    /// Maps a failed read or write; a vanished chip also releases every line.
    private func failure(_ error: Errno, role: String, operation: String) -> GPIOError {
        guard error.rawValue != ENODEV else {
            let chip = lines[role]?.request.chip ?? "?"
            let reason = "GPIO chip \(chip) of \"\(role)\" is gone: \(error)"
            loseBackend(reason: reason)
            return .backendLost(reason: reason)
        }
        return .failed(role: role, operation: operation, reason: error.description)
    }

    // MARK: Events

    /// Reads every queued event of one line and yields them in the kernel's order.
    private func readEvents(role: String) {
        guard case .open = state, let held = lines[role], let descriptor = held.eventDescriptor else { return }

        var events = [gpiod_line_event](repeating: gpiod_line_event(), count: Self.eventBatch)
        while true {
            let count = gpiod_line_event_read_multiple(held.line, &events, UInt32(Self.eventBatch))
            if count < 0 {
                let error = Errno.current
                if error == .wouldBlock || error == .interrupted { break }
                loseBackend(reason: "reading events of \"\(role)\" on \(held.request.chip) failed: \(error)")
                return
            }
            for event in events.prefix(Int(count)) {
                let edge = GPIOEdge(
                    role: role,
                    active: LibgpiodRequest.isActive(afterEventType: event.event_type),
                    timestamp: LibgpiodRequest.instant(of: event.ts))
                edgeSink.yield(edge)
            }
            if count < Self.eventBatch { break }
        }

        // A descriptor that hangs up or reports an error with nothing to read means the
        // chip went away; leaving it watched would wake poll(2) forever.
        let pending = (try? descriptor.poll(events: Int16(POLLIN), timeoutMilliseconds: 0)) ?? PollEvents(rawValue: 0)
        if pending.hangUp || pending.error, !pending.readable {
            loseBackend(reason: "the event descriptor of \"\(role)\" on \(held.request.chip) hung up")
        }
    }

    // MARK: Chip check

    private func scheduleChipCheck() {
        let deadline = SystemClock().now.advanced(by: Self.chipCheckInterval)
        chipCheckTimer = loop.schedule(atNanoseconds: deadline.nanoseconds) { [weak self] in
            self?.assumeIsolated { $0.checkChips() }
        }
    }

    /// Re-reads the info of one line per chip with `gpiod_line_update`. The ioctl on the chip's
    /// descriptor fails with `ENODEV` once the chip is gone.
    private func checkChips() {
        chipCheckTimer = nil
        guard case .open = state else { return }

        var checkedChips: Set<String> = []
        for held in lines.values where checkedChips.insert(held.request.chip).inserted {
            guard gpiod_line_update(held.line) != 0 else { continue }
            let error = Errno.current
            if error.rawValue == ENODEV {
                loseBackend(reason: "GPIO chip \(held.request.chip) of \"\(held.request.role)\" is gone: \(error)")
                return
            }
            logger.warning(
                "GPIO chip check failed",
                ["gpio.chip": .plain(held.request.chip), "gpio.role": .plain(held.request.role), "error": .plain(error.description)])
        }
        scheduleChipCheck()
    }

    // MARK: Teardown

    private func loseBackend(reason: String) {
        guard case .open = state else { return }
        state = .lost(reason: reason)
        logger.error(GPIOError.backendLost(reason: reason).description)
        releaseAll()
    }

    /// Stops watching, releases the lines, closes the chips and finishes `edges`.
    private func releaseAll() {
        if let timer = chipCheckTimer {
            loop.cancelTimer(timer)
            chipCheckTimer = nil
        }
        for held in lines.values {
            if let descriptor = held.eventDescriptor {
                loop.unwatch(descriptor)
            }
            gpiod_line_release(held.line)
        }
        lines = [:]
        for chip in chips.values {
            gpiod_chip_close(chip)
        }
        chips = [:]
        edgeSink.finish()
    }
}
