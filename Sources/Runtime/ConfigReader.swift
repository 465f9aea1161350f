/// A problem in the configuration: the key, its line, what is wrong and how to fix it.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    /// The key's full path, such as `gpio.input[2].debounce_ms`.
    public var key: String
    public var line: Int?
    public var message: String

    public var description: String {
        (line.map { "line \($0): " } ?? "") + "\(key): \(message)"
    }
}

/// Every problem found in a configuration file; the box does not start with any of them.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var issues: [ConfigIssue]

    public var description: String {
        "\(file): \(issues.count) problem(s) in the configuration:\n" + issues.map { "  - \($0)" }.joined(separator: "\n")
    }
}

/// Collects the issues of one read, so an operator sees every mistake at once.
final class ConfigIssues {
    var list: [ConfigIssue] = []
}

/// Reads typed values from a TOML table by key, recording an issue (never throwing) for a
/// wrong type, a value out of range or an unknown key.
struct ConfigReader {
    let table: TOMLTable
    /// The path of this table, such as `gpio.input[2]`; empty at the root.
    let path: String
    let issues: ConfigIssues
    /// The keys read so far, to report the others as unknown (usually a typo).
    private let read = ReadKeys()

    private final class ReadKeys {
        var keys: Set<String> = []
    }

    /// Parses a whole file into a reader of its root table.
    /// - Throws: `ConfigError` with the syntax error's line.
    static func root(parsing text: String, file: String) throws(ConfigError) -> ConfigReader {
        do {
            return ConfigReader(table: try TOMLParser.parse(text), issues: ConfigIssues())
        } catch {
            throw ConfigError(file: file, issues: [ConfigIssue(key: "(syntax)", line: error.line, message: error.message)])
        }
    }

    init(table: TOMLTable, path: String = "", issues: ConfigIssues) {
        self.table = table
        self.path = path
        self.issues = issues
    }

    func fullKey(_ key: String) -> String {
        path.isEmpty ? key : "\(path).\(key)"
    }

    func report(_ key: String, _ message: String) {
        issues.list.append(ConfigIssue(key: fullKey(key), line: table.lines[key], message: message))
    }

    private func value(_ key: String) -> TOMLValue? {
        read.keys.insert(key)
        return table[key]
    }

    func has(_ key: String) -> Bool {
        table[key] != nil
    }

    // MARK: Scalars

    func string(_ key: String, default fallback: String? = nil, fix: String) -> String? {
        switch value(key) {
        case .string(let text)?:
            return text
        case nil:
            if fallback == nil { report(key, "missing; \(fix)") }
            return fallback
        case let other?:
            report(key, "expected a string in double quotes, found a \(other.typeName); \(fix)")
            return fallback
        }
    }

    func optionalString(_ key: String, fix: String) -> String? {
        guard has(key) else {
            read.keys.insert(key)
            return nil
        }
        return string(key, fix: fix)
    }

    func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>, unit: String = "") -> Int {
        switch value(key) {
        case nil:
            return fallback
        case .integer(let number)?:
            guard let value = Int(exactly: number), range.contains(value) else {
                report(key, "\(number)\(unit) is out of range; use \(range.lowerBound) to \(range.upperBound)\(unit)")
                return fallback
            }
            return value
        case let other?:
            report(key, "expected a whole number\(unit.isEmpty ? "" : " of \(unit.trimmingSpaces)"), found a \(other.typeName); for example \(key) = \(fallback)")
            return fallback
        }
    }

    func boolean(_ key: String, default fallback: Bool) -> Bool {
        switch value(key) {
        case nil: return fallback
        case .boolean(let flag)?: return flag
        case let other?:
            report(key, "expected true or false, found a \(other.typeName)")
            return fallback
        }
    }

    /// A duration written in milliseconds under a key ending in `_ms`, or seconds under `_s`.
    func duration(_ key: String, default fallback: Duration, range: ClosedRange<Duration>) -> Duration {
        let milliseconds = key.hasSuffix("_ms")
        let scale: Int64 = milliseconds ? 1 : 1000
        let unit = milliseconds ? " ms" : " s"
        let low = Int(range.lowerBound.nanoseconds / 1_000_000 / scale)
        let high = Int(min(range.upperBound.nanoseconds / 1_000_000 / scale, Int64(Int32.max)))
        let fallbackValue = Int(fallback.nanoseconds / 1_000_000 / scale)
        let number = integer(key, default: fallbackValue, range: low...high, unit: unit)
        return .milliseconds(Int64(number) * scale)
    }

    func choice<T: RawRepresentable>(_ key: String, default fallback: T, of choices: [T]) -> T where T.RawValue == String {
        guard let text = string(key, default: fallback.rawValue, fix: "use one of \(Self.list(choices))") else { return fallback }
        guard let chosen = T(rawValue: text), choices.contains(where: { $0.rawValue == chosen.rawValue }) else {
            report(key, "\"\(text)\" is not known; use one of \(Self.list(choices))")
            return fallback
        }
        return chosen
    }

    func strings(_ key: String, default fallback: [String], fix: String) -> [String] {
        switch value(key) {
        case nil:
            return fallback
        case .array(let elements)?:
            var result: [String] = []
            for element in elements {
                guard case .string(let text) = element else {
                    report(key, "every element must be a string in double quotes; \(fix)")
                    return fallback
                }
                result.append(text)
            }
            return result
        case .string(let text)?:
            report(key, "expected a list such as [\"\(text)\"]; \(fix)")
            return [text]
        case let other?:
            report(key, "expected a list of strings, found a \(other.typeName); \(fix)")
            return fallback
        }
    }

    // MARK: Tables

    func section(_ key: String) -> ConfigReader? {
        switch value(key) {
        case nil:
            return nil
        case .table(let inner)?:
            return ConfigReader(table: inner, path: fullKey(key), issues: issues)
        case let other?:
            report(key, "expected a table ([\(fullKey(key))]), found a \(other.typeName)")
            return nil
        }
    }

    /// Reads an array of tables (`[[gpio.input]]`).
    func tables(_ key: String) -> [ConfigReader] {
        switch value(key) {
        case nil:
            return []
        case .array(let elements)?:
            var result: [ConfigReader] = []
            for (index, element) in elements.enumerated() {
                guard case .table(let inner) = element else {
                    report(key, "expected [[\(fullKey(key))]] tables, found a \(element.typeName) in position \(index + 1)")
                    continue
                }
                result.append(ConfigReader(table: inner, path: "\(fullKey(key))[\(index + 1)]", issues: issues))
            }
            return result
        case let other?:
            report(key, "expected [[\(fullKey(key))]] tables, found a \(other.typeName)")
            return []
        }
    }

    /// Reports the keys of this table that nothing read, with the closest known key.
    func rejectUnknownKeys(known extra: [String] = []) {
        let known = read.keys.union(extra)
        for key in table.keys where !known.contains(key) {
            let suggestion = known.min { Self.distance($0, key) < Self.distance($1, key) }
            let hint = suggestion.map { Self.distance($0, key) <= max(2, key.count / 3) ? "; did you mean \($0)?" : "" } ?? ""
            report(key, "unknown key\(hint)")
        }
    }

    private static func list<T: RawRepresentable>(_ choices: [T]) -> String where T.RawValue == String {
        choices.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
    }

    /// Levenshtein distance, for "did you mean".
    static func distance(_ a: String, _ b: String) -> Int {
        let left = Array(a)
        let right = Array(b)
        var previous = Array(0...right.count)
        for (i, leftCharacter) in left.enumerated() {
            var current = [i + 1] + Array(repeating: 0, count: right.count)
            for (j, rightCharacter) in right.enumerated() {
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, previous[j] + (leftCharacter == rightCharacter ? 0 : 1))
            }
            previous = current
        }
        return previous[right.count]
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " })
    }
}
