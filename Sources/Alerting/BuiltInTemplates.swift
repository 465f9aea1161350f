public import Core

/// The templates the box ships with, in Chinese and English.
///
/// Every P0 and P1 template fits one SMS in the worst case with a signature of up to 8
/// characters in brackets, such as 【某某大学附属医院】, and with the test or exercise label.
/// The tests check this for every template. Each IM text's first line is its title.
public enum BuiltInTemplates {
    /// The names of the built-in templates. Each exists in every language.
    public enum Name: String, Sendable, CaseIterable {
        /// 火警: a fire panel alarm or a reported fire.
        case fireAlarm = "fire-alarm"
        /// 安全威胁/封锁: an active threat, so people lock down where they are.
        case activeThreat = "active-threat"
        /// 医疗急救: a medical emergency team call.
        case codeBlue = "code-blue"
        /// 解除封锁: the end of a lockdown.
        case lockdownLifted = "lockdown-lifted"
        /// 解除警报: sent when an alert is cancelled.
        case allClear = "all-clear"
        /// 恶劣天气: a weather warning from a CAP feed, with its level.
        case severeWeather = "severe-weather"
        /// 演练通知: the notice of a planned drill.
        case drillNotice = "drill-notice"
        /// 提醒: a generic reminder.
        case reminder = "reminder"
        /// A fault of the box's own wiring or hardware, for the people who maintain it.
        case deviceFault = "device-fault"
    }

    /// Every built-in template, in `Name` order, Chinese before English.
    public static let all: [AlertTemplate] = Name.allCases.flatMap { name in
        Language.allCases.map { template(name, language: $0) }
    }

    /// Returns the built-in template `name` in `language`.
    public static func template(_ name: Name, language: Language) -> AlertTemplate {
        let texts = Self.texts(name, language: language)
        do {
            return try AlertTemplate(
                name: name.rawValue, language: language, priority: priority(of: name), smsText: texts.sms,
                imText: texts.im)
        } catch {
            // The texts are constants, and the tests parse and validate every one of them.
            preconditionFailure("built-in template \(name.rawValue) is invalid: \(error)")
        }
    }

    /// Returns the priority a built-in template is sent with.
    public static func priority(of name: Name) -> AlertPriority {
        switch name {
        case .fireAlarm, .activeThreat, .codeBlue: .lifeSafety
        case .lockdownLifted, .allClear, .severeWeather: .urgent
        case .drillNotice, .deviceFault: .routine
        case .reminder: .reminder
        }
    }

    private static func texts(_ name: Name, language: Language) -> (sms: String, im: String) {
        switch language {
        case .chinese: chineseTexts(name)
        case .english: englishTexts(name)
        }
    }

    private static func chineseTexts(_ name: Name) -> (sms: String, im: String) {
        switch name {
        case .fireAlarm:
            (
                "火警！{location}（{time}）。{instruction}#{identifier}",
                "【{priority}】火警 #{identifier}\n地点：{location}\n时间：{date} {time}\n{instruction}\n发布：{sender}"
            )
        case .activeThreat:
            (
                "安全威胁：{location}（{time}）。立即就近躲避、锁门、关灯静音#{identifier}",
                "【{priority}】安全威胁，立即封锁 #{identifier}\n地点：{location}\n时间：{date} {time}\n立即就近躲避、锁门、关灯静音，勿外出，等待解除通知。\n{instruction}\n发布：{sender}"
            )
        case .codeBlue:
            (
                "医疗急救：{location}需要急救小组，请立即前往（{time}）#{identifier}",
                "【{priority}】医疗急救 #{identifier}\n地点：{location}\n时间：{date} {time}\n急救小组请立即前往。\n{instruction}"
            )
        case .lockdownLifted:
            (
                "解除封锁：{location}已于{time}解除封锁，恢复正常活动#{identifier}",
                "【{priority}】解除封锁 #{identifier}\n地点：{location}\n时间：{date} {time}\n封锁已解除，恢复正常活动。\n{instruction}\n发布：{sender}"
            )
        case .allClear:
            (
                "解除警报：{event}警报已于{time}解除，恢复正常#{identifier}",
                "【{priority}】解除警报 #{identifier}\n{event}警报已解除，恢复正常。\n时间：{date} {time}\n发布：{sender}"
            )
        case .severeWeather:
            (
                "{event}{level}：{instruction}（{sender}）#{identifier}",
                "【{priority}】{event}{level} #{identifier}\n{headline}\n{instruction}\n发布：{sender} {date} {time}"
            )
        case .drillNotice:
            (
                "演练通知：{date} {time}在{location}举行{event}演练，届时请配合。{instruction}（{sender}）",
                "【{priority}】演练通知\n{event}演练\n时间：{date} {time}\n地点：{location}\n{instruction}\n发布：{sender}"
            )
        case .reminder:
            (
                "提醒：{headline}（{date} {time}，{location}）{instruction}",
                "【{priority}】{headline}\n时间：{date} {time}\n地点：{location}\n{instruction}"
            )
        case .deviceFault:
            (
                "设备故障：{event}（{location}，{time}）。{instruction}请尽快检修。",
                "【{priority}】设备故障\n{event}\n地点：{location}\n时间：{date} {time}\n{instruction}\n请尽快检修。报警箱：{sender}"
            )
        }
    }

    private static func englishTexts(_ name: Name) -> (sms: String, im: String) {
        switch name {
        case .fireAlarm:
            (
                "FIRE {location} {time}: leave by stairs #{identifier}",
                "{priority}: FIRE #{identifier}\nLocation: {location}\nTime: {date} {time}\nLeave by the stairs, do not use lifts.\n{instruction}\nFrom: {sender}"
            )
        case .activeThreat:
            (
                "LOCKDOWN {location}: lock doors, hide #{identifier}",
                "{priority}: LOCKDOWN, active threat #{identifier}\nLocation: {location}\nTime: {date} {time}\nLock the doors, turn off lights, stay silent and hidden until the all-clear.\n{instruction}\nFrom: {sender}"
            )
        case .codeBlue:
            (
                "CODE BLUE {location} {time} respond now #{identifier}",
                "{priority}: CODE BLUE #{identifier}\nLocation: {location}\nTime: {date} {time}\nEmergency team respond now.\n{instruction}"
            )
        case .lockdownLifted:
            (
                "Lockdown lifted: {location} {time} #{identifier}",
                "{priority}: lockdown lifted #{identifier}\nLocation: {location}\nTime: {date} {time}\nResume normal activity.\n{instruction}\nFrom: {sender}"
            )
        case .allClear:
            (
                "ALL CLEAR: {event} alert ended {time} #{identifier}",
                "{priority}: ALL CLEAR #{identifier}\nThe {event} alert has ended. Resume normal activity.\nTime: {date} {time}\nFrom: {sender}"
            )
        case .severeWeather:
            (
                "{event} {level}: {instruction} #{identifier}",
                "{priority}: {event} {level} #{identifier}\n{headline}\n{instruction}\nFrom: {sender} {date} {time}"
            )
        case .drillNotice:
            (
                "Drill notice: {event} drill at {location} on {date} {time}. {instruction} ({sender})",
                "{priority}: drill notice\n{event} drill\nTime: {date} {time}\nLocation: {location}\n{instruction}\nFrom: {sender}"
            )
        case .reminder:
            (
                "Reminder: {headline} ({date} {time}, {location}) {instruction}",
                "{priority}: {headline}\nTime: {date} {time}\nLocation: {location}\n{instruction}"
            )
        case .deviceFault:
            (
                "Device fault: {event} ({location}, {time}). {instruction} Please repair.",
                "{priority}: device fault\n{event}\nLocation: {location}\nTime: {date} {time}\n{instruction}\nPlease repair. Alert box: {sender}"
            )
        }
    }
}
