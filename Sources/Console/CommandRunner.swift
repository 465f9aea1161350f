public import Core
import Modem
import ATProtocol
import Scheduler
import Storage

/// The result of one command: the lines to print and what the session does next.
public struct CommandOutcome: Sendable {
    public enum Effect: Sendable {
        case logout
        case language(Language)
        /// Starts `passwd`: the session asks for the passwords without echo.
        case changePassword
        /// Asks `question`; the answer `yes` (or 确认) runs the command again, confirmed.
        case confirm(question: String, line: String)
        /// Reads pasted CSV lines until a line with a single `.`.
        case pasteContacts(skipBadRows: Bool)
        /// Shows the live progress line of an alert.
        case progress(alertID: Int64)
    }

    public var lines: [String]
    public var effect: Effect?

    public init(_ lines: [String] = [], effect: Effect? = nil) {
        self.lines = lines
        self.effect = effect
    }
}

/// Runs parsed console commands against the box. One runner serves every session.
public struct CommandRunner: Sendable {
    public let context: ConsoleContext
    let grammar = CommandTable.grammar

    public init(context: ConsoleContext) {
        self.context = context
    }

    /// Parses and runs `line` for `user`, answering in `language`.
    /// - Parameter confirmed: the user already answered yes to the command's question.
    public func run(_ line: String, user: String, role: ConsoleRole, language: Language, confirmed: Bool = false) async -> CommandOutcome {
        let invocation: CommandGrammar.Invocation
        do {
            invocation = try grammar.parse(line, role: role)
        } catch {
            return CommandOutcome([error.message(language)])
        }
        do {
            return try await dispatch(invocation, line: line, user: user, role: role, language: language, confirmed: confirmed)
        } catch let error as ConsoleError {
            return CommandOutcome([error.message(language)])
        } catch let error as SchedulerError {
            return CommandOutcome([LocalizedText(zh: "失败：", en: "Failed: ")(language) + error.reason(language)])
        } catch {
            context.logger.error("console command failed", ["console.command": .plain(invocation.command.id.rawValue), "error": .plain("\(error)")])
            return CommandOutcome([LocalizedText(zh: "失败：\(error)", en: "Failed: \(error)")(language)])
        }
    }

    private func dispatch(
        _ invocation: CommandGrammar.Invocation, line: String, user: String, role: ConsoleRole, language: Language, confirmed: Bool
    ) async throws -> CommandOutcome {
        let session = Session(user: user, role: role, language: language)
        switch invocation.command.id {
        case .help: return help(invocation.argument(0), session)
        case .lang:
            let chosen = Language(code: invocation.argument(0) ?? "") ?? language
            return CommandOutcome([LocalizedText(zh: "界面语言：简体中文。", en: "Console language: English.")(chosen)], effect: .language(chosen))
        case .logout: return CommandOutcome([session.text("再见。", "Goodbye.")], effect: .logout)
        case .passwd: return CommandOutcome(effect: .changePassword)
        case .status: return await status(session)
        case .modemInfo: return await modemInfo(session)
        case .modemReset: return try await modemReset(session)
        case .sirenOff: return try await sirenOff(session)
        case .uplinkTest: return await uplinkTest(session)
        case .showAlerts: return try await showAlerts(session)
        case .showDeliveries: return try await showDeliveries(invocation.argument(0) ?? "", session)
        case .showInbox: return try await showInbox(session)
        case .showLog: return try await showLog(session)
        case .alertSend, .alertTest:
            return try await sendAlert(invocation, line: line, test: invocation.command.id == .alertTest, confirmed: confirmed, session)
        case .alertCancel: return try await cancelAlert(invocation.argument(0) ?? "", session)
        case .contactsList: return try await listContacts(group: invocation.argument(0), session)
        case .contactsAdd: return try await addContact(invocation, session)
        case .contactsEdit: return try await editContact(invocation, session)
        case .contactsDelete: return try await deleteContact(invocation.argument(0) ?? "", session)
        case .contactsImport: return try await importContacts(path: invocation.argument(0) ?? "", skipBadRows: invocation.argument(1) != nil, session)
        case .contactsPaste:
            return CommandOutcome(
                [session.text("请粘贴 CSV 文本（第一行为列名），单独一行 . 结束：", "Paste the CSV text (first row names the columns); end with a line holding a single .:")],
                effect: .pasteContacts(skipBadRows: false))
        case .groupsList: return try await listGroups(session)
        case .groupsAdd: return try await addGroup(invocation.argument(0) ?? "", session)
        case .groupsMembers: return try await groupMembers(invocation.argument(0) ?? "", session)
        case .templatesList: return try await listTemplates(session)
        case .templatesShow: return try await showTemplate(invocation.argument(0) ?? "", session)
        case .templatesSet: return try await setTemplate(invocation, session)
        case .templatesCheck: return checkTemplate(invocation.argument(0) ?? "", session)
        case .configShow: return try await configShow(session)
        case .configGet: return try await configGet(invocation.argument(0) ?? "", session)
        case .configSet: return try await configSet(invocation.argument(0) ?? "", invocation.argument(1) ?? "", session)
        case .configDiff: return try await configDiff(session)
        case .configCommit: return try await configCommit(session)
        case .configRollback: return try await configRollback(session)
        case .configDiscard: return try await configDiscard(session)
        case .usersList: return try await listUsers(session)
        case .usersAdd: return try await addUser(invocation.argument(0) ?? "", role: invocation.argument(1) ?? "", session)
        case .usersDelete: return try await deleteUser(invocation.argument(0) ?? "", session)
        case .usersReset: return try await resetUser(invocation.argument(0) ?? "", session)
        }
    }

    /// Who runs a command and in which language.
    struct Session {
        let user: String
        let role: ConsoleRole
        let language: Language

        var actor: String { "console:\(user)" }

        func text(_ chinese: String, _ english: String) -> String {
            LocalizedText(zh: chinese, en: english)(language)
        }
    }

    // MARK: Help

    private func help(_ topic: String?, _ session: Session) -> CommandOutcome {
        guard let topic, !topic.isEmpty else {
            return CommandOutcome(grammar.overview(role: session.role, language: session.language))
        }
        let words = CommandGrammar.tokenize(topic).tokens.map { $0.lowercased() }
        if let command = grammar.commands.first(where: { $0.words == words && session.role >= $0.role }) {
            return CommandOutcome(grammar.usage(of: command, language: session.language))
        }
        return CommandOutcome(grammar.contextHelp(topic + " ", role: session.role, language: session.language))
    }

    // MARK: Status

    private func status(_ session: Session) async -> CommandOutcome {
        let snapshot = await context.status()
        return CommandOutcome(StatusReport.lines(snapshot, language: session.language))
    }

    private func modemInfo(_ session: Session) async -> CommandOutcome {
        guard let modemInfo = context.modemInfo, let status = await modemInfo() else {
            return CommandOutcome([session.text("本机没有运行中的模块。", "No modem is running on this box.")])
        }
        return CommandOutcome(StatusReport.modemLines(status, language: session.language))
    }

    private func modemReset(_ session: Session) async throws -> CommandOutcome {
        guard let modemReset = context.modemReset else {
            return CommandOutcome([session.text("本机没有运行中的模块。", "No modem is running on this box.")])
        }
        try await audit(session, action: "modem.reset", subject: nil)
        try await modemReset()
        return CommandOutcome([session.text("模块已重启并重新初始化。", "The modem restarted and initialised again.")])
    }

    private func sirenOff(_ session: Session) async throws -> CommandOutcome {
        guard let silence = context.silenceSiren else {
            return CommandOutcome([session.text("本机没有警笛。", "This box has no siren.")])
        }
        guard await silence() else {
            return CommandOutcome([session.text("警笛没有在响。", "The siren is not sounding.")])
        }
        try await audit(session, action: "siren.silenced", subject: nil)
        return CommandOutcome([session.text("警笛已消音；报警仍在发送，取消报警请用 alert cancel。", "The siren is silenced; the alert is still being sent. To stop it, use alert cancel.")])
    }

    private func uplinkTest(_ session: Session) async -> CommandOutcome {
        guard let uplinkTest = context.uplinkTest else {
            return CommandOutcome([session.text("未配置即时通讯端点。", "No IM endpoint is configured.")])
        }
        let results = await uplinkTest()
        guard !results.isEmpty else { return CommandOutcome([session.text("未配置即时通讯端点。", "No IM endpoint is configured.")]) }
        return CommandOutcome(
            CommandGrammar.table(
                results.map { result in
                    (result.name, result.reachable ? session.text("可达", "reachable") : session.text("不可达：", "unreachable: ") + result.detail)
                }))
    }

    func audit(_ session: Session, action: String, subject: String?, detail: String? = nil) async throws {
        let at = context.wallMillis
        try await context.database.transaction("audit.console") { connection in
            try AuditLog.append(actor: session.actor, action: action, channel: "console", subject: subject, detail: detail, at: at, in: connection)
        }
    }
}
