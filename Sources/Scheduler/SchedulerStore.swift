import Alerting
import Foundation
import Core
import SMS
import Storage

/// An alert row as the scheduler reads it back.
struct StoredAlert: Sendable {
    var id: Int64
    var identifier: String
    var sender: String
    var priority: Int
    var status: String
    var state: String
    var expiresAt: Int64?
    var audience: [String]
    var event: String?

    init(_ row: Row) {
        id = row["id"].int64 ?? 0
        identifier = row["identifier"].string ?? ""
        sender = row["sender"].string ?? ""
        priority = row["priority"].int ?? 3
        status = row["status"].string ?? "Actual"
        state = row["state"].string ?? "active"
        expiresAt = row["expires_at"].int64
        audience = JSONText.stringArray(row["audience"].string ?? "[]")
        event = row["event"].string
    }

    /// The state a pending or interrupted delivery of this closed alert takes.
    var closedDeliveryState: String {
        switch state {
        case "superseded": "superseded"
        case "expired": "expired"
        default: "cancelled"
        }
    }
}

/// The audience of an alert, resolved from its group names.
struct ResolvedAudience: Sendable {
    var recipients: [PlanRecipient] = []
    var sequences: [PlanSequence] = []
    var targets: [PlanTarget] = []
    /// Group names that matched no group.
    var unknownGroups: [String] = []
    /// Contacts with no valid phone number, who can get no SMS.
    var unreachableContacts: [Int64] = []
}

/// The SQL the scheduler runs, each statement backed by an index of the schema.
enum SchedulerStore {
    static let alertColumns = "id, identifier, sender, priority, status, state, expires_at, audience, event"

    /// Inserts the alert row and its texts; returns its id.
    static func insertAlert(_ alert: Alert, state: String, at now: Int64, in connection: Connection) throws(StorageError) -> Int64 {
        try connection.query(
            """
            INSERT INTO alerts (identifier, sender, sent_at, status, message_type, references_text, priority, urgency, severity,
                certainty, expires_at, source, state, created_at, trigger_key, audience, event)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(alert.identifier), .text(alert.sender), .integer(alert.sentAt), .text(alert.status.rawValue),
                .text(alert.messageType.rawValue),
                SQLValue(alert.references.isEmpty ? nil : alert.references.map { "\($0.sender),\($0.identifier),\($0.sent)" }.joined(separator: " ")),
                .integer(Int64(alert.priority.rawValue)), SQLValue(alert.urgency?.rawValue), SQLValue(alert.severity?.rawValue),
                SQLValue(alert.certainty?.rawValue), SQLValue(alert.expiresAt), .text(alert.source.rawValue), .text(state), .integer(now),
                SQLValue(alert.triggerKey), .text(JSONText.array(alert.audience)), SQLValue(alert.event),
            ], operation: "alerts.insert")
        let alertID = connection.lastInsertRowID
        try connection.executeMany(
            "INSERT INTO alert_texts (alert_id, language, headline, sms_text, im_text, im_renders) VALUES (?, ?, ?, ?, ?, ?)",
            alert.texts.map {
                [
                    .integer(alertID), .text($0.language.rawValue), SQLValue($0.headline), .text($0.smsText), .text($0.imText),
                    .text(IMRenderJSON.encode($0.imRenders)),
                ]
            },
            operation: "alertTexts.insert")
        return alertID
    }

    /// Returns the alert a sender sent with `identifier`: CAP identifiers are unique per sender.
    static func alert(sender: String, identifier: String, in connection: Connection) throws(StorageError) -> StoredAlert? {
        try connection.query(
            "SELECT \(alertColumns) FROM alerts WHERE sender = ? AND identifier = ?", [.text(sender), .text(identifier)],
            operation: "alerts.byIdentifier"
        ).first.map(StoredAlert.init)
    }

    static func alert(id: Int64, in connection: Connection) throws(StorageError) -> StoredAlert? {
        try connection.query("SELECT \(alertColumns) FROM alerts WHERE id = ?", [.integer(id)], operation: "alerts.byID").first.map(StoredAlert.init)
    }

    /// Returns the latest alert the same trigger raised since `since`.
    static func alert(triggerKey: String, since: Int64, in connection: Connection) throws(StorageError) -> StoredAlert? {
        try connection.query(
            // A cancelled alert does not hold back the next press: the first was a false alarm.
            "SELECT \(alertColumns) FROM alerts WHERE trigger_key = ? AND created_at > ? AND state != 'cancelled' ORDER BY created_at DESC LIMIT 1",
            [.text(triggerKey), .integer(since)], operation: "alerts.byTrigger"
        ).first.map(StoredAlert.init)
    }

    static func texts(alertID: Int64, in connection: Connection) throws(StorageError) -> [AlertText] {
        try connection.query(
            "SELECT language, headline, sms_text, im_text, im_renders FROM alert_texts WHERE alert_id = ?", [.integer(alertID)],
            operation: "alertTexts.read"
        ).map {
            AlertText(
                language: Language(code: $0["language"].string ?? "zh") ?? .chinese, headline: $0["headline"].string,
                smsText: $0["sms_text"].string ?? "", imText: $0["im_text"].string ?? "",
                imRenders: IMRenderJSON.decode($0["im_renders"].string ?? "{}"))
        }
    }

    static func setAlertState(_ alertID: Int64, _ state: String, in connection: Connection) throws(StorageError) {
        try connection.query("UPDATE alerts SET state = ? WHERE id = ?", [.text(state), .integer(alertID)], operation: "alerts.setState")
    }

    /// Closes an alert whose expiry has passed: its pending deliveries and waiting
    /// escalations end, its state becomes `expired`, and an audit row records it. Returns
    /// how many pending deliveries closed.
    @discardableResult
    static func expire(_ alertID: Int64, cause: String, at now: Int64, in connection: Connection) throws(StorageError) -> Int {
        let closed = try DeliveryStore.closePending(alertID: alertID, state: "expired", cause: cause, at: now, in: connection)
        try EscalationStore.close(alertID: alertID, state: "cancelled", in: connection)
        try setAlertState(alertID, "expired", in: connection)
        try AuditLog.append(
            actor: "scheduler", action: "alert.expired", subject: "alert:\(alertID)", detail: "\(closed) pending deliveries closed",
            at: now, in: connection)
        return closed
    }

    /// Resolves group names into members with their first phone number, sequenced groups and
    /// enabled IM targets.
    static func resolve(_ groups: [String], in connection: Connection) throws -> ResolvedAudience {
        var audience = ResolvedAudience()
        let names = JSONText.array(groups)
        let known = Set(
            try connection.query("SELECT name FROM groups WHERE name IN (SELECT value FROM json_each(?))", [.text(names)], operation: "groups.known")
                .compactMap { $0["name"].string })
        audience.unknownGroups = groups.filter { !known.contains($0) }

        // The planner orders recipients itself; only sequenced groups need member order, so
        // they are sorted here instead of sorting every row in SQL. Rows are read by position
        // because an audience may have 100,000 of them.
        var sequences: [Int64: [(position: Int, contactID: Int64)]] = [:]
        var recipients: [PlanRecipient] = []
        try connection.forEachRow(
            """
            SELECT c.id, c.name, c.language, c.role_rank, c.quiet_start_minute, c.quiet_end_minute, g.id, g.sequenced, m.position,
                (SELECT e164 FROM contact_phones p WHERE p.contact_id = c.id ORDER BY p.position, p.e164 LIMIT 1)
            FROM groups g
            JOIN group_members m ON m.group_id = g.id
            JOIN contacts c ON c.id = m.contact_id
            WHERE g.name IN (SELECT value FROM json_each(?))
            """, [.text(names)], operation: "audience.members"
        ) { row in
            let contactID = row.int64(0) ?? 0
            let phone = try usablePhone(row.string(9), contactID: contactID, in: connection)
            if phone == nil { audience.unreachableContacts.append(contactID) }
            recipients.append(
                PlanRecipient(
                    contactID: contactID, name: row.string(1) ?? "", phones: phone.map { [$0] } ?? [],
                    roleRank: Int(row.int64(3) ?? 100), quietStartMinute: row.int64(4).map { Int($0) },
                    quietEndMinute: row.int64(5).map { Int($0) }, language: row.string(2) == "en" ? .english : .chinese))
            if row.int64(7) == 1, let groupID = row.int64(6) {
                sequences[groupID, default: []].append((Int(row.int64(8) ?? 0), contactID))
            }
        }
        audience.recipients = recipients
        audience.sequences = sequences.keys.sorted().map { groupID in
            let members = sequences[groupID]!.sorted { ($0.position, $0.contactID) < ($1.position, $1.contactID) }  // The key comes from `sequences`.
            return PlanSequence(groupID: groupID, contactIDs: members.map(\.contactID))
        }

        audience.targets = try connection.query(
            """
            SELECT DISTINCT t.id, t.channel FROM im_targets t
            JOIN im_target_groups tg ON tg.target_id = t.id
            JOIN groups g ON g.id = tg.group_id
            WHERE t.enabled = 1 AND g.name IN (SELECT value FROM json_each(?))
            ORDER BY t.id
            """, [.text(names)], operation: "audience.targets"
        ).map { PlanTarget(targetID: $0["id"].int64 ?? 0, channel: $0["channel"].string ?? "") }
        return audience
    }

    /// Returns the members, with their first valid phone number, of the groups an IM target serves.
    static func members(servedBy targetID: Int64, in connection: Connection) throws(StorageError) -> [PlanRecipient] {
        try connection.query(
            """
            SELECT DISTINCT c.id, c.name, c.language, c.role_rank, c.quiet_start_minute, c.quiet_end_minute,
                (SELECT e164 FROM contact_phones p WHERE p.contact_id = c.id ORDER BY p.position, p.e164 LIMIT 1) AS phone
            FROM im_target_groups tg
            JOIN group_members m ON m.group_id = tg.group_id
            JOIN contacts c ON c.id = m.contact_id
            WHERE tg.target_id = ?
            """, [.integer(targetID)], operation: "audience.byTarget"
        ).map { (row) throws(StorageError) -> PlanRecipient in
            let contactID = row["id"].int64 ?? 0
            return PlanRecipient(
                contactID: contactID, name: row["name"].string ?? "",
                phones: try usablePhone(row["phone"].string, contactID: contactID, in: connection).map { [$0] } ?? [],
                roleRank: row["role_rank"].int ?? 100, quietStartMinute: row["quiet_start_minute"].int,
                quietEndMinute: row["quiet_end_minute"].int, language: Language(code: row["language"].string ?? "zh") ?? .chinese)
        }
    }

    /// Returns a contact's number as E.164 when it can take an SMS: the first stored number,
    /// else the first of the others that parses.
    ///
    /// Numbers come in through imports and the console, which check them, but a database
    /// edited by hand may hold anything. A number already in E.164 takes a byte check, so an
    /// audience of 100,000 costs no full parse.
    static func usablePhone(_ first: String?, contactID: Int64, in connection: Connection) throws(StorageError) -> String? {
        if let first, isPlainE164(first) { return first }
        if let first, let number = try? PhoneNumber(parsing: first) { return number.e164 }
        let others = try connection.query(
            "SELECT e164 FROM contact_phones WHERE contact_id = ? ORDER BY position, e164", [.integer(contactID)], operation: "contactPhones.all")
        for row in others {
            if let stored = row["e164"].string, let number = try? PhoneNumber(parsing: stored) { return number.e164 }
        }
        return nil
    }

    /// Returns whether the text is `+` and 8 to 15 digits, the first not 0.
    static func isPlainE164(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count >= 9, bytes.count <= 16, bytes[0] == UInt8(ascii: "+"), bytes[1] != UInt8(ascii: "0") else { return false }
        return bytes.dropFirst().allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// Returns the active alerts and IM targets whose IM deliveries are in one of `states`,
    /// at one of `priorities`, and optionally for one target: the deliveries that may need
    /// an SMS fallback. Ordered by priority, then alert.
    static func unreachedIM(
        priorities: [Int], states: [String], targetID: Int64? = nil, in connection: Connection
    ) throws(StorageError) -> [(alertID: Int64, targetID: Int64)] {
        try connection.query(
            """
            SELECT DISTINCT a.priority, d.alert_id, d.target_id FROM deliveries d JOIN alerts a ON a.id = d.alert_id
            WHERE a.state = 'active' AND a.priority IN (SELECT value FROM json_each(?)) AND d.target_id IS NOT NULL
                AND d.target_id = coalesce(?, d.target_id) AND d.state IN (SELECT value FROM json_each(?))
            ORDER BY a.priority, d.alert_id, d.target_id
            """,
            [.text("[" + priorities.map(String.init).joined(separator: ",") + "]"), SQLValue(targetID), .text(JSONText.array(states))],
            operation: "deliveries.unreachedIM"
        ).map { ($0["alert_id"].int64 ?? 0, $0["target_id"].int64 ?? 0) }
    }

    /// Returns the SMS recipients an alert already has, in any state, so fallback adds no second SMS.
    static func smsRecipients(alertID: Int64, in connection: Connection) throws(StorageError) -> Set<String> {
        Set(
            try connection.query(
                "SELECT recipient_e164 FROM deliveries WHERE alert_id = ? AND channel = 'sms'", [.integer(alertID)],
                operation: "deliveries.smsRecipients"
            ).compactMap { $0["recipient_e164"].string })
    }
}

/// The JSON form of an alert text's IM renderings: `{"wecom": {"format": "markdown",
/// "title": ..., "text": ...}, ...}`.
enum IMRenderJSON {
    static func encode(_ renders: [String: IMMessage]) -> String {
        var object: [String: [String: String]] = [:]
        for (channel, message) in renders {
            var entry = ["format": message.format.rawValue, "text": message.text]
            entry["title"] = message.title
            object[channel] = entry
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    static func decode(_ json: String) -> [String: IMMessage] {
        guard let data = json.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: [String: String]]
        else { return [:] }
        var renders: [String: IMMessage] = [:]
        for (channel, entry) in object {
            guard let text = entry["text"] else { continue }
            renders[channel] = IMMessage(format: IMMessage.Format(rawValue: entry["format"] ?? "plain") ?? .plain, title: entry["title"], text: text)
        }
        return renders
    }
}

extension JSONText {
    /// Encodes strings as a JSON array.
    static func array(_ values: [String]) -> String {
        "[" + values.map(JSONText.quoted).joined(separator: ",") + "]"
    }

    /// Decodes a JSON array of strings as `array` writes it; anything else reads as empty.
    static func stringArray(_ json: String) -> [String] {
        guard let data = json.data(using: .utf8),
            let values = try? JSONSerialization.jsonObject(with: data) as? [String]
        else { return [] }
        return values
    }
}
