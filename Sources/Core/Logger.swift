/// A value-type logger with a level threshold and key-value metadata.
///
/// Each component receives a logger carrying its own label and metadata (for example
/// `modem.port`) and passes copies down. Every event becomes one line on the sink, shaped
/// `<6>modem: registered modem.port=/dev/ttyUSB2 reg.state=home`, where `<6>` is the syslog
/// priority that journald reads from stderr. Keys are dotted lowercase words. Values are
/// quoted when they contain spaces, quotes or `=`, and control characters are escaped so that
/// one event never spans two lines.
public struct Logger: Sendable {
    /// The component name written before the message.
    public let label: String
    /// The least severe level that is written.
    public var level: LogLevel
    /// Metadata attached to every line from this logger, in insertion order.
    public private(set) var metadata: [(key: String, value: LogValue)]
    private let sink: any LogSink

    /// Creates a logger that writes to `sink`, by default standard error.
    public init(label: String, level: LogLevel = .info, sink: any LogSink = StandardErrorSink.shared) {
        self.label = label
        self.level = level
        self.metadata = []
        self.sink = sink
    }

    /// Returns a copy whose lines also carry `key=value`, replacing an earlier value of `key`.
    public func with(_ key: String, _ value: LogValue) -> Logger {
        var copy = self
        copy.metadata.removeAll { $0.key == key }
        copy.metadata.append((key, value))
        return copy
    }

    /// Returns a copy with another label and the same level, metadata and sink.
    public func labeled(_ label: String) -> Logger {
        var copy = Logger(label: label, level: level, sink: sink)
        copy.metadata = metadata
        return copy
    }

    /// Returns whether a line of `level` would be written.
    public func isEnabled(_ level: LogLevel) -> Bool {
        level >= self.level
    }

    /// Writes one event line when `level` passes the threshold.
    public func log(_ level: LogLevel, _ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, LogValue> = [:]) {
        guard isEnabled(level) else { return }
        var line = "<\(level.syslogPriority)>\(label): \(LogFormat.escaped(message(), quoteIfNeeded: false))"
        let own = metadata.filter { entry in !fields.contains { $0.key == entry.key } }
        for (key, value) in own + fields.map({ ($0.key, $0.value) }) {
            line += " \(key)=\(LogFormat.escaped(value.rendered(at: level), quoteIfNeeded: true))"
        }
        sink.write(line)
    }

    public func debug(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, LogValue> = [:]) {
        log(.debug, message(), fields)
    }

    public func info(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, LogValue> = [:]) {
        log(.info, message(), fields)
    }

    public func notice(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, LogValue> = [:]) {
        log(.notice, message(), fields)
    }

    public func warning(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, LogValue> = [:]) {
        log(.warning, message(), fields)
    }

    public func error(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, LogValue> = [:]) {
        log(.error, message(), fields)
    }

    public func critical(_ message: @autoclosure () -> String, _ fields: KeyValuePairs<String, LogValue> = [:]) {
        log(.critical, message(), fields)
    }
}

/// The escaping rules of a log line.
enum LogFormat {
    /// Escapes control characters, and quotes the text when it would break `key=value` parsing.
    static func escaped(_ text: String, quoteIfNeeded: Bool) -> String {
        var output = ""
        var needsQuotes = text.isEmpty
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\"":
                output += "\\\""
                needsQuotes = true
            case "\\": output += "\\\\"
            case " ", "=":
                output.unicodeScalars.append(scalar)
                needsQuotes = true
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    output += "\\x" + String(scalar.value, radix: 16, uppercase: true).leftPadded(to: 2)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return quoteIfNeeded && needsQuotes ? "\"\(output)\"" : output
    }
}

extension String {
    func leftPadded(to width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
