import CCrypto
import Core
import SMS
import Storage

/// An alert that an SMS command raised, as a cancel needs it.
struct RaisedAlert: Sendable, Equatable {
    var alertID: Int64
    var identifier: String
    var sender: String
    var sentAt: Int64
    var state: String
    var triggerName: String
}

/// The SQLite side of the SMS command path: lockouts, handled commands and raised alerts.
enum SMSCommandStore {
    /// Handled commands are kept this long; older copies are far outside any replay window.
    static let seenRetention: Int64 = 86_400_000

    static func lockout(for e164: String, in connection: Connection) throws(StorageError) -> SenderLockout {
        guard
            let row = try connection.query(
                "SELECT failures, locked_until FROM sms_command_senders WHERE e164 = ?", [.text(e164)], operation: "smsCommandSenders.read"
            ).first
        else { return SenderLockout() }
        let failures = (row["failures"].string ?? "").split(separator: ",").compactMap { Int64($0) }
        return SenderLockout(failures: failures, lockedUntil: row["locked_until"].int64)
    }

    static func save(_ lockout: SenderLockout, for e164: String, at now: Int64, in connection: Connection) throws(StorageError) {
        try connection.query(
            """
            INSERT INTO sms_command_senders (e164, failures, locked_until, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (e164) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until, updated_at = excluded.updated_at
            """,
            [.text(e164), .text(lockout.failures.map(String.init).joined(separator: ",")), SQLValue(lockout.lockedUntil), .integer(now)],
            operation: "smsCommandSenders.save")
    }

    /// Records a command as handled; returns false when the same command was handled before.
    static func claim(sender e164: String, serviceCentreTime: Int64, textHash: String, at now: Int64, in connection: Connection) throws(StorageError)
        -> Bool
    {
        try connection.query("DELETE FROM sms_command_seen WHERE at < ?", [.integer(now - seenRetention)], operation: "smsCommandSeen.prune")
        try connection.query(
            "INSERT OR IGNORE INTO sms_command_seen (e164, scts, text_sha256, at) VALUES (?, ?, ?, ?)",
            [.text(e164), .integer(serviceCentreTime), .text(textHash), .integer(now)], operation: "smsCommandSeen.claim")
        return connection.changes == 1
    }

    static func recordAlert(_ alertID: Int64, raisedBy e164: String, trigger: String, at now: Int64, in connection: Connection) throws(StorageError) {
        try connection.query(
            "INSERT OR REPLACE INTO sms_command_alerts (alert_id, e164, trigger_name, at) VALUES (?, ?, ?, ?)",
            [.integer(alertID), .text(e164), .text(trigger), .integer(now)], operation: "smsCommandAlerts.insert")
    }

    /// Returns the alert with row id `alertID` if an SMS command raised it.
    static func raisedAlert(_ alertID: Int64, in connection: Connection) throws(StorageError) -> RaisedAlert? {
        try connection.query(
            """
            SELECT a.id, a.identifier, a.sender, a.sent_at, a.state, s.trigger_name FROM sms_command_alerts s JOIN alerts a ON a.id = s.alert_id
            WHERE s.alert_id = ?
            """, [.integer(alertID)], operation: "smsCommandAlerts.byID"
        ).first.map(raisedAlert)
    }

    /// Returns the latest alert that `e164` raised by SMS and that is still active.
    static func latestActiveAlert(raisedBy e164: String, in connection: Connection) throws(StorageError) -> RaisedAlert? {
        try connection.query(
            """
            SELECT a.id, a.identifier, a.sender, a.sent_at, a.state, s.trigger_name FROM sms_command_alerts s JOIN alerts a ON a.id = s.alert_id
            WHERE s.e164 = ? AND a.state = 'active' ORDER BY s.at DESC, s.alert_id DESC LIMIT 1
            """, [.text(e164)], operation: "smsCommandAlerts.latest"
        ).first.map(raisedAlert)
    }

    private static func raisedAlert(_ row: Row) -> RaisedAlert {
        RaisedAlert(
            alertID: row["id"].int64 ?? 0, identifier: row["identifier"].string ?? "", sender: row["sender"].string ?? "",
            sentAt: row["sent_at"].int64 ?? 0, state: row["state"].string ?? "", triggerName: row["trigger_name"].string ?? "")
    }

    /// Returns the SHA-256 of `text` in lower-case hex. `EVP_Digest(3)` with `EVP_sha256()`.
    static func sha256(_ text: String) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let bytes = Array(text.utf8)
        let status = bytes.withUnsafeBufferPointer { buffer in
            EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, EVP_sha256(), nil)
        }
        // EVP_Digest fails only when libcrypto cannot allocate. The text itself is then the
        // key, which is safe because callers pass the masked text, never one with a PIN.
        guard status == 1 else { return text }
        return Hex.encode(digest).lowercased()
    }
}
