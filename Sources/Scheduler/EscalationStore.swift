import Core
import SMS
import Storage

/// The SQL of sequenced groups' escalations.
///
/// An escalation row waits with no due time until the SMS to the group's current contact is
/// sent. Then it is due after the escalation timeout. When it falls due, the contact at
/// `next_position` gets an SMS and the row waits again. An acknowledgement from anyone in the
/// group ends it.
enum EscalationStore {
    static func insert(alertID: Int64, groupID: Int64, nextPosition: Int, in connection: Connection) throws(StorageError) {
        try connection.query(
            "INSERT OR REPLACE INTO escalations (alert_id, group_id, next_position, due_at, state) VALUES (?, ?, ?, NULL, 'waiting')",
            [.integer(alertID), .integer(groupID), .integer(Int64(nextPosition))], operation: "escalations.insert")
    }

    /// Starts the clock of every waiting escalation of `alertID` whose group has `contactID`,
    /// or brings it forward when `dueAt` is sooner than the time already set.
    static func arm(alertID: Int64, contactID: Int64, dueAt: Int64, in connection: Connection) throws(StorageError) {
        try connection.query(
            """
            UPDATE escalations SET due_at = ?
            WHERE alert_id = ? AND state = 'waiting' AND (due_at IS NULL OR due_at > ?)
                AND group_id IN (SELECT group_id FROM group_members WHERE contact_id = ?)
            """, [.integer(dueAt), .integer(alertID), .integer(dueAt), .integer(contactID)], operation: "escalations.arm")
    }

    struct Due: Sendable {
        var alertID: Int64
        var groupID: Int64
        var nextPosition: Int
    }

    static func due(at now: Int64, in connection: Connection) throws(StorageError) -> [Due] {
        try connection.query(
            "SELECT alert_id, group_id, next_position FROM escalations WHERE state = 'waiting' AND due_at <= ? ORDER BY due_at",
            [.integer(now)], operation: "escalations.due"
        ).map { Due(alertID: $0["alert_id"].int64 ?? 0, groupID: $0["group_id"].int64 ?? 0, nextPosition: $0["next_position"].int ?? 0) }
    }

    /// Returns the earliest due time of a waiting, armed escalation.
    static func nextDue(in connection: Connection) throws(StorageError) -> Int64? {
        try connection.query(
            "SELECT min(due_at) AS due FROM escalations WHERE state = 'waiting' AND due_at IS NOT NULL", operation: "escalations.nextDue"
        ).first?["due"].int64
    }

    /// Returns the group's members in order, with their first phone number and language.
    static func members(groupID: Int64, in connection: Connection) throws(StorageError) -> [(contactID: Int64, phone: String?, language: String)] {
        try connection.query(
            """
            SELECT c.id, c.language,
                (SELECT e164 FROM contact_phones p WHERE p.contact_id = c.id ORDER BY p.position, p.e164 LIMIT 1) AS phone
            FROM group_members m JOIN contacts c ON c.id = m.contact_id
            WHERE m.group_id = ? ORDER BY m.position, c.id
            """, [.integer(groupID)], operation: "escalations.members"
        ).map { (row) throws(StorageError) in
            let contactID = row["id"].int64 ?? 0
            return (contactID, try SchedulerStore.usablePhone(row["phone"].string, contactID: contactID, in: connection), row["language"].string ?? "zh")
        }
    }

    static func advance(alertID: Int64, groupID: Int64, to position: Int, in connection: Connection) throws(StorageError) {
        try connection.query(
            "UPDATE escalations SET next_position = ?, due_at = NULL WHERE alert_id = ? AND group_id = ?",
            [.integer(Int64(position)), .integer(alertID), .integer(groupID)], operation: "escalations.advance")
    }

    static func close(alertID: Int64, groupID: Int64? = nil, state: String, in connection: Connection) throws(StorageError) {
        if let groupID {
            try connection.query(
                "UPDATE escalations SET state = ?, due_at = NULL WHERE alert_id = ? AND group_id = ? AND state = 'waiting'",
                [.text(state), .integer(alertID), .integer(groupID)], operation: "escalations.closeGroup")
        } else {
            try connection.query(
                "UPDATE escalations SET state = ?, due_at = NULL WHERE alert_id = ? AND state = 'waiting'",
                [.text(state), .integer(alertID)], operation: "escalations.closeAlert")
        }
    }

    /// Ends the waiting escalations of `alertID` in every group that has `contactID`; returns how many ended.
    static func acknowledge(alertID: Int64, contactID: Int64, in connection: Connection) throws(StorageError) -> Int {
        try connection.query(
            """
            UPDATE escalations SET state = 'acknowledged', due_at = NULL
            WHERE alert_id = ? AND state = 'waiting' AND group_id IN (SELECT group_id FROM group_members WHERE contact_id = ?)
            """, [.integer(alertID), .integer(contactID)], operation: "escalations.acknowledge")
        return connection.changes
    }
}

/// Counts the SMS parts a text takes.
enum SMSSegments {
    static func count(_ text: String) throws(SMSError) -> Int {
        try Segmenter.plan(text).segments.count
    }
}
