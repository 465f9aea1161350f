import Alerting
import Console
import Core
import Foundation
import Glibc
import Hardware
import Modem
import Scheduler
import Storage

/// A console wired to real parts: a SQLite file in a temporary directory, the scheduler, the
/// authenticator with the first admin, and either door.
final class ConsoleHarness: Sendable {
    static let logger = Logger(label: "test", level: ProcessInfo.processInfo.environment["TEST_LOG"] != nil ? .debug : .critical)
    static let adminPassword = "first-Boot-2024"

    let directory: String
    let database: Database
    let scheduler: AlertScheduler
    let settings: RuntimeSettings
    let authenticator: Authenticator
    let runner: CommandRunner

    init(modem: ModemDriver? = nil, silenceSiren: (@Sendable () async -> Bool)? = nil) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("console-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let clock = SystemClock()
        database = Database(path: directory + "/box.db", logger: Self.logger)
        try await database.open(migrations: Schema.migrations)
        scheduler = AlertScheduler(database: database, clock: clock, logger: Self.logger)
        settings = RuntimeSettings(database: database, clock: clock, logger: Self.logger)
        authenticator = Authenticator(database: database, clock: clock, logger: Self.logger, iterations: PasswordHash.minimumIterations)
        try await authenticator.bootstrap(initialPassword: Self.adminPassword, oneTimePasswordFile: directory + "/initial-password")
        let scheduler = self.scheduler
        var modemInfo: (@Sendable () async -> ModemStatus?)?
        if let modem {
            modemInfo = { await modem.status }
        }
        let context = ConsoleContext(
            database: database, authenticator: authenticator, settings: settings, scheduler: scheduler, clock: clock, logger: Self.logger,
            sender: "alertbox-test",
            status: { await StatusSnapshot.gather(modem: modem, scheduler: scheduler, sim: "modem0", clock: clock) },
            modemInfo: modemInfo, silenceSiren: silenceSiren)
        runner = CommandRunner(context: context)
    }

    /// Adds a contact in `group` directly, as an import would.
    func addContact(_ name: String, phone: String, group: String) async throws {
        try await database.transaction("test.contact") { connection in
            try connection.query("INSERT INTO contacts (name, created_at, updated_at) VALUES (?, 0, 0)", [.text(name)], operation: "test")
            let id = connection.lastInsertRowID
            try connection.query("INSERT INTO contact_phones (contact_id, e164) VALUES (?, ?)", [.integer(id), .text(phone)], operation: "test")
            try connection.query("INSERT OR IGNORE INTO groups (name, created_at) VALUES (?, 0)", [.text(group)], operation: "test")
            try connection.query(
                "INSERT INTO group_members (group_id, contact_id) SELECT id, ? FROM groups WHERE name = ?", [.integer(id), .text(group)], operation: "test")
        }
    }

    func remove() async {
        await database.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// The far end of a console: a pseudo-terminal master or a socket client, driven
/// expect-style. Waits run on a thread of their own so that no test blocks the pool.
final class TerminalDriver: @unchecked Sendable {
    // @unchecked Sendable: `screen` is guarded by `lock`; the descriptor is only read on the
    // waiting thread and written by the test.
    let descriptor: FileDescriptor
    private let lock = NSLock()
    private var screen: [UInt8] = []
    /// Where the next `expect` starts looking.
    private var consumed = 0

    init(descriptor: FileDescriptor) throws {
        self.descriptor = descriptor
        try descriptor.setNonBlocking(true)
    }

    func send(_ text: String) throws {
        try descriptor.writeAll(Array(text.utf8))
    }

    func send(bytes: [UInt8]) throws {
        try descriptor.writeAll(bytes)
    }

    /// Waits until `text` appears after what earlier expects consumed; returns the screen
    /// text from there up to and including it. The bound only catches a hang.
    @discardableResult
    func expect(_ text: String, timeout: Duration = .seconds(60)) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try self.waitFor(text, timeout: timeout) })
            }
        }
    }

    private func waitFor(_ text: String, timeout: Duration) throws -> String {
        let needle = Array(text.utf8)
        let deadline = ContinuousClock.now + timeout
        while true {
            let found: String? = lock.withLock {
                guard let range = Self.find(needle, in: screen, from: consumed) else { return nil }
                let result = String(decoding: screen[consumed..<range.upperBound], as: UTF8.self)
                consumed = range.upperBound
                return result
            }
            if let found { return found }
            guard ContinuousClock.now < deadline else {
                let seen = lock.withLock { String(decoding: screen[consumed...], as: UTF8.self) }
                throw ExpectTimeout(expected: text, seen: seen)
            }
            let ready = try descriptor.poll(events: Int16(POLLIN), timeoutMilliseconds: 200)
            if ready.readable || ready.hangUp {
                let bytes = (try? descriptor.read(maximum: 4096)) ?? []
                lock.withLock { screen += bytes }
            }
        }
    }

    /// Removes cursor-movement and erase sequences and carriage returns, for help comparisons.
    static func plain(_ text: String) -> String {
        var result = ""
        var iterator = text.unicodeScalars.makeIterator()
        while let scalar = iterator.next() {
            if scalar == "\u{1B}" {
                guard iterator.next() == "[" else { continue }
                while let next = iterator.next(), !(0x40...0x7E).contains(next.value) {}
                continue
            }
            if scalar == "\r" { continue }
            result.unicodeScalars.append(scalar)
        }
        return result
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Range<Int>? {
        guard !needle.isEmpty, haystack.count - start >= needle.count else { return nil }
        for index in start...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if Array(haystack[index..<(index + needle.count)]) == needle { return index..<(index + needle.count) }
        }
        return nil
    }

    func close() {
        descriptor.close()
    }
}

struct ExpectTimeout: Error, CustomStringConvertible {
    let expected: String
    let seen: String
    var description: String { "did not see \(expected.debugDescription); the screen showed: \(seen.debugDescription)" }
}

/// A serial console on a pseudo-terminal, with the test holding the master side.
struct SerialFixture {
    let harness: ConsoleHarness
    let console: SerialConsole
    let terminal: TerminalDriver
    let keeper: FileDescriptor

    static func start(modem: ModemDriver? = nil, silenceSiren: (@Sendable () async -> Bool)? = nil) async throws -> SerialFixture {
        let harness = try await ConsoleHarness(modem: modem, silenceSiren: silenceSiren)
        let (pty, keeper) = try PseudoTerminal.open()
        let console = try SerialConsole(path: pty.subordinatePath, runner: harness.runner)
        await console.start()
        return SerialFixture(harness: harness, console: console, terminal: try TerminalDriver(descriptor: pty.master), keeper: keeper)
    }

    /// Logs in as the first admin, setting a new password as the first login requires.
    func loginFirstAdmin(newPassword: String = "New-Admin-pw-1") async throws {
        try await terminal.expect("用户名：")
        try terminal.send("admin\r")
        try await terminal.expect("密码：")
        try terminal.send(ConsoleHarness.adminPassword + "\r")
        try await terminal.expect("请先设置新密码。")
        try await terminal.expect("新密码：")
        try terminal.send(newPassword + "\r")
        try await terminal.expect("再次输入新密码：")
        try terminal.send(newPassword + "\r")
        try await terminal.expect("密码已修改。")
        try await terminal.expect("alertbox(admin)# ")
    }

    func stop() async {
        await console.stop()
        terminal.close()
        keeper.close()
        await harness.remove()
    }
}
