import Foundation

/// Observations and checks that several scenarios share, read from outside the box.
extension ScenarioStage {
    /// Returns the id of the newest alert that matches `condition` (SQL over `alerts`), or nil.
    func alertID(where condition: String) -> Int64? {
        database?.rows("SELECT id FROM alerts WHERE \(condition) ORDER BY id DESC LIMIT 1").first?["id"] as? Int64
    }

    /// Waits for an alert that matches `condition` to be planned, and returns its id.
    func waitForAlert(where condition: String, timeout: Duration = .seconds(60)) -> Int64? {
        var found: Int64?
        _ = waitFor(timeout) {
            found = alertID(where: condition)
            return found != nil
        }
        return found
    }

    /// Counts an alert's deliveries on `channel` in one of `states`.
    func deliveries(alert: Int64, channel: String = "sms", states: [String]) -> Int {
        let list = states.map { "'\($0)'" }.joined(separator: ",")
        return database?.count("SELECT COUNT(*) AS n FROM deliveries WHERE alert_id = \(alert) AND channel = '\(channel)' AND state IN (\(list))") ?? 0
    }

    /// Counts an alert's deliveries on `channel`.
    func deliveries(alert: Int64, channel: String = "sms") -> Int {
        database?.count("SELECT COUNT(*) AS n FROM deliveries WHERE alert_id = \(alert) AND channel = '\(channel)'") ?? 0
    }

    /// Counts the handset messages whose text contains `marker`, by recipient.
    func received(containing marker: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for message in handsetMessages() where message.text.contains(marker) {
            counts[message.to, default: 0] += 1
        }
        return counts
    }

    /// Waits until every number in `numbers` received a message containing `marker`.
    func waitForSMS(_ marker: String, to numbers: [String], timeout: Duration) -> Bool {
        waitFor(timeout) {
            let counts = received(containing: marker)
            return numbers.allSatisfy { counts[$0, default: 0] > 0 }
        }
    }

    /// Counts the accepted requests of a fake robot whose text contains `marker`.
    func acceptedIM(_ robot: String, containing marker: String) -> Int {
        imRequests(robot).filter { ($0["accepted"] as? Bool) == true && (($0["text"] as? String) ?? "").contains(marker) }.count
    }

    /// Returns whether the box's log has a line, after the first `after` lines, containing every part.
    func logHas(_ parts: [String], after: Int = 0) -> Bool {
        logLines().dropFirst(after).contains { line in parts.allSatisfy { line.contains($0) } }
    }

    /// Waits for the box's modem to be ready and, with an uplink, for the MQTT connection.
    func waitUntilReady() -> Bool {
        waitFor(.seconds(90)) {
            (!setup.modemUsable || logHas(["modem state changed", "modem.state=ready"])) && (!setup.uplink || logHas(["connected to the MQTT broker"]))
        }
    }

    /// Prints the summary table: per channel the deliveries sent, delivered and failed, the
    /// time from each alert to its first send per channel, and the acknowledgements.
    func printSummary() {
        guard let database else { return }
        let n = narrator
        n.emit("")
        n.emit(n.text("══ 汇总", "══ Summary"))
        let channelHeader = n.language == .english
            ? ["channel", "planned", "sent", "delivered", "failed", "unknown", "cancelled", "unsent"]
            : ["渠道", "计划", "已发出", "已送达", "失败", "结果未知", "已取消", "未发"]
        var table = [channelHeader]
        let channels = database.rows(
            """
            SELECT channel, COUNT(*) AS total, SUM(state IN ('sent', 'delivered')) AS sent, SUM(state = 'delivered') AS delivered,
                   SUM(state = 'failed') AS failed, SUM(state = 'unknown') AS unknown, SUM(state = 'cancelled') AS cancelled,
                   SUM(state IN ('pending', 'sending')) AS unsent
            FROM deliveries GROUP BY channel ORDER BY channel
            """)
        for row in channels {
            table.append([row["channel"] as? String ?? "?"] + ["total", "sent", "delivered", "failed", "unknown", "cancelled", "unsent"].map { String(Self.int(row[$0])) })
        }
        Self.printTable(table, to: n)

        n.emit("")
        let alertHeader = n.language == .english
            ? ["alert", "priority", "channel", "first send after", "acknowledged"]
            : ["告警", "优先级", "渠道", "首条发出用时", "确认"]
        var latencies = [alertHeader]
        let rows = database.rows(
            """
            SELECT a.identifier AS identifier, a.priority AS priority, d.channel AS channel, MIN(d.sent_at) - a.created_at AS latency,
                   (SELECT COUNT(*) FROM acknowledgements k WHERE k.alert_id = a.id) AS acks
            FROM alerts a JOIN deliveries d ON d.alert_id = a.id
            WHERE d.sent_at IS NOT NULL GROUP BY a.id, d.channel ORDER BY a.id, d.channel
            """)
        for row in rows {
            latencies.append([
                row["identifier"] as? String ?? "?", "P\(Self.int(row["priority"]))", row["channel"] as? String ?? "?",
                String(format: "%.1f s", Double(Self.int(row["latency"])) / 1000), String(Self.int(row["acks"])),
            ])
        }
        Self.printTable(latencies, to: n)
    }

    /// Prints rows in columns; Chinese characters take two columns on a terminal.
    static func printTable(_ rows: [[String]], to narrator: Narrator) {
        func width(_ text: String) -> Int {
            text.unicodeScalars.reduce(0) { $0 + ($1.value >= 0x1100 ? 2 : 1) }
        }
        var widths: [Int] = []
        for row in rows {
            for (column, cell) in row.enumerated() {
                if column < widths.count { widths[column] = max(widths[column], width(cell)) } else { widths.append(width(cell)) }
            }
        }
        for row in rows {
            let cells = row.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - width(cell))
                return column == 0 ? cell + pad : pad + cell
            }
            narrator.emit("  " + cells.joined(separator: "  "))
        }
    }

    static func int(_ value: Any??) -> Int {
        guard let value, let number = value as? Int64 else { return 0 }
        return Int(number)
    }
}
