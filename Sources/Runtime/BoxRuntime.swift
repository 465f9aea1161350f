public import Core
import Glibc
public import Hardware
import LocalControl
public import Modem
import SMS
public import Scheduler
public import Storage

/// The whole box: every module built from the configuration and the board profile, started in
/// order by the supervisor and stopped in reverse.
///
/// Order: the database (and recovery of what a crash left), the modem, the scheduler's
/// workers, GPIO with the panel and the annunciator, and the watchdog. The box raises alarms
/// as soon as the database and the panel are up: a modem that is still registering only
/// delays the SMS, which wait in the database.
public actor BoxRuntime {
    public struct Paths: Sendable {
        /// Directories searched for board profiles by name.
        public var profileDirectories: [String]

        public init(profileDirectories: [String]) {
            self.profileDirectories = profileDirectories
        }
    }

    /// Opens the board's GPIO lines with the backend the profile names.
    public typealias GPIOOpener = @Sendable (BoardProfile, [GPIOLineRequest], Logger) async throws -> any GPIOLines

    public let configuration: BoxConfiguration
    public let board: BoardProfile
    public let database: Database
    public let scheduler: AlertScheduler
    public let driver: ModemDriver
    let clock: any BoxClock
    let logger: Logger
    let notifier: SystemdNotifier
    let openGPIO: GPIOOpener

    private var supervisor: Supervisor?
    private var gpio: (any GPIOLines)?
    private var panel: LocalPanel?
    private var annunciator: Annunciator?
    private var tasks: [Task<Void, Never>] = []

    /// Builds the box from a checked configuration and profile; nothing starts yet.
    public init(
        configuration: BoxConfiguration, board: BoardProfile, clock: any BoxClock = SystemClock(), environment: [String: String],
        logger: Logger, openGPIO: @escaping GPIOOpener
    ) throws {
        self.configuration = configuration
        self.board = board
        self.clock = clock
        self.logger = logger
        self.openGPIO = openGPIO
        notifier = SystemdNotifier(environment: environment)
        database = Database(path: configuration.stateDirectory + "/alertbox.db", logger: logger)
        scheduler = AlertScheduler(database: database, settings: try configuration.schedulerSettings(), clock: clock, logger: logger)
        let pin = try configuration.simPINFile.map { try Self.readSecret($0, name: "modem.pin_file") }
        let settings = ModemSettings(
            devicePath: configuration.modemDevice ?? board.modemDevice, baudRate: board.baudRate, pin: pin,
            stateDirectory: configuration.stateDirectory)
        driver = ModemDriver(settings: settings, logger: logger)
    }

    /// Starts every part in order and tells systemd the box is ready.
    public func start() async throws {
        let services: [any SupervisedService] = [
            ServiceBlock(name: "database", start: { [self] in try await openDatabase() }, stop: { [database] in await database.close() }),
            ServiceBlock(name: "modem", start: { [self] in await startModem() }, stop: { [driver] in await driver.stop() }),
            ServiceBlock(name: "scheduler", start: { [scheduler] in await scheduler.start() }, stop: { [scheduler] in await scheduler.stop() }),
            ServiceBlock(name: "panel", start: { [self] in try await startPanel() }, stop: { [self] in await stopPanel() }),
            ServiceBlock(name: "watchdog", start: { [self] in await startWatchdog() }, stop: { [self] in await stopTasks() }),
        ]
        let supervisor = Supervisor(services: services, clock: clock, logger: logger)
        self.supervisor = supervisor
        try await supervisor.start()
        notifier.ready(status: "ready: alerts go out by SMS and IM as available")
        logger.notice("box ready", ["box.id": .plain(configuration.boxID), "board": .plain(board.name)])
    }

    /// Stops every part in reverse within 5 s.
    public func stop() async {
        notifier.stopping()
        await supervisor?.stop()
        logger.notice("box stopped")
    }

    // MARK: Parts

    private func openDatabase() async throws {
        try Self.makeDirectory(configuration.stateDirectory)
        try await database.open(migrations: Schema.migrations)
        let report = try await scheduler.resume()
        logger.notice(
            "resumed from the database",
            [
                "interrupted": .plain(String(report.interrupted)), "resent": .plain(String(report.resent)),
                "queued": .plain(String(report.queued)), "expired": .plain(String(report.expiredAlerts)),
            ])
    }

    private func startModem() async {
        await scheduler.addSMSChannel(ModemSMSChannel(name: "modem0", driver: driver))
        let events = driver.events
        let scheduler = self.scheduler
        tasks.append(
            Task { [weak self] in
                for await event in events {
                    switch event {
                    case .statusReport(let reference, let recipient, let status):
                        await scheduler.handleStatusReport(sim: "modem0", reference: Int(reference), recipient: recipient, status: status)
                    case .received(let message):
                        await self?.receive(message)
                    case .state(let state):
                        await self?.modemState(state)
                    default:
                        break
                    }
                }
            })
        await driver.start()
    }

    private func receive(_ message: IncomingMessage) async {
        let key = message.key.map { "\($0)" }
        await scheduler.receiveSMS(from: message.sender, text: message.text, reassemblyKey: key, complete: message.kind != .partial)
    }

    private func modemState(_ state: ModemState) async {
        await annunciator?.update { $0.apply(modemState: state) }
    }

    private func startPanel() async throws {
        let roles = Set(board.lines.map(\.role))
        let wanted = configuration.panel.inputs.map(\.role) + [configuration.panel.testKey].compactMap { $0 }
            + [configuration.annunciatorRoles.status, configuration.annunciatorRoles.feedback, configuration.annunciatorRoles.siren].compactMap { $0 }
        let missing = wanted.filter { !roles.contains($0) }
        guard missing.isEmpty else {
            throw ConfigError(
                file: board.name,
                issues: missing.map { ConfigIssue(key: "gpio", line: nil, message: "the configuration uses \"\($0)\", which the board profile does not have; add the line or remove the role") })
        }
        guard !board.lines.isEmpty else {
            logger.warning("the board has no GPIO lines: no buttons, LEDs or siren", [:])
            return
        }
        let lines = try await openGPIO(board, board.lines, logger)
        gpio = lines
        let annunciator = Annunciator(lines: lines, roles: configuration.annunciatorRoles, timing: configuration.annunciatorTiming, clock: clock, logger: logger)
        self.annunciator = annunciator
        let composer = try configuration.schedulerSettings().composer
        let panel = LocalPanel(
            lines: lines,
            settings: LocalPanel.Settings(panel: configuration.panel, sender: configuration.boxID, faultTrigger: configuration.faultTrigger),
            scheduler: scheduler, database: database, annunciator: annunciator, composer: composer, clock: clock, logger: logger)
        self.panel = panel
        try await panel.start()
    }

    private func stopPanel() async {
        await panel?.stop()
        await annunciator?.stop()
        await gpio?.close()
    }

    /// Sends `WATCHDOG=1` at half systemd's interval while the scheduler and the database answer.
    private func startWatchdog() {
        guard let interval = notifier.watchdogInterval else { return }
        let notifier = self.notifier
        let scheduler = self.scheduler
        let clock = self.clock
        let logger = self.logger
        tasks.append(
            Task {
                while !Task.isCancelled {
                    // A scheduler that answers is not stuck; a hung actor stops the pings and
                    // systemd restarts the box.
                    _ = await scheduler.budget(sim: "modem0")
                    notifier.watchdog()
                    do {
                        try await clock.sleep(for: interval / 2)
                    } catch {
                        return
                    }
                }
                logger.debug("watchdog stopped")
            })
    }

    private func stopTasks() {
        for task in tasks { task.cancel() }
        tasks.removeAll()
    }

    // MARK: Files

    /// Reads a secret from a file that only the service may read.
    static func readSecret(_ path: String, name: String) throws(ConfigError) -> String {
        var status = stat()
        guard stat(path, &status) == 0, let text = readFile(path) else {
            throw ConfigError(file: path, issues: [ConfigIssue(key: name, line: nil, message: "cannot be read; check the path and its owner")])
        }
        if status.st_mode & 0o077 != 0 {
            throw ConfigError(
                file: path, issues: [ConfigIssue(key: name, line: nil, message: "is readable by others; run chmod 600 on it, because it holds a secret")])
        }
        return text.trimmingCharacters(in: [" ", "\n", "\r", "\t"])
    }

    /// Creates the state directory owner-only, with its parents.
    static func makeDirectory(_ path: String) throws {
        var built = ""
        for part in path.split(separator: "/") {
            built += "/" + part
            if mkdir(built, 0o700) != 0, errno != EEXIST {
                throw ConfigError(file: path, issues: [ConfigIssue(key: "box.state_directory", line: nil, message: "cannot be created (\(String(cString: strerror(errno))))")])
            }
        }
        chmod(path, 0o700)
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Set<Character>) -> String {
        var slice = self[...]
        while let first = slice.first, set.contains(first) { slice.removeFirst() }
        while let last = slice.last, set.contains(last) { slice.removeLast() }
        return String(slice)
    }
}
