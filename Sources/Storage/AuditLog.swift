/// The append-only record of who or what changed what, when, and on which channel.
///
/// Rows carry ids, never phone numbers or message texts: the delivery id leads to the
/// recipient for those allowed to read the database.
public enum AuditLog {
    /// Appends one row inside the caller's transaction.
    /// - Parameters:
    ///   - actor: who or what acted, such as `scheduler`, `console:admin` or `gpio:fire-1`.
    ///   - action: what happened, such as `delivery.sent` or `alert.cancelled`.
    ///   - subject: the id acted on, such as `delivery:42` or `alert:7`.
    public static func append(
        actor: String, action: String, channel: String? = nil, subject: String? = nil, detail: String? = nil, at wallMillis: Int64,
        in connection: Connection
    ) throws(StorageError) {
        try connection.query(
            "INSERT INTO audit_log (at, actor, action, channel, subject, detail) VALUES (?, ?, ?, ?, ?, ?)",
            [.integer(wallMillis), .text(actor), .text(action), SQLValue(channel), SQLValue(subject), SQLValue(detail)],
            operation: "audit.append")
    }
}
