import Core
public import Storage

/// Console users in the `console_users` table.
public enum UserStore {
    public struct User: Sendable, Equatable {
        public var name: String
        public var role: ConsoleRole
        public var mustChangePassword: Bool
        public var lastLoginAt: Int64?
    }

    /// Returns every user, by name.
    public static func users(in connection: Connection) throws -> [User] {
        try connection.query("SELECT name, role, must_change, last_login_at FROM console_users ORDER BY name", operation: "users.list").map { row in
            User(
                name: row["name"].string ?? "", role: ConsoleRole(rawValue: row["role"].string ?? "") ?? .operator,
                mustChangePassword: row["must_change"].int == 1, lastLoginAt: row["last_login_at"].int64)
        }
    }

    /// Returns the user's role, stored hash and whether the password must change; nil for an unknown name.
    static func credentials(_ name: String, in connection: Connection) throws -> (role: ConsoleRole, hash: String, mustChange: Bool)? {
        guard let row = try connection.query(
            "SELECT role, password_hash, must_change FROM console_users WHERE name = ?", [.text(name)], operation: "users.credentials"
        ).first else { return nil }
        return (ConsoleRole(rawValue: row["role"].string ?? "") ?? .operator, row["password_hash"].string ?? "", row["must_change"].int == 1)
    }

    /// Adds a user whose password must change at first login.
    /// - Throws: `ConsoleError` when the name is taken or not a plain name.
    public static func add(_ name: String, role: ConsoleRole, hash: PasswordHash, author: String, at now: Int64, in connection: Connection) throws {
        guard isValidName(name) else {
            throw ConsoleError(
                .invalidInput,
                message: LocalizedText(
                    zh: "用户名“\(name)”无效：请用 1-32 个字母、数字、. _ -。", en: "Invalid user name '\(name)': use 1-32 letters, digits, '.', '_' or '-'."))
        }
        guard try credentials(name, in: connection) == nil else {
            throw ConsoleError(.invalidInput, message: LocalizedText(zh: "用户“\(name)”已存在。", en: "User '\(name)' already exists."))
        }
        try connection.query(
            "INSERT INTO console_users (name, role, password_hash, must_change, created_at, updated_at) VALUES (?, ?, ?, 1, ?, ?)",
            [.text(name), .text(role.rawValue), .text(hash.description), .integer(now), .integer(now)], operation: "users.add")
        try AuditLog.append(actor: author, action: "user.added", subject: "user:\(name)", detail: "role \(role.rawValue)", at: now, in: connection)
    }

    /// Stores a new password hash; `mustChange` marks a reset by an admin.
    public static func setPassword(_ name: String, hash: PasswordHash, mustChange: Bool, author: String, at now: Int64, in connection: Connection) throws {
        try connection.query(
            "UPDATE console_users SET password_hash = ?, must_change = ?, updated_at = ? WHERE name = ?",
            [.text(hash.description), .integer(mustChange ? 1 : 0), .integer(now), .text(name)], operation: "users.setPassword")
        guard connection.changes == 1 else { throw notFound(name) }
        try AuditLog.append(
            actor: author, action: mustChange ? "user.passwordReset" : "user.passwordChanged", subject: "user:\(name)", at: now, in: connection)
    }

    /// Deletes a user; the last admin cannot be deleted.
    public static func delete(_ name: String, author: String, at now: Int64, in connection: Connection) throws {
        guard let user = try credentials(name, in: connection) else { throw notFound(name) }
        if user.role == .admin {
            let admins = try connection.query("SELECT count(*) AS n FROM console_users WHERE role = 'admin'", operation: "users.countAdmins").first?["n"].int ?? 0
            guard admins > 1 else {
                throw ConsoleError(
                    .invalidInput, message: LocalizedText(zh: "不能删除最后一个管理员；请先添加另一个管理员。", en: "Cannot delete the last admin; add another admin first."))
            }
        }
        try connection.query("DELETE FROM console_users WHERE name = ?", [.text(name)], operation: "users.delete")
        try AuditLog.append(actor: author, action: "user.deleted", subject: "user:\(name)", at: now, in: connection)
    }

    static func notFound(_ name: String) -> ConsoleError {
        ConsoleError(.notFound, message: LocalizedText(zh: "没有用户“\(name)”；输入 users list 查看全部用户。", en: "No user '\(name)'; type users list for every user."))
    }

    static func isValidName(_ name: String) -> Bool {
        (1...32).contains(name.count) && name.unicodeScalars.allSatisfy { $0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-_".unicodeScalars.contains($0) }
    }
}
