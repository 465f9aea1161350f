import Core

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
            throw ConfigError(file: file, issues: [ConfigIssue(key: ConfigIssue.syntaxKey, line: error.line, text: error.text)])
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

    func report(_ key: String, _ text: LocalizedText) {
        issues.list.append(ConfigIssue(key: fullKey(key), line: table.lines[key], text: text))
    }

    private func value(_ key: String) -> TOMLValue? {
        read.keys.insert(key)
        return table[key]
    }

    func has(_ key: String) -> Bool {
        table[key] != nil
    }

    // MARK: Scalars

    /// Reads a string; a missing key is an issue only without a fallback. `fix` follows the
    /// problem in the issue, and nil adds none.
    func string(_ key: String, default fallback: String? = nil, fix: LocalizedText? = nil) -> String? {
        switch value(key) {
        case .string(let text)?:
            return text
        case nil:
            if fallback == nil { report(key, LocalizedText(zh: "缺少此项", en: "missing").followed(by: fix)) }
            return fallback
        case let other?:
            let type = other.typeText
            report(key, LocalizedText(zh: "应为双引号中的字符串，实际是\(type.chinese)", en: "expected a string in double quotes, found \(type.english)").followed(by: fix))
            return fallback
        }
    }

    func optionalString(_ key: String, fix: LocalizedText? = nil) -> String? {
        guard has(key) else {
            read.keys.insert(key)
            return nil
        }
        return string(key, fix: fix)
    }

    /// Reads a whole number in `range`; `unit` starts with a space, such as `" ms"`.
    func integer(_ key: String, default fallback: Int, range: ClosedRange<Int>, unit: LocalizedText = LocalizedText(zh: "", en: "")) -> Int {
        switch value(key) {
        case nil:
            return fallback
        case .integer(let number)?:
            guard let value = Int(exactly: number), range.contains(value) else {
                let (low, high) = (range.lowerBound, range.upperBound)
                report(
                    key,
                    LocalizedText(
                        zh: "\(number)\(unit.chinese) 超出范围；请用 \(low) 到 \(high)\(unit.chinese)",
                        en: "\(number)\(unit.english) is out of range; use \(low) to \(high)\(unit.english)"))
                return fallback
            }
            return value
        case let other?:
            let type = other.typeText
            let (zhUnit, enUnit) = (unit.chinese.trimmingSpaces, unit.english.trimmingSpaces)
            report(
                key,
                LocalizedText(
                    zh: "应为整数\(zhUnit.isEmpty ? "" : "（单位：\(zhUnit)）")，实际是\(type.chinese)；例如 \(key) = \(fallback)",
                    en: "expected a whole number\(enUnit.isEmpty ? "" : " of \(enUnit)"), found \(type.english); for example \(key) = \(fallback)"))
            return fallback
        }
    }

    func boolean(_ key: String, default fallback: Bool) -> Bool {
        switch value(key) {
        case nil: return fallback
        case .boolean(let flag)?: return flag
        case let other?:
            let type = other.typeText
            report(
                key,
                LocalizedText(
                    zh: "应为 true 或 false，实际是\(type.chinese)；例如 \(key) = \(fallback)",
                    en: "expected true or false, found \(type.english); for example \(key) = \(fallback)"))
            return fallback
        }
    }

    /// A duration written in milliseconds under a key ending in `_ms`, or seconds under `_s`.
    func duration(_ key: String, default fallback: Duration, range: ClosedRange<Duration>) -> Duration {
        let milliseconds = key.hasSuffix("_ms")
        let scale: Int64 = milliseconds ? 1 : 1000
        let unit = milliseconds ? LocalizedText(zh: " ms", en: " ms") : LocalizedText(zh: " s", en: " s")
        let low = Int(range.lowerBound.nanoseconds / 1_000_000 / scale)
        let high = Int(min(range.upperBound.nanoseconds / 1_000_000 / scale, Int64(Int32.max)))
        let fallbackValue = Int(fallback.nanoseconds / 1_000_000 / scale)
        let number = integer(key, default: fallbackValue, range: low...high, unit: unit)
        return .milliseconds(Int64(number) * scale)
    }

    func choice<T: RawRepresentable>(_ key: String, default fallback: T, of choices: [T]) -> T where T.RawValue == String {
        let listed = Self.list(choices)
        guard let text = string(key, default: fallback.rawValue, fix: LocalizedText(zh: "请用以下之一：\(listed)", en: "use one of \(listed)")) else {
            return fallback
        }
        guard let chosen = T(rawValue: text), choices.contains(where: { $0.rawValue == chosen.rawValue }) else {
            report(key, LocalizedText(zh: "\"\(text)\" 不是可用的值；请用以下之一：\(listed)", en: "\"\(text)\" is not known; use one of \(listed)"))
            return fallback
        }
        return chosen
    }

    func strings(_ key: String, default fallback: [String], fix: LocalizedText? = nil) -> [String] {
        switch value(key) {
        case nil:
            return fallback
        case .array(let elements)?:
            var result: [String] = []
            for element in elements {
                guard case .string(let text) = element else {
                    report(key, LocalizedText(zh: "每个元素都必须是双引号中的字符串", en: "every element must be a string in double quotes").followed(by: fix))
                    return fallback
                }
                result.append(text)
            }
            return result
        case .string(let text)?:
            report(key, LocalizedText(zh: "应为列表，例如 [\"\(text)\"]", en: "expected a list such as [\"\(text)\"]").followed(by: fix))
            return [text]
        case let other?:
            let type = other.typeText
            report(key, LocalizedText(zh: "应为字符串列表，实际是\(type.chinese)", en: "expected a list of strings, found \(type.english)").followed(by: fix))
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
            let type = other.typeText
            report(key, LocalizedText(zh: "应为表 [\(fullKey(key))]，实际是\(type.chinese)", en: "expected a table ([\(fullKey(key))]), found \(type.english)"))
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
                    let type = element.typeText
                    report(
                        key,
                        LocalizedText(
                            zh: "应为 [[\(fullKey(key))]] 表，第 \(index + 1) 项却是\(type.chinese)",
                            en: "expected [[\(fullKey(key))]] tables, found \(type.english) in position \(index + 1)"))
                    continue
                }
                result.append(ConfigReader(table: inner, path: "\(fullKey(key))[\(index + 1)]", issues: issues))
            }
            return result
        case let other?:
            let type = other.typeText
            report(key, LocalizedText(zh: "应为 [[\(fullKey(key))]] 表，实际是\(type.chinese)", en: "expected [[\(fullKey(key))]] tables, found \(type.english)"))
            return []
        }
    }

    /// Reports the keys of this table that nothing read, with the closest known key.
    func rejectUnknownKeys(known extra: [String] = []) {
        let known = read.keys.union(extra)
        for key in table.keys where !known.contains(key) {
            let suggestion = known.min { Self.distance($0, key) < Self.distance($1, key) }
            let unknown = LocalizedText(zh: "未知的键", en: "unknown key")
            if let suggestion, Self.distance(suggestion, key) <= max(2, key.count / 3) {
                report(key, unknown.followed(by: LocalizedText(zh: "是否应为 \(suggestion)？", en: "did you mean \(suggestion)?")))
            } else {
                report(key, unknown)
            }
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

extension LocalizedText {
    /// Appends a fix to a problem: `problem; fix` in English and `问题；修正` in Chinese. A nil
    /// or empty fix appends nothing.
    func followed(by fix: LocalizedText?) -> LocalizedText {
        guard let fix, !fix.english.isEmpty else { return self }
        return LocalizedText(zh: "\(chinese)；\(fix.chinese)", en: "\(english); \(fix.english)")
    }
}
