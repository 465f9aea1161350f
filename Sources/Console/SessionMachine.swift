public import Core

/// An operator's permissions at the console.
public enum ConsoleRole: String, Sendable, CaseIterable, Comparable {
    /// Sends, tests and cancels alerts, and views everything.
    case `operator`
    /// Also edits configuration, contacts, templates and users.
    case admin

    public static func < (lhs: ConsoleRole, rhs: ConsoleRole) -> Bool {
        lhs == .operator && rhs == .admin
    }

    public var name: LocalizedText {
        switch self {
        case .operator: LocalizedText(zh: "值班员", en: "operator")
        case .admin: LocalizedText(zh: "管理员", en: "admin")
        }
    }
}

/// The outcome of checking a user name and password.
public enum AuthenticationResult: Sendable, Equatable {
    case accepted(role: ConsoleRole, mustChangePassword: Bool)
    /// Wrong name or password, with the attempts left before a lockout.
    case rejected(remainingAttempts: Int)
    /// The user name or the door is locked for this many more minutes.
    case locked(minutes: Int)
}

/// One console session's login, password change and idle state; pure, driven by lines and
/// by the time the caller passes in.
///
/// A session asks for a user name, then a password without echo, and hands both to the
/// caller to check. A user whose password must change (first boot, after `users reset`) can
/// do nothing else until they set a new one. A session idle for `idleLimit` ends.
public struct SessionMachine: Sendable {
    public enum PasswordStep: Sendable, Equatable {
        case current
        case new
        case confirm(String)
    }

    public enum Phase: Sendable, Equatable {
        case username
        case password(user: String)
        case authenticating(user: String)
        /// Changing the password: forced after login, or asked for with `passwd`.
        case changingPassword(user: String, role: ConsoleRole, step: PasswordStep, forced: Bool)
        case savingPassword(user: String, role: ConsoleRole, forced: Bool)
        case active(user: String, role: ConsoleRole)
        case closed
    }

    public enum Prompt: Sendable, Equatable {
        case username
        case password
        case currentPassword
        case newPassword
        case confirmPassword
        case command(user: String, role: ConsoleRole)
    }

    public enum CloseReason: Sendable, Equatable {
        case idle
        case logout
    }

    public enum Action: Sendable, Equatable {
        case prompt(Prompt)
        case message(LocalizedText)
        /// Checks the password; the caller answers with `authenticated(_:at:)`.
        case authenticate(user: String, password: String)
        /// Checks `current` (nil when forced) and stores `new`; the caller answers with `passwordSaved(_:at:)`.
        case savePassword(user: String, current: String?, new: String)
        case loggedIn(user: String, role: ConsoleRole)
        /// Runs a command line for the logged-in user.
        case execute(String, user: String, role: ConsoleRole)
        case closed(CloseReason)
    }

    public static let minimumPasswordLength = 8

    public private(set) var phase = Phase.username
    public let idleLimit: Duration
    private var lastActivity: MonotonicInstant

    public init(idleLimit: Duration, at now: MonotonicInstant) {
        self.idleLimit = idleLimit
        lastActivity = now
    }

    /// Starts, or starts over after a close: asks for the user name.
    public mutating func start(at now: MonotonicInstant) -> [Action] {
        phase = .username
        lastActivity = now
        return [.prompt(.username)]
    }

    /// Notes a key press, which keeps the session from going idle.
    public mutating func touch(at now: MonotonicInstant) {
        lastActivity = now
    }

    /// Feeds one submitted line.
    public mutating func input(_ line: String, at now: MonotonicInstant) -> [Action] {
        lastActivity = now
        switch phase {
        case .username:
            let user = line.trimmingSpaces()
            guard !user.isEmpty else { return [.prompt(.username)] }
            phase = .password(user: user)
            return [.prompt(.password)]
        case .password(let user):
            phase = .authenticating(user: user)
            return [.authenticate(user: user, password: line)]
        case .authenticating, .savingPassword, .closed:
            return []
        case .changingPassword(let user, let role, let step, let forced):
            return passwordStep(line, user: user, role: role, step: step, forced: forced)
        case .active(let user, let role):
            let command = line.trimmingSpaces()
            if command.isEmpty { return [.prompt(.command(user: user, role: role))] }
            return [.execute(command, user: user, role: role)]
        }
    }

    private mutating func passwordStep(_ line: String, user: String, role: ConsoleRole, step: PasswordStep, forced: Bool) -> [Action] {
        switch step {
        case .current:
            phase = .changingPassword(user: user, role: role, step: .new, forced: forced)
            pendingCurrent = line
            return [.prompt(.newPassword)]
        case .new:
            if let problem = Self.passwordProblem(line, user: user) {
                return [.message(problem), .prompt(.newPassword)]
            }
            phase = .changingPassword(user: user, role: role, step: .confirm(line), forced: forced)
            return [.prompt(.confirmPassword)]
        case .confirm(let first):
            guard line == first else {
                phase = .changingPassword(user: user, role: role, step: .new, forced: forced)
                return [
                    .message(LocalizedText(zh: "两次输入的密码不一致，请重新输入新密码。", en: "The two passwords do not match; enter the new password again.")),
                    .prompt(.newPassword),
                ]
            }
            phase = .savingPassword(user: user, role: role, forced: forced)
            let current = pendingCurrent
            pendingCurrent = nil
            return [.savePassword(user: user, current: forced ? nil : current, new: line)]
        }
    }

    /// The current password typed for `passwd`, kept until the new one is confirmed.
    private var pendingCurrent: String?

    /// Returns why `password` is not allowed, or nil when it is.
    public static func passwordProblem(_ password: String, user: String) -> LocalizedText? {
        if password.count < minimumPasswordLength {
            return LocalizedText(
                zh: "新密码太短：至少 \(minimumPasswordLength) 个字符。",
                en: "The new password is too short: use at least \(minimumPasswordLength) characters.")
        }
        if password == user {
            return LocalizedText(zh: "新密码不能与用户名相同。", en: "The new password must differ from the user name.")
        }
        return nil
    }

    /// Feeds the result of `authenticate`.
    public mutating func authenticated(_ result: AuthenticationResult, at now: MonotonicInstant) -> [Action] {
        guard case .authenticating(let user) = phase else { return [] }
        lastActivity = now
        switch result {
        case .accepted(let role, let mustChange):
            if mustChange {
                phase = .changingPassword(user: user, role: role, step: .new, forced: true)
                return [
                    .message(LocalizedText(zh: "首次登录或密码已被重置，请先设置新密码。", en: "First login or the password was reset: set a new password first.")),
                    .prompt(.newPassword),
                ]
            }
            phase = .active(user: user, role: role)
            return [.loggedIn(user: user, role: role), .prompt(.command(user: user, role: role))]
        case .rejected(let remaining):
            phase = .username
            return [
                .message(
                    LocalizedText(
                        zh: "用户名或密码错误，还可再试 \(remaining) 次。",
                        en: "Wrong user name or password; \(remaining) attempts left before a 5-minute lockout.")),
                .prompt(.username),
            ]
        case .locked(let minutes):
            phase = .username
            return [
                .message(
                    LocalizedText(
                        zh: "登录失败次数过多，已锁定，请 \(minutes) 分钟后再试。",
                        en: "Too many failed logins: locked, try again in \(minutes) minutes.")),
                .prompt(.username),
            ]
        }
    }

    /// Starts `passwd` for the logged-in user: current password, then the new one twice.
    public mutating func beginPasswordChange(at now: MonotonicInstant) -> [Action] {
        guard case .active(let user, let role) = phase else { return [] }
        lastActivity = now
        phase = .changingPassword(user: user, role: role, step: .current, forced: false)
        return [.prompt(.currentPassword)]
    }

    /// Feeds the result of `savePassword`: nil when stored, else the reason.
    public mutating func passwordSaved(_ problem: LocalizedText?, at now: MonotonicInstant) -> [Action] {
        guard case .savingPassword(let user, let role, let forced) = phase else { return [] }
        lastActivity = now
        if let problem {
            phase = .changingPassword(user: user, role: role, step: forced ? .new : .current, forced: forced)
            return [.message(problem), .prompt(forced ? .newPassword : .currentPassword)]
        }
        phase = .active(user: user, role: role)
        var actions: [Action] = [.message(LocalizedText(zh: "密码已修改。", en: "Password changed."))]
        if forced { actions.append(.loggedIn(user: user, role: role)) }
        actions.append(.prompt(.command(user: user, role: role)))
        return actions
    }

    /// Returns to the command prompt after a command finished.
    public func commandPrompt() -> [Action] {
        guard case .active(let user, let role) = phase else { return [] }
        return [.prompt(.command(user: user, role: role))]
    }

    /// Ends the session at the user's request.
    public mutating func logout() -> [Action] {
        phase = .closed
        return [.closed(.logout)]
    }

    /// Checks the idle limit; ends the session when it passed.
    public mutating func tick(at now: MonotonicInstant) -> [Action] {
        guard phase != .closed, lastActivity.duration(to: now) >= idleLimit else { return [] }
        switch phase {
        case .authenticating, .savingPassword: return []  // the check is still running
        default: break
        }
        phase = .closed
        return [.closed(.idle)]
    }
}

extension String {
    /// Returns the string without leading and trailing spaces, tabs and full-width spaces.
    func trimmingSpaces() -> String {
        let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\u{3000}" }
        guard let first = firstIndex(where: { !blank($0) }), let last = lastIndex(where: { !blank($0) }) else { return "" }
        return String(self[first...last])
    }
}
