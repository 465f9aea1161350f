import CSQLite

/// The box's SQLite database opened read-only, to read delivery states and acknowledgements
/// the way an auditor would, without taking a write lock from the box.
///
/// Each query opens the file anew: a connection kept across a restart of the box would hold
/// the WAL index of the process that died. `sqlite3_open_v2` with `SQLITE_OPEN_READONLY`.
struct BoxDatabase {
    let path: String

    /// Runs one query and returns its rows; each value is an `Int64`, a `String` or nil.
    /// A query that fails (the box is migrating, the file is busy) returns no rows.
    func rows(_ sql: String) -> [[String: Any?]] {
        var handle: OpaquePointer?
        defer { sqlite3_close(handle) }
        guard sqlite3_open_v2(path, &handle, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else { return [] }
        sqlite3_busy_timeout(handle, 5_000)
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, sql, -1, &statement, nil) == SQLITE_OK else { return [] }
        defer { sqlite3_finalize(statement) }
        var result: [[String: Any?]] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            var row: [String: Any?] = [:]
            for column in 0..<sqlite3_column_count(statement) {
                let name = String(cString: sqlite3_column_name(statement, column))
                switch sqlite3_column_type(statement, column) {
                case SQLITE_INTEGER: row[name] = sqlite3_column_int64(statement, column)
                case SQLITE_NULL: row[name] = .some(nil)
                default: row[name] = sqlite3_column_text(statement, column).map { String(cString: $0) }
                }
            }
            result.append(row)
        }
        return result
    }

    /// Runs a query and returns the column `n` of its first row as a whole number, or 0.
    func count(_ sql: String) -> Int {
        guard case let number as Int64 = rows(sql).first?["n"] ?? nil else { return 0 }
        return Int(number)
    }
}
