/// A metadata value, tagged with how much of it a log line may show.
///
/// Personal data and secrets never reach a log line in clear: a phone number is masked, a
/// message body is shown only on debug lines, and a secret is replaced by its length.
public enum LogValue: Sendable, Equatable, ExpressibleByStringInterpolation, ExpressibleByIntegerLiteral {
    /// A value safe to log as it is: ids, counts, states, ports.
    case plain(String)
    /// A phone number, logged masked as `138****0001`.
    case phone(String)
    /// A message body or other personal text, logged only at debug level.
    case body(String)
    /// A key, signing secret, PIN or password, never logged.
    case secret

    public init(stringLiteral value: String) {
        self = .plain(value)
    }

    public init(integerLiteral value: Int) {
        self = .plain(String(value))
    }

    /// Renders the value for a line of the given level.
    public func rendered(at level: LogLevel) -> String {
        switch self {
        case .plain(let text):
            text
        case .phone(let number):
            PhoneMask.mask(number)
        case .body(let text):
            level == .debug ? text : "<\(text.unicodeScalars.count) chars>"
        case .secret:
            "<redacted>"
        }
    }
}
