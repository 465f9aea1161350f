import Core

/// Renders a command's help: usage line, summary, subcommands, options and discussion.
enum HelpFormatter {
    /// The options every command accepts.
    static let commonOptions: [OptionSpec] = [
        OptionSpec(
            name: "--lang", valueName: "zh|en",
            help: LocalizedText(zh: "输出语言，默认 zh；也可设环境变量 ALERTBOX_LANG", en: "output language, zh by default; ALERTBOX_LANG sets it too")),
        OptionSpec(name: "-h, --help", valueName: nil, help: LocalizedText(zh: "显示此帮助", en: "show this help")),
    ]

    static func help(for command: CommandSpec, path: [String], language: Language) -> String {
        let pathText = path.joined(separator: " ")
        var lines: [String] = []
        let synopsis = command.synopsis(language)
        lines.append(LocalizedText(zh: "用法：\(pathText) \(synopsis)", en: "Usage: \(pathText) \(synopsis)")(language))
        lines.append("")
        lines.append(sentence(command.summary(language)))

        if !command.subcommands.isEmpty {
            lines.append("")
            lines.append(LocalizedText(zh: "命令：", en: "Commands:")(language))
            let width = command.subcommands.map { $0.name.count }.max() ?? 0
            for subcommand in command.subcommands {
                lines.append("  " + padded(subcommand.name, to: width) + "  " + subcommand.summary(language))
            }
        }

        let options = command.options + commonOptions
        lines.append("")
        lines.append(LocalizedText(zh: "选项：", en: "Options:")(language))
        let labels = options.map { option in option.valueName.map { "\(option.name) \($0)" } ?? option.name }
        let width = labels.map(\.count).max() ?? 0
        for (label, option) in zip(labels, options) {
            lines.append("  " + padded(label, to: width) + "  " + option.help(language))
        }

        if let discussion = command.discussion {
            lines.append("")
            lines.append(discussion(language))
        }
        if !command.subcommands.isEmpty {
            lines.append("")
            lines.append(
                LocalizedText(
                    zh: "运行 '\(pathText) <命令> --help' 查看某个命令的帮助。",
                    en: "Run '\(pathText) <command> --help' for help on a command.")(language))
        }
        return lines.joined(separator: "\n")
    }

    /// Capitalises an English summary for use as a paragraph; Chinese text is unchanged.
    private static func sentence(_ summary: String) -> String {
        guard let first = summary.first, first.isLowercase else { return summary }
        return first.uppercased() + summary.dropFirst() + "."
    }

    private static func padded(_ text: String, to width: Int) -> String {
        text + String(repeating: " ", count: max(0, width - text.count))
    }
}
