public import Core
import Foundation
import Hardware
public import Storage

/// Checks console logins and stores passwords, on a thread of its own because each PBKDF2
/// run takes tens to hundreds of milliseconds of CPU.
///
/// One authenticator serves every door, so its `LoginGuard` counts failures across them and
/// password checks run one at a time. Every login, failure and lockout is audited; passwords
/// are never logged or stored in clear.
public actor Authenticator {
    nonisolated let loop = EventLoop(name: "console authentication")
    public nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }

    let database: Database
    let clock: any BoxClock
    let logger: Logger
    let iterations: Int
    private var loginGuard = LoginGuard()
    /// A hash to check against when the user name is unknown, so that the reply takes as long
    /// as for a known name.
    private var decoy: PasswordHash?

    public init(database: Database, clock: any BoxClock, logger: Logger, iterations: Int = PasswordHash.defaultIterations) {
        self.database = database
        self.clock = clock
        self.logger = logger.labeled("console.auth")
        self.iterations = iterations
    }

    private var wallMillis: Int64 { clock.wallNow.nanosecondsSinceEpoch / 1_000_000 }

    /// Creates the first admin when there are no users.
    ///
    /// With `initialPassword` (from the configuration) the admin gets it; otherwise a random
    /// one-time password is written to `oneTimePasswordFile` with mode 0600 and only the
    /// file's path is logged. Either way the password must change at first login.
    /// - Returns: whether an admin was created.
    @discardableResult
    public func bootstrap(adminName: String = "admin", initialPassword: String?, oneTimePasswordFile: String) async throws -> Bool {
        let existing = try await database.read { connection in try UserStore.users(in: connection) }
        guard existing.isEmpty else { return false }
        let password = try initialPassword ?? PasswordHash.randomPassword()
        let hash = try PasswordHash.make(password, iterations: iterations)
        let now = wallMillis
        try await database.transaction("users.bootstrap") { connection in
            try UserStore.add(adminName, role: .admin, hash: hash, author: "system", at: now, in: connection)
        }
        if initialPassword == nil {
            do {
                try OwnerOnlyFile.write(Array((password + "\n").utf8), to: oneTimePasswordFile)
            } catch {
                throw ConsoleError(
                    .invalidInput,
                    detail: "cannot write the one-time password to \(oneTimePasswordFile) (\(error)); check that its directory exists and is writable")
            }
            logger.notice(
                "first admin created; its one-time password is in the file named here",
                ["console.user": .plain(adminName), "console.passwordFile": .plain(oneTimePasswordFile)])
        } else {
            logger.notice("first admin created with the configured initial password", ["console.user": .plain(adminName)])
        }
        return true
    }

    /// Replays the console's login failures and successes of the last lockout period from the
    /// audit log, so a restart clears neither a lockout nor the failures counted toward one.
    ///
    /// The rows carry wall-clock times: a row from the future, as after the clock was set
    /// back, counts as just now, which at worst locks for one more period.
    public func restoreFailures() async {
        let now = clock.now
        let wall = wallMillis
        let period = Int64(LoginGuard.lockoutDuration.components.seconds) * 1_000
        let rows: [(at: Int64, user: String, door: String, failed: Bool)]
        do {
            rows = try await database.read { connection in
                try connection.query(
                    """
                    SELECT at, actor, action, channel FROM audit_log
                    WHERE action IN ('login.failed', 'login.succeeded') AND at >= ? ORDER BY at, id
                    """, [.integer(wall - period)], operation: "console.restoreFailures"
                ).map { row in
                    (row["at"].int64 ?? wall, String((row["actor"].string ?? "").trimmingPrefix("console:")),
                     String((row["channel"].string ?? "").trimmingPrefix("console:")), row["action"].string == "login.failed")
                }
            }
        } catch {
            logger.error("earlier login failures not read; lockouts start afresh", ["error": .plain("\(error)")])
            return
        }
        for row in rows {
            let instant = now.advanced(by: .zero - .milliseconds(max(0, wall - row.at)))
            if row.failed {
                _ = loginGuard.recordFailure(user: row.user, door: row.door, at: instant)
            } else {
                loginGuard.recordSuccess(user: row.user, door: row.door)
            }
        }
        let failures = rows.filter(\.failed).count
        if failures > 0 {
            logger.notice("earlier login failures restored", ["console.failures": .plain(String(failures))])
        }
    }

    /// Checks a login on `door` (`serial`, `socket`).
    public func authenticate(user: String, password: String, door: String) async -> AuthenticationResult {
        let now = clock.now
        if let until = loginGuard.lockout(user: user, door: door, at: now) {
            let seconds = Int(now.duration(to: until).components.seconds)
            await audit(user: "(locked)", door: door, action: "login.rejectedLocked")
            return .locked(minutes: max(1, (seconds + 59) / 60))
        }

        var accepted: (ConsoleRole, Bool)?
        var known = false
        do {
            let credentials = try await database.read { connection in try UserStore.credentials(user, in: connection) }
            if let credentials {
                known = true
                if try PasswordHash(parsing: credentials.hash).verify(password) {
                    accepted = (credentials.role, credentials.mustChange)
                }
            } else {
                _ = try decoyHash().verify(password)
            }
        } catch {
            logger.error("login check failed", ["console.user": .plain(user), "console.door": .plain(door), "error": .plain("\(error)")])
        }

        if let (role, mustChange) = accepted {
            loginGuard.recordSuccess(user: user, door: door)
            let at = wallMillis
            try? await database.transaction("users.login") { connection in
                try connection.query("UPDATE console_users SET last_login_at = ? WHERE name = ?", [.integer(at), .text(user)], operation: "users.login")
                try AuditLog.append(actor: "console:\(user)", action: "login.succeeded", channel: "console:\(door)", at: at, in: connection)
            }
            logger.info("login", ["console.user": .plain(user), "console.door": .plain(door)])
            return .accepted(role: role, mustChangePassword: mustChange)
        }

        let locked = loginGuard.recordFailure(user: user, door: door, at: clock.now)
        // An unknown name may be a password typed into the name field, so it is not recorded.
        let shownUser = known ? user : "(unknown)"
        await audit(user: shownUser, door: door, action: "login.failed")
        logger.warning("login failed", ["console.user": .plain(shownUser), "console.door": .plain(door)])
        if !locked.isEmpty {
            await audit(user: shownUser, door: door, action: "login.locked", detail: locked.filter { known || $0.hasPrefix("door:") }.joined(separator: ","))
            logger.warning("login locked", ["console.locked": .plain(known ? locked.joined(separator: ",") : "door:\(door)"), "console.door": .plain(door)])
            return .locked(minutes: Int(LoginGuard.lockoutDuration.components.seconds / 60))
        }
        return .rejected(remainingAttempts: loginGuard.remainingAttempts(user: user, door: door, at: clock.now))
    }

    /// Checks `current` unless nil, then stores `new` for `user`.
    /// - Returns: nil when stored, else the reason for the operator.
    public func changePassword(user: String, current: String?, new: String) async -> LocalizedText? {
        do {
            let credentials = try await database.read { connection in try UserStore.credentials(user, in: connection) }
            guard let credentials else { return UserStore.notFound(user).message }
            let stored = try PasswordHash(parsing: credentials.hash)
            if let current, try !stored.verify(current) {
                await audit(user: user, door: "-", action: "passwd.wrongCurrent")
                return LocalizedText(zh: "当前密码错误，密码未修改。", en: "The current password is wrong; the password was not changed.")
            }
            if try stored.verify(new) {
                return LocalizedText(zh: "新密码不能与旧密码相同。", en: "The new password must differ from the old one.")
            }
            let hash = try PasswordHash.make(new, iterations: iterations)
            let now = wallMillis
            try await database.transaction("users.passwd") { connection in
                try UserStore.setPassword(user, hash: hash, mustChange: false, author: "console:\(user)", at: now, in: connection)
            }
            return nil
        } catch let error as ConsoleError {
            return error.message
        } catch {
            logger.error("password change failed", ["console.user": .plain(user), "error": .plain("\(error)")])
            return LocalizedText(zh: "保存密码失败：\(error)", en: "Saving the password failed: \(error)")
        }
    }

    /// Hashes a password for a new user or a reset, on this thread.
    public func hash(_ password: String) throws -> PasswordHash {
        try PasswordHash.make(password, iterations: iterations)
    }

    private func decoyHash() throws -> PasswordHash {
        if let decoy { return decoy }
        let made = try PasswordHash.make(PasswordHash.randomPassword(), iterations: iterations)
        decoy = made
        return made
    }

    private func audit(user: String, door: String, action: String, detail: String? = nil) async {
        let at = wallMillis
        do {
            try await database.transaction("audit.login") { connection in
                try AuditLog.append(actor: "console:\(user)", action: action, channel: "console:\(door)", detail: detail, at: at, in: connection)
            }
        } catch {
            logger.error("audit of a login failed", ["console.user": .plain(user), "error": .plain("\(error)")])
        }
    }
}
