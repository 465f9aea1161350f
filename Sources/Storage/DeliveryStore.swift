import Core

/// A delivery row as the scheduler reads it.
public struct DeliveryRecord: Sendable, Equatable {
    public var id: Int64
    public var alertID: Int64
    public var priority: Int
    public var channel: String
    public var recipient: String?
    public var targetID: Int64?
    public var contactID: Int64?
    public var state: String
    public var attempt: Int
    public var notBefore: Int64
    public var language: String

    init(_ row: Row) {
        id = row["id"].int64 ?? 0
        alertID = row["alert_id"].int64 ?? 0
        priority = row["priority"].int ?? 3
        channel = row["channel"].string ?? ""
        recipient = row["recipient_e164"].string
        targetID = row["target_id"].int64
        contactID = row["contact_id"].int64
        state = row["state"].string ?? ""
        attempt = row["attempt"].int ?? 0
        notBefore = row["not_before"].int64 ?? 0
        language = row["language"].string ?? "zh"
    }
}

/// A delivery to write: one recipient or IM target on one channel.
public struct NewDelivery: Sendable, Equatable {
    public var channel: String
    public var recipient: String?
    public var contactID: Int64?
    public var targetID: Int64?
    /// Milliseconds since the epoch before which the delivery waits, such as the end of quiet hours.
    public var notBefore: Int64
    /// `zh` or `en`: the language of the text the delivery carries.
    public var language: String

    public init(
        channel: String, recipient: String? = nil, contactID: Int64? = nil, targetID: Int64? = nil, notBefore: Int64 = 0,
        language: String = "zh"
    ) {
        self.channel = channel
        self.recipient = recipient
        self.contactID = contactID
        self.targetID = targetID
        self.notBefore = notBefore
        self.language = language
    }
}

/// Parts sent per SIM over the windows the carrier counts.
public struct SMSBudgetUse: Sendable, Equatable {
    public var lastMinute: Int
    public var lastHour: Int
    public var lastDay: Int
}

/// The queries the scheduler lives on, each backed by an index of the schema.
public enum DeliveryStore {
    static let columns = "id, alert_id, priority, channel, recipient_e164, contact_id, target_id, state, attempt, not_before, language"

    /// Writes every delivery of an alert; the caller runs it inside one transaction, so the
    /// plan is stored whole or not at all before anything is sent.
    ///
    /// The rows travel as one JSON array that SQLite expands with `json_each`, because one
    /// statement for 100,000 rows costs a third of 100,000 separate inserts.
    public static func insert(_ deliveries: [NewDelivery], alertID: Int64, priority: Int, at now: Int64, in connection: Connection) throws(StorageError) {
        guard !deliveries.isEmpty else { return }
        // Built as bytes, because appending to a String 100,000 times costs more than the insert.
        var json: [UInt8] = [UInt8(ascii: "[")]
        json.reserveCapacity(deliveries.count * 40)
        func append(_ text: String) {
            json += text.utf8
        }
        for (index, delivery) in deliveries.enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json.append(UInt8(ascii: "["))
            append(jsonString(delivery.channel))
            json.append(UInt8(ascii: ","))
            append(delivery.recipient.map(jsonString) ?? "null")
            json.append(UInt8(ascii: ","))
            append(delivery.contactID.map { String($0) } ?? "null")
            json.append(UInt8(ascii: ","))
            append(delivery.targetID.map { String($0) } ?? "null")
            json.append(UInt8(ascii: ","))
            append(String(delivery.notBefore))
            json.append(UInt8(ascii: ","))
            append(jsonString(delivery.language))
            json.append(UInt8(ascii: "]"))
        }
        json.append(UInt8(ascii: "]"))
        try connection.query(
            """
            INSERT INTO deliveries (alert_id, priority, channel, recipient_e164, contact_id, target_id, not_before, language, created_at, updated_at)
            SELECT ?, ?, value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, ?, ? FROM json_each(?)
            """, [.integer(alertID), .integer(Int64(priority)), .integer(now), .integer(now), .text(String(decoding: json, as: UTF8.self))],
            operation: "deliveries.insert")
    }

    /// Writes deliveries as `insert` does and returns the rows written, in plan order.
    public static func insertReturning(
        _ deliveries: [NewDelivery], alertID: Int64, priority: Int, at now: Int64, in connection: Connection
    ) throws(StorageError) -> [DeliveryRecord] {
        guard !deliveries.isEmpty else { return [] }
        // Row ids only grow inside the caller's transaction, so the new rows are those above the maximum.
        let before = try connection.query("SELECT coalesce(max(id), 0) AS id FROM deliveries", operation: "deliveries.maxID").first?["id"].int64 ?? 0
        try insert(deliveries, alertID: alertID, priority: priority, at: now, in: connection)
        return try connection.query(
            "SELECT \(columns) FROM deliveries WHERE id > ? ORDER BY id", [.integer(before)], operation: "deliveries.inserted"
        ).map(DeliveryRecord.init)
    }

    /// Quotes a string for JSON; phone numbers and channel names need no escaping, so they skip it.
    static func jsonString(_ text: String) -> String {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            return "\"" + text + "\""
        }
        return JSONText.quoted(text)
    }

    /// The next pending deliveries of a channel that are ready at `now`, by priority, then by
    /// the instant they became ready, then by age: a row waiting out a retry back-off queues
    /// behind rows that were ready before it.
    public static func next(channel: String, limit: Int, at now: Int64, in connection: Connection) throws(StorageError) -> [DeliveryRecord] {
        try connection.query(
            """
            SELECT \(columns) FROM deliveries
            WHERE state = 'pending' AND channel = ? AND not_before <= ?
            ORDER BY priority, not_before, id LIMIT ?
            """, [.text(channel), .integer(now), .integer(Int64(limit))], operation: "deliveries.next"
        ).map(DeliveryRecord.init)
    }

    /// Every pending delivery, or those of the alerts given, in the order they were planned.
    public static func pending(alertIDs: [Int64]? = nil, in connection: Connection) throws(StorageError) -> [DeliveryRecord] {
        guard let alertIDs else {
            return try connection.query(
                "SELECT \(columns) FROM deliveries WHERE state = 'pending' ORDER BY id", operation: "deliveries.pending"
            ).map(DeliveryRecord.init)
        }
        return try connection.query(
            """
            SELECT \(columns) FROM deliveries
            WHERE state = 'pending' AND alert_id IN (SELECT value FROM json_each(?)) ORDER BY id
            """, [.text("[" + alertIDs.map(String.init).joined(separator: ",") + "]")], operation: "deliveries.pendingOfAlerts"
        ).map(DeliveryRecord.init)
    }

    /// Moves an alert's pending deliveries to a final state, as a cancel, an update or an
    /// expiry does; returns how many moved.
    @discardableResult
    public static func closePending(alertID: Int64, state: String, cause: String, at now: Int64, in connection: Connection) throws(StorageError) -> Int {
        try connection.query(
            "UPDATE deliveries SET state = ?, cause = ?, updated_at = ? WHERE alert_id = ? AND state = 'pending'",
            [.text(state), .text(cause), .integer(now), .integer(alertID)], operation: "deliveries.closePending")
        return connection.changes
    }

    /// Marks a delivery as being sent, with its attempt number, before the first byte leaves.
    public static func markSending(_ id: Int64, attempt: Int, at now: Int64, in connection: Connection) throws(StorageError) {
        try connection.query(
            "UPDATE deliveries SET state = 'sending', attempt = ?, updated_at = ? WHERE id = ?",
            [.integer(Int64(attempt)), .integer(now), .integer(id)], operation: "deliveries.markSending")
    }

    /// Records an attempt's outcome: a new state, a cause, and for retries the instant it may go again.
    public static func markOutcome(
        _ id: Int64, state: String, cause: String?, notBefore: Int64? = nil, at now: Int64, in connection: Connection
    ) throws(StorageError) {
        try connection.query(
            """
            UPDATE deliveries SET state = ?, cause = ?, not_before = coalesce(?, not_before), updated_at = ?,
                sent_at = CASE WHEN ? IN ('sent', 'delivered') THEN coalesce(sent_at, ?) ELSE sent_at END,
                delivered_at = CASE WHEN ? = 'delivered' THEN ? ELSE delivered_at END
            WHERE id = ?
            """,
            [.text(state), SQLValue(cause), SQLValue(notBefore), .integer(now), .text(state), .integer(now), .text(state), .integer(now), .integer(id)],
            operation: "deliveries.markOutcome")
    }

    /// Turns rows left in `sending` by a crash into `unknown`; returns their ids.
    public static func markInterruptedUnknown(at now: Int64, in connection: Connection) throws(StorageError) -> [DeliveryRecord] {
        let interrupted = try connection.query(
            "SELECT \(columns) FROM deliveries WHERE state = 'sending'", operation: "deliveries.interrupted"
        ).map(DeliveryRecord.init)
        try connection.query(
            "UPDATE deliveries SET state = 'unknown', cause = 'interrupted by restart', updated_at = ? WHERE state = 'sending'",
            [.integer(now)], operation: "deliveries.markInterrupted")
        return interrupted
    }

    /// Counts deliveries per state, for one alert or for all.
    public static func countsByState(alertID: Int64? = nil, in connection: Connection) throws(StorageError) -> [String: Int] {
        let rows: [Row]
        if let alertID {
            rows = try connection.query(
                "SELECT state, count(*) AS n FROM deliveries WHERE alert_id = ? GROUP BY state", [.integer(alertID)],
                operation: "deliveries.countsByAlert")
        } else {
            rows = try connection.query("SELECT state, count(*) AS n FROM deliveries GROUP BY state", operation: "deliveries.counts")
        }
        var counts: [String: Int] = [:]
        for row in rows {
            counts[row["state"].string ?? "?"] = row["n"].int ?? 0
        }
        return counts
    }

    /// Records one part handed to a SIM, for the budget and for status-report pairing.
    public static func recordPart(
        deliveryID: Int64, attempt: Int, part: Int, total: Int, sim: String, reference: Int?, at now: Int64, in connection: Connection
    ) throws(StorageError) {
        try connection.query(
            """
            INSERT OR REPLACE INTO sms_parts (delivery_id, attempt, part, total, sim, message_reference, submitted_at)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """,
            [.integer(deliveryID), .integer(Int64(attempt)), .integer(Int64(part)), .integer(Int64(total)), .text(sim), SQLValue(reference), .integer(now)],
            operation: "smsParts.record")
    }

    /// The parts a SIM sent in the last minute, hour and day, as the carrier counts them.
    public static func budgetUse(sim: String, at now: Int64, in connection: Connection) throws(StorageError) -> SMSBudgetUse {
        let row = try connection.query(
            """
            SELECT
                sum(submitted_at > ?) AS minute,
                sum(submitted_at > ?) AS hour,
                count(*) AS day
            FROM sms_parts WHERE sim = ? AND submitted_at > ?
            """, [.integer(now - 60_000), .integer(now - 3_600_000), .text(sim), .integer(now - 86_400_000)],
            operation: "smsParts.budget"
        ).first
        return SMSBudgetUse(lastMinute: row?["minute"].int ?? 0, lastHour: row?["hour"].int ?? 0, lastDay: row?["day"].int ?? 0)
    }
}
