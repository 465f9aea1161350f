public import Core

/// An option a command accepts.
struct OptionSpec: Sendable {
    /// The long name with its dashes, such as `--to`.
    let name: String
    /// The placeholder of its value, such as `NUMBER`, or nil for a flag.
    let valueName: String?
    let help: LocalizedText
}

/// A node of the command tree: a group of subcommands or a command that runs.
struct CommandSpec: Sendable {
    let name: String
    let summary: LocalizedText
    /// The arguments after the command path, such as `[--json] HEX`.
    let synopsis: LocalizedText
    /// Text after the option list: what the command prints, examples.
    let discussion: LocalizedText?
    let options: [OptionSpec]
    let subcommands: [CommandSpec]
    /// Parses and validates the arguments, then returns the work to run; nil for groups.
    let prepare: (@Sendable (ParsedArguments, Language) throws(CLIError) -> any RunnableCommand)?

    init(
        name: String, summary: LocalizedText, synopsis: LocalizedText, discussion: LocalizedText? = nil,
        options: [OptionSpec] = [], subcommands: [CommandSpec] = [],
        prepare: (@Sendable (ParsedArguments, Language) throws(CLIError) -> any RunnableCommand)? = nil
    ) {
        self.name = name
        self.summary = summary
        self.synopsis = synopsis
        self.discussion = discussion
        self.options = options
        self.subcommands = subcommands
        self.prepare = prepare
    }
}

/// A command whose arguments passed validation, ready to run.
protocol RunnableCommand {
    /// Runs the command, writing to `output`, and returns the exit status.
    func run(_ output: inout CommandOutput) throws(CLIError) -> Int32
}

/// Where a command writes: standard output lines and the language to write in.
public struct CommandOutput {
    public let language: Language
    public private(set) var standardOutput: [String] = []
    /// Failure lines for standard error, for a command that prints results and then fails.
    public private(set) var standardError: [String] = []

    public init(language: Language) {
        self.language = language
    }

    mutating func print(_ line: String) {
        standardOutput.append(line)
    }

    mutating func print(_ text: LocalizedText) {
        standardOutput.append(text(language))
    }

    /// Adds a failure line for standard error, in the form `CommandLineTool` uses for errors.
    mutating func printFailure(_ text: LocalizedText) {
        standardError.append(LocalizedText(zh: "alertbox: 失败：\(text.chinese)", en: "alertbox: failed: \(text.english)")(language))
    }
}

/// Options, flags and positional arguments after the command path.
struct ParsedArguments {
    var values: [String: String] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []

    func value(_ name: String) -> String? {
        values[name]
    }

    func flag(_ name: String) -> Bool {
        flags.contains(name)
    }

    /// Splits arguments by the command's option list; `--` ends options.
    static func parse(_ arguments: [String], options: [OptionSpec], commandPath: String) throws(CLIError) -> ParsedArguments {
        var parsed = ParsedArguments()
        var index = 0
        var optionsEnded = false
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if optionsEnded || !argument.hasPrefix("-") || argument == "-" {
                parsed.positionals.append(argument)
                continue
            }
            if argument == "--" {
                optionsEnded = true
                continue
            }

            let (name, inlineValue) = split(argument)
            guard let spec = options.first(where: { $0.name == name }) else {
                throw .usage(
                    LocalizedText(
                        zh: "未知选项 \(name)；运行 '\(commandPath) --help' 查看可用选项",
                        en: "unknown option \(name); run '\(commandPath) --help' for the options"))
            }
            guard spec.valueName != nil else {
                guard inlineValue == nil else {
                    throw .usage(LocalizedText(zh: "选项 \(name) 不带值", en: "option \(name) takes no value"))
                }
                parsed.flags.insert(name)
                continue
            }
            if let inlineValue {
                parsed.values[name] = inlineValue
            } else if index < arguments.count {
                parsed.values[name] = arguments[index]
                index += 1
            } else {
                throw .usage(
                    LocalizedText(
                        zh: "选项 \(name) 缺少值 \(spec.valueName ?? "")",
                        en: "option \(name) needs a value \(spec.valueName ?? "")"))
            }
        }
        return parsed
    }

    private static func split(_ argument: String) -> (String, String?) {
        guard argument.hasPrefix("--"), let equals = argument.firstIndex(of: "=") else {
            return (argument, nil)
        }
        return (String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
    }
}
