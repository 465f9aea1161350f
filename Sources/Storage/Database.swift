public import Core
import CSQLite
import Foundation
import Hardware

/// The box's SQLite database, owned by one actor on its own thread.
///
/// It runs in WAL mode with `synchronous=FULL`, because the box loses power, with foreign
/// keys on and a busy timeout. At open it checks the file's integrity and refuses to run on a
/// damaged one, then applies the migrations it has not applied yet, each in its own
/// transaction. Reads and writes go through `read` and `transaction`, whose closures run on
/// the database thread with the connection.
public actor Database {
    nonisolated let loop: EventLoop
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        loop.asUnownedSerialExecutor()
    }

    public nonisolated let path: String
    private var connection: SQLiteConnection?
    private let logger: Logger

    /// Opens the database; call `open(migrations:)` before use.
    public init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger.with("db.path", .plain(path))
        loop = EventLoop(name: "database \(path)")
    }

    /// Opens the file, checks it, sets the pragmas and applies pending migrations.
    /// - Throws: `StorageError` when the file is damaged (`isCorruption`), or a migration fails.
    public func open(migrations: [Migration]) throws(StorageError) {
        let connection = try SQLiteConnection(path: path)
        self.connection = connection
        try connection.execute("PRAGMA busy_timeout = 5000", operation: "set busy timeout")

        // NOTE: quick_check reads every page and row but skips index-to-table consistency; on
        // 1,000,000 deliveries it took 9 s here against 14 s for the full integrity_check,
        // which `integrityCheck()` runs on demand.
        let check = try connection.query("PRAGMA quick_check", operation: "integrity check")
        let verdict = check.first?[0].string ?? "no result"
        guard verdict == "ok" else {
            connection.close()
            self.connection = nil
            logger.critical("database damaged; refusing to run", ["db.check": .plain(verdict)])
            throw StorageError(
                operation: "integrity check", code: 11,
                message: "\(verdict); restore the latest backup or move the file aside so a new one is created")
        }

        let mode = try connection.query("PRAGMA journal_mode = WAL", operation: "set WAL mode").first?[0].string
        guard mode == "wal" || path == ":memory:" else {
            throw StorageError(operation: "set WAL mode", code: 0, message: "journal mode stayed \(mode ?? "unknown")")
        }
        try connection.execute("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", operation: "set pragmas")
        try migrate(connection, migrations)
    }

    /// Closes the connection and stops the database thread.
    public func close() {
        connection?.close()
        connection = nil
        loop.shutdown()
    }

    private func migrate(_ connection: SQLiteConnection, _ migrations: [Migration]) throws(StorageError) {
        try connection.execute(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                applied_at INTEGER NOT NULL
            )
            """, operation: "create schema_migrations")
        let applied = Set(try connection.query("SELECT version FROM schema_migrations", operation: "read schema version").compactMap { $0[0].int })
        for migration in migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(migration.version) {
            let operation = "migration \(migration.version) (\(migration.name))"
            // The pragma has no effect inside a transaction, so it goes before BEGIN.
            if migration.rebuildsTables {
                try connection.execute("PRAGMA foreign_keys = OFF", operation: operation)
            }
            defer {
                if migration.rebuildsTables {
                    try? connection.execute("PRAGMA foreign_keys = ON", operation: operation)
                }
            }
            try connection.execute("BEGIN IMMEDIATE", operation: operation)
            do throws(StorageError) {
                try connection.execute(migration.sql, operation: operation)
                if migration.rebuildsTables {
                    let violations = try connection.query("PRAGMA foreign_key_check", operation: operation)
                    guard violations.isEmpty else {
                        throw StorageError(
                            operation: operation, code: 0,
                            message: "\(violations.count) rows break a foreign key after the rebuild; the migration was rolled back")
                    }
                }
                try connection.query(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    [.integer(Int64(migration.version)), .text(migration.name), .integer(Int64(Date().timeIntervalSince1970))],
                    operation: operation)
                try connection.execute("PRAGMA user_version = \(migration.version)", operation: operation)
                try connection.execute("COMMIT", operation: operation)
            } catch {
                try? connection.execute("ROLLBACK", operation: operation)
                throw error
            }
            logger.notice("migration applied", ["db.version": .plain(String(migration.version)), "db.migration": .plain(migration.name)])
        }
    }

    /// The highest migration applied.
    public func schemaVersion() throws(StorageError) -> Int {
        try requireConnection().query("PRAGMA user_version", operation: "read user_version").first?[0].int ?? 0
    }

    private func requireConnection() throws(StorageError) -> SQLiteConnection {
        guard let connection else {
            throw StorageError(operation: "use database", code: 0, message: "database is not open; call open(migrations:) first")
        }
        return connection
    }

    /// Runs `body` with the connection, outside a transaction, for reads.
    public func read<T: Sendable>(_ body: (Connection) throws -> T) throws -> T {
        try body(Connection(base: try requireConnection()))
    }

    /// Runs `body` in an immediate transaction: all of it commits, or none of it.
    @discardableResult
    public func transaction<T: Sendable>(_ operation: String, _ body: (Connection) throws -> T) throws -> T {
        let connection = try requireConnection()
        try connection.execute("BEGIN IMMEDIATE", operation: operation)
        do {
            let result = try body(Connection(base: connection))
            try connection.execute("COMMIT", operation: operation)
            return result
        } catch {
            try? connection.execute("ROLLBACK", operation: operation)
            throw error
        }
    }

    /// Writes a consistent copy of the database to `destination` with `VACUUM INTO`, while
    /// the box keeps running.
    public func backup(to destination: String) throws(StorageError) {
        // VACUUM INTO fills an empty file and keeps its mode, so the copy is never readable
        // by others, not even while it is written.
        let descriptor = Glibc.open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 { Glibc.close(descriptor) }
        try requireConnection().query("VACUUM INTO ?", [.text(destination)], operation: "backup")
        chmod(destination, 0o600)
    }

    /// Runs the full `PRAGMA integrity_check`; returns its verdict, `ok` when sound.
    public func integrityCheck() throws(StorageError) -> String {
        let rows = try requireConnection().query("PRAGMA integrity_check", operation: "integrity check")
        return rows.compactMap { $0[0].string }.joined(separator: "; ")
    }
}

/// The connection as the closures of `read` and `transaction` see it.
public struct Connection {
    let base: SQLiteConnection

    /// Runs one statement and returns its rows; `operation` names it in errors.
    @discardableResult
    public func query(_ sql: String, _ values: [SQLValue] = [], operation: String) throws(StorageError) -> [Row] {
        try base.query(sql, values, operation: operation)
    }

    /// Runs one statement and hands each row to `body` by column position, for large results.
    public func forEachRow(_ sql: String, _ values: [SQLValue] = [], operation: String, _ body: (ColumnReader) throws -> Void) throws {
        try base.forEachRow(sql, values, operation: operation, body)
    }

    /// Runs one statement once per set of values.
    public func executeMany(_ sql: String, _ rows: [[SQLValue]], operation: String) throws(StorageError) {
        try base.executeMany(sql, rows, operation: operation)
    }

    public var lastInsertRowID: Int64 {
        base.lastInsertRowID
    }

    public var changes: Int {
        base.changes
    }
}
