/// A numbered schema change, applied once in its own transaction.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String
    /// Whether the migration rebuilds a table (create a copy, move the rows, drop, rename),
    /// the way SQLite changes a constraint. Foreign keys are then off while it runs, because
    /// dropping the old table would otherwise cascade to the rows that refer to it, and
    /// `PRAGMA foreign_key_check` must find nothing before it commits.
    public let rebuildsTables: Bool

    public init(version: Int, name: String, sql: String, rebuildsTables: Bool = false) {
        self.version = version
        self.name = name
        self.sql = sql
        self.rebuildsTables = rebuildsTables
    }
}
