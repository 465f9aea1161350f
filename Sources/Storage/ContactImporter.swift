public import Core
import SMS

/// A contact read from one CSV row.
public struct ImportedContact: Sendable, Equatable {
    public var line: Int
    public var name: String
    public var phones: [String]
    public var roles: [String]
    public var language: String
    public var groups: [String]
    public var quietStartMinute: Int?
    public var quietEndMinute: Int?
    public var rank: Int
}

/// A row that could not be imported, with its line number and the reason.
public struct ImportProblem: Error, Sendable, Equatable {
    public var line: Int
    public var reason: LocalizedText
}

/// The result of reading a contacts CSV file.
public struct ContactImport: Sendable {
    public var encoding: String
    public var contacts: [ImportedContact]
    public var problems: [ImportProblem]
}

/// Imports contacts and their groups from CSV, as exported by Excel or typed by hand.
///
/// The first row names the columns, in Chinese or English: 姓名/name (required),
/// 手机/phone (required; several numbers separated by `;`, `/` or `、`), 角色/roles,
/// 语言/language (`zh` or `en`), 分组/groups, 免打扰/quiet (`22:00-07:00`) and 排序/rank.
/// Files may be UTF-8, with or without BOM, or GBK. Every bad row is reported with its line
/// number and reason, and nothing is imported while any row is bad unless the operator asks to
/// skip bad rows.
public enum ContactImporter {
    static let headerNames: [String: String] = [
        "name": "name", "姓名": "name", "名字": "name",
        "phone": "phone", "phones": "phone", "mobile": "phone", "手机": "phone", "手机号": "phone", "电话": "phone",
        "roles": "roles", "role": "roles", "角色": "roles",
        "language": "language", "lang": "language", "语言": "language",
        "groups": "groups", "group": "groups", "分组": "groups", "部门": "groups",
        "quiet": "quiet", "quiet hours": "quiet", "免打扰": "quiet",
        "rank": "rank", "排序": "rank", "优先级": "rank",
    ]

    /// Reads the file's bytes into contacts and problems.
    public static func read(_ bytes: [UInt8]) -> ContactImport {
        guard let (text, encoding) = CSVReader.decode(bytes) else {
            return ContactImport(
                encoding: "unknown", contacts: [],
                problems: [ImportProblem(line: 1, reason: LocalizedText(zh: "文件既不是 UTF-8 也不是 GBK 编码；请在 Excel 中另存为“CSV UTF-8”", en: "the file is neither UTF-8 nor GBK; save it from Excel as \"CSV UTF-8\""))])
        }
        let records = CSVReader.records(text)
        guard let header = records.first else {
            return ContactImport(encoding: encoding, contacts: [], problems: [ImportProblem(line: 1, reason: LocalizedText(zh: "文件为空", en: "the file is empty"))])
        }
        var columns: [String: Int] = [:]
        for (index, name) in header.fields.enumerated() {
            if let key = headerNames[name.trimmingWhitespace().lowercased()] {
                columns[key] = index
            }
        }
        guard columns["name"] != nil, columns["phone"] != nil else {
            return ContactImport(
                encoding: encoding, contacts: [],
                problems: [ImportProblem(line: header.line, reason: LocalizedText(zh: "第一行须包含“姓名”和“手机”两列", en: "the first row must name the columns \"name\" and \"phone\""))])
        }

        var contacts: [ImportedContact] = []
        var problems: [ImportProblem] = []
        var seenPhones: [String: Int] = [:]
        for record in records.dropFirst() {
            func field(_ key: String) -> String {
                guard let index = columns[key], index < record.fields.count else { return "" }
                return record.fields[index].trimmingWhitespace()
            }
            do throws(ImportProblem) {
                let contact = try parse(record.line, field)
                for phone in contact.phones {
                    if let first = seenPhones[phone] {
                        throw ImportProblem(line: record.line, reason: LocalizedText(
                            zh: "手机号 \(PhoneMask.mask(phone)) 与第 \(first) 行重复", en: "phone \(PhoneMask.mask(phone)) repeats line \(first)"))
                    }
                }
                for phone in contact.phones { seenPhones[phone] = record.line }
                contacts.append(contact)
            } catch {
                problems.append(error)
            }
        }
        return ContactImport(encoding: encoding, contacts: contacts, problems: problems)
    }

    private static func parse(_ line: Int, _ field: (String) -> String) throws(ImportProblem) -> ImportedContact {
        let name = field("name")
        guard !name.isEmpty else {
            throw ImportProblem(line: line, reason: LocalizedText(zh: "缺少姓名", en: "missing name"))
        }
        let rawPhones = split(field("phone"))
        guard !rawPhones.isEmpty else {
            throw ImportProblem(line: line, reason: LocalizedText(zh: "缺少手机号", en: "missing phone"))
        }
        var phones: [String] = []
        for raw in rawPhones {
            do {
                // The same number written twice in one cell is one phone.
                let phone = try PhoneNumber(parsing: raw).e164
                if !phones.contains(phone) { phones.append(phone) }
            } catch {
                throw ImportProblem(line: line, reason: LocalizedText(zh: error.message(.chinese), en: error.message(.english)))
            }
        }
        let languageText = field("language").lowercased()
        let language: String
        switch languageText {
        case "", "zh", "中文", "zh-cn", "chinese": language = "zh"
        case "en", "英文", "english": language = "en"
        default:
            throw ImportProblem(line: line, reason: LocalizedText(zh: "语言“\(languageText)”无效；请填 zh 或 en", en: "invalid language '\(languageText)'; use zh or en"))
        }
        var quietStart: Int?
        var quietEnd: Int?
        let quiet = field("quiet")
        if !quiet.isEmpty {
            let parts = quiet.split(whereSeparator: { $0 == "-" || $0 == "~" || $0 == "～" || $0 == "–" })
            guard parts.count == 2, let start = minutes(String(parts[0])), let end = minutes(String(parts[1])) else {
                throw ImportProblem(line: line, reason: LocalizedText(zh: "免打扰时段“\(quiet)”无效；格式如 22:00-07:00", en: "invalid quiet hours '\(quiet)'; write them like 22:00-07:00"))
            }
            (quietStart, quietEnd) = (start, end)
        }
        let rankText = field("rank")
        guard rankText.isEmpty || Int(rankText) != nil else {
            throw ImportProblem(line: line, reason: LocalizedText(zh: "排序“\(rankText)”不是整数", en: "rank '\(rankText)' is not a whole number"))
        }
        return ImportedContact(
            line: line, name: name, phones: phones, roles: split(field("roles")), language: language,
            groups: split(field("groups")), quietStartMinute: quietStart, quietEndMinute: quietEnd,
            rank: Int(rankText) ?? 100)
    }

    private static func split(_ text: String) -> [String] {
        text.split(whereSeparator: { ";；/、|".contains($0) }).map { String($0).trimmingWhitespace() }.filter { !$0.isEmpty }
    }

    private static func minutes(_ text: String) -> Int? {
        let parts = text.trimmingWhitespace().replacingColons().split(separator: ":")
        guard parts.count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]), (0..<24).contains(hour), (0..<60).contains(minute) else {
            return nil
        }
        return hour * 60 + minute
    }

    /// Writes the contacts, their phones, roles and groups in one transaction.
    ///
    /// - Parameter skipBadRows: imports the good rows even when some rows are bad.
    /// - Throws: `StorageError` when rows are bad and `skipBadRows` is false; nothing is written then.
    @discardableResult
    public static func store(_ contacts: ContactImport, skipBadRows: Bool, at now: Int64, in connection: Connection) throws(StorageError) -> Int {
        guard contacts.problems.isEmpty || skipBadRows else {
            throw StorageError(
                operation: "contacts.import", code: 0,
                message: "\(contacts.problems.count) rows are invalid, first at line \(contacts.problems[0].line); fix them or import with skipping bad rows")
        }
        var groupIDs: [String: Int64] = [:]
        for contact in contacts.contacts {
            try connection.query(
                """
                INSERT INTO contacts (name, language, quiet_start_minute, quiet_end_minute, role_rank, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [.text(contact.name), .text(contact.language), SQLValue(contact.quietStartMinute), SQLValue(contact.quietEndMinute), .integer(Int64(contact.rank)), .integer(now), .integer(now)],
                operation: "contacts.insert")
            let contactID = connection.lastInsertRowID
            for (position, phone) in contact.phones.enumerated() {
                try connection.query(
                    "INSERT INTO contact_phones (contact_id, e164, position) VALUES (?, ?, ?)",
                    [.integer(contactID), .text(phone), .integer(Int64(position))], operation: "contacts.insertPhone")
            }
            for role in contact.roles {
                try connection.query("INSERT OR IGNORE INTO contact_roles (contact_id, role) VALUES (?, ?)", [.integer(contactID), .text(role)], operation: "contacts.insertRole")
            }
            for group in contact.groups {
                let groupID: Int64
                if let known = groupIDs[group] {
                    groupID = known
                } else {
                    try connection.query("INSERT OR IGNORE INTO groups (name, created_at) VALUES (?, ?)", [.text(group), .integer(now)], operation: "groups.insert")
                    groupID = try connection.query("SELECT id FROM groups WHERE name = ?", [.text(group)], operation: "groups.find").first?["id"].int64 ?? 0
                    groupIDs[group] = groupID
                }
                try connection.query(
                    "INSERT OR IGNORE INTO group_members (group_id, contact_id) VALUES (?, ?)", [.integer(groupID), .integer(contactID)],
                    operation: "groups.addMember")
            }
        }
        return contacts.contacts.count
    }
}

extension String {
    /// Returns the string with full-width colons (from Chinese input methods) made ASCII.
    func replacingColons() -> String {
        String(map { $0 == "：" ? ":" : $0 })
    }
}
