/// A log severity, ordered from most to least verbose, with its syslog number.
///
/// journald reads the `<N>` prefix of each stderr line as the syslog priority, so a line
/// keeps its level in the journal without a logging library on the box.
/// - Note: RFC 5424 §6.2.1 defines the numbers.
public enum LogLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case debug
    case info
    case notice
    case warning
    case error
    case critical

    /// The syslog priority number written as the `<N>` prefix.
    public var syslogPriority: Int {
        switch self {
        case .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    public var description: String {
        switch self {
        case .debug: "debug"
        case .info: "info"
        case .notice: "notice"
        case .warning: "warning"
        case .error: "error"
        case .critical: "critical"
        }
    }

    /// Parses a level name as written in configuration files and `ALERTBOX_LOG_LEVEL`.
    public init?(name: String) {
        guard let level = LogLevel.allCases.first(where: { $0.description == name.lowercased() }) else {
            return nil
        }
        self = level
    }

    public static func < (lhs: LogLevel, rhs: LogLevel) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}
