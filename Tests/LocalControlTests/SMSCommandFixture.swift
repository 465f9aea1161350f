import Alerting
import Core
import Foundation
import Hardware
import LocalControl
import SMS
import Scheduler
import Storage

/// A router in front of a scheduler on a real SQLite file, with a manual clock by default.
///
/// The scheduler gets no SMS channel unless a test adds one, so replies stay queued as
/// deliveries that the test reads from the database.
struct SMSCommandFixture {
    static let logger = Logger(label: "test", level: ProcessInfo.processInfo.environment["TEST_LOG"] != nil ? .debug : .critical)
    /// 2026-12-04 10:00 in UTC+8.
    static let start = WallTime(secondsSinceEpoch: 1_796_349_600)
    static let pin = "2468"
    /// Hashed once with few iterations, because every fixture shares it.
    static let pinHash = try! PINHash.make(pin: pin, iterations: 1000)  // A constant 4-digit PIN always hashes.
    static let dutyOfficer = try! PhoneNumber(parsing: "+8613800070001")  // A valid constant number.
    static let englishOfficer = try! PhoneNumber(parsing: "+8613800070002")  // A valid constant number.
    static let stranger = "+8613800079999"

    static func settings(
        operators: [SMSCommandOperator]? = nil, triggers: [SMSTrigger]? = nil
    ) -> SMSCommandSettings {
        SMSCommandSettings(
            operators: operators ?? [
                SMSCommandOperator(name: "保卫处值班", number: dutyOfficer),
                SMSCommandOperator(name: "night desk", number: englishOfficer, language: .english, allowedCommands: [.status]),
            ],
            pin: pinHash,
            triggers: triggers ?? [
                SMSTrigger(name: "火警", aliases: ["FIRE", "着火"], template: "fire-alarm", priority: .lifeSafety, audience: ["应急"], location: "3号楼"),
                SMSTrigger(name: "演练", aliases: ["DRILL"], template: "drill-notice", priority: .routine, audience: ["应急"]),
            ])
    }

    let path: String
    let database: Database
    let clock: ManualClock
    let scheduler: AlertScheduler
    let router: SMSCommandRouter
    let settings: SMSCommandSettings

    /// - Parameters:
    ///   - path: an existing database to reopen, as after a restart.
    ///   - clock: the clock to keep across a restart.
    init(
        settings: SMSCommandSettings = Self.settings(), path: String? = nil, clock: ManualClock? = nil, clockTrust: ClockTrust? = nil,
        status: any BoxStatusProvider = FixedStatus()
    ) async throws {
        self.path = path ?? FileManager.default.temporaryDirectory.appendingPathComponent("alertbox-smscmd-\(UUID().uuidString.prefix(8)).sqlite").path
        self.settings = settings
        database = Database(path: self.path, logger: Self.logger)
        try await database.open(migrations: Schema.migrations)
        self.clock = clock ?? ManualClock(wallStart: Self.start)
        scheduler = AlertScheduler(database: database, clock: self.clock, logger: Self.logger)
        router = try SMSCommandRouter(
            settings: settings, scheduler: scheduler, database: database, status: status, clock: self.clock, clockTrust: clockTrust,
            logger: Self.logger)
        if path == nil {
            try await addGroup("应急", numbers: (1...3).map { "+86138000800\(String(format: "%02d", $0))" })
        }
    }

    func remove() async {
        await database.close()
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }

    /// Sends `text` from `sender`, stamped by the SMSC `age` before the clock's now.
    @discardableResult
    func send(_ text: String, from sender: String = SMSCommandFixture.dutyOfficer.e164, age: Duration = .seconds(5)) async -> SMSCommandOutcome {
        await router.receive(InboundSMS(sender: sender, text: text, serviceCentreTime: clock.wallNow.advanced(by: .zero - age)))
    }

    func addGroup(_ name: String, numbers: [String]) async throws {
        try await Self.addGroup(name, numbers: numbers, in: database)
    }

    /// Adds a group whose members have the given numbers, one contact each.
    static func addGroup(_ name: String, numbers: [String], in database: Database) async throws {
        try await database.transaction("fixture group") { connection in
            try connection.query("INSERT INTO groups (name, created_at) VALUES (?, 0)", [.text(name)], operation: "fixture")
            let groupID = connection.lastInsertRowID
            for (index, number) in numbers.enumerated() {
                try connection.query(
                    "INSERT INTO contacts (name, created_at, updated_at) VALUES (?, 0, 0)", [.text("\(name)-\(index)")], operation: "fixture")
                let contactID = connection.lastInsertRowID
                try connection.query(
                    "INSERT INTO contact_phones (contact_id, e164) VALUES (?, ?)", [.integer(contactID), .text(number)], operation: "fixture")
                try connection.query(
                    "INSERT INTO group_members (group_id, contact_id, position) VALUES (?, ?, ?)",
                    [.integer(groupID), .integer(contactID), .integer(Int64(index))], operation: "fixture")
            }
        }
    }

    func rows(_ sql: String, _ values: [SQLValue] = []) async throws -> [Row] {
        try await database.read { try $0.query(sql, values, operation: "test") }
    }

    /// Returns the texts of the replies queued to `number`, oldest first.
    func replies(to number: PhoneNumber = SMSCommandFixture.dutyOfficer) async throws -> [String] {
        try await rows(
            """
            SELECT t.sms_text FROM deliveries d JOIN alerts a ON a.id = d.alert_id JOIN alert_texts t ON t.alert_id = a.id
            WHERE a.status = 'System' AND d.recipient_e164 = ? ORDER BY d.id
            """, [.text(number.e164)]
        ).compactMap { $0["sms_text"].string }
    }

    /// Returns the audit rows of SMS commands, oldest first, as `action actor detail`.
    func commandAudit() async throws -> [String] {
        try await rows("SELECT action, actor, detail FROM audit_log WHERE action LIKE 'sms.command.%' ORDER BY id").map {
            "\($0["action"].string ?? "") \($0["actor"].string ?? "") \($0["detail"].string ?? "")"
        }
    }
}

/// A status provider with fixed values, for tests of the reply text.
struct FixedStatus: BoxStatusProvider {
    var status = BoxStatus(
        uplink: .down, simReady: true, registered: true, signalBars: 3, signalDBm: -95, queuedDeliveries: 12, smsUsedToday: 35, smsDailyLimit: 900)

    func currentStatus() async -> BoxStatus {
        status
    }
}
