public import ATProtocol
public import Core
import Foundation
import Hardware
import SMS

/// A reason for the driver to leave the ready state.
enum ModemFailure: Error, CustomStringConvertible {
    /// Commands stopped working: a timeout, a vanished port, a reboot.
    case unhealthy(String)
    /// A person must act before SMS can work: a rejected PIN, PUK, no SIM, denied registration.
    case needsOperator(String)
    /// `restartModem()` restarted the modem on purpose, so it is initialised again without
    /// a recovery step.
    case restartRequested

    var description: String {
        switch self {
        case .unhealthy(let reason): reason
        case .needsOperator(let reason): reason
        case .restartRequested: "restart requested"
        }
    }
}

/// The driver that owns one cellular module: it opens the port, initialises the modem,
/// monitors SIM, registration and signal, sends and receives SMS, pairs status reports,
/// and recovers by itself from the faults real modems show.
///
/// The actor runs on its own event-loop thread, which also waits on the serial port, so no
/// blocking call ever occupies Swift's shared concurrency pool. Every command goes through
/// the `ATEngine`, one at a time with an absolute deadline.
public actor ModemDriver {
    nonisolated let loop: EventLoop
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        loop.asUnownedSerialExecutor()
    }

    public let settings: ModemSettings
    let logger: Logger
    let clock = SystemClock()
    let controlLines: (any ModemControlLines)?

    /// Events for the layers above: state, SIM, registration, signal, messages, alarms.
    public nonisolated let events: AsyncStream<ModemEvent>
    let eventSink: AsyncStream<ModemEvent>.Continuation

    // Port and engine.
    var port: SerialPort?
    var engine = ATEngine()
    var waiters: [ATEngine.CommandID: CheckedContinuation<ATResponse, any Error>] = [:]
    var deadlineTimer: UInt64?

    // The modem as the driver last read it.
    public internal(set) var state: ModemState = .connecting
    var dialect = ModemDialect.generic
    var identity: (manufacturer: String, model: String, revision: String, imei: String)?
    var simState: String?
    var imsi: String?
    var iccid: String?
    var smsReady = false
    var registrations: RegistrationFilter
    var signal: SignalReading?
    var operatorName: String?
    var moreMessagesSupported = false
    var acknowledgementNeeded = false
    var smscAddress: String?

    // Receiving.
    var receiveMemory = "SM"
    var sweepMemories: [String] = []
    /// True while a storage read or sweep runs; the sweep switches the read memory, so the
    /// two must not interleave.
    var storageBusy = false
    var storageWaiters: [CheckedContinuation<Void, Never>] = []
    var reassembler: Reassembler
    var reportMatcher = StatusReportMatcher<String>()
    var nextConcatenationReference: UInt8 = 0

    // Health and recovery.
    var ladder: RecoveryLadder
    var healthProblem: String?
    var healthWaiter: CheckedContinuation<Void, Never>?
    var supervisor: Task<Void, Never>?
    var stopped = false
    var sendsInFlight = 0
    /// Set by `restartModem()` until the supervisor has seen the modem restart.
    var restartRequested = false
    /// Set when a boot URC arrives while `restartRequested` is set.
    var restartObserved = false
    public internal(set) var counters: [String: Int] = [:]

    /// Creates a driver for the modem at `settings.devicePath`; call `start()` to connect.
    public init(settings: ModemSettings, logger: Logger, controlLines: (any ModemControlLines)? = nil) {
        self.settings = settings
        self.logger = logger.with("modem.port", .plain(settings.devicePath))
        self.controlLines = controlLines
        loop = EventLoop(name: "modem \(settings.devicePath)")
        registrations = RegistrationFilter(holdDown: settings.registrationHoldDown)
        reassembler = Reassembler(configuration: .init(timeout: settings.reassemblyTimeout))
        ladder = RecoveryLadder(hasResetLine: controlLines?.canReset ?? false, hasPowerControl: controlLines?.canPowerCycle ?? false)
        (events, eventSink) = AsyncStream.makeStream(of: ModemEvent.self, bufferingPolicy: .bufferingNewest(4096))
        for (name, timeout) in settings.timeouts {
            if let kind = ATCommand.Kind.allCases.first(where: { "\($0)" == name }) {
                engine.timeouts[kind] = timeout
            }
        }
    }

    /// Starts connecting and keeps the modem healthy until `stop()`.
    public func start() {
        guard supervisor == nil else { return }
        supervisor = Task { await self.supervise() }
    }

    /// Stops the driver: pending commands fail and the port closes.
    public func stop() async {
        stopped = true
        wakeHealthWaiter()
        supervisor?.cancel()
        closePort(reason: "driver stopped")
        await supervisor?.value
        setState(.stopped)
        eventSink.finish()
        loop.shutdown()
    }

    /// Waits until the modem is ready, or `timeout` passes; returns whether it is ready.
    public func waitUntilReady(timeout: Duration) async -> Bool {
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if state == .ready { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return state == .ready
    }

    // MARK: Events and state

    func emit(_ event: ModemEvent) {
        eventSink.yield(event)
    }

    func setState(_ new: ModemState) {
        guard state != new else { return }
        logger.notice("modem state changed", ["modem.state": .plain(new.description), "modem.previous": .plain(state.description)])
        state = new
        emit(.state(new))
    }

    func count(_ name: String) {
        counters[name, default: 0] += 1
    }

    /// Marks the modem unhealthy; the supervisor leaves the ready state and recovers.
    func reportHealthProblem(_ reason: String) {
        guard healthProblem == nil else { return }
        healthProblem = reason
        wakeHealthWaiter()
    }

    func wakeHealthWaiter() {
        healthWaiter?.resume()
        healthWaiter = nil
    }

    // MARK: Port

    /// Opens the port once the device exists; false when stopped.
    func openPort() async -> Bool {
        var announced = false
        while !stopped {
            do {
                let opened = try SerialPort.open(path: settings.devicePath, baudRate: settings.baudRate)
                port = opened
                engine = freshEngine()
                loop.watch(opened.descriptor) { [unowned self] in
                    self.assumeIsolated { $0.readPort() }
                }
                logger.info("port opened")
                return true
            } catch {
                if !announced {
                    logger.warning("port not available; waiting for the device", ["error": .plain(error.description)])
                    announced = true
                }
                try? await Task.sleep(for: settings.openRetryInterval)
            }
        }
        return false
    }

    func freshEngine() -> ATEngine {
        var fresh = ATEngine()
        fresh.timeouts = engine.timeouts
        fresh.promptTimeout = engine.promptTimeout
        return fresh
    }

    func closePort(reason: String) {
        guard let open = port else { return }
        loop.unwatch(open.descriptor)
        open.close()
        port = nil
        if let timer = deadlineTimer {
            loop.cancelTimer(timer)
            deadlineTimer = nil
        }
        logger.info("port closed", ["modem.reason": .plain(reason)])
        perform(engine.reset())
    }

    /// Reads what arrived; runs on the loop thread when the port is readable.
    func readPort() {
        guard let open = port else { return }
        while true {
            let bytes: [UInt8]
            do {
                bytes = try open.readAvailable()
            } catch {
                logger.warning("port lost", ["error": .plain(error.description)])
                count("port.lost")
                closePort(reason: "device gone")
                reportHealthProblem("port lost: \(error)")
                return
            }
            if bytes.isEmpty { return }
            perform(engine.receive(bytes, at: clock.now))
        }
    }

    // MARK: Commands

    /// Sends a command and waits for its reply.
    /// - Throws: `ATEngineError` for a timeout or a closed port.
    @discardableResult
    func execute(_ command: ATCommand) async throws -> ATResponse {
        guard port != nil else {
            throw ATEngineError.portClosed(command: command.description, payloadSent: false)
        }
        return try await withCheckedThrowingContinuation { continuation in
            let (id, actions) = engine.enqueue(command, at: clock.now)
            waiters[id] = continuation
            perform(actions)
        }
    }

    /// Sends a command that must end in `OK`.
    /// - Throws: `ModemCommandError` for any other final result.
    @discardableResult
    func expectOK(_ command: ATCommand) async throws -> ATResponse {
        let response = try await execute(command)
        guard response.result.isSuccess else {
            throw ModemCommandError(command: command.description, result: response.result)
        }
        return response
    }

    func perform(_ actions: [ATEngine.Action]) {
        for action in actions {
            switch action {
            case .write(let bytes):
                guard let open = port else { continue }
                do {
                    try open.write(bytes)
                } catch {
                    logger.warning("write failed", ["error": .plain(error.description)])
                    closePort(reason: "write failed")
                    reportHealthProblem("write failed: \(error)")
                    return
                }
            case .complete(let id, let result):
                waiters.removeValue(forKey: id)?.resume(with: result.mapError { $0 as any Error })
            case .unsolicited(let urc):
                handleUnsolicited(urc)
            case .unexpected(let line):
                count("line.unexpected")
                logger.debug("unexpected line", ["at.line": .body(line)])
            }
        }
        rescheduleDeadline()
    }

    func rescheduleDeadline() {
        if let timer = deadlineTimer {
            loop.cancelTimer(timer)
            deadlineTimer = nil
        }
        guard let deadline = engine.deadline else { return }
        deadlineTimer = loop.schedule(atNanoseconds: deadline.nanoseconds) { [unowned self] in
            self.assumeIsolated { driver in
                driver.deadlineTimer = nil
                driver.perform(driver.engine.tick(at: driver.clock.now))
            }
        }
    }
}

/// A command that ended with a result other than `OK`.
public struct ModemCommandError: Error, CustomStringConvertible {
    public let command: String
    public let result: FinalResult

    public var description: String {
        "\(command) failed: \(result)"
    }
}
