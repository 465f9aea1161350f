public import Core
public import Storage

/// The runtime settings that the console edits: a candidate set changed by `config set`, and
/// the running set that the last commit made, both in SQLite.
///
/// A commit turns the candidate into the running set in one transaction with its audit row,
/// then calls the appliers that the runtime registered for the keys that apply live. A
/// rollback makes the previous committed set the running one again. Versions live in
/// `config_versions` (one `pending` at most) with the full set of values per version in
/// `config_values`.
public actor RuntimeSettings {
    /// A change between two sets: the key, the old value and the new one.
    public struct Change: Sendable, Equatable {
        public var key: String
        public var old: String
        public var new: String
    }

    /// What a commit or rollback changed, and which changes wait for a restart.
    public struct CommitReport: Sendable, Equatable {
        public var version: Int64
        public var changes: [Change]
        public var appliedLive: [String]
        public var needRestart: [String]
    }

    public typealias Applier = @Sendable (String) async -> Void

    let database: Database
    let clock: any BoxClock
    let logger: Logger
    private var appliers: [String: [Applier]] = [:]

    public init(database: Database, clock: any BoxClock, logger: Logger) {
        self.database = database
        self.clock = clock
        self.logger = logger.labeled("settings")
    }

    /// Registers a callback that applies a committed value of `key` at once.
    public func onCommit(_ key: String, _ applier: @escaping Applier) {
        appliers[key, default: []].append(applier)
    }

    /// The values an operator committed from the console, without defaults: the runtime lets
    /// them override the configuration file's, so a console change survives a restart.
    public static func committedOverrides(in connection: Connection) throws -> [String: String] {
        guard let version = try runningVersion(connection) else { return [:] }
        var values: [String: String] = [:]
        for row in try connection.query("SELECT key, value FROM config_values WHERE version = ?", [.integer(version)], operation: "config.overrides") {
            if let key = row["key"].string, let value = row["value"].string { values[key] = value }
        }
        return values
    }

    /// The running values, defaults filled in.
    public func running() async throws -> [String: String] {
        try await database.read { connection in try Self.values(Self.runningVersion(connection), connection) }
    }

    /// The candidate values: the running ones when nothing is pending.
    public func candidate() async throws -> [String: String] {
        try await database.read { connection in
            try Self.values(Self.pendingVersion(connection) ?? Self.runningVersion(connection), connection)
        }
    }

    /// Returns the running value of `key`, or its default.
    public func value(_ key: String) async throws -> String {
        try await running()[key] ?? SettingRegistry.definition(key)?.defaultValue ?? ""
    }

    /// Validates `value` and stores it in the candidate set, which starts as a copy of the running one.
    /// - Throws: `ConsoleError` for an unknown key or an invalid value; nothing is stored then.
    @discardableResult
    public func set(_ key: String, _ value: String, author: String) async throws -> String {
        guard let definition = SettingRegistry.definition(key) else {
            throw ConsoleError(
                .unknownSetting,
                message: LocalizedText(zh: "没有设置项“\(key)”；输入 config show 查看全部设置项。", en: "Unknown setting '\(key)'; type config show for every key."))
        }
        let normalised = try definition.validate(value)
        let now = clock.wallNow.nanosecondsSinceEpoch / 1_000_000
        try await database.transaction("config.set") { connection in
            let version: Int64
            if let pending = try Self.pendingVersion(connection) {
                version = pending
            } else {
                let running = try Self.runningVersion(connection)
                try connection.query(
                    "INSERT INTO config_versions (state, author, created_at) VALUES ('pending', ?, ?)", [.text(author), .integer(now)],
                    operation: "config.newCandidate")
                version = connection.lastInsertRowID
                if let running {
                    try connection.query(
                        "INSERT INTO config_values (version, key, value) SELECT ?, key, value FROM config_values WHERE version = ?",
                        [.integer(version), .integer(running)], operation: "config.copyRunning")
                }
            }
            try connection.query(
                "INSERT INTO config_values (version, key, value) VALUES (?, ?, ?) ON CONFLICT (version, key) DO UPDATE SET value = excluded.value",
                [.integer(version), .text(key), .text(normalised)], operation: "config.setValue")
        }
        return normalised
    }

    /// Returns the changes from the running set to the candidate, by key.
    public func diff() async throws -> [Change] {
        Self.changes(from: try await running(), to: try await candidate())
    }

    /// Makes the candidate the running set, audits it, and applies the live keys.
    /// - Returns: nil when there is no candidate.
    public func commit(author: String) async throws -> CommitReport? {
        let now = clock.wallNow.nanosecondsSinceEpoch / 1_000_000
        let result = try await database.transaction("config.commit") { connection -> (Int64, [Change])? in
            guard let pending = try Self.pendingVersion(connection) else { return nil }
            let changes = Self.changes(from: try Self.values(Self.runningVersion(connection), connection), to: try Self.values(pending, connection))
            try connection.query(
                "UPDATE config_versions SET state = 'committed', committed_at = ? WHERE version = ?", [.integer(now), .integer(pending)],
                operation: "config.commit")
            try AuditLog.append(
                actor: author, action: "config.committed", subject: "config:\(pending)",
                detail: changes.map { "\($0.key): \($0.old) -> \($0.new)" }.joined(separator: "; "), at: now, in: connection)
            return (pending, changes)
        }
        guard let (version, changes) = result else { return nil }
        return await apply(version: version, changes: changes, action: "committed")
    }

    /// Makes the previous committed set the running one again.
    /// - Returns: nil when there is no earlier committed set.
    public func rollback(author: String) async throws -> CommitReport? {
        let now = clock.wallNow.nanosecondsSinceEpoch / 1_000_000
        let result = try await database.transaction("config.rollback") { connection -> (Int64, [Change])? in
            guard let current = try Self.runningVersion(connection) else { return nil }
            let previous = try connection.query(
                "SELECT max(version) AS v FROM config_versions WHERE state = 'committed' AND version < ?", [.integer(current)],
                operation: "config.previous"
            ).first?["v"].int64
            let changes = Self.changes(from: try Self.values(current, connection), to: try Self.values(previous, connection))
            try connection.query("UPDATE config_versions SET state = 'rolled_back' WHERE version = ?", [.integer(current)], operation: "config.rollback")
            try AuditLog.append(
                actor: author, action: "config.rolledBack", subject: "config:\(current)",
                detail: "running set is now " + (previous.map { "version \($0)" } ?? "the defaults"), at: now, in: connection)
            return (previous ?? 0, changes)
        }
        guard let (version, changes) = result else { return nil }
        return await apply(version: version, changes: changes, action: "rolled back")
    }

    /// Drops the candidate; returns whether there was one.
    public func discard(author: String) async throws -> Bool {
        let now = clock.wallNow.nanosecondsSinceEpoch / 1_000_000
        return try await database.transaction("config.discard") { connection in
            guard let pending = try Self.pendingVersion(connection) else { return false }
            try connection.query("DELETE FROM config_versions WHERE version = ?", [.integer(pending)], operation: "config.discard")
            try AuditLog.append(actor: author, action: "config.discarded", subject: "config:\(pending)", at: now, in: connection)
            return true
        }
    }

    private func apply(version: Int64, changes: [Change], action: String) async -> CommitReport {
        var report = CommitReport(version: version, changes: changes, appliedLive: [], needRestart: [])
        for change in changes {
            let live = SettingRegistry.definition(change.key)?.appliesLive ?? false
            if live {
                for applier in appliers[change.key] ?? [] { await applier(change.new) }
                report.appliedLive.append(change.key)
            } else {
                report.needRestart.append(change.key)
            }
        }
        logger.notice(
            "configuration \(action)",
            ["config.version": .plain(String(version)), "config.changed": .plain(changes.map(\.key).joined(separator: ","))])
        return report
    }

    // MARK: Queries

    static func pendingVersion(_ connection: Connection) throws -> Int64? {
        try connection.query("SELECT version FROM config_versions WHERE state = 'pending'", operation: "config.pending").first?["version"].int64
    }

    static func runningVersion(_ connection: Connection) throws -> Int64? {
        try connection.query("SELECT max(version) AS v FROM config_versions WHERE state = 'committed'", operation: "config.running").first?["v"].int64
    }

    static func values(_ version: Int64?, _ connection: Connection) throws -> [String: String] {
        var values = Dictionary(uniqueKeysWithValues: SettingRegistry.definitions.map { ($0.key, $0.defaultValue) })
        guard let version else { return values }
        for row in try connection.query("SELECT key, value FROM config_values WHERE version = ?", [.integer(version)], operation: "config.values") {
            if let key = row["key"].string, let value = row["value"].string { values[key] = value }
        }
        return values
    }

    static func changes(from old: [String: String], to new: [String: String]) -> [Change] {
        SettingRegistry.keys.compactMap { key in
            let before = old[key] ?? ""
            let after = new[key] ?? ""
            return before == after ? nil : Change(key: key, old: before, new: after)
        }
    }
}
