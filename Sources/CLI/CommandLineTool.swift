import Core

/// The result of one run of the command line: exit status and what to print.
public struct CommandResult: Equatable, Sendable {
    public var exitStatus: Int32
    public var standardOutput: String
    public var standardError: String
}

/// The `alertbox` command tree: finds the command, handles help and language, runs it.
///
/// Help is the same for `alertbox help X`, `alertbox X -h` and `alertbox X --help`. Arguments
/// are validated before anything runs, and every usage error or bad input ends with one
/// line on standard error and exit status 64.
public enum CommandLineTool {
    static let root = CommandSpec(
        name: "alertbox",
        summary: LocalizedText(
            zh: "AlertBox 报警箱：在紧急情况下通过即时通讯和短信按优先级发出警报。",
            en: "AlertBox: sends alerts by priority over enterprise IM and SMS in an emergency."),
        synopsis: LocalizedText(zh: "<命令> [选项]", en: "<command> [options]"),
        subcommands: [RunSpec.command, SMSCommands.group, ModemCommands.group, ConsoleClient.command])

    /// Runs the command line `arguments` (without the program name).
    /// - Parameters:
    ///   - environment: the process environment; `ALERTBOX_LANG` picks the language.
    ///   - readStandardInput: reads all of standard input, for a `-` argument.
    public static func run(
        _ arguments: [String], environment: [String: String] = [:],
        readStandardInput: () -> String = { "" }
    ) -> CommandResult {
        var language = environment["ALERTBOX_LANG"].flatMap(Language.init(code:)) ?? .chinese
        var remaining: [String] = []
        var index = 0
        var languageError: CLIError?
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" {
                remaining += arguments[(index - 1)...]
                break
            }
            var code: String?
            if argument == "--lang" {
                code = index < arguments.count ? arguments[index] : ""
                index += 1
            } else if argument.hasPrefix("--lang=") {
                code = String(argument.dropFirst("--lang=".count))
            } else {
                remaining.append(argument)
                continue
            }
            if let parsed = code.flatMap(Language.init(code:)) {
                language = parsed
            } else {
                languageError = .usage(
                    LocalizedText(zh: "--lang 的值 '\(code ?? "")' 无效；请用 zh 或 en", en: "invalid --lang '\(code ?? "")'; use zh or en"))
            }
        }
        if let languageError {
            return failure(languageError, language: language)
        }

        do {
            return try dispatch(remaining, language: language, readStandardInput: readStandardInput)
        } catch {
            return failure(error, language: language)
        }
    }

    private static func dispatch(
        _ arguments: [String], language: Language, readStandardInput: () -> String
    ) throws(CLIError) -> CommandResult {
        var arguments = arguments
        var wantsHelp = false
        if arguments.first == "help" {
            arguments.removeFirst()
            wantsHelp = true
        }
        if let end = arguments.firstIndex(of: "--") {
            wantsHelp = wantsHelp || arguments[..<end].contains { $0 == "-h" || $0 == "--help" }
        } else {
            wantsHelp = wantsHelp || arguments.contains { $0 == "-h" || $0 == "--help" }
        }
        arguments = removingHelpFlags(arguments)

        var command = root
        var path = [root.name]
        while !command.subcommands.isEmpty, let next = arguments.first, !next.hasPrefix("-") {
            // `alertbox sms help plan` reads like `alertbox help sms plan`.
            if next == "help" {
                wantsHelp = true
                arguments.removeFirst()
                continue
            }
            guard let subcommand = command.subcommands.first(where: { $0.name == next }) else {
                throw .usage(
                    LocalizedText(
                        zh: "未知命令 '\(next)'；运行 '\(path.joined(separator: " ")) --help' 查看可用命令",
                        en: "unknown command '\(next)'; run '\(path.joined(separator: " ")) --help' for the commands"))
            }
            command = subcommand
            path.append(subcommand.name)
            arguments.removeFirst()
        }

        let help = HelpFormatter.help(for: command, path: path, language: language)
        if wantsHelp {
            return CommandResult(exitStatus: 0, standardOutput: help + "\n", standardError: "")
        }
        guard let prepare = command.prepare else {
            let pathText = path.joined(separator: " ")
            let message = LocalizedText(
                zh: "错误：缺少命令；运行 '\(pathText) --help' 查看可用命令",
                en: "error: missing command; run '\(pathText) --help' for the commands")(language)
            return CommandResult(exitStatus: 64, standardOutput: "", standardError: "alertbox: \(message)\n")
        }

        let pathText = path.joined(separator: " ")
        var parsed = try ParsedArguments.parse(arguments, options: command.options, commandPath: pathText)
        if parsed.positionals == ["-"] {
            parsed.positionals = [readStandardInput()]
        }
        let runnable = try prepare(parsed, language)
        var output = CommandOutput(language: language)
        let status = try runnable.run(&output)
        let text = output.standardOutput.isEmpty ? "" : output.standardOutput.joined(separator: "\n") + "\n"
        let errorText = output.standardError.isEmpty ? "" : output.standardError.joined(separator: "\n") + "\n"
        return CommandResult(exitStatus: status, standardOutput: text, standardError: errorText)
    }

    private static func removingHelpFlags(_ arguments: [String]) -> [String] {
        guard let end = arguments.firstIndex(of: "--") else {
            return arguments.filter { $0 != "-h" && $0 != "--help" }
        }
        return arguments[..<end].filter { $0 != "-h" && $0 != "--help" } + arguments[end...]
    }

    private static func failure(_ error: CLIError, language: Language) -> CommandResult {
        let message = error.message(language)
        let line = error.exitStatus == 64
            ? LocalizedText(zh: "错误：\(message)", en: "error: \(message)")
            : LocalizedText(zh: "失败：\(message)", en: "failed: \(message)")
        return CommandResult(exitStatus: error.exitStatus, standardOutput: "", standardError: "alertbox: \(line(language))\n")
    }
}
