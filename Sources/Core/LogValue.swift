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

    /// The text of a received SMS as a body, with a leading run of four or more digits
    /// (ASCII or full-width, after any spaces) replaced by `****`.
    ///
    /// SMS commands start with the PIN, and the modem logs a text before the SMS command
    /// router parses it, so the PIN would reach debug lines otherwise. A reply that
    /// starts with a room number, such as `2301 房间已疏散`, loses the number too.
    public static func receivedSMS(_ text: String) -> LogValue {
        let scalars = Array(text.unicodeScalars)
        var start = 0
        while start < scalars.count, scalars[start].properties.isWhitespace {
            start += 1
        }
        var end = start
        while end < scalars.count, isDigit(scalars[end]) {
            end += 1
        }
        guard end - start >= 4 else { return .body(text) }
        var masked = String.UnicodeScalarView(scalars[..<start])
        masked.append(contentsOf: "****".unicodeScalars)
        masked.append(contentsOf: scalars[end...])
        return .body(String(masked))
    }

    /// ASCII digits and the full-width digits U+FF10 to U+FF19 that Chinese keyboards type.
    private static func isDigit(_ scalar: Unicode.Scalar) -> Bool {
        (0x30...0x39).contains(scalar.value) || (0xFF10...0xFF19).contains(scalar.value)
    }

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
