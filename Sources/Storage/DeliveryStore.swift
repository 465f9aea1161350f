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

    init(
        id: Int64, alertID: Int64, priority: Int, channel: String, recipient: String?, targetID: Int64?, contactID: Int64?, state: String,
        attempt: Int, notBefore: Int64, language: String
    ) {
        self.id = id
        self.alertID = alertID
        self.priority = priority
        self.channel = channel
        self.recipient = recipient
        self.targetID = targetID
        self.contactID = contactID
        self.state = state
        self.attempt = attempt
        self.notBefore = notBefore
        self.language = language
    }

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
    /// The columns `DeliveryRecord` reads, in the order `pending` reads them by position.
    static let columns = "id, alert_id, priority, channel, recipient_e164, contact_id, target_id, state, attempt, not_before, language"

    /// Writes every delivery of an alert; the caller runs it inside one transaction, so the
    /// plan is stored whole or not at all before anything is sent.
    ///
    /// Rows go in statements of 1,000, 100, 10 or 1 rows as bound values: on 100,000 rows that
    /// costs about half of expanding one JSON array with `json_each`, which parses each element
    /// once per column. Every value is bound, the alert's number too, so the SQL text is one of
    /// four and the connection's statement cache keeps four inserts however many alerts come.
    public static func insert(_ deliveries: [NewDelivery], alertID: Int64, priority: Int, at now: Int64, in connection: Connection) throws(StorageError) {
        var start = 0
        while start < deliveries.count {
            let remaining = deliveries.count - start
            let (rows, sql) = insertStatements.first { $0.rows <= remaining } ?? insertStatements[insertStatements.count - 1]
            let chunk = deliveries[start..<start + rows]
            var values: [SQLValue] = []
            values.reserveCapacity(rows * 10)
            for delivery in chunk {
                values.append(.integer(alertID))
                values.append(.integer(Int64(priority)))
                values.append(.text(delivery.channel))
                values.append(SQLValue(delivery.recipient))
                values.append(SQLValue(delivery.contactID))
                values.append(SQLValue(delivery.targetID))
                values.append(.integer(delivery.notBefore))
                values.append(.text(delivery.language))
                values.append(.integer(now))
                values.append(.integer(now))
            }
            try connection.query(sql, values, operation: "deliveries.insert")
            start += rows
        }
    }

    /// The insert statements by the rows each takes, largest first.
    private static let insertStatements: [(rows: Int, sql: String)] = [1000, 100, 10, 1].map { rows in
        let sql = """
            INSERT INTO deliveries (alert_id, priority, channel, recipient_e164, contact_id, target_id, not_before, language, created_at, updated_at)
            VALUES \(Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: rows).joined(separator: ","))
            """
        return (rows, sql)
    }

    /// Writes deliveries as `insert` does and returns the rows written, in plan order.
    public static func insertReturning(
        _ deliveries: [NewDelivery], alertID: Int64, priority: Int, at now: Int64, in connection: Connection
    ) throws(StorageError) -> [DeliveryRecord] {
        guard !deliveries.isEmpty else { return [] }
        func maximumID() throws(StorageError) -> Int64 {
            try connection.query("SELECT coalesce(max(id), 0) AS id FROM deliveries", operation: "deliveries.maxID").first?["id"].int64 ?? 0
        }

        let before = try maximumID()
        try insert(deliveries, alertID: alertID, priority: priority, at: now, in: connection)

        // SQLite gives each new row the largest rowid plus one, and the insert takes the array
        // in order, so the rows are numbered from `before + 1` in plan order. The count check
        // guards that assumption and reads the rows back when it fails.
        guard try maximumID() == before + Int64(deliveries.count) else {
            return try connection.query(
                "SELECT \(columns) FROM deliveries WHERE id > ? ORDER BY id", [.integer(before)], operation: "deliveries.inserted"
            ).map(DeliveryRecord.init)
        }
        return deliveries.enumerated().map { index, delivery in
            DeliveryRecord(
                id: before + 1 + Int64(index), alertID: alertID, priority: priority, channel: delivery.channel, recipient: delivery.recipient,
                targetID: delivery.targetID, contactID: delivery.contactID, state: "pending", attempt: 0, notBefore: delivery.notBefore,
                language: delivery.language)
        }
    }

    /// Returns every pending delivery, or those of the alerts given, in the order they were planned.
    ///
    /// Rows are read by position, because a resume after a restart may read a million of them.
    public static func pending(alertIDs: [Int64]? = nil, in connection: Connection) throws -> [DeliveryRecord] {
        var sql = "SELECT \(columns) FROM deliveries WHERE state = 'pending' ORDER BY id"
        var values: [SQLValue] = []
        if let alertIDs {
            sql = """
                SELECT \(columns) FROM deliveries
                WHERE state = 'pending' AND alert_id IN (SELECT value FROM json_each(?)) ORDER BY id
                """
            values = [.text("[" + alertIDs.map(String.init).joined(separator: ",") + "]")]
        }
        var records: [DeliveryRecord] = []
        try connection.forEachRow(sql, values, operation: "deliveries.pending") { row in
            records.append(
                DeliveryRecord(
                    id: row.int64(0) ?? 0, alertID: row.int64(1) ?? 0, priority: Int(row.int64(2) ?? 3), channel: row.string(3) ?? "",
                    recipient: row.string(4), targetID: row.int64(6), contactID: row.int64(5), state: row.string(7) ?? "",
                    attempt: Int(row.int64(8) ?? 0), notBefore: row.int64(9) ?? 0, language: row.string(10) ?? "zh"))
        }
        return records
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

    /// Marks a pending delivery as being sent, with its attempt number, before the first byte
    /// leaves. Returns false when the row is no longer `pending`: a cancel, an update or the
    /// alert's expiry closed it after the worker took it from the queue.
    public static func markSending(_ id: Int64, attempt: Int, at now: Int64, in connection: Connection) throws(StorageError) -> Bool {
        try connection.query(
            "UPDATE deliveries SET state = 'sending', attempt = ?, updated_at = ? WHERE id = ? AND state = 'pending'",
            [.integer(Int64(attempt)), .integer(now), .integer(id)], operation: "deliveries.markSending")
        return connection.changes == 1
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
