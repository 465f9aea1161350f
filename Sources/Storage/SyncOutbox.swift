/// Events waiting to go upstream (SMS sent, status reports, replies, acknowledgements), kept
/// in the order they happened until the uplink takes them.
///
/// Each event has an idempotency key, so writing the same event twice keeps one row, and the
/// receiver can drop a repeat when the box sent an event but lost power before it recorded
/// the acknowledgement.
public enum SyncOutbox {
    /// An event as the sync worker reads it.
    public struct Entry: Sendable, Equatable {
        public var id: Int64
        public var key: String
        public var kind: String
        /// The event as a JSON object.
        public var payload: String
        public var createdAt: Int64
        public var attempts: Int
    }

    /// Appends an event inside the caller's transaction; a key already present is ignored.
    public static func append(kind: String, key: String, payload: String, at wallMillis: Int64, in connection: Connection) throws(StorageError) {
        try connection.query(
            "INSERT OR IGNORE INTO sync_outbox (idempotency_key, kind, payload, created_at) VALUES (?, ?, ?, ?)",
            [.text(key), .text(kind), .text(payload), .integer(wallMillis)], operation: "syncOutbox.append")
    }

    /// Returns the oldest events not yet taken upstream, in the order they happened.
    public static func unsynced(limit: Int, in connection: Connection) throws(StorageError) -> [Entry] {
        try connection.query(
            """
            SELECT id, idempotency_key, kind, payload, created_at, attempts FROM sync_outbox
            WHERE synced_at IS NULL ORDER BY id LIMIT ?
            """, [.integer(Int64(limit))], operation: "syncOutbox.unsynced"
        ).map {
            Entry(
                id: $0["id"].int64 ?? 0, key: $0["idempotency_key"].string ?? "", kind: $0["kind"].string ?? "",
                payload: $0["payload"].string ?? "{}", createdAt: $0["created_at"].int64 ?? 0, attempts: $0["attempts"].int ?? 0)
        }
    }

    /// Marks an event as taken upstream.
    public static func markSynced(_ id: Int64, at wallMillis: Int64, in connection: Connection) throws(StorageError) {
        try connection.query(
            "UPDATE sync_outbox SET synced_at = ?, attempts = attempts + 1 WHERE id = ?", [.integer(wallMillis), .integer(id)],
            operation: "syncOutbox.markSynced")
    }

    /// Counts a failed attempt to send an event upstream.
    public static func recordFailedAttempt(_ id: Int64, in connection: Connection) throws(StorageError) {
        try connection.query("UPDATE sync_outbox SET attempts = attempts + 1 WHERE id = ?", [.integer(id)], operation: "syncOutbox.attempt")
    }

    /// Counts the events not yet taken upstream.
    public static func backlog(in connection: Connection) throws(StorageError) -> Int {
        try connection.query("SELECT count(*) AS n FROM sync_outbox WHERE synced_at IS NULL", operation: "syncOutbox.backlog").first?["n"].int ?? 0
    }
}
