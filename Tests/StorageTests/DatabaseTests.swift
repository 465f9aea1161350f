import Core
import Foundation
import Testing

@testable import Storage

@Suite struct DatabaseTests {
    static let logger = Logger(label: "test", level: .critical)

    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("alertbox-db-\(UUID().uuidString.prefix(8)).sqlite").path
    }

    @Test func opensWithWALAndSchema() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = Database(path: path, logger: Self.logger)
        try await database.open(migrations: Schema.migrations)
        #expect(try await database.schemaVersion() == Schema.migrations.map(\.version).max())
        let mode = try await database.read { try $0.query("PRAGMA journal_mode", operation: "test").first?[0].string }
        #expect(mode == "wal")
        let synchronous = try await database.read { try $0.query("PRAGMA synchronous", operation: "test").first?[0].int }
        #expect(synchronous == 2)
        let foreignKeys = try await database.read { try $0.query("PRAGMA foreign_keys", operation: "test").first?[0].int }
        #expect(foreignKeys == 1)
        await database.close()
    }

    @Test func fileIsOwnerOnly() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = Database(path: path, logger: Self.logger)
        try await database.open(migrations: Schema.migrations)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        await database.close()
    }

    /// SQL built at run time must not grow the statement cache for ever. A statement that is
    /// between rows of `forEachRow` stays prepared while the queries in its body push others out.
    @Test func statementCacheKeepsItsLimit() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = Database(path: path, logger: Self.logger)
        try await database.open(migrations: Schema.migrations)
        let limit = SQLiteConnection.statementCacheLimit
        let (rows, sums, cached) = try await database.read { connection in
            var rows: [Int64] = []
            var sums: [Int64] = []
            try connection.forEachRow(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT x FROM c", operation: "test"
            ) { row in
                let x = row.int64(0) ?? 0
                rows.append(x)
                for n in 0..<(limit + 20) {
                    let sum = try connection.query("SELECT ? + \(Int(x) * 1000 + n) AS s", [.integer(1)], operation: "test").first?[0].int64
                    if n == limit + 19 { sums.append(sum ?? 0) }
                }
            }
            return (rows, sums, connection.base.cachedStatementCount)
        }
        #expect(rows == [1, 2, 3])
        #expect(sums == [1000 + Int64(limit) + 20, 2000 + Int64(limit) + 20, 3000 + Int64(limit) + 20])
        #expect(cached <= limit)
        await database.close()
    }

    @Test func migrationsApplyOnce() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        for _ in 0..<2 {
            let database = Database(path: path, logger: Self.logger)
            try await database.open(migrations: Schema.migrations)
            let count = try await database.read { try $0.query("SELECT count(*) FROM schema_migrations", operation: "test").first?[0].int }
            #expect(count == Schema.migrations.count)
            await database.close()
        }
    }

    @Test func upgradeKeepsVersionOneRows() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let old = Database(path: path, logger: Self.logger)
        try await old.open(migrations: Array(Schema.migrations.prefix(1)))
        try await old.transaction("seed") { connection in
            try connection.query(
                """
                INSERT INTO alerts (identifier, sender, sent_at, status, message_type, priority, source, created_at)
                VALUES ('a1', 'box', 1, 'Actual', 'Alert', 0, 'gpio', 1)
                """, operation: "seed alert")
            try connection.query(
                "INSERT INTO deliveries (alert_id, priority, channel, recipient_e164, created_at, updated_at) VALUES (1, 0, 'sms', '+8613800000001', 1, 1)",
                operation: "seed delivery")
        }
        await old.close()

        let upgraded = Database(path: path, logger: Self.logger)
        try await upgraded.open(migrations: Schema.migrations)
        let row = try await upgraded.read {
            try $0.query("SELECT d.language, a.audience FROM deliveries d JOIN alerts a ON a.id = d.alert_id", operation: "test").first
        }
        #expect(row?["language"].string == "zh")
        #expect(row?["audience"].string == "[]")
        await upgraded.close()
    }

    @Test func failedMigrationRollsBack() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let broken = Schema.migrations + [Migration(version: 99, name: "broken", sql: "CREATE TABLE half (x); SELECT nonsense FROM nowhere;")]
        let database = Database(path: path, logger: Self.logger)
        await #expect(throws: StorageError.self) { try await database.open(migrations: broken) }
        await database.close()

        let reopened = Database(path: path, logger: Self.logger)
        try await reopened.open(migrations: Schema.migrations)
        #expect(try await reopened.schemaVersion() == Schema.migrations.map(\.version).max())
        let half = try await reopened.read { try $0.query("SELECT count(*) FROM sqlite_master WHERE name = 'half'", operation: "test").first?[0].int }
        #expect(half == 0)
        await reopened.close()
    }

    @Test func corruptFileRefused() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        let database = Database(path: path, logger: Self.logger)
        await #expect(throws: StorageError.self) { try await database.open(migrations: Schema.migrations) }
        await database.close()
    }

    @Test func transactionRollsBackOnError() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = Database(path: path, logger: Self.logger)
        try await database.open(migrations: Schema.migrations)
        await #expect(throws: StorageError.self) {
            try await database.transaction("test") { connection in
                try connection.query("INSERT INTO groups (name, created_at) VALUES (?, 0)", ["first"], operation: "insert")
                try connection.query("INSERT INTO groups (name, created_at) VALUES (?, 0)", ["first"], operation: "duplicate")
            }
        }
        let count = try await database.read { try $0.query("SELECT count(*) FROM groups", operation: "test").first?[0].int }
        #expect(count == 0)
        await database.close()
    }

    @Test func auditLogIsAppendOnly() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = Database(path: path, logger: Self.logger)
        try await database.open(migrations: Schema.migrations)
        try await database.transaction("audit") { connection in
            try connection.query("INSERT INTO audit_log (at, actor, action) VALUES (1, 'console:admin', 'login')", operation: "audit")
        }
        await #expect(throws: StorageError.self) {
            try await database.transaction("tamper") { try $0.query("DELETE FROM audit_log", operation: "delete") }
        }
        await database.close()
    }

    @Test func backupIsConsistentCopy() async throws {
        let path = Self.temporaryPath()
        let copy = path + ".backup"
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: copy)
        }
        let database = Database(path: path, logger: Self.logger)
        try await database.open(migrations: Schema.migrations)
        try await database.transaction("seed") { try $0.query("INSERT INTO groups (name, created_at) VALUES ('保安', 0)", operation: "seed") }
        try await database.backup(to: copy)
        await database.close()

        let restored = Database(path: copy, logger: Self.logger)
        try await restored.open(migrations: Schema.migrations)
        let name = try await restored.read { try $0.query("SELECT name FROM groups", operation: "test").first?[0].string }
        #expect(name == "保安")
        #expect(try await restored.integrityCheck() == "ok")
        await restored.close()
    }

    @Test func errorsHideBoundValues() async throws {
        let path = Self.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = Database(path: path, logger: Self.logger)
        try await database.open(migrations: Schema.migrations)
        do {
            try await database.transaction("insert delivery") { connection in
                // A delivery with neither recipient nor target violates a CHECK constraint.
                try connection.query(
                    "INSERT INTO deliveries (alert_id, priority, channel, recipient_e164, target_id, created_at, updated_at) VALUES (1, 0, 'sms', ?, 5, 0, 0)",
                    ["+8613800000001"], operation: "deliveries.insert")
            }
            Issue.record("expected a constraint error")
        } catch {
            #expect(!String(describing: error).contains("13800000001"))
            #expect(String(describing: error).contains("deliveries.insert"))
        }
        await database.close()
    }
}
