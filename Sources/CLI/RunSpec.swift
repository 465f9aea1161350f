import Core

/// `alertbox run`: its help and options. The executable hands the command itself to the
/// runtime before the command tree sees it, because it runs until stopped; the tree only
/// prints its help and checks nothing else.
enum RunSpec {
    static let command = CommandSpec(
        name: "run",
        summary: LocalizedText(zh: "启动报警箱，直到收到 SIGTERM 或 SIGINT", en: "run the box until SIGTERM or SIGINT"),
        synopsis: LocalizedText(zh: "[--config 文件] [--profiles 目录] [--check]", en: "[--config FILE] [--profiles DIR] [--check]"),
        discussion: LocalizedText(
            zh: "收到 SIGTERM 或 SIGINT 后在 5 秒内按启动的逆序停止。退出码：0 正常停止或检查通过；1 启动失败；64 参数错误；78 配置有误。",
            en: "On SIGTERM or SIGINT it stops in reverse start order within 5 s. Exit status: 0 on a normal stop or a passed check; 1 when the box failed to start; 64 on bad arguments; 78 for a bad configuration."),
        options: [
            OptionSpec(
                name: "--config", valueName: "FILE",
                help: LocalizedText(zh: "配置文件，默认 /etc/alertbox/alertbox.toml", en: "the configuration file, /etc/alertbox/alertbox.toml by default")),
            OptionSpec(
                name: "--profiles", valueName: "DIR",
                help: LocalizedText(zh: "板卡配置所在目录，默认 /usr/local/share/alertbox/board", en: "where board profiles are, /usr/local/share/alertbox/board by default")),
            OptionSpec(name: "--check", valueName: nil, help: LocalizedText(zh: "只检查配置文件和板卡配置，不启动", en: "check the configuration and the board profile, then exit")),
        ],
        prepare: { _, _ throws(CLIError) in
            throw .usage(
                LocalizedText(
                    zh: "run 只能由 alertbox 可执行文件启动；请直接运行 'alertbox run'", en: "run is started by the alertbox executable; run 'alertbox run' directly"))
        })
}

extension CommandLineTool {
    /// Returns the arguments after `run` when the command line starts the box, or nil for
    /// every other command and for `run --help`, which the command tree answers.
    public static func daemonArguments(_ arguments: [String]) -> [String]? {
        guard arguments.first == "run" else { return nil }
        let rest = Array(arguments.dropFirst())
        return rest.contains { $0 == "-h" || $0 == "--help" } ? nil : rest
    }
}
