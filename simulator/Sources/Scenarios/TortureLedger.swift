import Foundation

/// The accounting at the end of a torture run: each delivery the box planned, matched with
/// what the simulated handsets and fake robots received, and with the resends the box
/// recorded in its audit log.
///
/// A delivery received once is delivered. A copy beyond the first is allowed only when the
/// box recorded a resend after an unknown outcome (`delivery.resendAfterRestart`, P0 only),
/// one copy per recorded resend. A delivery nobody received is lost unless the box recorded
/// its outcome as unknown, which P1 to P3 keep by policy without resending.
struct TortureLedger {
    /// One delivery row of the run's alerts.
    struct Row {
        var id: Int64
        var priority: Int
        var channel: String
        /// The phone number, or the fake robot's name for an IM target.
        var recipient: String
        var state: String
        var attempt: Int
        var received: Int
        var resends: Int

        var label: String { "delivery \(id) P\(priority) \(channel) \(Self.masked(recipient)) state \(state) attempt \(attempt) received \(received) resends \(resends)" }

        static func masked(_ recipient: String) -> String {
            guard recipient.hasPrefix("+"), recipient.count > 8 else { return recipient }
            return String(recipient.prefix(6)) + "****" + String(recipient.suffix(4))
        }
    }

    /// The scheduler's default attempts for P0 (docs/scheduler.md), after which it stops resending.
    static let lifeSafetyAttempts = 10

    var rows: [Row] = []
    /// Expected recipients with no delivery row, or rows nobody received without a recorded unknown outcome.
    var lost: [String] = []
    var unrecordedDuplicates: [String] = []
    /// Messages received for an alert of the run by someone the box has no delivery for.
    var phantoms: [String] = []
    var delivered = 0
    var allowedDuplicates = 0
    var recordedResends = 0
    /// Rows recorded as unknown that nobody received: P1 to P3 by policy, or P0 out of attempts.
    var unknownNotReceived = 0
    var unknownReceived = 0

    /// Reads the database and the simulator's records and matches them.
    static func collect(_ stage: ScenarioStage, plans: [TortureScenario.Plan], tag: String, people: ScenarioPeople) -> TortureLedger {
        var ledger = TortureLedger()
        guard let database = stage.database else {
            ledger.lost.append("no database")
            return ledger
        }
        var resends: [Int64: Int] = [:]
        for row in database.rows("SELECT subject, COUNT(*) AS n FROM audit_log WHERE action = 'delivery.resendAfterRestart' GROUP BY subject") {
            if let subject = row["subject"] as? String, let id = Int64(subject.dropFirst("delivery:".count)), case let count as Int64 = row["n"] ?? nil {
                resends[id] = Int(count)
            }
        }
        let messages = stage.handsetMessages()
        let robots = [
            "wecom": RobotCredentials.allStaffRobot, "dingtalk": RobotCredentials.emergencyRobot,
        ]
        var imTexts: [String: [String]] = [:]
        for robot in robots.values {
            imTexts[robot] = stage.imRequests(robot).filter { $0["accepted"] as? Bool == true }.map { $0["text"] as? String ?? "" }
        }

        for plan in plans {
            let alertRows = database.rows(
                """
                SELECT d.id AS id, d.priority AS priority, d.channel AS channel, d.recipient_e164 AS phone, d.state AS state, d.attempt AS attempt
                FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.identifier = 'torture-\(tag)-p\(plan.priority)' ORDER BY d.id
                """)
            var smsCounts: [String: Int] = [:]
            for message in messages where message.text.contains(plan.marker) {
                smsCounts[message.to, default: 0] += 1
            }
            var rowsByRecipient: [String: Row] = [:]
            for raw in alertRows {
                let channel = raw["channel"] as? String ?? "?"
                let recipient = channel == "sms" ? raw["phone"] as? String ?? "?" : robots[channel] ?? channel
                let received = channel == "sms"
                    ? smsCounts[recipient, default: 0]
                    : imTexts[recipient, default: []].filter { $0.contains(plan.marker) }.count
                let id = ScenarioStage.int(raw["id"])
                let row = Row(
                    id: Int64(id), priority: ScenarioStage.int(raw["priority"]), channel: channel, recipient: recipient,
                    state: raw["state"] as? String ?? "?", attempt: ScenarioStage.int(raw["attempt"]), received: received,
                    resends: resends[Int64(id), default: 0])
                ledger.account(row)
                rowsByRecipient[recipient] = row
            }

            let expected: [String] = switch plan.priority {
            case 0: people.responderNumbers + [RobotCredentials.emergencyRobot]
            case 1: people.wardenNumbers
            case 2: people.staffNumbers
            default: [RobotCredentials.allStaffRobot]
            }
            for recipient in expected where rowsByRecipient[recipient] == nil {
                ledger.lost.append("P\(plan.priority) \(Row.masked(recipient)): no delivery planned")
            }
            for (number, count) in smsCounts where rowsByRecipient[number] == nil {
                ledger.phantoms.append("P\(plan.priority) sms \(Row.masked(number)) received \(count)")
            }
            for (channel, robot) in robots where rowsByRecipient[robot] == nil {
                let count = imTexts[robot, default: []].filter { $0.contains(plan.marker) }.count
                if count > 0 { ledger.phantoms.append("P\(plan.priority) \(channel) \(robot) received \(count)") }
            }
        }
        return ledger
    }

    /// Classifies one delivery row.
    mutating func account(_ row: Row) {
        rows.append(row)
        recordedResends += row.resends
        if row.received == 0 {
            // A P0 row ends unknown without a resend only when its attempts ran out.
            if row.state == "unknown", row.priority > 0 || row.attempt >= Self.lifeSafetyAttempts {
                unknownNotReceived += 1
            } else {
                lost.append(row.label)
            }
            return
        }
        delivered += 1
        if row.state == "unknown" { unknownReceived += 1 }
        let copies = row.received - 1
        allowedDuplicates += min(copies, row.resends)
        if copies > row.resends {
            unrecordedDuplicates.append(row.label)
        }
    }

    /// Prints the figures and the first problems of each kind.
    func report(to narrator: Narrator) {
        let n = narrator
        let bySMS = rows.filter { $0.channel == "sms" }.count
        n.say(
            "投递 \(rows.count) 条（短信 \(bySMS)，IM \(rows.count - bySMS)），送达 \(delivered)",
            "deliveries \(rows.count) (SMS \(bySMS), IM \(rows.count - bySMS)), delivered \(delivered)")
        n.say(
            "重复：允许并已记录 \(allowedDuplicates)，数据库记录的重发 \(recordedResends)，未记录 \(unrecordedDuplicates.count)",
            "duplicates: allowed and recorded \(allowedDuplicates), resends recorded in the database \(recordedResends), unrecorded \(unrecordedDuplicates.count)")
        n.say(
            "结果未知（已记录）：未收到 \(unknownNotReceived)，已收到 \(unknownReceived)；丢失 \(lost.count)；无记录的发送 \(phantoms.count)",
            "outcome unknown (recorded): not received \(unknownNotReceived), received \(unknownReceived); lost \(lost.count); sends without a delivery \(phantoms.count)")
        for line in (lost.prefix(10) + unrecordedDuplicates.prefix(10) + phantoms.prefix(10)) {
            n.emit("    ✗ " + line)
        }
        let byState = Dictionary(grouping: rows, by: { "P\($0.priority) \($0.channel == "sms" ? "sms" : "im") \($0.state)" }).mapValues(\.count)
        n.say("按状态：" + byState.keys.sorted().map { "\($0)=\(byState[$0] ?? 0)" }.joined(separator: ", "),
              "by state: " + byState.keys.sorted().map { "\($0)=\(byState[$0] ?? 0)" }.joined(separator: ", "))
    }
}
