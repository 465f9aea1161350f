import Alerting
import Core
import LocalControl
import Scheduler
import Storage

extension CommandRunner {
    // MARK: show

    func showAlerts(_ session: Session) async throws -> CommandOutcome {
        let rows = try await context.database.read { connection in
            try connection.query(
                "SELECT id, priority, status, message_type, state, sent_at, event FROM alerts ORDER BY id DESC LIMIT 20", operation: "console.alerts")
        }
        guard !rows.isEmpty else { return CommandOutcome([session.text("还没有警报。", "No alerts yet.")]) }
        let offset = try await utcOffset()
        return CommandOutcome(
            rows.map { row in
                let when = Self.localTime(row["sent_at"].int64 ?? 0, offsetMinutes: offset)
                let kind = row["message_type"].string == "Cancel" ? session.text("取消", "cancel") : (row["event"].string ?? "-")
                return "#\(row["id"].int64 ?? 0)  P\(row["priority"].int ?? 0)  \(when)  \(Self.stateText(row["state"].string ?? "", session))  \(row["status"].string ?? "")  \(kind)"
            })
    }

    func showDeliveries(_ argument: String, _ session: Session) async throws -> CommandOutcome {
        let alertID = try alertNumber(argument, session)
        let exists = try await context.database.read { connection in
            try connection.query("SELECT id FROM alerts WHERE id = ?", [.integer(alertID)], operation: "console.alertExists").first != nil
        }
        guard exists else { throw noAlert(argument) }
        guard let scheduler = context.scheduler else { return CommandOutcome([session.text("调度器未运行。", "The scheduler is not running.")]) }
        let progress = try await scheduler.progress(of: alertID)
        return CommandOutcome(
            CommandGrammar.table([
                (session.text("状态", "State"), Self.stateText(progress.state, session)),
                (session.text("短信", "SMS"), session.text("已发 \(progress.smsSent)，失败 \(progress.smsFailed)，待发 \(progress.smsOpen)", "sent \(progress.smsSent), failed \(progress.smsFailed), open \(progress.smsOpen)")),
                (session.text("即时通讯", "IM"), session.text("已发 \(progress.imSent)，失败 \(progress.imFailed)，待发 \(progress.imOpen)", "sent \(progress.imSent), failed \(progress.imFailed), open \(progress.imOpen)")),
                (session.text("确认", "Acknowledged"), String(progress.acknowledgements)),
            ]))
    }

    func showInbox(_ session: Session) async throws -> CommandOutcome {
        let rows = try await context.database.read { connection in
            try connection.query("SELECT peer, body, at FROM messages WHERE direction = 'in' ORDER BY at DESC LIMIT 20", operation: "console.inbox")
        }
        guard !rows.isEmpty else { return CommandOutcome([session.text("收件箱为空。", "The inbox is empty.")]) }
        let offset = try await utcOffset()
        return CommandOutcome(
            rows.map { row in
                "\(Self.localTime(row["at"].int64 ?? 0, offsetMinutes: offset))  \(PhoneMask.mask(row["peer"].string ?? ""))  \((row["body"].string ?? "").escapingControlCharacters())"
            })
    }

    func showLog(_ session: Session) async throws -> CommandOutcome {
        let rows = try await context.database.read { connection in
            try connection.query("SELECT at, actor, action, subject FROM audit_log ORDER BY id DESC LIMIT 20", operation: "console.auditLog")
        }
        let offset = try await utcOffset()
        return CommandOutcome(
            rows.map { row in
                [Self.localTime(row["at"].int64 ?? 0, offsetMinutes: offset), row["actor"].string ?? "", row["action"].string ?? "", row["subject"].string ?? ""]
                    .filter { !$0.isEmpty }.joined(separator: "  ")
            })
    }

    // MARK: alert

    func sendAlert(_ invocation: CommandGrammar.Invocation, line: String, test: Bool, confirmed: Bool, _ session: Session) async throws -> CommandOutcome {
        guard let scheduler = context.scheduler else { return CommandOutcome([session.text("调度器未运行，无法发送。", "The scheduler is not running; nothing was sent.")]) }
        let templateName = invocation.argument(0) ?? ""
        let groups = test ? [] : Self.list(invocation.argument(1) ?? "")
        let note = (test ? invocation.argument(1) : invocation.argument(2)) ?? ""
        let templates = try await context.database.read { connection in try TemplateStore.templates(named: templateName, in: connection) }
        guard let first = templates.first else {
            throw ConsoleError(
                .notFound,
                message: LocalizedText(zh: "没有模板“\(templateName)”；输入 templates list 查看全部模板。", en: "No template '\(templateName)'; type templates list for every template."))
        }
        if first.priority == .lifeSafety, !test, !confirmed {
            return CommandOutcome(
                effect: .confirm(
                    question: session.text(
                        "这是 P0 生命安全警报，将立即通过短信和即时通讯发给 \(groups.joined(separator: "、"))。确认发送请输入 yes 或 确认，其他输入取消：",
                        "This is a P0 life-safety alert and goes out at once by SMS and IM to \(groups.joined(separator: ", ")). Type yes to send; anything else cancels:"),
                    line: line))
        }
        let trigger = LocalTrigger(name: "\(session.user)-\(templateName)", template: templateName, audience: groups)
        let alert = try trigger.alert(
            templates: templates, composer: context.composer, sender: context.sender, at: context.clock.wallNow, source: .console, test: test, note: note)
        let result = try await scheduler.submit(alert)
        try await audit(session, action: test ? "alert.testSent" : "alert.sent", subject: "alert:\(result.alertID)", detail: "template \(templateName)")
        var lines: [String] = []
        switch result.disposition {
        case .planned:
            lines.append(
                session.text(
                    "已提交警报 #\(result.alertID)：短信 \(result.smsDeliveries) 条，即时通讯 \(result.imDeliveries) 条。",
                    "Alert #\(result.alertID) submitted: \(result.smsDeliveries) SMS and \(result.imDeliveries) IM deliveries."))
        case .duplicateTrigger:
            return CommandOutcome([
                session.text(
                    "同一警报刚刚发送过（#\(result.alertID)），本次未重复发送。", "The same alert was just sent (#\(result.alertID)); this one was not sent again.")
            ])
        default:
            lines.append(session.text("警报 #\(result.alertID) 未发送（\(result.disposition)）。", "Alert #\(result.alertID) was not sent (\(result.disposition))."))
            return CommandOutcome(lines)
        }
        if !result.unknownGroups.isEmpty {
            lines.append(
                session.text(
                    "注意：没有这些分组：\(result.unknownGroups.joined(separator: "、"))；输入 groups list 查看分组。",
                    "Note: no such groups: \(result.unknownGroups.joined(separator: ", ")); type groups list for the groups."))
        }
        if !result.unreachableContacts.isEmpty {
            lines.append(
                session.text(
                    "注意：\(result.unreachableContacts.count) 位联系人没有有效手机号。", "Note: \(result.unreachableContacts.count) contacts have no valid mobile number."))
        }
        return CommandOutcome(lines, effect: .progress(alertID: result.alertID))
    }

    func cancelAlert(_ argument: String, _ session: Session) async throws -> CommandOutcome {
        guard let scheduler = context.scheduler else { return CommandOutcome([session.text("调度器未运行。", "The scheduler is not running.")]) }
        let alertID = try alertNumber(argument, session)
        let row = try await context.database.read { connection in
            try connection.query("SELECT identifier, sender, sent_at, priority, state FROM alerts WHERE id = ?", [.integer(alertID)], operation: "console.cancelTarget").first
        }
        guard let row, let identifier = row["identifier"].string, let sender = row["sender"].string else { throw noAlert(argument) }
        guard row["state"].string == "active" else {
            return CommandOutcome([
                session.text(
                    "警报 #\(alertID) 已是“\(Self.stateText(row["state"].string ?? "", session))”状态，无需取消。",
                    "Alert #\(alertID) is already \(Self.stateText(row["state"].string ?? "", session)); nothing to cancel.")
            ])
        }
        let now = context.wallMillis
        let cancel = Alert(
            identifier: "\(context.sender)-console-cancel-\(alertID)-\(now)", sender: context.sender, sentAt: now, messageType: .cancel,
            references: [CAPReference(sender: sender, identifier: identifier, sent: String(row["sent_at"].int64 ?? 0))],
            priority: AlertPriority(rawValue: row["priority"].int ?? 2) ?? .routine, source: .console, audience: [], texts: [])
        let result = try await scheduler.submit(cancel)
        try await audit(session, action: "alert.cancelRequested", subject: "alert:\(alertID)")
        if result.disposition == .nothingToCancel {
            return CommandOutcome([session.text("警报 #\(alertID) 没有可取消的内容。", "Alert #\(alertID) had nothing left to cancel.")])
        }
        return CommandOutcome([
            session.text("已取消警报 #\(alertID)，未发出的投递已停止。", "Alert #\(alertID) cancelled; its pending deliveries stopped.")
        ])
    }

    // MARK: Helpers

    func alertNumber(_ argument: String, _ session: Session) throws(ConsoleError) -> Int64 {
        guard let number = Int64(argument.hasPrefix("#") ? String(argument.dropFirst()) : argument), number > 0 else {
            throw ConsoleError(
                .invalidInput,
                message: LocalizedText(zh: "警报编号“\(argument)”无效：请填 show alerts 第一列的数字。", en: "Invalid alert number '\(argument)': use a number from the first column of show alerts."))
        }
        return number
    }

    func noAlert(_ argument: String) -> ConsoleError {
        ConsoleError(.notFound, message: LocalizedText(zh: "没有警报 #\(argument)；输入 show alerts 查看。", en: "No alert #\(argument); type show alerts to list them."))
    }

    static func stateText(_ state: String, _ session: Session) -> String {
        switch state {
        case "active": session.text("发送中", "active")
        case "done": session.text("已完成", "done")
        case "cancelled": session.text("已取消", "cancelled")
        case "superseded": session.text("已被更新", "superseded")
        case "expired": session.text("已过期", "expired")
        default: state
        }
    }

    /// Splits a comma list typed with ASCII or Chinese commas.
    static func list(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == "，" || $0 == "、" }).map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    }

    func utcOffset() async throws -> Int {
        Int(try await context.settings.value("box.utc_offset_minutes")) ?? 480
    }

    /// Formats wall milliseconds as `MM-DD HH:MM` local time.
    static func localTime(_ millis: Int64, offsetMinutes: Int) -> String {
        let seconds = millis / 1000 + Int64(offsetMinutes) * 60
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Civil date from days since 1970-01-01, after Howard Hinnant's civil_from_days.
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(month))-\(two(day)) \(two(secondOfDay / 3600)):\(two(secondOfDay % 3600 / 60))"
    }
}
