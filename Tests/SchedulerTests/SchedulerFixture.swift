import Alerting
import Core
import Foundation
import Storage
import Synchronization

@testable import Scheduler

/// A channel whose outcomes the test scripts: it records every message and returns the next
/// scripted outcome, or `accepted` when the script is empty.
final class ScriptedChannel: DeliveryChannel, Sendable {
    let name: String
    private let state = Locked<(sent: [ChannelMessage], script: [ChannelOutcome], hang: Bool)>(([], [], false))
    private let nextReference = Atomic<Int>(0)
    /// Sends hung by `hangFromNowOn()`; never resumed.
    private static let hungSends = Locked<[CheckedContinuation<Void, Never>]>([])
    /// A send waiting for `release()`, set up by `holdNextSend()`.
    private let gate = Locked<(armed: Bool, waiting: CheckedContinuation<Void, Never>?)>((false, nil))

    init(name: String) {
        self.name = name
    }

    var sent: [ChannelMessage] {
        state.withLock { $0.sent }
    }

    /// Queues outcomes for the next sends, in order.
    func script(_ outcomes: ChannelOutcome...) {
        state.withLock { $0.script += outcomes }
    }

    /// Makes the next send wait, as a slow modem does, until `release()`.
    func holdNextSend() {
        gate.withLock { $0.armed = true }
    }

    /// Lets a held send finish; returns whether one was waiting.
    @discardableResult
    func release() -> Bool {
        let waiting = gate.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiting = nil }
            return state.waiting
        }
        waiting?.resume()
        return waiting != nil
    }

    /// Returns whether a held send is waiting for `release()`.
    var isHolding: Bool {
        gate.withLock { $0.waiting != nil }
    }

    /// Makes every later send hang forever, as a modem cut off mid-send would.
    func hangFromNowOn() {
        state.withLock { $0.hang = true }
    }

    func send(_ message: ChannelMessage) async -> ChannelOutcome {
        let (outcome, hang) = state.withLock { state -> (ChannelOutcome?, Bool) in
            state.sent.append(message)
            return (state.script.isEmpty ? nil : state.script.removeFirst(), state.hang)
        }
        if hang {
            // Kept for the life of the test process: a dropped continuation is reported as a
            // leak, and a sleep would end when the scheduler cancels the send.
            await withCheckedContinuation { continuation in
                Self.hungSends.withLock { $0.append(continuation) }
            }
        }
        if gate.withLock({ $0.armed }) {
            await withCheckedContinuation { continuation in
                gate.withLock {
                    $0.armed = false
                    $0.waiting = continuation
                }
            }
        }
        return outcome ?? .accepted(references: [nextReference.add(1, ordering: .relaxed).newValue % 256])
    }
}

/// A scheduler on a real SQLite file with a manual clock, and a directory of contacts.
struct SchedulerFixture {
    static let logger = Logger(label: "test", level: ProcessInfo.processInfo.environment["TEST_LOG"] != nil ? .debug : .critical)
    /// 2026-12-04 10:00 in UTC+8, so quiet hours from 22:00 are far.
    static let start = WallTime(secondsSinceEpoch: 1_796_349_600)

    let path: String
    let database: Database
    let clock: ManualClock
    let scheduler: AlertScheduler
    let sms: ScriptedChannel

    /// - Parameter systemClock: runs the scheduler on the system clock, for tests against real processes.
    init(settings: SchedulerSettings = SchedulerSettings(), path: String? = nil, clock: ManualClock? = nil, systemClock: Bool = false) async throws {
        self.path = path ?? FileManager.default.temporaryDirectory.appendingPathComponent("alertbox-sched-\(UUID().uuidString.prefix(8)).sqlite").path
        database = Database(path: self.path, logger: Self.logger)
        try await database.open(migrations: Schema.migrations)
        self.clock = clock ?? ManualClock(wallStart: Self.start)
        scheduler = AlertScheduler(
            database: database, settings: settings, clock: systemClock ? SystemClock() : self.clock as any BoxClock, logger: Self.logger)
        sms = ScriptedChannel(name: "sim0")
        await scheduler.addSMSChannel(sms)
    }

    func remove() async {
        await database.close()
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }

    /// Returns the phone number of contact `index` in a group made by `addGroup`.
    static func phone(_ base: Int, _ index: Int) -> String {
        "+86138" + String(format: "%08d", base + index)
    }

    /// Adds a group of `count` contacts numbered from `base`; returns the group id.
    @discardableResult
    func addGroup(
        _ name: String, count: Int, base: Int, sequenced: Bool = false, quiet: (Int, Int)? = nil, language: String = "zh"
    ) async throws -> Int64 {
        try await database.transaction("fixture group") { connection in
            try connection.query(
                "INSERT INTO groups (name, sequenced, created_at) VALUES (?, ?, 0)", [.text(name), .integer(sequenced ? 1 : 0)],
                operation: "fixture")
            let groupID = connection.lastInsertRowID
            for index in 0..<count {
                let phone = Self.phone(base, index)
                let existing = try connection.query(
                    "SELECT contact_id FROM contact_phones WHERE e164 = ?", [.text(phone)], operation: "fixture"
                ).first?["contact_id"].int64
                var contactID = existing ?? 0
                if existing == nil {
                    try connection.query(
                        """
                        INSERT INTO contacts (name, language, role_rank, quiet_start_minute, quiet_end_minute, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, 0, 0)
                        """,
                        [.text("\(name)-\(index)"), .text(language), .integer(Int64(index)), SQLValue(quiet?.0), SQLValue(quiet?.1)],
                        operation: "fixture")
                    contactID = connection.lastInsertRowID
                    try connection.query(
                        "INSERT INTO contact_phones (contact_id, e164) VALUES (?, ?)", [.integer(contactID), .text(phone)], operation: "fixture")
                }
                try connection.query(
                    "INSERT INTO group_members (group_id, contact_id, position) VALUES (?, ?, ?)",
                    [.integer(groupID), .integer(contactID), .integer(Int64(index))], operation: "fixture")
            }
            return groupID
        }
    }

    /// Adds an IM target that serves `group`; returns its id.
    @discardableResult
    func addTarget(_ name: String, channel: String = "wecom", serving group: Int64) async throws -> Int64 {
        try await database.transaction("fixture target") { connection in
            try connection.query("INSERT INTO im_targets (name, channel) VALUES (?, ?)", [.text(name), .text(channel)], operation: "fixture")
            let targetID = connection.lastInsertRowID
            try connection.query(
                "INSERT INTO im_target_groups (target_id, group_id) VALUES (?, ?)", [.integer(targetID), .integer(group)], operation: "fixture")
            return targetID
        }
    }

    static func alert(
        _ identifier: String, priority: AlertPriority, audience: [String], type: CAPAlert.MessageType = .alert,
        status: CAPAlert.Status = .actual, references: [String] = [], expiresAt: Int64? = nil, triggerKey: String? = nil,
        text: String = "3号楼火警，请立即疏散"
    ) -> Alert {
        Alert(
            identifier: identifier, sender: "box@campus", sentAt: start.secondsSinceEpoch * 1000, status: status, messageType: type,
            references: references.map { CAPReference(sender: "box@campus", identifier: $0, sent: "2026-12-04T10:00:00+08:00") },
            priority: priority, expiresAt: expiresAt, source: .console, event: "火警", audience: audience,
            texts: [AlertText(language: .chinese, smsText: text, imText: "**\(text)**"), AlertText(language: .english, smsText: "Fire in building 3", imText: "Fire")],
            triggerKey: triggerKey)
    }

    /// Counts deliveries by state, for one alert or all.
    func counts(alertID: Int64? = nil) async throws -> [String: Int] {
        try await database.read { try DeliveryStore.countsByState(alertID: alertID, in: $0) }
    }

    func rows(_ sql: String, _ values: [SQLValue] = []) async throws -> [Row] {
        try await database.read { try $0.query(sql, values, operation: "test") }
    }

    /// Steps the SMS lane `count` times; returns the recipients sent to, in order.
    @discardableResult
    func sendSMS(_ count: Int) async -> [String] {
        var recipients: [String] = []
        for _ in 0..<count {
            guard case .sent = await scheduler.step(.sms) else { break }
            recipients.append(sms.sent.last?.recipient ?? "")
        }
        return recipients
    }

    /// Steps the SMS lane until it has to wait or has nothing; returns how many it sent.
    func drainSMS(limit: Int = 100_000) async -> (sent: Int, last: AlertScheduler.Step) {
        var sent = 0
        while sent < limit {
            let step = await scheduler.step(.sms)
            switch step {
            case .sent: sent += 1
            case .expired: continue
            case .wait, .idle: return (sent, step)
            }
        }
        return (sent, .idle)
    }
}
