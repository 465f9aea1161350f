public import Core

/// One runtime setting: its key, type, default, allowed values, meaning, and whether a
/// change applies at once or after a restart.
public struct SettingDefinition: Sendable {
    public enum Kind: Sendable, Equatable {
        /// A whole number in a closed range, with its unit for messages.
        case integer(ClosedRange<Int>, unit: LocalizedText)
        /// One of a fixed set of words.
        case choice([String])
        /// Words separated by commas, at least one.
        case list
        /// A daily window `HH:MM-HH:MM`, or `off`.
        case timeRange
    }

    public let key: String
    public let kind: Kind
    public let defaultValue: String
    public let description: LocalizedText
    /// Whether a committed change takes effect at once; otherwise at the next start.
    public let appliesLive: Bool

    public init(_ key: String, _ kind: Kind, default defaultValue: String, live appliesLive: Bool, _ description: LocalizedText) {
        self.key = key
        self.kind = kind
        self.defaultValue = defaultValue
        self.appliesLive = appliesLive
        self.description = description
    }

    /// Checks and normalises `value`.
    /// - Returns: the value as stored: trimmed, lists without blank items.
    /// - Throws: `ConsoleError` naming the key, the value and what is allowed.
    public func validate(_ value: String) throws(ConsoleError) -> String {
        let trimmed = value.trimmingSpaces()
        switch kind {
        case .integer(let range, let unit):
            guard let number = Int(trimmed), range.contains(number) else {
                throw ConsoleError(
                    .invalidSetting,
                    message: LocalizedText(
                        zh: "\(key) 的值“\(value)”无效：请填 \(range.lowerBound) 到 \(range.upperBound) 之间的整数（\(unit.chinese)）。",
                        en: "Invalid \(key) '\(value)': use a whole number from \(range.lowerBound) to \(range.upperBound) (\(unit.english))."))
            }
            return String(number)
        case .choice(let choices):
            guard choices.contains(trimmed.lowercased()) else {
                throw ConsoleError(
                    .invalidSetting,
                    message: LocalizedText(
                        zh: "\(key) 的值“\(value)”无效：可选 \(choices.joined(separator: "、"))。",
                        en: "Invalid \(key) '\(value)': use one of \(choices.joined(separator: ", "))."))
            }
            return trimmed.lowercased()
        case .list:
            let items = trimmed.split(whereSeparator: { $0 == "," || $0 == "，" || $0 == "、" }).map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
            guard !items.isEmpty else {
                throw ConsoleError(
                    .invalidSetting,
                    message: LocalizedText(
                        zh: "\(key) 不能为空：请填一项或多项，用逗号分隔。", en: "\(key) cannot be empty: give one or more items separated by commas."))
            }
            return items.joined(separator: ",")
        case .timeRange:
            if trimmed.lowercased() == "off" { return "off" }
            let normalised = String(trimmed.map { $0 == "：" ? ":" : $0 })
            let parts = normalised.split(separator: "-")
            guard parts.count == 2, let start = Self.minute(parts[0]), let end = Self.minute(parts[1]), start != end else {
                throw ConsoleError(
                    .invalidSetting,
                    message: LocalizedText(
                        zh: "\(key) 的值“\(value)”无效：请写成 22:00-07:00 这样的时段，或 off 关闭。",
                        en: "Invalid \(key) '\(value)': write a window such as 22:00-07:00, or off."))
            }
            return String(format2(start)) + "-" + String(format2(end))
        }
    }

    private static func minute(_ text: Substring) -> Int? {
        let fields = text.split(separator: ":")
        guard fields.count == 2, let hour = Int(fields[0]), let minute = Int(fields[1]), (0..<24).contains(hour), (0..<60).contains(minute)
        else { return nil }
        return hour * 60 + minute
    }

    private func format2(_ minutes: Int) -> String {
        let hour = minutes / 60
        let minute = minutes % 60
        return (hour < 10 ? "0" : "") + String(hour) + ":" + (minute < 10 ? "0" : "") + String(minute)
    }

    /// The allowed values, for `config get`.
    public var allowed: LocalizedText {
        switch kind {
        case .integer(let range, let unit):
            LocalizedText(zh: "\(range.lowerBound)-\(range.upperBound) \(unit.chinese)", en: "\(range.lowerBound)-\(range.upperBound) \(unit.english)")
        case .choice(let choices): LocalizedText(zh: choices.joined(separator: "、"), en: choices.joined(separator: ", "))
        case .list: LocalizedText(zh: "逗号分隔的一项或多项", en: "one or more items separated by commas")
        case .timeRange: LocalizedText(zh: "HH:MM-HH:MM 或 off", en: "HH:MM-HH:MM or off")
        }
    }
}

/// The settings the box has today, with the defaults the modules use.
public enum SettingRegistry {
    static let seconds = LocalizedText(zh: "秒", en: "seconds")
    static let minutes = LocalizedText(zh: "分钟", en: "minutes")
    static let messages = LocalizedText(zh: "条", en: "messages")
    static let failures = LocalizedText(zh: "次", en: "failures")

    public static let definitions: [SettingDefinition] = [
        SettingDefinition("console.language", .choice(["zh", "en"]), default: "zh", live: true,
            LocalizedText(zh: "登录提示和新会话的默认语言", en: "default language of the login prompt and new sessions")),
        SettingDefinition("console.idle_minutes", .integer(1...240, unit: minutes), default: "15", live: true,
            LocalizedText(zh: "无操作多久后自动退出登录", en: "idle time before a session is logged out")),
        SettingDefinition("sms.per_minute", .integer(1...600, unit: messages), default: "12", live: false,
            LocalizedText(zh: "每张 SIM 每分钟最多发送的短信条数", en: "most SMS parts one SIM sends per minute")),
        SettingDefinition("sms.per_hour", .integer(1...36_000, unit: messages), default: "180", live: false,
            LocalizedText(zh: "每张 SIM 每小时最多发送的短信条数（运营商约 200 条/小时封号）", en: "most SMS parts one SIM sends per hour (carriers suspend near 200 an hour)")),
        SettingDefinition("sms.per_day", .integer(1...50_000, unit: messages), default: "900", live: false,
            LocalizedText(zh: "每张 SIM 每天最多发送的短信条数（运营商约 1000 条/天封号）", en: "most SMS parts one SIM sends per day (carriers suspend near 1,000 a day)")),
        SettingDefinition("sms.reserve_per_hour", .integer(0...36_000, unit: messages), default: "30", live: false,
            LocalizedText(zh: "每小时额度中只留给 P0 的条数", en: "parts of the hourly budget kept for P0 only")),
        SettingDefinition("sms.reserve_per_day", .integer(0...50_000, unit: messages), default: "100", live: false,
            LocalizedText(zh: "每天额度中只留给 P0 的条数", en: "parts of the daily budget kept for P0 only")),
        SettingDefinition("ack.keywords", .list, default: "1,收到,安全,确认,ok,yes,safe", live: false,
            LocalizedText(zh: "表示确认收到的回复词，逗号分隔", en: "reply words that acknowledge an alert, separated by commas")),
        SettingDefinition("ack.window_hours", .integer(1...168, unit: LocalizedText(zh: "小时", en: "hours")), default: "24", live: false,
            LocalizedText(zh: "发出短信后多久内的回复仍算确认", en: "how long after an SMS a reply still acknowledges it")),
        SettingDefinition("escalation.timeout_seconds", .integer(30...3600, unit: seconds), default: "300", live: false,
            LocalizedText(zh: "顺序分组中等待当前联系人确认的时间，超时通知下一位", en: "time a sequenced group's current contact has to acknowledge before the next is alerted")),
        SettingDefinition("trigger.window_seconds", .integer(0...3600, unit: seconds), default: "60", live: false,
            LocalizedText(zh: "同一触发源在此时间内重复触发只算一次", en: "a trigger repeated within this window raises one alert")),
        SettingDefinition("alerts.test_groups", .list, default: "测试组", live: false,
            LocalizedText(zh: "测试和演练警报发送的分组", en: "groups that test and exercise alerts go to")),
        SettingDefinition("alerts.all_clear", .choice(["none", "reached", "audience"]), default: "reached", live: false,
            LocalizedText(zh: "取消警报时的解除通知：none 不发，reached 发给已送达的人，audience 发给全部受众", en: "the all-clear on cancel: none, reached (those reached), audience (the whole audience)")),
        SettingDefinition("quiet.default", .timeRange, default: "off", live: true,
            LocalizedText(zh: "新联系人的默认免打扰时段（P0 不受限）", en: "default quiet hours of new contacts (P0 ignores them)")),
        SettingDefinition("box.utc_offset_minutes", .integer(-720...840, unit: minutes), default: "480", live: false,
            LocalizedText(zh: "本地时间相对 UTC 的分钟数，用于免打扰", en: "minutes east of UTC of local time, for quiet hours")),
        SettingDefinition("uplink.failures_to_down", .integer(1...20, unit: failures), default: "2", live: false,
            LocalizedText(zh: "连续失败多少次判定上行链路中断", en: "consecutive failures before the uplink is down")),
        SettingDefinition("uplink.hold_down_seconds", .integer(5...3600, unit: seconds), default: "10", live: false,
            LocalizedText(zh: "上行链路恢复后需持续成功多久才判定为正常", en: "time of successes before a recovered uplink is up again")),
    ]

    public static let keys = definitions.map(\.key)

    public static func definition(_ key: String) -> SettingDefinition? {
        definitions.first { $0.key == key }
    }
}
