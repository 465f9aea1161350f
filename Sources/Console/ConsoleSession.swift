import Core
public import Hardware
import Scheduler

/// One console connection: a serial line or a client of the local socket.
///
/// The actor runs on an event loop's thread and owns the descriptor: it reads keys when the
/// loop reports them readable, feeds the line editor and the session machine, runs commands
/// through the shared `CommandRunner`, and writes the screen. Commands that wait for the
/// database or the scheduler run as tasks on this actor, so the loop keeps reading keys.
public actor ConsoleSession {
    nonisolated let loop: EventLoop
    public nonisolated var unownedExecutor: UnownedSerialExecutor { loop.asUnownedSerialExecutor() }

    /// The purpose of a submitted line, besides the session machine's own phases.
    enum InputMode {
        case normal
        /// Waiting for yes to a question, with the command line to run once confirmed.
        case confirm(line: String)
        /// Collecting pasted CSV lines until a single `.`.
        case paste(lines: [String], skipBadRows: Bool)
        /// A live progress line is on screen; any key ends it.
        case progress
    }

    let descriptor: FileDescriptor
    /// `serial` or `socket`, for the lockout per door and the audit log.
    public nonisolated let door: String
    let runner: CommandRunner
    /// Whether a closed session starts over at the login prompt (a serial line) instead of
    /// closing the descriptor (a socket client).
    let restartsAfterClose: Bool
    let onClose: @Sendable () -> Void
    var editor = LineEditor()
    var machine: SessionMachine
    var language: Language
    var mode = InputMode.normal
    var progressTask: Task<Void, Never>?
    var idleTimer: UInt64?
    var isClosed = false
    /// Whether a command or a password check is running. Keys typed meanwhile wait in
    /// `typedAhead`, so commands run one after another in the order typed.
    var isBusy = false
    var typedAhead: [UInt8] = []

    var clock: any BoxClock { runner.context.clock }
    var logger: Logger { runner.context.logger }

    public init(
        descriptor: FileDescriptor, door: String, runner: CommandRunner, loop: EventLoop, restartsAfterClose: Bool,
        onClose: @escaping @Sendable () -> Void = {}
    ) {
        self.descriptor = descriptor
        self.door = door
        self.runner = runner
        self.loop = loop
        self.restartsAfterClose = restartsAfterClose
        self.onClose = onClose
        language = .chinese
        machine = SessionMachine(idleLimit: .seconds(900), at: runner.context.clock.now)
    }

    /// Starts reading keys and shows the login prompt.
    public func start() async {
        await begin()
        loop.watch(descriptor) { [self] in
            self.assumeIsolated { $0.readable() }
        }
        scheduleIdleCheck()
    }

    /// Reads the language and idle limit that the running settings give, and shows the login prompt.
    private func begin() async {
        let settings = runner.context.settings
        language = Language(code: (try? await settings.value("console.language")) ?? "zh") ?? .chinese
        let minutes = Int((try? await settings.value("console.idle_minutes")) ?? "") ?? 15
        machine = SessionMachine(idleLimit: .seconds(minutes * 60), at: clock.now)
        // The next person on a serial line must not recall the last user's commands.
        editor.clearHistory()
        write(LocalizedText(zh: "\r\nAlertBox 报警箱控制台\r\n", en: "\r\nAlertBox console\r\n")(language))
        perform(machine.start(at: clock.now))
    }

    // MARK: Input

    private func readable() {
        guard !isClosed else { return }
        let bytes: [UInt8]
        do {
            bytes = try descriptor.read(maximum: 1024)
        } catch .wouldBlock {
            return
        } catch {
            logger.info("console connection ended", ["console.door": .plain(door), "error": .plain("\(error)")])
            close()
            return
        }
        guard !bytes.isEmpty else {
            close()
            return
        }
        machine.touch(at: clock.now)
        if case .progress = mode {
            stopProgress()
            return
        }
        process(bytes)
    }

    /// Feeds keys one byte at a time, so that the bytes after a line that starts a command
    /// wait in `typedAhead` until it finishes.
    private func process(_ bytes: [UInt8]) {
        var index = 0
        while index < bytes.count {
            guard !isBusy else {
                typedAhead += bytes[index...]
                return
            }
            for action in editor.feed([bytes[index]]) {
                handle(action)
            }
            index += 1
        }
    }

    /// Ends a busy spell and feeds the keys typed during it.
    func resume() {
        isBusy = false
        guard !typedAhead.isEmpty, !isClosed else { return }
        let bytes = typedAhead
        typedAhead = []
        if case .progress = mode {
            stopProgress()
            return
        }
        process(bytes)
    }

    private func handle(_ action: LineEditor.Action) {
        switch action {
        case .write(let bytes):
            writeBytes(bytes)
        case .submit(let line):
            submit(line)
        case .complete(let prefix):
            guard case .active(_, let role) = machine.phase else { return }
            let completion = runner.grammar.complete(prefix, role: role, settingKeys: SettingRegistry.keys)
            if completion.insertion.isEmpty, !completion.candidates.isEmpty {
                write("\r\n" + completion.candidates.joined(separator: "  ") + "\r\n")
                writeBytes(editor.redraw())
            } else {
                for action in editor.insert(completion.insertion) { handle(action) }
            }
        case .help(let prefix):
            write("?\r\n")
            if case .active(_, let role) = machine.phase {
                writeLines(runner.grammar.contextHelp(prefix, role: role, language: language))
            } else {
                writeLines([LocalizedText(zh: "请先登录。", en: "Log in first.")(language)])
            }
            writeBytes(editor.redraw())
        case .interrupt:
            switch mode {
            case .confirm, .paste:
                mode = .normal
                writeLines([LocalizedText(zh: "已取消。", en: "Cancelled.")(language)])
                perform(machine.commandPrompt())
            case .normal, .progress:
                if case .active = machine.phase { perform(machine.commandPrompt()) } else { writeBytes(editor.redraw()) }
            }
        case .endOfInput:
            if case .active = machine.phase { perform(machine.logout()) }
        }
    }

    private func submit(_ line: String) {
        switch mode {
        case .confirm(let commandLine):
            mode = .normal
            let answer = line.trimmingSpaces().lowercased()
            guard answer == "yes" || answer == "y" || answer == "确认" || answer == "是" else {
                writeLines([LocalizedText(zh: "已取消，未发送。", en: "Cancelled; nothing was sent.")(language)])
                perform(machine.commandPrompt())
                return
            }
            guard case .active(let user, let role) = machine.phase else { return }
            runCommand(commandLine, user: user, role: role, confirmed: true)
        case .paste(var lines, let skipBadRows):
            guard line.trimmingSpaces() != "." else {
                mode = .normal
                guard case .active(let user, let role) = machine.phase else { return }
                let language = self.language
                isBusy = true
                Task {
                    let outcome = await runner.importPasted(lines, skipBadRows: skipBadRows, user: user, role: role, language: language)
                    finish(outcome)
                    resume()
                }
                return
            }
            lines.append(line)
            mode = .paste(lines: lines, skipBadRows: skipBadRows)
            writeBytes(editor.begin(prompt: "", keepsHistory: false))
        case .normal, .progress:
            perform(machine.input(line, at: clock.now))
        }
    }

    // MARK: Session actions

    func perform(_ actions: [SessionMachine.Action]) {
        for action in actions {
            switch action {
            case .prompt(let prompt):
                let (text, echo) = promptText(prompt)
                // Only command lines are kept: a password typed into the user name field
                // must not come back with the Up arrow.
                let isCommand = if case .command = prompt { true } else { false }
                if isCommand {
                    let language = self.language
                    let signature = runner.context.signature
                    editor.hint = { @Sendable line in CommandRunner.templateHint(for: line, language: language, signature: signature) }
                } else {
                    editor.hint = nil
                }
                writeBytes(editor.begin(prompt: text, echo: echo, keepsHistory: isCommand))
            case .message(let text):
                writeLines([text(language)])
            case .authenticate(let user, let password):
                let authenticator = runner.context.authenticator
                let door = self.door
                isBusy = true
                Task {
                    let result = await authenticator.authenticate(user: user, password: password, door: door)
                    perform(machine.authenticated(result, at: clock.now))
                    resume()
                }
            case .savePassword(let user, let current, let new):
                let authenticator = runner.context.authenticator
                isBusy = true
                Task {
                    let problem = await authenticator.changePassword(user: user, current: current, new: new)
                    perform(machine.passwordSaved(problem, at: clock.now))
                    resume()
                }
            case .loggedIn(let user, let role):
                writeLines([
                    LocalizedText(
                        zh: "欢迎，\(user)（\(role.name.chinese)）。输入 ? 或 help 查看命令，lang en 切换英文。",
                        en: "Welcome, \(user) (\(role.name.english)). Type ? or help for the commands, lang zh for Chinese.")(language)
                ])
            case .execute(let line, let user, let role):
                runCommand(line, user: user, role: role, confirmed: false)
            case .closed(let reason):
                let text =
                    reason == .idle
                    ? LocalizedText(zh: "空闲超时，已退出登录。", en: "Idle too long: logged out.")
                    : LocalizedText(zh: "已退出登录。", en: "Logged out.")
                writeLines([text(language)])
                mode = .normal
                stopProgress(redraw: false)
                if restartsAfterClose {
                    isBusy = true
                    Task {
                        await begin()
                        resume()
                    }
                } else {
                    close()
                }
            }
        }
    }

    private func runCommand(_ line: String, user: String, role: ConsoleRole, confirmed: Bool) {
        let language = self.language
        isBusy = true
        Task {
            let outcome = await runner.run(line, user: user, role: role, language: language, confirmed: confirmed)
            finish(outcome)
            resume()
        }
    }

    private func finish(_ outcome: CommandOutcome) {
        guard !isClosed else { return }
        if case .language(let chosen) = outcome.effect { language = chosen }
        writeLines(outcome.lines)
        switch outcome.effect {
        case .logout:
            perform(machine.logout())
        case .changePassword:
            perform(machine.beginPasswordChange(at: clock.now))
        case .confirm(let question, let line):
            mode = .confirm(line: line)
            writeLines([question])
            writeBytes(editor.begin(prompt: LocalizedText(zh: "确认> ", en: "confirm> ")(language), keepsHistory: false))
        case .pasteContacts(let skipBadRows):
            mode = .paste(lines: [], skipBadRows: skipBadRows)
            writeBytes(editor.begin(prompt: "", keepsHistory: false))
        case .progress(let alertID):
            startProgress(alertID)
        case .language, nil:
            perform(machine.commandPrompt())
        }
    }

    func promptText(_ prompt: SessionMachine.Prompt) -> (String, Bool) {
        switch prompt {
        case .username: (LocalizedText(zh: "用户名：", en: "login: ")(language), true)
        case .password: (LocalizedText(zh: "密码：", en: "Password: ")(language), false)
        case .currentPassword: (LocalizedText(zh: "当前密码：", en: "Current password: ")(language), false)
        case .newPassword: (LocalizedText(zh: "新密码：", en: "New password: ")(language), false)
        case .confirmPassword: (LocalizedText(zh: "再次输入新密码：", en: "Repeat the new password: ")(language), false)
        case .command(let user, let role): ("alertbox(\(user))\(role == .admin ? "#" : ">") ", true)
        }
    }

    // MARK: Idle

    private func scheduleIdleCheck() {
        let deadline = SystemClock().now.advanced(by: .seconds(1))
        idleTimer = loop.schedule(atNanoseconds: deadline.nanoseconds) { [self] in
            self.assumeIsolated { session in
                guard !session.isClosed else { return }
                session.perform(session.machine.tick(at: session.clock.now))
                session.scheduleIdleCheck()
            }
        }
    }

    // MARK: Output

    func write(_ text: String) {
        writeBytes(Array(text.utf8))
    }

    /// Writes command output. Names and texts come from contacts, CSV files and SMS, so every
    /// control character in them is shown escaped and cannot move the cursor or retitle the terminal.
    func writeLines(_ lines: [String]) {
        guard !lines.isEmpty else { return }
        write(lines.map { $0.replacingNewlines() }.joined(separator: "\r\n") + "\r\n")
    }

    func writeBytes(_ bytes: [UInt8]) {
        guard !isClosed, !bytes.isEmpty else { return }
        do {
            try descriptor.writeAll(bytes)
        } catch {
            logger.info("console write failed; closing", ["console.door": .plain(door), "error": .plain("\(error)")])
            close()
        }
    }

    /// Stops reading and closes the descriptor.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        progressTask?.cancel()
        loop.unwatch(descriptor)
        if let idleTimer { loop.cancelTimer(idleTimer) }
        descriptor.close()
        onClose()
    }
}

extension String {
    /// Returns the text with bare line feeds made CR LF, for a terminal in raw mode.
    func replacingNewlines() -> String {
        split(separator: "\n", omittingEmptySubsequences: false).map { String($0).escapingControlCharacters() }.joined(separator: "\r\n")
    }
}
