public import Core

/// The console's command grammar: tokenising, parsing, role checks, Tab completion and `?`
/// help, all from one table of `ConsoleCommand`. Pure.
public struct CommandGrammar: Sendable {
    public let commands: [ConsoleCommand]

    public init(commands: [ConsoleCommand]) {
        self.commands = commands
    }

    /// A parsed command line.
    public struct Invocation: Sendable {
        public let command: ConsoleCommand
        /// The arguments by position; an omitted optional one is missing.
        public let arguments: [String]

        public func argument(_ index: Int) -> String? {
            arguments.indices.contains(index) ? arguments[index] : nil
        }
    }

    /// What Tab does: text to insert at the cursor, and the candidates when there is a choice.
    public struct Completion: Sendable, Equatable {
        public var insertion: String
        public var candidates: [String]
    }

    // MARK: Tokens

    /// Splits a line at spaces (ASCII, tab and the full-width space); double quotes group words.
    /// - Returns: the tokens, and whether the line ends inside a quote.
    public static func tokenize(_ line: String) -> (tokens: [String], openQuote: Bool, endsWithSpace: Bool) {
        var tokens: [String] = []
        var current = ""
        var inQuote = false
        var hasToken = false
        var endsWithSpace = false
        for character in line {
            if character == "\"" {
                inQuote.toggle()
                hasToken = true
                endsWithSpace = false
                continue
            }
            if !inQuote, character == " " || character == "\t" || character == "\u{3000}" {
                if hasToken {
                    tokens.append(current)
                    current = ""
                    hasToken = false
                }
                endsWithSpace = true
                continue
            }
            current.append(character)
            hasToken = true
            endsWithSpace = false
        }
        if hasToken { tokens.append(current) }
        return (tokens, inQuote, endsWithSpace)
    }

    // MARK: Parsing

    /// Parses a command line for a user with `role`.
    /// - Throws: `ConsoleError` naming the unknown word, the missing argument or the role needed.
    public func parse(_ line: String, role: ConsoleRole) throws(ConsoleError) -> Invocation {
        let (tokens, openQuote, _) = Self.tokenize(line)
        guard !openQuote else {
            throw ConsoleError(.invalidInput, message: LocalizedText(zh: "引号未闭合：请在文字末尾补上 \"。", en: "Unclosed quote: add the closing \" after the text."))
        }
        guard !tokens.isEmpty else {
            throw ConsoleError(.invalidInput, message: LocalizedText(zh: "命令为空；输入 help 查看可用命令。", en: "Empty command; type help for the commands."))
        }
        let lowered = tokens.map { $0.lowercased() }
        let matches = commands.filter { lowered.starts(with: $0.words) }
        guard let command = matches.max(by: { $0.words.count < $1.words.count }) else {
            throw unknown(lowered)
        }
        guard role >= command.role else {
            throw ConsoleError(
                .invalidInput,
                message: LocalizedText(
                    zh: "“\(command.words.joined(separator: " "))”需要管理员权限；请用管理员账号登录。",
                    en: "'\(command.words.joined(separator: " "))' needs the admin role; log in as an admin."))
        }

        let given = Array(tokens.dropFirst(command.words.count))
        var arguments: [String] = []
        for (index, spec) in command.arguments.enumerated() {
            if spec.kind == .rest {
                if index < given.count { arguments.append(given[index...].joined(separator: " ")) }
                break
            }
            guard index < given.count else {
                if spec.optional { break }
                throw ConsoleError(
                    .invalidInput,
                    message: LocalizedText(
                        zh: "缺少参数 \(spec.name)（\(spec.help.chinese)）。用法：\(command.usage)",
                        en: "Missing \(spec.name) (\(spec.help.english)). Usage: \(command.usage)"))
            }
            if case .choice(let choices) = spec.kind, !choices.contains(given[index].lowercased()) {
                throw ConsoleError(
                    .invalidInput,
                    message: LocalizedText(
                        zh: "\(spec.name) 的值“\(given[index])”无效；可选：\(choices.joined(separator: "、"))。",
                        en: "Invalid \(spec.name) '\(given[index])'; use one of: \(choices.joined(separator: ", "))."))
            }
            arguments.append(spec.kind == .word ? given[index] : given[index].lowercased())
        }
        if command.arguments.last?.kind != .rest, given.count > command.arguments.count {
            throw ConsoleError(
                .invalidInput,
                message: LocalizedText(
                    zh: "参数过多：“\(given[command.arguments.count])”。用法：\(command.usage)",
                    en: "Too many arguments at '\(given[command.arguments.count])'. Usage: \(command.usage)"))
        }
        return Invocation(command: command, arguments: arguments)
    }

    private func unknown(_ tokens: [String]) -> ConsoleError {
        // The longest prefix that some command starts with tells an incomplete command from an unknown word.
        var known: [String] = []
        for token in tokens {
            let next = known + [token]
            guard commands.contains(where: { $0.words.starts(with: next) }) else { break }
            known = next
        }
        if !known.isEmpty, known.count == tokens.count {
            let next = nextWords(after: known, role: .admin).joined(separator: "|")
            let prefix = known.joined(separator: " ")
            return ConsoleError(
                .invalidInput,
                message: LocalizedText(zh: "命令不完整：\(prefix) \(next)；输入 ? 查看帮助。", en: "Incomplete command: \(prefix) \(next); type ? for help."))
        }
        let word = tokens[known.count]
        return ConsoleError(
            .invalidInput,
            message: LocalizedText(zh: "未知命令“\(word)”；输入 ? 或 help 查看可用命令。", en: "Unknown command '\(word)'; type ? or help for the commands."))
    }

    private func nextWords(after prefix: [String], role: ConsoleRole) -> [String] {
        var words: [String] = []
        for command in commands where role >= command.role && command.words.count > prefix.count && command.words.starts(with: prefix) {
            let word = command.words[prefix.count]
            if !words.contains(word) { words.append(word) }
        }
        return words
    }

    // MARK: Completion

    /// Completes the word at the cursor from the command words and fixed argument choices.
    /// - Parameter settingKeys: extra choices for arguments named `KEY`, the runtime settings.
    public func complete(_ beforeCursor: String, role: ConsoleRole, settingKeys: [String] = []) -> Completion {
        let (tokens, openQuote, endsWithSpace) = Self.tokenize(beforeCursor)
        guard !openQuote else { return Completion(insertion: "", candidates: []) }
        var complete = tokens.map { $0.lowercased() }
        let partial = endsWithSpace || complete.isEmpty ? "" : complete.removeLast()
        let options = candidates(after: complete, role: role, settingKeys: settingKeys).filter { $0.hasPrefix(partial) }
        guard !options.isEmpty else { return Completion(insertion: "", candidates: []) }
        if options.count == 1 {
            return Completion(insertion: String(options[0].dropFirst(partial.count)) + " ", candidates: [])
        }
        let common = options.dropFirst().reduce(options[0]) { String(zip($0, $1).prefix { $0 == $1 }.map(\.0)) }
        return Completion(insertion: String(common.dropFirst(partial.count)), candidates: options)
    }

    private func candidates(after tokens: [String], role: ConsoleRole, settingKeys: [String]) -> [String] {
        let words = nextWords(after: tokens, role: role)
        if !words.isEmpty { return words }
        guard let command = commands.filter({ role >= $0.role && tokens.starts(with: $0.words) }).max(by: { $0.words.count < $1.words.count })
        else { return [] }
        let index = tokens.count - command.words.count
        guard command.arguments.indices.contains(index) else { return [] }
        let spec = command.arguments[index]
        if case .choice(let choices) = spec.kind { return choices }
        if spec.name == "KEY" { return settingKeys }
        return []
    }

    // MARK: Help

    /// Returns the help for `?` typed after `beforeCursor`: the commands or words that may
    /// come next with their summaries, or the usage of a complete command.
    public func contextHelp(_ beforeCursor: String, role: ConsoleRole, language: Language) -> [String] {
        let (tokens, _, endsWithSpace) = Self.tokenize(beforeCursor)
        var complete = tokens.map { $0.lowercased() }
        let partial = endsWithSpace || complete.isEmpty ? "" : complete.removeLast()
        let visible = commands.filter { role >= $0.role }

        let prefixed = visible.filter { command in
            guard command.words.count > complete.count, command.words.starts(with: complete) else { return false }
            return command.words[complete.count].hasPrefix(partial)
        }
        if !prefixed.isEmpty {
            return Self.table(prefixed.map { ($0.usage, $0.summary(language)) })
        }
        if let command = visible.filter({ complete.starts(with: $0.words) }).max(by: { $0.words.count < $1.words.count }) {
            return usage(of: command, language: language)
        }
        return [
            LocalizedText(zh: "没有以“\(tokens.joined(separator: " "))”开头的命令；输入 help 查看全部命令。", en: "No command starts with '\(tokens.joined(separator: " "))'; type help for every command.")(
                language)
        ]
    }

    /// Returns `help COMMAND`: the usage line, the summary, each argument and the discussion.
    public func usage(of command: ConsoleCommand, language: Language) -> [String] {
        var lines = [LocalizedText(zh: "用法：", en: "Usage: ")(language) + command.usage, "  " + command.summary(language)]
        if !command.arguments.isEmpty {
            lines.append(LocalizedText(zh: "参数：", en: "Arguments:")(language))
            lines += Self.table(command.arguments.map { ($0.usage, $0.help(language)) })
        }
        if let discussion = command.discussion {
            lines += discussion(language).split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        }
        if command.role == .admin {
            lines.append(LocalizedText(zh: "需要管理员权限。", en: "Needs the admin role.")(language))
        }
        return lines
    }

    /// Returns `help`: every command the role may run.
    public func overview(role: ConsoleRole, language: Language) -> [String] {
        let intro = LocalizedText(
            zh: "可用命令（Tab 补全，? 随时查看帮助，help 命令 查看详细用法）：",
            en: "Commands (Tab completes, ? shows help at any point, help COMMAND shows details):")(language)
        return [intro] + Self.table(commands.filter { role >= $0.role }.map { ($0.usage, $0.summary(language)) })
    }

    /// Lays out two columns, padding the first by display width so that Chinese lines up.
    static func table(_ rows: [(String, String)]) -> [String] {
        let width = min(rows.map { DisplayWidth.columns(of: $0.0) }.max() ?? 0, 44)
        return rows.map { left, right in
            let padding = max(width - DisplayWidth.columns(of: left), 0) + 2
            return "  " + left + String(repeating: " ", count: padding) + right
        }
    }
}
