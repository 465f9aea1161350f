public import Core

/// A problem in the configuration: the key, its line, what is wrong and how to fix it.
public struct ConfigIssue: Sendable, Equatable, CustomStringConvertible {
    /// The key standing for a TOML syntax error, which belongs to no key.
    public static let syntaxKey = "(syntax)"
    /// The key standing for a file that cannot be read.
    public static let fileKey = "(file)"

    /// The key's full path, such as `gpio.input[2].debounce_ms`.
    public var key: String
    public var line: Int?
    /// The problem and its fix, in both operator languages.
    public var text: LocalizedText

    public init(key: String, line: Int?, text: LocalizedText) {
        self.key = key
        self.line = line
        self.text = text
    }

    /// The English text, for logs.
    public var message: String {
        text.english
    }

    /// Renders the issue as `line 12: KEY: MESSAGE` or `第 12 行：KEY：MESSAGE`.
    public func description(in language: Language) -> String {
        let separator = LocalizedText(zh: "：", en: ": ")(language)
        let place = line.map { LocalizedText(zh: "第 \($0) 行", en: "line \($0)")(language) + separator } ?? ""
        return place + displayKey(language) + separator + text(language)
    }

    /// The English rendering, for logs.
    public var description: String {
        description(in: .english)
    }

    /// Translates the two stand-in keys, which are not TOML keys, and returns any other key as is.
    private func displayKey(_ language: Language) -> String {
        switch key {
        case Self.syntaxKey: LocalizedText(zh: "（语法）", en: key)(language)
        case Self.fileKey: LocalizedText(zh: "（文件）", en: key)(language)
        default: key
        }
    }
}

/// Every problem found in a configuration file; the box does not start with any of them.
public struct ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var issues: [ConfigIssue]

    public init(file: String, issues: [ConfigIssue]) {
        self.file = file
        self.issues = issues
    }

    /// Renders a header naming the file and the count, then one line per issue, for operators.
    public func description(in language: Language) -> String {
        let header = LocalizedText(
            zh: "\(file)：配置中有 \(issues.count) 处问题：",
            en: "\(file): \(issues.count) problem(s) in the configuration:")
        return ([header(language)] + issues.map { "  - " + $0.description(in: language) }).joined(separator: "\n")
    }

    /// The English rendering, for logs.
    public var description: String {
        description(in: .english)
    }
}
