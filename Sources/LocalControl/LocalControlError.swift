/// Configuration and runtime errors of local triggers and annunciation. Each names the value
/// and what to do about it.
public enum LocalControlError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidTiming(name: String, value: Duration, fix: String)
    case invalidCount(name: String, value: Int, fix: String)
    case duplicateInput(role: String)
    case testKeyIsATrigger(role: String)
    case missingTemplate(input: String, template: String)
    case emptyAudience(input: String)
    case invalidPattern(name: String, fix: String)

    public var description: String {
        switch self {
        case .invalidTiming(let name, let value, let fix):
            "\(name) = \(Self.milliseconds(value)) ms is not usable: \(fix)"
        case .invalidCount(let name, let value, let fix):
            "\(name) = \(value) is not usable: \(fix)"
        case .duplicateInput(let role):
            "the GPIO input \"\(role)\" is configured twice; keep one entry per line"
        case .testKeyIsATrigger(let role):
            "the GPIO input \"\(role)\" is both the test key and a trigger; give the test key its own line"
        case .missingTemplate(let input, let template):
            "the input \"\(input)\" names the template \"\(template)\", which does not exist; create it or name a built-in one such as fire-alarm"
        case .emptyAudience(let input):
            "the input \"\(input)\" has no audience; name at least one contact group"
        case .invalidPattern(let name, let fix):
            "the LED pattern \"\(name)\" is not usable: \(fix)"
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.nanoseconds / 1_000_000
    }
}
