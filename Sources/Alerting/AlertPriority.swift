/// The box's priorities, from life safety down to reminders.
public enum AlertPriority: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    /// P0 life safety: IM and SMS at once, ignores quiet hours, may use the SIM's reserve.
    case lifeSafety = 0
    /// P1 urgent: IM, and SMS where IM failed or the uplink is down.
    case urgent = 1
    /// P2 routine: IM, and SMS only while the uplink is down and budget remains.
    case routine = 2
    /// P3 reminder: IM only, waits while the uplink is down, expires.
    case reminder = 3

    public static func < (lhs: AlertPriority, rhs: AlertPriority) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    public var description: String {
        "P\(rawValue)"
    }
}

/// China's four public warning levels, carried in CAP as a `parameter`.
public enum WarningLevel: String, Sendable, CaseIterable {
    case red
    case orange
    case yellow
    case blue

    /// Reads the level from a parameter value: `红色`, `红色预警`, `Red`, `I级`/`Ⅰ级` and alike.
    public init?(parameterValue value: String) {
        let text = value.lowercased()
        if text.contains("红") || text.contains("red") || text.contains("ⅰ级") || text == "i级" || text == "i" {
            self = .red
        } else if text.contains("橙") || text.contains("orange") || text.contains("ⅱ级") || text == "ii级" {
            self = .orange
        } else if text.contains("黄") || text.contains("yellow") || text.contains("ⅲ级") || text == "iii级" {
            self = .yellow
        } else if text.contains("蓝") || text.contains("blue") || text.contains("ⅳ级") || text == "iv级" {
            self = .blue
        } else {
            return nil
        }
    }

    /// The parameter names that carry the level.
    public static let parameterNames: Set<String> = ["预警级别", "预警等级", "warning level", "warninglevel", "level", "alert level"]
}

/// A configurable table from CAP urgency and severity, and China's warning levels, to P0-P3.
///
/// Rules are tried in order and the first that matches decides; a rule leaves a field nil to
/// match any value. A warning level found in the info's parameters is tried before urgency
/// and severity, because a red warning means life safety whatever the other fields say.
public struct PriorityMapping: Sendable, Equatable {
    public struct Rule: Sendable, Equatable {
        public var urgency: CAPInfo.Urgency?
        public var severity: CAPInfo.Severity?
        public var level: WarningLevel?
        public var priority: AlertPriority

        public init(urgency: CAPInfo.Urgency? = nil, severity: CAPInfo.Severity? = nil, level: WarningLevel? = nil, priority: AlertPriority) {
            self.urgency = urgency
            self.severity = severity
            self.level = level
            self.priority = priority
        }
    }

    public var rules: [Rule]
    /// The priority when no rule matches.
    public var fallback: AlertPriority

    /// The default table: red and extreme are life safety; orange and severe are urgent;
    /// yellow, blue and moderate are routine; minor, and anything already past, remind.
    public static let standard = PriorityMapping(
        rules: [
            Rule(level: .red, priority: .lifeSafety),
            Rule(level: .orange, priority: .urgent),
            Rule(level: .yellow, priority: .routine),
            Rule(level: .blue, priority: .routine),
            Rule(urgency: .past, priority: .reminder),
            Rule(severity: .extreme, priority: .lifeSafety),
            Rule(severity: .severe, priority: .urgent),
            Rule(severity: .moderate, priority: .routine),
            Rule(severity: .minor, priority: .reminder),
        ],
        fallback: .routine)

    public init(rules: [Rule], fallback: AlertPriority) {
        self.rules = rules
        self.fallback = fallback
    }

    /// Returns the priority of an info block.
    public func priority(of info: CAPInfo) -> AlertPriority {
        let level = info.parameters.lazy
            .filter { WarningLevel.parameterNames.contains($0.name.lowercased()) }
            .compactMap { WarningLevel(parameterValue: $0.value) }
            .first
        for rule in rules {
            if let wanted = rule.level {
                guard wanted == level else { continue }
            }
            if let wanted = rule.urgency, wanted != info.urgency { continue }
            if let wanted = rule.severity, wanted != info.severity { continue }
            return rule.priority
        }
        return fallback
    }
}
