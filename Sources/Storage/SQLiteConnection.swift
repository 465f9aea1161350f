import CSQLite
import Glibc

/// One SQLite connection with a cache of prepared statements.
///
/// It is not thread-safe: the `Database` actor owns it and uses it only on its own thread.
/// Statements are prepared once per SQL text, reset after each use and finalized on close.
/// The cache keeps at most `statementCacheLimit` of them, so that SQL text built at run time
/// cannot grow the memory of a box that runs for months.
/// `sqlite3_open_v2`, `sqlite3_prepare_v3`, `sqlite3_step`.
final class SQLiteConnection {
    private struct CachedStatement {
        let handle: OpaquePointer
        var lastUse: UInt64
    }

    /// Maximum number of prepared statements kept. The box's code has about 140 query call
    /// sites, so only SQL built at run time should ever be finalized early.
    static let statementCacheLimit = 256

    private var handle: OpaquePointer?
    private var statements: [String: CachedStatement] = [:]
    private var useCount: UInt64 = 0
    let path: String

    /// Opens or creates the database at `path`; a new file is created owner-only.
    init(path: String) throws(StorageError) {
        self.path = path
        if path != ":memory:" {
            // SQLite creates files with 0644; creating it first keeps it (and its WAL and
            // shared-memory files, which copy its mode) readable by the owner only.
            let descriptor = Glibc.open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
            if descriptor >= 0 { Glibc.close(descriptor) }
        }
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX
        let status = sqlite3_open_v2(path, &opened, flags, nil)
        guard status == SQLITE_OK, let opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(opened)
            throw StorageError(operation: "open database", code: status, message: message)
        }
        handle = opened
        sqlite3_extended_result_codes(opened, 1)
    }

    deinit {
        close()
    }

    func close() {
        for statement in statements.values {
            sqlite3_finalize(statement.handle)
        }
        statements = [:]
        if let handle {
            sqlite3_close_v2(handle)
        }
        handle = nil
    }

    private func error(_ operation: String, _ status: Int32) -> StorageError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? "connection closed"
        return StorageError(operation: operation, code: sqlite3_extended_errcode(handle), message: status == SQLITE_OK ? "" : message)
    }

    /// Runs SQL without parameters, several statements allowed.
    func execute(_ sql: String, operation: String) throws(StorageError) {
        let status = sqlite3_exec(handle, sql, nil, nil, nil)
        guard status == SQLITE_OK else { throw error(operation, status) }
    }

    /// Runs one statement with `values` bound to its parameters in order and returns its rows.
    @discardableResult
    func query(_ sql: String, _ values: [SQLValue] = [], operation: String) throws(StorageError) -> [Row] {
        let statement = try prepared(sql, operation: operation)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(values, to: statement, operation: operation)

        var rows: [Row] = []
        let columnCount = sqlite3_column_count(statement)
        let names = ColumnNames((0..<columnCount).map { String(cString: sqlite3_column_name(statement, $0)) })
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw error(operation, status) }
            rows.append(Row(names: names, values: (0..<columnCount).map { column(statement, $0) }))
        }
        return rows
    }

    /// Runs one statement and hands each row to `body` as it is stepped, without building a
    /// `Row` per result: for results of many rows where the caller reads a few columns.
    func forEachRow(_ sql: String, _ values: [SQLValue], operation: String, _ body: (ColumnReader) throws -> Void) throws {
        let statement = try prepared(sql, operation: operation)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(values, to: statement, operation: operation)
        while true {
            let status = sqlite3_step(statement)
            if status == SQLITE_DONE { break }
            guard status == SQLITE_ROW else { throw error(operation, status) }
            try body(ColumnReader(statement: statement))
        }
    }

    /// Runs one statement for each set of values, reusing the prepared statement.
    func executeMany(_ sql: String, _ rows: [[SQLValue]], operation: String) throws(StorageError) {
        let statement = try prepared(sql, operation: operation)
        for values in rows {
            try bind(values, to: statement, operation: operation)
            let status = sqlite3_step(statement)
            sqlite3_reset(statement)
            guard status == SQLITE_DONE || status == SQLITE_ROW else { throw error(operation, status) }
        }
        sqlite3_clear_bindings(statement)
    }

    var lastInsertRowID: Int64 {
        sqlite3_last_insert_rowid(handle)
    }

    var changes: Int {
        Int(sqlite3_changes(handle))
    }

    /// The number of prepared statements in the cache.
    var cachedStatementCount: Int { statements.count }

    private func prepared(_ sql: String, operation: String) throws(StorageError) -> OpaquePointer {
        useCount += 1
        if let cached = statements[sql] {
            statements[sql]?.lastUse = useCount
            return cached.handle
        }
        var statement: OpaquePointer?
        let status = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard status == SQLITE_OK, let statement else { throw error("prepare \(operation)", status) }
        if statements.count >= Self.statementCacheLimit {
            finalizeLeastRecentlyUsed()
        }
        statements[sql] = CachedStatement(handle: statement, lastUse: useCount)
        return statement
    }

    /// Finalizes the statement used longest ago and skips any still stepping, because
    /// `forEachRow` may run other queries while its own statement is between rows.
    private func finalizeLeastRecentlyUsed() {
        let idle = statements.filter { sqlite3_stmt_busy($0.value.handle) == 0 }
        guard let oldest = idle.min(by: { $0.value.lastUse < $1.value.lastUse }) else { return }
        sqlite3_finalize(oldest.value.handle)
        statements[oldest.key] = nil
    }

    private func bind(_ values: [SQLValue], to statement: OpaquePointer, operation: String) throws(StorageError) {
        let expected = Int(sqlite3_bind_parameter_count(statement))
        guard values.count == expected else {
            throw StorageError(operation: operation, code: 0, message: "statement takes \(expected) values, got \(values.count)")
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .null: status = sqlite3_bind_null(statement, index)
            case .integer(let number): status = sqlite3_bind_int64(statement, index, number)
            case .real(let number): status = sqlite3_bind_double(statement, index, number)
            case .text(let text): status = sqlite3_bind_text(statement, index, text, -1, alertbox_sqlite_transient())
            case .blob(let bytes):
                status = bytes.withUnsafeBytes { buffer in
                    sqlite3_bind_blob(statement, index, buffer.baseAddress, Int32(buffer.count), alertbox_sqlite_transient())
                }
            }
            guard status == SQLITE_OK else { throw error(operation, status) }
        }
    }

    private func column(_ statement: OpaquePointer, _ index: Int32) -> SQLValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(statement, index)))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let pointer = sqlite3_column_blob(statement, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: pointer, count: count)))
        default: return .null
        }
    }
}

/// The current row of a statement being stepped, read by column position.
///
/// Valid only inside the `forEachRow` callback that received it.
public struct ColumnReader {
    let statement: OpaquePointer

    public func isNull(_ index: Int32) -> Bool {
        sqlite3_column_type(statement, index) == SQLITE_NULL
    }

    /// Returns the column as an integer, or nil when it is NULL.
    public func int64(_ index: Int32) -> Int64? {
        isNull(index) ? nil : sqlite3_column_int64(statement, index)
    }

    /// Returns the column as text, or nil when it is NULL.
    public func string(_ index: Int32) -> String? {
        guard let text = sqlite3_column_text(statement, index) else { return nil }
        return String(cString: text)
    }
}
