import Core
import Storage

extension CommandRunner {
    // MARK: config

    func configShow(_ session: Session) async throws -> CommandOutcome {
        let running = try await context.settings.running()
        let candidate = try await context.settings.candidate()
        var rows: [(String, String)] = []
        for definition in SettingRegistry.definitions {
            var value = running[definition.key] ?? definition.defaultValue
            if candidate[definition.key] != running[definition.key] {
                value += session.text("（待提交：\(candidate[definition.key] ?? "")）", " (candidate: \(candidate[definition.key] ?? ""))")
            }
            rows.append((definition.key, value))
        }
        return CommandOutcome(CommandGrammar.table(rows))
    }

    func configGet(_ key: String, _ session: Session) async throws -> CommandOutcome {
        guard let definition = SettingRegistry.definition(key) else { throw unknownSetting(key) }
        let running = try await context.settings.running()[key] ?? definition.defaultValue
        let candidate = try await context.settings.candidate()[key] ?? definition.defaultValue
        return CommandOutcome(
            ["\(key): \(definition.description(session.language))"]
                + CommandGrammar.table([
                    (session.text("运行值", "running"), running),
                    (session.text("待提交值", "candidate"), candidate),
                    (session.text("默认值", "default"), definition.defaultValue),
                    (session.text("取值", "allowed"), definition.allowed(session.language)),
                    (session.text("生效", "applies"), definition.appliesLive ? session.text("提交后立即生效", "at once on commit") : session.text("重启后生效", "after a restart")),
                ]))
    }

    func configSet(_ key: String, _ value: String, _ session: Session) async throws -> CommandOutcome {
        let stored = try await context.settings.set(key, value, author: session.actor)
        return CommandOutcome([
            session.text("待提交：\(key) = \(stored)。输入 config diff 查看，config commit 提交。", "Candidate: \(key) = \(stored). Type config diff to review, config commit to apply.")
        ])
    }

    func configDiff(_ session: Session) async throws -> CommandOutcome {
        let changes = try await context.settings.diff()
        guard !changes.isEmpty else { return CommandOutcome([session.text("待提交配置与运行配置相同。", "The candidate is the same as the running configuration.")]) }
        return CommandOutcome(changes.flatMap { ["- \($0.key) = \($0.old)", "+ \($0.key) = \($0.new)"] })
    }

    func configCommit(_ session: Session) async throws -> CommandOutcome {
        guard let report = try await context.settings.commit(author: session.actor) else {
            return CommandOutcome([session.text("没有待提交的修改。", "Nothing to commit.")])
        }
        return CommandOutcome(commitLines(report, done: session.text("已提交配置版本 \(report.version)", "Committed configuration version \(report.version)"), session))
    }

    func configRollback(_ session: Session) async throws -> CommandOutcome {
        guard let report = try await context.settings.rollback(author: session.actor) else {
            return CommandOutcome([session.text("没有已提交的配置可回退。", "There is no committed configuration to roll back.")])
        }
        let target = report.version == 0 ? session.text("默认配置", "the defaults") : session.text("版本 \(report.version)", "version \(report.version)")
        return CommandOutcome(commitLines(report, done: session.text("已回退到\(target)", "Rolled back to \(target)"), session))
    }

    func configDiscard(_ session: Session) async throws -> CommandOutcome {
        let discarded = try await context.settings.discard(author: session.actor)
        return CommandOutcome([discarded ? session.text("已放弃待提交的修改。", "Discarded the candidate changes.") : session.text("没有待提交的修改。", "Nothing to discard.")])
    }

    private func commitLines(_ report: RuntimeSettings.CommitReport, done: String, _ session: Session) -> [String] {
        var lines = [done + session.text("，\(report.changes.count) 项改动。", ", \(report.changes.count) changes.")]
        if !report.appliedLive.isEmpty {
            lines.append(session.text("已立即生效：", "Applied now: ") + report.appliedLive.joined(separator: ", "))
        }
        if !report.needRestart.isEmpty {
            lines.append(session.text("重启后生效：", "Applies after a restart: ") + report.needRestart.joined(separator: ", "))
        }
        return lines
    }

    private func unknownSetting(_ key: String) -> ConsoleError {
        ConsoleError(.unknownSetting, message: LocalizedText(zh: "没有设置项“\(key)”；输入 config show 查看全部设置项。", en: "Unknown setting '\(key)'; type config show for every key."))
    }

    // MARK: users

    func listUsers(_ session: Session) async throws -> CommandOutcome {
        let users = try await context.database.read { connection in try UserStore.users(in: connection) }
        let offset = try await utcOffset()
        return CommandOutcome(
            CommandGrammar.table(
                users.map { user in
                    var detail = user.role.name(session.language)
                    if user.mustChangePassword { detail += session.text("，须改密码", ", must change password") }
                    if let last = user.lastLoginAt { detail += session.text("，上次登录 ", ", last login ") + Self.localTime(last, offsetMinutes: offset) }
                    return (user.name, detail)
                }))
    }

    func addUser(_ name: String, role: String, _ session: Session) async throws -> CommandOutcome {
        let password = try PasswordHash.randomPassword()
        let hash = try await context.authenticator.hash(password)
        let now = context.wallMillis
        let actor = session.actor
        try await context.database.transaction("console.addUser") { connection in
            try UserStore.add(name, role: ConsoleRole(rawValue: role) ?? .operator, hash: hash, author: actor, at: now, in: connection)
        }
        return CommandOutcome([
            session.text("已添加用户 \(name)。一次性密码：\(password)", "Added user \(name). One-time password: \(password)"),
            session.text("请当面交给本人；首次登录时须修改。", "Hand it over in person; it must be changed at first login."),
        ])
    }

    func deleteUser(_ name: String, _ session: Session) async throws -> CommandOutcome {
        guard name != session.user else {
            throw ConsoleError(.invalidInput, message: LocalizedText(zh: "不能删除自己的账号。", en: "You cannot delete your own account."))
        }
        let now = context.wallMillis
        let actor = session.actor
        try await context.database.transaction("console.deleteUser") { connection in
            try UserStore.delete(name, author: actor, at: now, in: connection)
        }
        return CommandOutcome([session.text("已删除用户 \(name)。", "Deleted user \(name).")])
    }

    func resetUser(_ name: String, _ session: Session) async throws -> CommandOutcome {
        let password = try PasswordHash.randomPassword()
        let hash = try await context.authenticator.hash(password)
        let now = context.wallMillis
        let actor = session.actor
        try await context.database.transaction("console.resetUser") { connection in
            try UserStore.setPassword(name, hash: hash, mustChange: true, author: actor, at: now, in: connection)
        }
        return CommandOutcome([
            session.text("已重置 \(name) 的密码。一次性密码：\(password)", "Reset the password of \(name). One-time password: \(password)"),
            session.text("请当面交给本人；首次登录时须修改。", "Hand it over in person; it must be changed at first login."),
        ])
    }
}
