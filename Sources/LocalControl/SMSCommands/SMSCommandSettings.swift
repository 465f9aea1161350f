public import Alerting
public import Core
public import SMS

/// The kinds of SMS command an operator may send.
public enum SMSCommandKind: String, Sendable, Hashable, CaseIterable {
    case status
    case alarm
    case cancel
    /// The reply with a one-time code that makes a held `alarm` or `cancel` run.
    case confirm
}

/// One number allowed to send SMS commands.
public struct SMSCommandOperator: Sendable, Equatable {
    /// A name for the audit log and the logs, such as `保卫处值班`.
    public var name: String
    public var number: PhoneNumber
    /// The language of the box's replies to this number.
    public var language: Language
    /// The commands this number may send; `confirm` is implied by `alarm` or `cancel`.
    public var allowedCommands: Set<SMSCommandKind>

    public init(name: String, number: PhoneNumber, language: Language = .chinese, allowedCommands: Set<SMSCommandKind> = [.status, .alarm, .cancel]) {
        self.name = name
        self.number = number
        self.language = language
        self.allowedCommands = allowedCommands
    }

    /// Returns whether the operator may send `kind`.
    public func allows(_ kind: SMSCommandKind) -> Bool {
        kind == .confirm ? !allowedCommands.isDisjoint(with: [.alarm, .cancel]) : allowedCommands.contains(kind)
    }
}

/// An alarm that `<PIN> 报警 <名称>` raises: which template, at which priority, to whom.
public struct SMSTrigger: Sendable, Equatable {
    /// The name operators type, such as `火警`.
    public var name: String
    /// Other names for the same alarm, such as `FIRE` or `着火`.
    public var aliases: [String]
    /// The template name: a built-in one such as `fire-alarm`, or one saved in the database.
    public var template: String
    public var priority: AlertPriority
    /// The contact groups to alert.
    public var audience: [String]
    /// The place the template's `{location}` shows, such as `3号楼`.
    public var location: String
    /// Whether raising the alarm, and cancelling it, waits for `确认 <code>`. Nil takes the
    /// default: off for P0, because speed matters more, and on for the other priorities.
    public var requiresConfirmation: Bool?

    public init(
        name: String, aliases: [String] = [], template: String, priority: AlertPriority, audience: [String], location: String = "",
        requiresConfirmation: Bool? = nil
    ) {
        self.name = name
        self.aliases = aliases
        self.template = template
        self.priority = priority
        self.audience = audience
        self.location = location
        self.requiresConfirmation = requiresConfirmation
    }

    /// Whether the alarm waits for a confirmation code, after the default is applied.
    public var confirms: Bool {
        requiresConfirmation ?? (priority != .lifeSafety)
    }

    /// The name and every alias.
    public var names: [String] {
        [name] + aliases
    }
}

/// The settings of the SMS command path. The runtime's configuration file fills them in, and
/// `validate()` checks them before the router starts.
public struct SMSCommandSettings: Sendable, Equatable {
    public var operators: [SMSCommandOperator]
    /// The salted PBKDF2 hash of the PIN every command starts with.
    public var pin: PINHash
    public var triggers: [SMSTrigger]
    /// Wrong PINs within `failureWindow` that lock a sender out.
    public var maximumFailures: Int
    public var failureWindow: Duration
    public var lockoutDuration: Duration
    /// A command whose TP-SCTS is older than this is not run.
    public var replayWindow: Duration
    /// How far ahead of the box's clock a TP-SCTS may be, for clocks that differ a little.
    public var clockSkew: Duration
    /// How long a confirmation code stays valid.
    public var confirmationWindow: Duration
    /// The CAP sender of alerts raised by SMS command; a cancel only reaches alerts of this sender.
    public var alertSender: String
    /// The queue priority of the box's replies. P1 by default: ahead of routine notices,
    /// behind every life-safety delivery, and never spending the SIM's P0 reserve.
    public var replyPriority: AlertPriority
    /// The time after which an unsent reply is dropped.
    public var replyExpiry: Duration
    /// The offset of local time from UTC, for the times in replies.
    public var utcOffsetMinutes: Int

    public init(
        operators: [SMSCommandOperator], pin: PINHash, triggers: [SMSTrigger], maximumFailures: Int = 3, failureWindow: Duration = .seconds(15 * 60),
        lockoutDuration: Duration = .seconds(30 * 60), replayWindow: Duration = .seconds(10 * 60), clockSkew: Duration = .seconds(2 * 60),
        confirmationWindow: Duration = .seconds(2 * 60), alertSender: String = "alertbox-sms",
        replyPriority: AlertPriority = .urgent, replyExpiry: Duration = .seconds(30 * 60), utcOffsetMinutes: Int = 480
    ) {
        self.operators = operators
        self.pin = pin
        self.triggers = triggers
        self.maximumFailures = maximumFailures
        self.failureWindow = failureWindow
        self.lockoutDuration = lockoutDuration
        self.replayWindow = replayWindow
        self.clockSkew = clockSkew
        self.confirmationWindow = confirmationWindow
        self.alertSender = alertSender
        self.replyPriority = replyPriority
        self.replyExpiry = replyExpiry
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    /// Returns the operator whose number is `number`, compared in E.164.
    public func `operator`(for number: PhoneNumber) -> SMSCommandOperator? {
        operators.first { $0.number.e164 == number.e164 }
    }

    /// Returns the trigger one of whose names is `name`, compared after normalisation.
    public func trigger(named name: String) -> SMSTrigger? {
        let wanted = SMSCommandParser.normalized(name).lowercased()
        return triggers.first { trigger in trigger.names.contains { SMSCommandParser.normalized($0).lowercased() == wanted } }
    }

    /// Checks the settings and names the first key that is wrong, with the fix.
    /// - Throws: `SMSCommandSettingsError`.
    public func validate() throws(SMSCommandSettingsError) {
        guard !operators.isEmpty else {
            throw SMSCommandSettingsError(
                key: "sms_commands.operators", zh: "允许名单为空，任何号码都无法发送指令；请至少添加一个号码", en: "the allow-list is empty, so no number can send a command; add at least one number")
        }
        var numbers: Set<String> = []
        for (index, entry) in operators.enumerated() {
            let key = "sms_commands.operators[\(index)]"
            guard !entry.name.trimmingWhitespace().isEmpty else {
                throw SMSCommandSettingsError(key: key + ".name", zh: "名称为空；请为每个号码写上使用人或岗位", en: "the name is empty; name the person or post of each number")
            }
            guard numbers.insert(entry.number.e164).inserted else {
                throw SMSCommandSettingsError(key: key + ".number", zh: "\(entry.number.masked) 重复出现；每个号码只写一次", en: "\(entry.number.masked) is listed twice; list each number once")
            }
            guard !entry.allowedCommands.isEmpty else {
                throw SMSCommandSettingsError(
                    key: key + ".commands", zh: "未允许任何指令；请写 status、alarm、cancel 中的一个或多个，或删除此号码",
                    en: "no command is allowed; give one or more of status, alarm, cancel, or remove the number")
            }
        }
        try validateLimits()
        try validateTriggers()
    }

    private func validateLimits() throws(SMSCommandSettingsError) {
        let positive: [(String, Duration)] = [
            ("failure_window", failureWindow), ("lockout", lockoutDuration), ("replay_window", replayWindow),
            ("confirmation_window", confirmationWindow), ("reply_expiry", replyExpiry),
        ]
        for (name, value) in positive where value <= .zero {
            throw SMSCommandSettingsError(key: "sms_commands.\(name)", zh: "必须大于 0 秒；请填写正数秒数", en: "must be more than 0 seconds; give a positive number of seconds")
        }
        guard clockSkew >= .zero else {
            throw SMSCommandSettingsError(key: "sms_commands.clock_skew", zh: "不能为负数；请填写 0 或正数秒数", en: "must not be negative; give 0 or a positive number of seconds")
        }
        guard (1...10).contains(maximumFailures) else {
            throw SMSCommandSettingsError(
                key: "sms_commands.max_failures", zh: "\(maximumFailures) 不在 1 到 10 之间；建议填写 3", en: "\(maximumFailures) is not between 1 and 10; 3 is the usual value")
        }
        guard replyPriority != .lifeSafety else {
            throw SMSCommandSettingsError(
                key: "sms_commands.reply_priority", zh: "回复不能使用 P0，否则会占用生命安全警报的短信额度；请填写 1、2 或 3",
                en: "replies must not be P0, which would spend the SIM budget kept for life-safety alerts; give 1, 2 or 3")
        }
        guard !alertSender.isEmpty, !alertSender.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0 == "," || $0 == "<" || $0 == "&" }) else {
            throw SMSCommandSettingsError(
                key: "sms_commands.alert_sender", zh: "“\(alertSender)”为空或含有空白、逗号、< 或 &；请只用字母、数字、- 和 @",
                en: "'\(alertSender)' is empty or contains white space, commas, < or &; use letters, digits, - and @ only")
        }
    }

    private func validateTriggers() throws(SMSCommandSettingsError) {
        var seen: [String: Int] = [:]
        for (index, trigger) in triggers.enumerated() {
            let key = "sms_commands.triggers[\(index)]"
            for name in trigger.names {
                let normalized = SMSCommandParser.normalized(name).lowercased()
                guard !normalized.isEmpty, !normalized.contains(" ") else {
                    throw SMSCommandSettingsError(
                        key: key + ".name", zh: "名称“\(name)”为空或含有空格；短信里的名称不能有空格，请改用不带空格的名称",
                        en: "the name '\(name)' is empty or contains a space; names in an SMS cannot, so use a name without spaces")
                }
                guard normalized.first.map({ !$0.isNumber }) ?? false else {
                    throw SMSCommandSettingsError(
                        key: key + ".name", zh: "名称“\(name)”以数字开头，会被当成编号；请以文字开头", en: "the name '\(name)' starts with a digit and would read as a number; start it with a letter")
                }
                if let other = seen[normalized] {
                    throw SMSCommandSettingsError(
                        key: key + ".name", zh: "名称“\(name)”已用于第 \(other + 1) 个报警；每个名称只能对应一个报警",
                        en: "the name '\(name)' is already used by trigger \(other); give each name to one trigger only")
                }
                seen[normalized] = index
            }
            guard !trigger.template.isEmpty else {
                throw SMSCommandSettingsError(key: key + ".template", zh: "未指定模板；请填写模板名称，例如 fire-alarm", en: "no template is given; name one, such as fire-alarm")
            }
            guard !trigger.audience.isEmpty else {
                throw SMSCommandSettingsError(key: key + ".audience", zh: "没有接收群组，报警发不到任何人；请至少填写一个群组", en: "no audience group is given, so the alarm would reach no one; give at least one group")
            }
        }
    }
}

/// A wrong SMS command setting: the key, and what is wrong with it and how to fix it in both languages.
public struct SMSCommandSettingsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The configuration key, such as `sms_commands.operators[0].number`.
    public let key: String
    public let reason: LocalizedText

    public init(key: String, zh: String, en: String) {
        self.key = key
        reason = LocalizedText(zh: zh, en: en)
    }

    public var description: String {
        "\(key): \(reason.english)"
    }

    /// Returns the message in `language`, key first.
    public func message(_ language: Language) -> String {
        language == .chinese ? "\(key)：\(reason.chinese)" : "\(key): \(reason.english)"
    }
}
