import Alerting
public import Core
public import LocalControl
public import Scheduler
import Glibc

/// The box's configuration file (`/etc/alertbox/alertbox.toml`), read and checked as a whole.
///
/// Every problem is reported at once with its key, line and fix, and the box does not start
/// with any of them. Secrets (the SIM PIN, robot keys) are never written in this file: it names
/// files that hold them, readable by the service only.
public struct BoxConfiguration: Sendable {
    /// The box's CAP sender: letters, digits, `-` and `_`.
    public var boxID: String
    /// The box's name as people know it (3号楼报警箱).
    public var boxName: String
    public var language: Language
    public var utcOffsetMinutes: Int
    /// Where the database and the modem's state live.
    public var stateDirectory: String
    public var logLevel: LogLevel
    /// The board profile: a name from `board/profiles` or a path.
    public var boardProfile: String
    /// Overrides the profile's GPIO bridge socket (a simulator in another directory).
    public var gpioSocket: String?

    public var modemDevice: String?
    public var simPINFile: String?
    public var smsSignature: String?
    public var smsLimits: SMSBudget.Limits

    public var acknowledgementKeywords: [String]
    public var escalationTimeout: Duration
    public var triggerWindow: Duration
    public var allClear: SchedulerSettings.AllClear
    public var testAudience: [String]

    public var panel: PanelConfig
    public var faultTrigger: LocalTrigger?
    public var annunciatorRoles: AnnunciatorRoles
    public var annunciatorTiming: AnnunciatorTiming

    /// A contacts file in CSV that is imported when it changes.
    public var contactsFile: String?

    /// IM robots, MQTT and the upstream.
    public var uplink: UplinkConfiguration
    /// SMS commands, or nil when the section is absent.
    public var smsCommands: SMSCommandSettings?
    public var console: ConsoleConfiguration

    /// Reads and checks the file at `path`.
    /// - Throws: `ConfigError` listing every problem, or naming the file when it cannot be read.
    public static func load(path: String) throws(ConfigError) -> BoxConfiguration {
        guard let text = readFile(path) else {
            throw ConfigError(
                file: path,
                issues: [
                    ConfigIssue(
                        key: ConfigIssue.fileKey, line: nil,
                        text: LocalizedText(
                            zh: "无法读取；请检查路径，并确认服务用户有权读取该文件", en: "cannot be read; check the path and that the service user may read it"))
                ])
        }
        return try parse(text, file: path)
    }

    /// Reads and checks a configuration text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> BoxConfiguration {
        let root = try ConfigReader.root(parsing: text, file: file)
        let issues = root.issues
        var configuration = read(root)
        configuration.uplink = UplinkConfiguration.read(root)
        configuration.smsCommands = SMSCommandSettings.read(root, boxID: configuration.boxID, utcOffsetMinutes: configuration.utcOffsetMinutes)
        configuration.console = ConsoleConfiguration.read(root)
        root.rejectUnknownKeys()
        guard issues.list.isEmpty else { throw ConfigError(file: file, issues: issues.list) }
        return configuration
    }

    private static func read(_ root: ConfigReader) -> BoxConfiguration {
        let box = root.section("box") ?? ConfigReader(table: TOMLTable(), path: "box", issues: root.issues)
        let boxID = box.string("id", fix: LocalizedText(zh: "请给报警箱命名，例如 id = \"alertbox-building3\"", en: "name the box, such as id = \"alertbox-building3\"")) ?? ""
        if !boxID.isEmpty, !boxID.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }) {
            box.report(
                "id",
                LocalizedText(
                    zh: "\"\(boxID)\" 只能包含 ASCII 字母、数字、- 和 _，因为它会用作 CAP 消息的 sender 字段",
                    en: "\"\(boxID)\" may hold only ASCII letters, digits, - and _, because it becomes the CAP sender"))
        }
        let boxName = box.string("name", default: boxID) ?? boxID
        let language = box.choice("language", default: Language.chinese, of: Language.allCases)
        let offset = box.integer("utc_offset_minutes", default: 480, range: -720...840, unit: LocalizedText(zh: " 分钟", en: " minutes"))
        let stateDirectory = box.string("state_directory", default: "/var/lib/alertbox") ?? "/var/lib/alertbox"
        if !stateDirectory.hasPrefix("/") {
            box.report(
                "state_directory",
                LocalizedText(
                    zh: "\"\(stateDirectory)\" 必须是绝对路径，例如 \"/var/lib/alertbox\"",
                    en: "\"\(stateDirectory)\" must be an absolute path, such as \"/var/lib/alertbox\""))
        }
        let levelName = box.string("log_level", default: "info") ?? "info"
        let logLevel = LogLevel(name: levelName) ?? .info
        if LogLevel(name: levelName) == nil {
            let levels = LogLevel.allCases.map { "\"\($0)\"" }.joined(separator: ", ")
            box.report("log_level", LocalizedText(zh: "\"\(levelName)\" 不是日志级别；请用以下之一：\(levels)", en: "\"\(levelName)\" is not a level; use one of \(levels)"))
        }
        box.rejectUnknownKeys()

        let board = root.section("board")
        let profile = board?.string("profile", fix: LocalizedText(zh: "请写板卡配置名，例如 \"rpi4-ec25\" 或 \"simulator\"", en: "name a profile such as \"rpi4-ec25\" or \"simulator\"")) ?? "simulator"
        let gpioSocket = board?.optionalString("gpio_socket", fix: LocalizedText(zh: "请填写模拟器 GPIO 桥接套接字的路径", en: "give the simulator's GPIO bridge socket path"))
        if board == nil {
            root.report(
                "board",
                LocalizedText(
                    zh: "缺少此项；请添加 [board] 并写 profile = \"rpi4-ec25\"、\"rpi4-sim7600\" 或 \"simulator\"",
                    en: "missing; add [board] with profile = \"rpi4-ec25\", \"rpi4-sim7600\" or \"simulator\""))
        }
        board?.rejectUnknownKeys()

        let modem = root.section("modem")
        let device = modem?.optionalString("device", fix: LocalizedText(zh: "请填写 AT 端口，例如 \"/dev/alertbox-modem\"", en: "give the AT port, such as \"/dev/alertbox-modem\""))
        let pinFile = modem?.optionalString(
            "pin_file", fix: LocalizedText(zh: "请填写存放 SIM PIN 的文件，该文件只允许服务读取", en: "name a file that holds the SIM PIN, readable by the service only"))
        modem?.rejectUnknownKeys()

        let sms = root.section("sms")
        let signature = sms?.optionalString(
            "signature", fix: LocalizedText(zh: "请写【签名】中的文字，不带括号，例如 \"市一医院\"", en: "write the 【signature】 text without brackets, such as \"市一医院\""))
        var limits = SMSBudget.Limits()
        if let budget = sms?.section("budget") {
            limits.perMinute = budget.integer("per_minute", default: limits.perMinute, range: 1...600)
            limits.perHour = budget.integer("per_hour", default: limits.perHour, range: 1...36_000)
            limits.perDay = budget.integer("per_day", default: limits.perDay, range: 1...50_000)
            limits.reservePerHour = budget.integer("p0_reserve_per_hour", default: limits.reservePerHour, range: 0...36_000)
            limits.reservePerDay = budget.integer("p0_reserve_per_day", default: limits.reservePerDay, range: 0...50_000)
            if limits.perHour < limits.perMinute {
                budget.report(
                    "per_hour",
                    LocalizedText(
                        zh: "\(limits.perHour) 小于 per_minute（\(limits.perMinute)）；请调高", en: "\(limits.perHour) is below per_minute (\(limits.perMinute)); raise it"))
            }
            if limits.perDay < limits.perHour {
                budget.report(
                    "per_day",
                    LocalizedText(zh: "\(limits.perDay) 小于 per_hour（\(limits.perHour)）；请调高", en: "\(limits.perDay) is below per_hour (\(limits.perHour)); raise it"))
            }
            if limits.reservePerHour >= limits.perHour {
                budget.report(
                    "p0_reserve_per_hour",
                    LocalizedText(
                        zh: "\(limits.reservePerHour) 占满了每小时 \(limits.perHour) 条的额度，P1 到 P3 无条可用；请调低",
                        en: "\(limits.reservePerHour) leaves nothing for P1 to P3 out of \(limits.perHour); lower it"))
            }
            budget.rejectUnknownKeys()
        }
        sms?.rejectUnknownKeys()

        let defaults = SchedulerSettings()
        let alerts = root.section("alerts")
        let keywords = alerts?.strings("acknowledgement_keywords", default: defaults.acknowledgementKeywords, fix: LocalizedText(zh: "例如 [\"1\", \"收到\"]", en: "such as [\"1\", \"收到\"]")) ?? defaults.acknowledgementKeywords
        if keywords.isEmpty {
            alerts?.report(
                "acknowledgement_keywords",
                LocalizedText(zh: "为空，任何回复都无法确认告警；请加上 \"1\"", en: "is empty, so no reply could acknowledge an alert; add \"1\""))
        }
        let escalation = alerts?.duration("escalation_timeout_s", default: defaults.escalationTimeout, range: .seconds(30)...(.seconds(3600))) ?? defaults.escalationTimeout
        let window = alerts?.duration("trigger_window_s", default: defaults.triggerWindow, range: .seconds(1)...(.seconds(3600))) ?? defaults.triggerWindow
        let allClear = alerts?.choice("all_clear", default: defaults.allClear, of: [.reached, .audience, .none]) ?? defaults.allClear
        let testAudience = alerts?.strings("test_audience", default: defaults.testAudience, fix: LocalizedText(zh: "请填写接收测试消息的分组", en: "name the groups that receive tests")) ?? defaults.testAudience
        alerts?.rejectUnknownKeys()

        let (panel, fault) = readPanel(root.section("gpio"))
        let (roles, timing) = readAnnunciator(root.section("annunciator"))

        let contacts = root.section("contacts")
        let contactsFile = contacts?.optionalString("file", fix: LocalizedText(zh: "请填写联系人 CSV 文件", en: "name a CSV file of contacts"))
        contacts?.rejectUnknownKeys()

        return BoxConfiguration(
            boxID: boxID, boxName: boxName, language: language, utcOffsetMinutes: offset, stateDirectory: stateDirectory, logLevel: logLevel,
            boardProfile: profile, gpioSocket: gpioSocket, modemDevice: device, simPINFile: pinFile, smsSignature: signature, smsLimits: limits,
            acknowledgementKeywords: keywords, escalationTimeout: escalation, triggerWindow: window, allClear: allClear, testAudience: testAudience,
            panel: panel, faultTrigger: fault, annunciatorRoles: roles, annunciatorTiming: timing, contactsFile: contactsFile,
            uplink: UplinkConfiguration(), smsCommands: nil, console: ConsoleConfiguration())
    }

    // MARK: GPIO

    private static func readPanel(_ gpio: ConfigReader?) -> (PanelConfig, LocalTrigger?) {
        guard let gpio else { return (PanelConfig(inputs: []), nil) }
        var inputs: [ContactInputConfig] = []
        var roles: Set<String> = []
        for input in gpio.tables("input") {
            guard let role = input.string("role", fix: LocalizedText(zh: "请填写板卡配置中线路的角色，例如 \"panic_1\"", en: "name the line's role from the board profile, such as \"panic_1\"")) else { continue }
            if !roles.insert(role).inserted {
                input.report(
                    "role",
                    LocalizedText(
                        zh: "\"\(role)\" 配置了两次；每条线路只保留一个 [[gpio.input]]", en: "\"\(role)\" is configured twice; keep one [[gpio.input]] per line"))
            }
            let kind = input.choice("kind", default: ContactKind.normallyOpen, of: ContactKind.allCases)
            guard let trigger = readTrigger(input, name: role) else { continue }
            let defaults = ContactTiming()
            let timing = ContactTiming(
                debounce: input.duration("debounce_ms", default: defaults.debounce, range: .zero...(.seconds(1))),
                minimumHold: input.duration("minimum_hold_ms", default: kind == .normallyClosed ? .milliseconds(500) : defaults.minimumHold, range: .zero...(.seconds(30))),
                cooldown: input.duration("cooldown_s", default: defaults.cooldown, range: .zero...(.seconds(3600))),
                rearmAfterRelease: input.duration("rearm_after_release_ms", default: defaults.rearmAfterRelease, range: .zero...(.seconds(600))),
                stuckAfter: input.has("stuck_after_s") ? input.duration("stuck_after_s", default: .seconds(120), range: .seconds(5)...(.seconds(86_400))) : defaults.stuckAfter,
                chatterEdges: input.integer("chatter_edges", default: defaults.chatterEdges, range: 3...1000),
                chatterWindow: input.duration("chatter_window_s", default: defaults.chatterWindow, range: .seconds(1)...(.seconds(600))))
            do {
                try timing.validate()
            } catch LocalControlError.invalidTiming(name: "stuck_after", value: let value, fix: _) {
                let seconds = value.components.seconds
                input.report(
                    "stuck_after_s",
                    LocalizedText(
                        zh: "\(seconds) s 不长于 debounce_ms 和 minimum_hold_ms；请调大，或删去此项",
                        en: "\(seconds) s is not longer than debounce_ms and minimum_hold_ms; raise it or leave it out"))
            } catch {
                // NOTE: The ranges read above leave stuck_after as the only timing validate() can
                // reject, and LocalControlError describes itself in English only, so this
                // fallback's detail stays English in the Chinese text.
                input.report("stuck_after_s", LocalizedText(zh: "计时设置无效：\(error.description)", en: error.description))
            }
            input.rejectUnknownKeys()
            inputs.append(ContactInputConfig(role: role, kind: kind, trigger: trigger, timing: timing))
        }
        let testKey = gpio.optionalString("test_key", fix: LocalizedText(zh: "请填写测试键的角色，例如 \"test_key\"", en: "name the test key's role, such as \"test_key\""))
        if let testKey, roles.contains(testKey) {
            gpio.report(
                "test_key",
                LocalizedText(zh: "\"\(testKey)\" 同时是触发输入；请给测试键单独一条线路", en: "\"\(testKey)\" is also a trigger input; give the test key its own line"))
        }
        let longPress = gpio.duration("test_long_press_ms", default: .seconds(3), range: .milliseconds(600)...(.seconds(30)))
        let testKeyStuckAfter = gpio.duration("test_key_stuck_after_s", default: .seconds(30), range: .seconds(5)...(.seconds(3600)))
        if testKeyStuckAfter <= longPress {
            gpio.report(
                "test_key_stuck_after_s",
                LocalizedText(
                    zh: "必须长于 test_long_press_ms，以免把长按误判为按键卡住；默认值为 30 s",
                    en: "must be longer than test_long_press_ms, so a long press is not taken for a jammed key; 30 s is the default"))
        }
        let boxTest = gpio.section("box_test").flatMap { readTrigger($0, name: "box-test") }
        let fault = gpio.section("fault").flatMap { readTrigger($0, name: "device-fault") }
        gpio.rejectUnknownKeys()
        return (PanelConfig(inputs: inputs, testKey: testKey, testLongPress: longPress, testKeyStuckAfter: testKeyStuckAfter, boxTest: boxTest), fault)
    }

    /// Reads the template, priority, audience and texts of a trigger.
    static func readTrigger(_ reader: ConfigReader, name: String) -> LocalTrigger? {
        guard let template = reader.string("template", fix: LocalizedText(zh: "请填写模板名，例如 \"fire-alarm\"", en: "name a template, such as \"fire-alarm\"")) else { return nil }
        var priority: AlertPriority?
        if reader.has("priority") {
            let level = reader.integer("priority", default: 2, range: 0...3)
            priority = AlertPriority(rawValue: level)
        }
        let audience = reader.strings("audience", default: [], fix: LocalizedText(zh: "请填写联系人分组，例如 [\"保卫处\"]", en: "name the contact groups, such as [\"保卫处\"]"))
        if audience.isEmpty {
            reader.report(
                "audience",
                LocalizedText(zh: "缺少此项或为空；请至少填写一个联系人分组，例如 [\"保卫处\"]", en: "missing or empty; name at least one contact group, such as [\"保卫处\"]"))
        }
        return LocalTrigger(
            name: name, template: template, priority: priority, audience: audience,
            event: reader.string("event", default: "") ?? "", location: reader.string("location", default: "") ?? "",
            instruction: reader.string("instruction", default: "") ?? "")
    }

    private static func readAnnunciator(_ section: ConfigReader?) -> (AnnunciatorRoles, AnnunciatorTiming) {
        guard let section else { return (AnnunciatorRoles(), AnnunciatorTiming()) }
        let defaults = AnnunciatorTiming()
        let roles = AnnunciatorRoles(
            status: section.optionalString("status_led", fix: LocalizedText(zh: "请填写状态指示灯的角色", en: "name the status LED's role")),
            feedback: section.optionalString("feedback_led", fix: LocalizedText(zh: "请填写反馈指示灯的角色", en: "name the feedback LED's role")),
            siren: section.optionalString("siren", fix: LocalizedText(zh: "请填写警笛继电器的角色", en: "name the siren relay's role")))
        let timing = AnnunciatorTiming(
            acknowledgedHold: section.duration("acknowledged_hold_s", default: defaults.acknowledgedHold, range: .seconds(1)...(.seconds(3600))),
            feedbackHold: section.duration("feedback_hold_s", default: defaults.feedbackHold, range: .seconds(1)...(.seconds(3600))),
            sirenLimit: section.duration("siren_limit_s", default: defaults.sirenLimit, range: .seconds(5)...(.seconds(1800))))
        section.rejectUnknownKeys()
        return (roles, timing)
    }

    // MARK: Derived settings

    /// The scheduler's settings from this configuration.
    public func schedulerSettings() throws -> SchedulerSettings {
        let signature = try smsSignature.map { try SMSSignature($0) }
        let languages: [Language] = language == .chinese ? [.chinese, .english] : [.english, .chinese]
        let composer = AlertComposer(renderer: TemplateRenderer(signature: signature, utcOffsetMinutes: utcOffsetMinutes), languages: languages)
        return SchedulerSettings(
            smsLimits: smsLimits, acknowledgementKeywords: acknowledgementKeywords, escalationTimeout: escalationTimeout,
            triggerWindow: triggerWindow, allClear: allClear, testAudience: testAudience, languages: languages,
            utcOffsetMinutes: utcOffsetMinutes, composer: composer)
    }
}

/// Reads a whole file as UTF-8, or nil when it cannot be opened.
func readFile(_ path: String) -> String? {
    readFileBytes(path).map { String(decoding: $0, as: UTF8.self) }
}
