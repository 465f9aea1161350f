import Alerting
import Console
public import Core
import Glibc
public import Hardware
import LocalControl
public import Modem
import SMS
public import Scheduler
public import Storage
import Uplink

/// The whole box: every module built from the configuration and the board profile, started in
/// order by the supervisor and stopped in reverse.
///
/// Order: the database (and recovery of what a crash left), GPIO, the modem, the uplink's
/// channels, the scheduler's workers, the panel and the annunciator, SMS commands, the
/// console, and the watchdog. An alarm from the panel is planned from the local database and
/// waits there for the modem or the uplink: neither has to be ready first.
public actor BoxRuntime {
    /// Opens the board's GPIO lines with the backend the profile names.
    public typealias GPIOOpener = @Sendable (BoardProfile, [GPIOLineRequest], Logger) async throws -> any GPIOLines

    public let configuration: BoxConfiguration
    public let board: BoardProfile
    public let database: Database
    public let scheduler: AlertScheduler
    public let driver: ModemDriver
    let settings: SchedulerSettings
    /// The settings operators committed from the console, by key.
    let overrides: [String: String]
    let clock: any BoxClock
    let logger: Logger
    let notifier: SystemdNotifier
    let openGPIO: GPIOOpener
    let controlLines: LateControlLines

    private var supervisor: Supervisor?
    var gpio: (any GPIOLines)?
    private var panel: LocalPanel?
    var annunciator: Annunciator?
    private var router: SMSCommandRouter?
    private var serialConsole: SerialConsole?
    private var socketConsole: SocketConsole?
    var uplinkParts = UplinkParts()
    private var tasks: [Task<Void, Never>] = []

    /// Opens the database and builds the box from a checked configuration and profile, with
    /// the settings an operator committed from the console over the file's; nothing else starts yet.
    public static func make(
        configuration: BoxConfiguration, board: BoardProfile, clock: any BoxClock = SystemClock(), environment: [String: String],
        logger: Logger, openGPIO: @escaping GPIOOpener = BoxRuntime.openBoardGPIO
    ) async throws -> BoxRuntime {
        try makeDirectory(configuration.stateDirectory)
        let database = Database(path: configuration.stateDirectory + "/alertbox.db", logger: logger)
        try await database.open(migrations: Schema.migrations)
        let overrides = try await database.read { try RuntimeSettings.committedOverrides(in: $0) }
        var settings = try configuration.schedulerSettings()
        let applied = RuntimeOverrides.apply(overrides, to: &settings)
        if !applied.isEmpty {
            logger.notice("console settings override the file", ["settings": .plain(applied.joined(separator: ","))])
        }
        return try BoxRuntime(
            configuration: configuration, board: board, database: database, settings: settings, overrides: overrides, clock: clock,
            environment: environment, logger: logger, openGPIO: openGPIO)
    }

    private init(
        configuration: BoxConfiguration, board: BoardProfile, database: Database, settings: SchedulerSettings, overrides: [String: String],
        clock: any BoxClock, environment: [String: String], logger: Logger, openGPIO: @escaping GPIOOpener
    ) throws {
        self.overrides = overrides
        self.configuration = configuration
        self.board = board
        self.clock = clock
        self.logger = logger
        self.openGPIO = openGPIO
        self.database = database
        self.settings = settings
        notifier = SystemdNotifier(environment: environment)
        scheduler = AlertScheduler(database: database, settings: settings, clock: clock, logger: logger)
        let pin = try configuration.simPINFile.map { try Self.readSecret($0, name: "modem.pin_file") }
        let modemSettings = ModemSettings(
            devicePath: configuration.modemDevice ?? board.modemDevice, baudRate: board.baudRate, pin: pin,
            stateDirectory: configuration.stateDirectory)
        let roles = ModemControlRoles(available: Set(board.lines.map(\.role)))
        controlLines = LateControlLines(roles: roles, timing: Self.pinTiming(module: board.module), logger: logger)
        driver = ModemDriver(settings: modemSettings, logger: logger, controlLines: roles.isEmpty ? nil : controlLines)
    }

    /// Opens GPIO through libgpiod or the simulator's bridge, as the board profile names it.
    public static let openBoardGPIO: GPIOOpener = { board, requests, logger in
        switch board.gpioBackend {
        case .libgpiod:
            return try await LibgpiodLines.open(requests, consumer: "alertbox", logger: logger)
        case .bridge:
            return try await GPIOBridgeLines.open(socketPath: board.bridgeSocket ?? "", requests: requests, logger: logger)
        }
    }

    /// Returns the power key and reset timings of a module named in a board profile.
    static func pinTiming(module: String) -> ModemPinTiming {
        module.hasPrefix("simcom") ? .simcomSIM7600 : .quectelEC25
    }

    /// Starts every part in order, then notifies systemd that the box is ready.
    public func start() async throws {
        let services: [any SupervisedService] = [
            ServiceBlock(name: "database", start: { [self] in try await openDatabase() }, stop: { [database] in await database.close() }),
            ServiceBlock(name: "gpio", start: { [self] in try await openLines() }, stop: { [self] in await closeLines() }),
            ServiceBlock(name: "modem", start: { [self] in await startModem() }, stop: { [driver] in await driver.stop() }),
            ServiceBlock(name: "uplink", start: { [self] in try await startUplink() }, stop: { [self] in await stopUplink() }),
            ServiceBlock(name: "scheduler", start: { [scheduler] in await scheduler.start() }, stop: { [scheduler] in await scheduler.stop() }),
            ServiceBlock(name: "panel", start: { [self] in try await startPanel() }, stop: { [self] in await stopPanel() }),
            ServiceBlock(name: "sms commands", start: { [self] in try await startCommands() }, stop: {}),
            ServiceBlock(name: "console", start: { [self] in try await startConsole() }, stop: { [self] in await stopConsole() }),
            ServiceBlock(name: "watchdog", start: { [self] in await startWatchdog() }, stop: { [self] in await stopTasks() }),
        ]
        let supervisor = Supervisor(services: services, clock: clock, logger: logger)
        self.supervisor = supervisor
        try await supervisor.start()
        notifier.ready(status: "ready")
        logger.notice("box ready", ["box.id": .plain(configuration.boxID), "board": .plain(board.name)])
    }

    /// Stops every part in reverse within 5 s.
    public func stop() async {
        notifier.stopping()
        await supervisor?.stop()
        logger.notice("box stopped")
    }

    // MARK: Database and GPIO

    /// Imports the contacts file and resumes what a crash left; `make` opened the database.
    private func openDatabase() async throws {
        if let file = configuration.contactsFile {
            try await importContacts(file)
        }
        let report = try await scheduler.resume()
        logger.notice(
            "resumed from the database",
            [
                "interrupted": .plain(String(report.interrupted)), "resent": .plain(String(report.resent)),
                "queued": .plain(String(report.queued)), "expired": .plain(String(report.expiredAlerts)),
            ])
    }

    /// Imports the configured contacts file when it changed since the last start.
    ///
    /// Contacts are matched by their first phone number: a known one is updated and added to
    /// the groups the file names, a new one is inserted. Nobody is deleted, because past
    /// deliveries refer to them; the console removes people.
    private func importContacts(_ path: String) async throws {
        guard let bytes = readFileBytes(path) else {
            throw ConfigError(file: path, issues: [Self.unreadableFileIssue(key: "contacts.file")])
        }
        let digest = String(Self.fingerprint(bytes), radix: 16)
        let marker = configuration.stateDirectory + "/contacts.imported"
        if readFile(marker) == digest {
            return
        }
        let parsed = ContactImporter.read(bytes)
        for problem in parsed.problems {
            logger.warning("contact row skipped", ["line": .plain(String(problem.line)), "reason": .plain(problem.reason.english)])
        }
        let time = clock.wallNow.nanosecondsSinceEpoch / 1_000_000
        let contacts = parsed.contacts
        let count = try await database.transaction("import contacts file") { connection -> Int in
            for contact in contacts {
                try Self.upsert(contact, at: time, in: connection)
            }
            try AuditLog.append(
                actor: "config", action: "contacts.imported", detail: "\(contacts.count) contacts from \(path) (\(parsed.encoding))", at: time,
                in: connection)
            return contacts.count
        }
        _ = writeFile(marker, digest)
        logger.notice("contacts imported", ["file": .plain(path), "contacts": .plain(String(count)), "skipped": .plain(String(parsed.problems.count))])
    }

    private static func upsert(_ contact: ImportedContact, at now: Int64, in connection: Connection) throws {
        guard let first = contact.phones.first else { return }
        var contactID = try connection.query("SELECT contact_id FROM contact_phones WHERE e164 = ?", [.text(first)], operation: "contacts.byPhone")
            .first?["contact_id"].int64
        if let id = contactID {
            try connection.query(
                "UPDATE contacts SET name = ?, language = ?, quiet_start_minute = ?, quiet_end_minute = ?, role_rank = ?, updated_at = ? WHERE id = ?",
                [.text(contact.name), .text(contact.language), SQLValue(contact.quietStartMinute), SQLValue(contact.quietEndMinute),
                 .integer(Int64(contact.rank)), .integer(now), .integer(id)], operation: "contacts.update")
        } else {
            try connection.query(
                """
                INSERT INTO contacts (name, language, quiet_start_minute, quiet_end_minute, role_rank, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [.text(contact.name), .text(contact.language), SQLValue(contact.quietStartMinute), SQLValue(contact.quietEndMinute),
                 .integer(Int64(contact.rank)), .integer(now), .integer(now)], operation: "contacts.insert")
            contactID = connection.lastInsertRowID
        }
        guard let id = contactID else { return }
        for (position, phone) in contact.phones.enumerated() {
            try connection.query(
                "INSERT OR IGNORE INTO contact_phones (contact_id, e164, position) VALUES (?, ?, ?)", [.integer(id), .text(phone), .integer(Int64(position))],
                operation: "contacts.insertPhone")
        }
        for role in contact.roles {
            try connection.query("INSERT OR IGNORE INTO contact_roles (contact_id, role) VALUES (?, ?)", [.integer(id), .text(role)], operation: "contacts.insertRole")
        }
        for (position, group) in contact.groups.enumerated() {
            try connection.query("INSERT OR IGNORE INTO groups (name, created_at) VALUES (?, ?)", [.text(group), .integer(now)], operation: "groups.insert")
            try connection.query(
                "INSERT OR IGNORE INTO group_members (group_id, contact_id, position) SELECT id, ?, ? FROM groups WHERE name = ?",
                [.integer(id), .integer(Int64(contact.rank * 100 + position)), .text(group)], operation: "groups.addMember")
        }
    }

    /// FNV-1a over the file, to tell whether it changed.
    static func fingerprint(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }

    private func openLines() async throws {
        let roles = Set(board.lines.map(\.role))
        let wanted = configuration.panel.inputs.map(\.role) + [configuration.panel.testKey].compactMap { $0 }
            + [configuration.annunciatorRoles.status, configuration.annunciatorRoles.feedback, configuration.annunciatorRoles.siren].compactMap { $0 }
        let missing = wanted.filter { !roles.contains($0) }
        guard missing.isEmpty else {
            throw ConfigError(
                file: board.name,
                issues: missing.map {
                    ConfigIssue(
                        key: "gpio", line: nil,
                        text: LocalizedText(
                            zh: "配置用到了 \"\($0)\"，但板卡配置中没有这条线路；请在板卡配置中添加，或删去这个角色",
                            en: "the configuration uses \"\($0)\", which the board profile does not have; add the line or remove the role"))
                })
        }
        guard !board.lines.isEmpty else {
            logger.warning("the board has no GPIO lines: no buttons, LEDs or siren", [:])
            return
        }
        let lines = try await openGPIO(board, board.lines, logger)
        gpio = lines
        controlLines.attach(lines)
    }

    private func closeLines() async {
        await gpio?.close()
    }

    // MARK: Modem

    private func startModem() async {
        await scheduler.addSMSChannel(ModemSMSChannel(name: "modem0", driver: driver))
        // The SIM takes deliveries once the driver says the modem is ready, not before.
        await scheduler.setSMSChannel("modem0", available: false)
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
        if let router {
            await router.receive(message)
        } else {
            let key = message.key.map { "\($0)" }
            await scheduler.receiveSMS(from: message.sender, text: message.text, reassemblyKey: key, complete: message.kind != .partial)
        }
    }

    private func modemState(_ state: ModemState) async {
        await scheduler.setSMSChannel("modem0", available: state == .ready)
        await annunciator?.update { $0.apply(modemState: state) }
    }

    // MARK: Panel, SMS commands, console

    private func startPanel() async throws {
        guard let lines = gpio else { return }
        let annunciator = Annunciator(
            lines: lines, roles: configuration.annunciatorRoles, timing: configuration.annunciatorTiming, clock: clock, logger: logger)
        self.annunciator = annunciator
        // The panel hears later changes as scheduler events; this is the state it starts from.
        let uplinkUp = await scheduler.uplinkHealth == .up
        let modemReady = await driver.status.state == .ready
        await annunciator.update {
            $0.uplinkUp = uplinkUp
            $0.cellularReady = modemReady
        }
        let panel = LocalPanel(
            lines: lines,
            settings: LocalPanel.Settings(panel: configuration.panel, sender: configuration.boxID, faultTrigger: configuration.faultTrigger),
            scheduler: scheduler, database: database, annunciator: annunciator, composer: settings.composer, clock: clock, logger: logger)
        self.panel = panel
        try await panel.start()
    }

    private func stopPanel() async {
        await panel?.stop()
        await annunciator?.stop()
    }

    private func startCommands() async throws {
        guard let commands = configuration.smsCommands else { return }
        let status = SchedulerModemStatus(scheduler: scheduler, driver: driver, simName: "modem0", clock: clock)
        router = try SMSCommandRouter(
            settings: commands, scheduler: scheduler, database: database, status: status, clock: clock, clockTrust: uplinkParts.clockTrust,
            composer: settings.composer, logger: logger)
    }

    private func startConsole() async throws {
        let authenticator = Authenticator(database: database, clock: clock, logger: logger)
        let initial = try configuration.console.initialPasswordFile.map { try Self.readSecret($0, name: "console.initial_password_file") }
        let oneTimeFile = configuration.console.oneTimePasswordFile ?? configuration.stateDirectory + "/console-initial-password"
        if try await authenticator.bootstrap(initialPassword: initial, oneTimePasswordFile: oneTimeFile) {
            logger.notice("console admin created; it must change its password at the first login", ["password.file": .plain(initial == nil ? oneTimeFile : "(configured)")])
        }
        await authenticator.restoreFailures()
        let driver = self.driver
        let scheduler = self.scheduler
        let clock = self.clock
        var silencer: (@Sendable () async -> Bool)?
        if configuration.annunciatorRoles.siren != nil {
            silencer = { [weak self] in await self?.silenceSiren() ?? false }
        }
        let context = ConsoleContext(
            database: database, authenticator: authenticator, settings: RuntimeSettings(database: database, clock: clock, logger: logger),
            scheduler: scheduler, clock: clock, logger: logger, sender: configuration.boxID, composer: settings.composer,
            signature: try configuration.smsSignature.map { try SMSSignature($0) },
            status: { await StatusSnapshot.gather(modem: driver, scheduler: scheduler, sim: "modem0", clock: clock) },
            modemInfo: { await driver.status },
            modemReset: { [weak self] in try await self?.resetModem() },
            uplinkTest: { [weak self] in await self?.testUplink() ?? [] },
            silenceSiren: silencer)
        let runner = CommandRunner(context: context)
        if let path = configuration.console.socket {
            let directory = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
            if !directory.isEmpty { try Self.makeDirectory(directory, key: "console.socket") }
            let door = try SocketConsole(path: path, runner: runner)
            await door.start()
            socketConsole = door
        }
        if configuration.console.serial, let serial = board.consoleSerial {
            do {
                let door = try SerialConsole(path: serial, runner: runner)
                await door.start()
                serialConsole = door
            } catch {
                logger.error("serial console not opened; the local socket still works", ["tty": .plain(serial), "error": .plain(String(describing: error))])
            }
        }
    }

    private func silenceSiren() async -> Bool {
        await annunciator?.silenceSiren(reason: "silenced from the console") ?? false
    }

    private func stopConsole() async {
        await serialConsole?.stop()
        await socketConsole?.stop()
    }

    /// Restarts the modem from the console: the power cycle where the board can, else a reopen.
    private func resetModem() async throws {
        if controlLines.canPowerCycle {
            try await controlLines.powerCycle()
        }
        await driver.stop()
        await driver.start()
    }

    // MARK: Watchdog

    /// Sends `WATCHDOG=1` at half systemd's interval while the scheduler and the database respond.
    private func startWatchdog() {
        guard let interval = notifier.watchdogInterval else { return }
        let notifier = self.notifier
        let scheduler = self.scheduler
        let database = self.database
        let clock = self.clock
        tasks.append(
            Task {
                while !Task.isCancelled {
                    // A hung actor stops the pings, and systemd restarts the box.
                    _ = await scheduler.budget(sim: "modem0")
                    if (try? await database.read({ try $0.query("SELECT 1", operation: "watchdog") })) != nil {
                        notifier.watchdog()
                    }
                    do {
                        try await clock.sleep(for: interval / 2)
                    } catch {
                        return
                    }
                }
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
            throw ConfigError(file: path, issues: [unreadableFileIssue(key: name)])
        }
        if status.st_mode & 0o077 != 0 {
            throw ConfigError(
                file: path,
                issues: [
                    ConfigIssue(
                        key: name, line: nil,
                        text: LocalizedText(
                            zh: "其他用户也能读取；请对它运行 chmod 600，因为其中存有密钥", en: "is readable by others; run chmod 600 on it, because it holds a secret"))
                ])
        }
        return text.trimmingWhitespace()
    }

    /// Returns the issue for a file named by setting `key` that cannot be read.
    static func unreadableFileIssue(key: String) -> ConfigIssue {
        ConfigIssue(key: key, line: nil, text: LocalizedText(zh: "无法读取；请检查路径和文件属主", en: "cannot be read; check the path and its owner"))
    }

    /// Creates a directory owner-only, with its parents; `key` names its setting in errors.
    static func makeDirectory(_ path: String, key: String = "box.state_directory") throws {
        var built = ""
        for part in path.split(separator: "/") {
            built += "/" + part
            if mkdir(built, 0o700) != 0, errno != EEXIST {
                let reason = String(cString: strerror(errno))
                throw ConfigError(
                    file: path,
                    issues: [
                        ConfigIssue(
                            key: key, line: nil,
                            text: LocalizedText(
                                zh: "无法创建（\(reason)）；请检查上级目录是否存在且服务用户可写", en: "cannot be created (\(reason)); check that the parent directory exists and the service user may write to it"))
                    ])
            }
        }
        chmod(path, 0o700)
    }
}

/// The modem's control lines, whose GPIO lines open after the driver is built.
final class LateControlLines: ModemControlLines {
    let roles: ModemControlRoles
    let timing: ModemPinTiming
    let logger: Logger
    private let control = Locked<GPIOModemControlLines?>(nil)

    init(roles: ModemControlRoles, timing: ModemPinTiming, logger: Logger) {
        self.roles = roles
        self.timing = timing
        self.logger = logger
    }

    func attach(_ lines: any GPIOLines) {
        control.withLock { $0 = GPIOModemControlLines(lines: lines, roles: roles, timing: timing, logger: logger) }
    }

    var canReset: Bool { roles.reset != nil }
    var canPowerCycle: Bool { roles.powerKey != nil || roles.powerEnable != nil }

    func pulseReset() async throws {
        try await current().pulseReset()
    }

    func powerCycle() async throws {
        try await current().powerCycle()
    }

    private func current() throws -> GPIOModemControlLines {
        guard let control = control.withLock({ $0 }) else { throw ModemControlError.noLine(step: "control (GPIO not open)") }
        return control
    }
}

/// Writes a small file owner-only, replacing it; returns whether it worked.
func writeFile(_ path: String, _ text: String) -> Bool {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard descriptor >= 0 else { return false }
    defer { close(descriptor) }
    let bytes = Array(text.utf8)
    return bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) } == bytes.count
}

/// Reads a whole file as bytes, or nil when it cannot be opened.
func readFileBytes(_ path: String) -> [UInt8]? {
    guard let file = fopen(path, "rb") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = fread(&buffer, 1, buffer.count, file)
        if count <= 0 { break }
        bytes += buffer[..<count]
    }
    return bytes
}
