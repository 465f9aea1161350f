import Alerting
import Core
import LocalControl
import SMS

/// The console's doors and first login, from `[console]`.
public struct ConsoleConfiguration: Sendable, Equatable {
    /// The local socket `alertbox console` connects to; nil turns the door off.
    public var socket: String?
    /// Whether the board's serial console (from the profile) takes logins.
    public var serial: Bool
    /// A file holding the first admin's initial password; without it the box writes a random
    /// one-time password to `one_time_password_file`.
    public var initialPasswordFile: String?
    public var oneTimePasswordFile: String?

    public init(socket: String? = nil, serial: Bool = true, initialPasswordFile: String? = nil, oneTimePasswordFile: String? = nil) {
        self.socket = socket
        self.serial = serial
        self.initialPasswordFile = initialPasswordFile
        self.oneTimePasswordFile = oneTimePasswordFile
    }

    static func read(_ root: ConfigReader) -> ConsoleConfiguration {
        guard let console = root.section("console") else { return ConsoleConfiguration(socket: "/run/alertbox/console.sock") }
        let configuration = ConsoleConfiguration(
            socket: console.string("socket", default: "/run/alertbox/console.sock"),
            serial: console.boolean("serial", default: true),
            initialPasswordFile: console.optionalString(
                "initial_password_file", fix: LocalizedText(zh: "请填写存放首个管理员密码的文件", en: "name a file that holds the first admin's password")),
            oneTimePasswordFile: console.optionalString(
                "one_time_password_file", fix: LocalizedText(zh: "请填写一次性密码写入的文件", en: "name where the one-time password is written")))
        console.rejectUnknownKeys()
        return configuration
    }
}

extension SMSCommandSettings {
    /// Reads `[sms_commands]` with its `[[sms_commands.operator]]` and `[[sms_commands.trigger]]`
    /// tables; nil when the section is absent (SMS commands off).
    static func read(_ root: ConfigReader, boxID: String, utcOffsetMinutes: Int) -> SMSCommandSettings? {
        guard let section = root.section("sms_commands") else { return nil }
        var operators: [SMSCommandOperator] = []
        for entry in section.tables("operator") {
            guard let name = entry.string("name", fix: LocalizedText(zh: "请填写操作员的称呼，例如 \"值班长\"", en: "name the operator, such as \"值班长\"")),
                let number = entry.string(
                    "number", fix: LocalizedText(zh: "请填写操作员的手机号，例如 \"+8613800000001\"", en: "give the operator's mobile number, such as \"+8613800000001\""))
            else { continue }
            guard let phone = try? PhoneNumber(parsing: number) else {
                let masked = PhoneMask.mask(number)
                entry.report(
                    "number",
                    LocalizedText(
                        zh: "\"\(masked)\" 不是有效的电话号码；请按 E.164 格式填写，例如 \"+8613800000001\"",
                        en: "\"\(masked)\" is not a phone number; write it in E.164, such as \"+8613800000001\""))
                continue
            }
            let language = entry.choice("language", default: Language.chinese, of: Language.allCases)
            let names = entry.strings("commands", default: ["status", "alarm", "cancel"], fix: LocalizedText(zh: "请从 \"status\"、\"alarm\"、\"cancel\" 中选择", en: "list some of \"status\", \"alarm\", \"cancel\""))
            var commands: Set<SMSCommandKind> = []
            for name in names {
                guard let kind = SMSCommandKind(rawValue: name), kind != .confirm else {
                    entry.report(
                        "commands",
                        LocalizedText(
                            zh: "\"\(name)\" 不是可用的命令；请用 \"status\"、\"alarm\" 或 \"cancel\"", en: "\"\(name)\" is not a command; use \"status\", \"alarm\" or \"cancel\""))
                    continue
                }
                commands.insert(kind)
            }
            entry.rejectUnknownKeys()
            operators.append(SMSCommandOperator(name: name, number: phone, language: language, allowedCommands: commands))
        }
        var triggers: [SMSTrigger] = []
        for entry in section.tables("trigger") {
            guard let name = entry.string("name", fix: LocalizedText(zh: "请填写操作员短信中使用的警情名称，例如 \"火警\"", en: "name the alarm as operators will text it, such as \"火警\"")),
                let template = entry.string("template", fix: LocalizedText(zh: "请填写模板名，例如 \"fire-alarm\"", en: "name a template, such as \"fire-alarm\""))
            else { continue }
            let priority = AlertPriority(rawValue: entry.integer("priority", default: 0, range: 0...3)) ?? .lifeSafety
            let audience = entry.strings("audience", default: [], fix: LocalizedText(zh: "请填写联系人分组", en: "name the contact groups"))
            if audience.isEmpty {
                entry.report("audience", LocalizedText(zh: "缺少此项或为空；请至少填写一个联系人分组", en: "missing or empty; name at least one contact group"))
            }
            let confirm: Bool? = entry.has("confirm") ? entry.boolean("confirm", default: false) : nil
            triggers.append(
                SMSTrigger(
                    name: name, aliases: entry.strings("aliases", default: [], fix: LocalizedText(zh: "请列出其他名称", en: "list other names")), template: template, priority: priority,
                    audience: audience, location: entry.string("location", default: "") ?? "", requiresConfirmation: confirm))
            entry.rejectUnknownKeys()
        }
        guard let hashText = section.string(
                "pin_hash", fix: LocalizedText(zh: "请按 docs/sms-commands.zh-CN.md 的步骤生成 PIN 哈希，粘贴到这里", en: "make a PIN hash as docs/sms-commands.md shows and paste it here")) else {
            section.rejectUnknownKeys()
            return nil
        }
        let pin: PINHash
        do {
            pin = try PINHash(parsing: hashText)
        } catch {
            section.report("pin_hash", error.reason)
            section.rejectUnknownKeys()
            return nil
        }
        let defaults = SMSCommandSettings(operators: [], pin: pin, triggers: [])
        let settings = SMSCommandSettings(
            operators: operators, pin: pin, triggers: triggers,
            maximumFailures: section.integer("max_failures", default: defaults.maximumFailures, range: 1...10),
            failureWindow: section.duration("failure_window_s", default: defaults.failureWindow, range: .seconds(60)...(.seconds(86_400))),
            lockoutDuration: section.duration("lockout_s", default: defaults.lockoutDuration, range: .seconds(60)...(.seconds(86_400))),
            replayWindow: section.duration("replay_window_s", default: defaults.replayWindow, range: .seconds(60)...(.seconds(86_400))),
            clockSkew: section.duration("clock_skew_s", default: defaults.clockSkew, range: .zero...(.seconds(3600))),
            confirmationWindow: section.duration("confirmation_window_s", default: defaults.confirmationWindow, range: .seconds(30)...(.seconds(3600))),
            alertSender: section.string("alert_sender", default: boxID) ?? boxID,
            replyPriority: AlertPriority(rawValue: section.integer("reply_priority", default: 1, range: 1...3)) ?? .urgent,
            replyExpiry: section.duration("reply_expiry_s", default: defaults.replyExpiry, range: .seconds(60)...(.seconds(86_400))),
            utcOffsetMinutes: utcOffsetMinutes)
        section.rejectUnknownKeys()
        do {
            try settings.validate()
        } catch {
            let key = error.key.hasPrefix("sms_commands.") ? String(error.key.dropFirst("sms_commands.".count)) : error.key
            section.report(key, error.reason)
            return nil
        }
        return settings
    }
}
