import Alerting
public import Core
import Foundation
import SMS
import Scheduler
import Storage

extension CommandRunner {
    // MARK: contacts

    func listContacts(group: String?, _ session: Session) async throws -> CommandOutcome {
        let rows = try await context.database.read { connection in
            try connection.query(
                """
                SELECT c.id, c.name, c.language,
                    (SELECT e164 FROM contact_phones p WHERE p.contact_id = c.id ORDER BY position LIMIT 1) AS phone,
                    (SELECT group_concat(g.name, ',') FROM group_members m JOIN groups g ON g.id = m.group_id WHERE m.contact_id = c.id) AS groups
                FROM contacts c
                WHERE ?1 IS NULL OR c.id IN (SELECT m.contact_id FROM group_members m JOIN groups g ON g.id = m.group_id WHERE g.name = ?1)
                ORDER BY c.id
                """, [SQLValue(group)], operation: "console.contacts")
        }
        guard !rows.isEmpty else { return CommandOutcome([session.text("没有联系人。", "No contacts.")]) }
        return CommandOutcome(
            rows.map { row in
                "#\(row["id"].int64 ?? 0)  \(row["name"].string ?? "")  \(PhoneMask.mask(row["phone"].string ?? ""))  \(row["language"].string ?? "")  \(row["groups"].string ?? "")"
            })
    }

    func addContact(_ invocation: CommandGrammar.Invocation, _ session: Session) async throws -> CommandOutcome {
        let name = invocation.argument(0) ?? ""
        let phone = try Self.phone(invocation.argument(1) ?? "")
        let groups = Self.list(invocation.argument(2) ?? "")
        let quiet = try await quietDefault()
        let now = context.wallMillis
        let id = try await context.database.transaction("console.addContact") { connection -> Int64 in
            try connection.query(
                "INSERT INTO contacts (name, quiet_start_minute, quiet_end_minute, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                [.text(name), SQLValue(quiet?.0), SQLValue(quiet?.1), .integer(now), .integer(now)], operation: "contacts.insert")
            let id = connection.lastInsertRowID
            try connection.query("INSERT INTO contact_phones (contact_id, e164) VALUES (?, ?)", [.integer(id), .text(phone)], operation: "contacts.insertPhone")
            try Self.setGroups(groups, contact: id, at: now, in: connection)
            try AuditLog.append(actor: session.actor, action: "contact.added", channel: "console", subject: "contact:\(id)", at: now, in: connection)
            return id
        }
        return CommandOutcome([session.text("已添加联系人 #\(id) \(name)，\(PhoneMask.mask(phone))。", "Added contact #\(id) \(name), \(PhoneMask.mask(phone)).")])
    }

    func editContact(_ invocation: CommandGrammar.Invocation, _ session: Session) async throws -> CommandOutcome {
        let id = try contactNumber(invocation.argument(0) ?? "")
        let field = invocation.argument(1) ?? ""
        let value = invocation.argument(2) ?? ""
        let phone = field == "phone" ? try Self.phone(value) : ""
        if field == "language", Language(code: value) == nil {
            throw ConsoleError(.invalidInput, message: LocalizedText(zh: "语言“\(value)”无效：请填 zh 或 en。", en: "Invalid language '\(value)': use zh or en."))
        }
        let now = context.wallMillis
        let found = try await context.database.transaction("console.editContact") { connection -> Bool in
            guard try connection.query("SELECT id FROM contacts WHERE id = ?", [.integer(id)], operation: "contacts.find").first != nil else { return false }
            switch field {
            case "name":
                try connection.query("UPDATE contacts SET name = ?, updated_at = ? WHERE id = ?", [.text(value), .integer(now), .integer(id)], operation: "contacts.rename")
            case "language":
                let code = Language(code: value)?.rawValue ?? "zh"
                try connection.query("UPDATE contacts SET language = ?, updated_at = ? WHERE id = ?", [.text(code), .integer(now), .integer(id)], operation: "contacts.language")
            case "phone":
                try connection.query("DELETE FROM contact_phones WHERE contact_id = ?", [.integer(id)], operation: "contacts.clearPhones")
                try connection.query("INSERT INTO contact_phones (contact_id, e164) VALUES (?, ?)", [.integer(id), .text(phone)], operation: "contacts.insertPhone")
            default:
                try connection.query("DELETE FROM group_members WHERE contact_id = ?", [.integer(id)], operation: "contacts.clearGroups")
                try Self.setGroups(Self.list(value), contact: id, at: now, in: connection)
            }
            try AuditLog.append(actor: session.actor, action: "contact.edited", channel: "console", subject: "contact:\(id)", detail: field, at: now, in: connection)
            return true
        }
        guard found else { throw noContact(id) }
        return CommandOutcome([session.text("已修改联系人 #\(id) 的 \(field)。", "Changed \(field) of contact #\(id).")])
    }

    func deleteContact(_ argument: String, _ session: Session) async throws -> CommandOutcome {
        let id = try contactNumber(argument)
        let now = context.wallMillis
        let deleted = try await context.database.transaction("console.deleteContact") { connection -> Bool in
            try connection.query("DELETE FROM contacts WHERE id = ?", [.integer(id)], operation: "contacts.delete")
            guard connection.changes == 1 else { return false }
            try AuditLog.append(actor: session.actor, action: "contact.deleted", channel: "console", subject: "contact:\(id)", at: now, in: connection)
            return true
        }
        guard deleted else { throw noContact(id) }
        return CommandOutcome([session.text("已删除联系人 #\(id)。", "Deleted contact #\(id).")])
    }

    func importContacts(path: String, skipBadRows: Bool, _ session: Session) async throws -> CommandOutcome {
        let allowed = context.importDirectories
        let resolved = URL(fileURLWithPath: path).standardizedFileURL.path
        if !allowed.isEmpty, !allowed.contains(where: { resolved.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }) {
            throw ConsoleError(
                .invalidInput,
                message: LocalizedText(
                    zh: "不能从 \(path) 导入：文件须在 \(allowed.joined(separator: "、")) 之下。", en: "Cannot import from \(path): the file must be under \(allowed.joined(separator: ", "))."))
        }
        guard let data = FileManager.default.contents(atPath: resolved) else {
            throw ConsoleError(.notFound, message: LocalizedText(zh: "无法读取文件 \(path)：文件不存在或无权读取。", en: "Cannot read \(path): the file is missing or not readable."))
        }
        return try await storeImport(ContactImporter.read(Array(data)), skipBadRows: skipBadRows, source: path, session)
    }

    /// Imports pasted CSV lines.
    public func importPasted(_ lines: [String], skipBadRows: Bool, user: String, role: ConsoleRole, language: Language) async -> CommandOutcome {
        let session = Session(user: user, role: role, language: language)
        do {
            return try await storeImport(ContactImporter.read(Array(lines.joined(separator: "\n").utf8)), skipBadRows: skipBadRows, source: "paste", session)
        } catch let error as ConsoleError {
            return CommandOutcome([error.message(language)])
        } catch {
            return CommandOutcome([session.text("导入失败：\(error)", "Import failed: \(error)")])
        }
    }

    private func storeImport(_ parsed: ContactImport, skipBadRows: Bool, source: String, _ session: Session) async throws -> CommandOutcome {
        var lines = parsed.problems.map { problem in
            session.text("第 \(problem.line) 行：\(problem.reason.chinese)", "Line \(problem.line): \(problem.reason.english)")
        }
        if !parsed.problems.isEmpty, !skipBadRows {
            lines.append(
                session.text(
                    "有 \(parsed.problems.count) 行错误，未导入任何联系人。改正后重新导入，或加 skip-bad 只导入正确的行。",
                    "\(parsed.problems.count) rows are invalid, so nothing was imported. Fix them and import again, or add skip-bad to import the good rows."))
            return CommandOutcome(lines)
        }
        let now = context.wallMillis
        let imported = parsed
        let count = try await context.database.transaction("console.importContacts") { connection -> Int in
            let count = try ContactImporter.store(imported, skipBadRows: true, at: now, in: connection)
            try AuditLog.append(
                actor: session.actor, action: "contacts.imported", channel: "console", detail: "\(count) contacts from \(source) (\(imported.encoding))", at: now,
                in: connection)
            return count
        }
        lines.append(session.text("已导入 \(count) 位联系人（\(parsed.encoding) 编码）。", "Imported \(count) contacts (\(parsed.encoding))."))
        return CommandOutcome(lines)
    }

    // MARK: groups

    func listGroups(_ session: Session) async throws -> CommandOutcome {
        let rows = try await context.database.read { connection in
            try connection.query(
                "SELECT g.name, (SELECT count(*) FROM group_members m WHERE m.group_id = g.id) AS n FROM groups g ORDER BY g.name", operation: "console.groups")
        }
        guard !rows.isEmpty else { return CommandOutcome([session.text("没有分组。", "No groups.")]) }
        return CommandOutcome(CommandGrammar.table(rows.map { ($0["name"].string ?? "", session.text("\($0["n"].int ?? 0) 人", "\($0["n"].int ?? 0) members")) }))
    }

    func addGroup(_ name: String, _ session: Session) async throws -> CommandOutcome {
        let now = context.wallMillis
        let added = try await context.database.transaction("console.addGroup") { connection -> Bool in
            try connection.query("INSERT OR IGNORE INTO groups (name, created_at) VALUES (?, ?)", [.text(name), .integer(now)], operation: "groups.insert")
            guard connection.changes == 1 else { return false }
            try AuditLog.append(actor: session.actor, action: "group.added", channel: "console", subject: "group:\(name)", at: now, in: connection)
            return true
        }
        guard added else { return CommandOutcome([session.text("分组“\(name)”已存在。", "Group '\(name)' already exists.")]) }
        return CommandOutcome([session.text("已添加分组“\(name)”。", "Added group '\(name)'.")])
    }

    func groupMembers(_ name: String, _ session: Session) async throws -> CommandOutcome {
        let exists = try await context.database.read { connection in
            try connection.query("SELECT id FROM groups WHERE name = ?", [.text(name)], operation: "groups.find").first != nil
        }
        guard exists else {
            throw ConsoleError(.notFound, message: LocalizedText(zh: "没有分组“\(name)”；输入 groups list 查看。", en: "No group '\(name)'; type groups list to list them."))
        }
        return try await listContacts(group: name, session)
    }

    // MARK: templates

    func listTemplates(_ session: Session) async throws -> CommandOutcome {
        let rows = try await context.database.read { connection in
            try connection.query("SELECT name, language, priority, sms_text, im_text FROM templates ORDER BY name, language", operation: "console.templates")
        }
        var lines: [(String, String)] = []
        for row in rows {
            let template = try AlertTemplate(
                name: row["name"].string ?? "", language: Language(code: row["language"].string ?? "zh") ?? .chinese,
                priority: AlertPriority(rawValue: row["priority"].int ?? 2) ?? .routine, smsText: row["sms_text"].string ?? "", imText: row["im_text"].string ?? "")
            let report = try? template.measureSMS(signature: context.signature)
            lines.append(("\(template.name) \(template.language.rawValue) P\(template.priority.rawValue)", Self.segmentText(report, session)))
        }
        let stored = Set(rows.compactMap { $0["name"].string })
        for name in BuiltInTemplates.Name.allCases.map(\.rawValue) where !stored.contains(name) {
            lines.append((name, session.text("内置模板", "built in")))
        }
        return CommandOutcome(CommandGrammar.table(lines))
    }

    func showTemplate(_ name: String, _ session: Session) async throws -> CommandOutcome {
        let templates = try await context.database.read { connection in try TemplateStore.templates(named: name, in: connection) }
        guard !templates.isEmpty else {
            throw ConsoleError(.notFound, message: LocalizedText(zh: "没有模板“\(name)”；输入 templates list 查看。", en: "No template '\(name)'; type templates list to list them."))
        }
        var lines: [String] = []
        for template in templates {
            lines.append("[\(template.language.rawValue)] P\(template.priority.rawValue)  " + Self.segmentText(try? template.measureSMS(signature: context.signature), session))
            lines.append("  SMS: \(template.smsText)")
            lines.append("  IM:  \(template.imText)")
        }
        return CommandOutcome(lines)
    }

    func setTemplate(_ invocation: CommandGrammar.Invocation, _ session: Session) async throws -> CommandOutcome {
        let priorityCode = invocation.argument(2) ?? "p2"
        let template = try AlertTemplate(
            name: invocation.argument(0) ?? "", language: Language(code: invocation.argument(1) ?? "zh") ?? .chinese,
            priority: AlertPriority(rawValue: Int(priorityCode.dropFirst()) ?? 2) ?? .routine, smsText: invocation.argument(3) ?? "",
            imText: invocation.argument(3) ?? "")
        let now = context.wallMillis
        let signature = context.signature
        let actor = session.actor
        do {
            let report = try await context.database.transaction("console.saveTemplate") { connection in
                try TemplateStore.save(template, signature: signature, author: actor, at: now, in: connection)
            }
            return CommandOutcome([session.text("已保存模板 \(template.reference)：", "Saved template \(template.reference): ") + Self.segmentText(report, session)])
        } catch let error as TemplateError {
            return CommandOutcome([error.message(session.language)])
        }
    }

    func checkTemplate(_ text: String, _ session: Session) -> CommandOutcome {
        do {
            let template = try AlertTemplate(name: "check", language: session.language, priority: .routine, smsText: text, imText: text)
            return CommandOutcome([Self.segmentText(try template.measureSMS(signature: context.signature), session)])
        } catch {
            return CommandOutcome([error.message(session.language)])
        }
    }

    /// Returns the live count shown while `templates set` or `templates check` is typed: the
    /// worst-case units of the text so far and its SMS parts, or nil for other lines.
    static func templateHint(for line: String, language: Language, signature: SMSSignature?) -> String? {
        let words = line.split(separator: " ", maxSplits: 5, omittingEmptySubsequences: true)
        guard words.count >= 2, words[0] == "templates" else { return nil }
        let text: Substring
        switch words[1] {
        case "set" where words.count == 6: text = words[5]
        case "check" where words.count >= 3: text = line[words[2].startIndex...]
        default: return nil
        }
        guard let template = try? AlertTemplate(name: "typing", language: language, priority: .routine, smsText: String(text), imText: String(text)),
            let report = try? template.measureSMS(signature: signature)
        else {
            return language == .chinese ? "[变量不完整]" : "[incomplete variable]"
        }
        let warning = report.parts > 1 ? "！" : ""
        return language == .chinese
            ? "[\(report.worstCaseUnits)/\(report.singleSMSCapacity) · \(report.parts) 条\(warning)]"
            : "[\(report.worstCaseUnits)/\(report.singleSMSCapacity) · \(report.parts) SMS\(report.parts > 1 ? "!" : "")]"
    }

    /// Returns the worst-case length and SMS count that the `templates` commands print.
    static func segmentText(_ report: SMSLengthReport?, _ session: Session) -> String {
        guard let report else { return session.text("无法计算长度", "length unknown") }
        let alphabet = report.singleSMSCapacity == 70 ? "UCS-2" : "GSM 7-bit"
        return session.text(
            "最坏情况 \(report.worstCaseUnits)/\(report.singleSMSCapacity) 个字符，\(report.parts) 条短信（\(alphabet)）",
            "worst case \(report.worstCaseUnits)/\(report.singleSMSCapacity) characters, \(report.parts) SMS (\(alphabet))")
    }

    // MARK: Helpers

    static func phone(_ text: String) throws(ConsoleError) -> String {
        do throws(SMSError) {
            return try PhoneNumber(parsing: text).e164
        } catch {
            throw ConsoleError(.invalidInput, message: LocalizedText(zh: "手机号无效：\(error.message(.chinese))", en: "Invalid mobile number: \(error.message(.english))"))
        }
    }

    static func setGroups(_ groups: [String], contact id: Int64, at now: Int64, in connection: Connection) throws {
        for group in groups {
            try connection.query("INSERT OR IGNORE INTO groups (name, created_at) VALUES (?, ?)", [.text(group), .integer(now)], operation: "groups.insert")
            try connection.query(
                "INSERT OR IGNORE INTO group_members (group_id, contact_id) SELECT id, ? FROM groups WHERE name = ?", [.integer(id), .text(group)],
                operation: "groups.addMember")
        }
    }

    func contactNumber(_ text: String) throws(ConsoleError) -> Int64 {
        guard let id = Int64(text.hasPrefix("#") ? String(text.dropFirst()) : text), id > 0 else {
            throw ConsoleError(
                .invalidInput,
                message: LocalizedText(zh: "联系人编号“\(text)”无效：请填 contacts list 第一列的数字。", en: "Invalid contact number '\(text)': use a number from the first column of contacts list."))
        }
        return id
    }

    func noContact(_ id: Int64) -> ConsoleError {
        ConsoleError(.notFound, message: LocalizedText(zh: "没有联系人 #\(id)；输入 contacts list 查看。", en: "No contact #\(id); type contacts list to list them."))
    }

    /// The default quiet hours for new contacts as minutes after midnight, nil when off.
    func quietDefault() async throws -> (Int, Int)? {
        let value = try await context.settings.value("quiet.default")
        let parts = value.split(separator: "-").map { $0.split(separator: ":").compactMap { Int($0) } }
        guard parts.count == 2, parts[0].count == 2, parts[1].count == 2 else { return nil }
        return (parts[0][0] * 60 + parts[0][1], parts[1][0] * 60 + parts[1][1])
    }
}
