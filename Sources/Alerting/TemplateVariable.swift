public import Core

/// A variable that alert templates may use, written `{name}` in a template text.
///
/// Each variable has a maximum length in UTF-16 code units, which is what one UCS-2 SMS
/// character costs: a Chinese character is one unit and an emoji outside the Basic Multilingual
/// Plane is two. The renderer cuts longer values, so the worst case that
/// `AlertTemplate.validate(signature:)` computes at save time stays true at send time.
public enum TemplateVariable: String, Sendable, CaseIterable, CustomStringConvertible {
    /// The kind of event, such as 火警 or 暴雨.
    case event
    /// The place of the event, such as 第三教学楼二层.
    case location
    /// The alert's sent time as `HH:mm` at the renderer's UTC offset.
    case time
    /// The alert's sent date as `yyyy-MM-dd` at the renderer's UTC offset.
    case date
    /// The sending organisation, such as 示例大学保卫处.
    case sender
    /// The action recipients should take.
    case instruction
    /// A one-line summary of the alert.
    case headline
    /// A warning level such as 红色预警 or Red warning.
    case level
    /// A short alert id that lets recipients tell a resent duplicate from a new alert.
    case identifier
    /// The priority's name: 生命安全, 紧急, 通知, 提醒 or Life safety, Urgent, Routine, Reminder.
    case priority

    /// The variable as written in a template: `{event}`.
    public var description: String {
        "{\(rawValue)}"
    }

    /// The maximum length of a rendered value in UTF-16 code units.
    ///
    /// The free-text limits keep every built-in P0 and P1 template within one UCS-2 SMS of 70
    /// characters, with a signature of 8 characters in brackets and the longer test or
    /// exercise label. Time, date and priority are never longer than their fixed formats.
    /// - Note: The free-text limits are estimates of real event, place and instruction lengths,
    /// and they are constants that configuration cannot change yet.
    public var maximumLength: Int {
        switch self {
        case .event: 8
        case .location: 12
        case .time: 5
        case .date: 10
        case .sender: 10
        case .instruction: 20
        case .headline: 20
        case .level: 8
        case .identifier: 6
        case .priority: Self.priorityNames.map { $0.english.utf16.count }.max()!  // The table is not empty.
        }
    }

    /// The name shown to operators in errors, in both languages.
    public var displayName: LocalizedText {
        switch self {
        case .event: LocalizedText(zh: "事件", en: "event")
        case .location: LocalizedText(zh: "地点", en: "location")
        case .time: LocalizedText(zh: "时间", en: "time")
        case .date: LocalizedText(zh: "日期", en: "date")
        case .sender: LocalizedText(zh: "发布单位", en: "sender")
        case .instruction: LocalizedText(zh: "行动指引", en: "instruction")
        case .headline: LocalizedText(zh: "标题", en: "headline")
        case .level: LocalizedText(zh: "预警级别", en: "warning level")
        case .identifier: LocalizedText(zh: "警报编号", en: "alert identifier")
        case .priority: LocalizedText(zh: "优先级", en: "priority")
        }
    }

    /// Returns whether a rendered value may contain characters outside the GSM 7-bit alphabet.
    ///
    /// Time, date and identifier render as ASCII letters, digits, `-` and `:` only. The
    /// priority's name is Chinese in a Chinese template and ASCII in an English one.
    public func mayLeaveGSMAlphabet(in language: Language) -> Bool {
        switch self {
        case .time, .date, .identifier: false
        case .priority: language == .chinese
        case .event, .location, .sender, .instruction, .headline, .level: true
        }
    }

    /// Returns the longest value the variable can render to in `language`.
    ///
    /// Free-text variables are filled to their maximum length with a Chinese character, which
    /// forces UCS-2 and costs one unit each. Variables with a fixed format use their longest
    /// real value, so the result is the exact worst case and not an estimate.
    public func worstCaseValue(in language: Language) -> String {
        switch self {
        case .time: "23:59"
        case .date: "2026-12-31"
        case .identifier: String(repeating: "W", count: maximumLength)
        case .priority: Self.priorityNames.map { $0(language) }.max { $0.utf16.count < $1.utf16.count }!  // Not empty.
        case .event, .location, .sender, .instruction, .headline, .level: String(repeating: "国", count: maximumLength)
        }
    }

    /// Returns the name of a priority as recipients read it.
    public static func priorityName(_ priority: AlertPriority) -> LocalizedText {
        priorityNames[priority.rawValue]
    }

    /// Priority names indexed by `AlertPriority.rawValue`.
    private static let priorityNames: [LocalizedText] = [
        LocalizedText(zh: "生命安全", en: "Life safety"),
        LocalizedText(zh: "紧急", en: "Urgent"),
        LocalizedText(zh: "通知", en: "Routine"),
        LocalizedText(zh: "提醒", en: "Reminder"),
    ]

    /// The variables as written in templates, space-separated, for error messages.
    static var knownNames: String {
        allCases.map(\.description).joined(separator: " ")
    }
}
