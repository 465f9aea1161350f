import Core
import Glibc

/// `alertbox run`: starts the box and keeps it running until SIGTERM or SIGINT.
public enum RunCommand {
    static let usage = LocalizedLines(
        zh: """
            用法：alertbox run [--config 文件] [--profiles 目录] [--check]

            启动报警箱，直到收到 SIGTERM 或 SIGINT 后在 5 秒内停止。

            选项：
              --config 文件     配置文件（默认 /etc/alertbox/alertbox.toml）
              --profiles 目录   板卡配置所在目录（默认 /usr/local/share/alertbox/board）
              --check           只检查配置文件和板卡配置，不启动
              --lang zh|en      提示语言（默认 zh，或环境变量 ALERTBOX_LANG）

            退出状态：0 正常停止或检查通过，78 配置有误，1 启动失败，64 参数错误。
            """,
        en: """
            Usage: alertbox run [--config FILE] [--profiles DIR] [--check]

            Starts the box and keeps it running until SIGTERM or SIGINT, then stops it within 5 s.

            Options:
              --config FILE     the configuration file (default /etc/alertbox/alertbox.toml)
              --profiles DIR    where board profiles are (default /usr/local/share/alertbox/board)
              --check           check the configuration and the board profile, then exit
              --lang zh|en      language of messages (default zh, or ALERTBOX_LANG)

            Exit status: 0 on a normal stop or a passed check, 78 for a bad configuration,
            1 when the box failed to start, 64 for bad arguments.
            """)

    /// Parsed arguments of `alertbox run`.
    struct Options: Equatable {
        var configPath = "/etc/alertbox/alertbox.toml"
        var profileDirectories = ["/usr/local/share/alertbox/board"]
        var checkOnly = false
        var language: Language = .chinese
        var help = false
    }

    /// Why the arguments cannot be used.
    struct UsageError: Error {
        var zh: String
        var en: String
    }

    static func parse(_ arguments: [String], environment: [String: String]) throws(UsageError) -> Options {
        var options = Options()
        options.language = environment["ALERTBOX_LANG"].flatMap(Language.init(code:)) ?? .chinese
        var index = 0
        func value(_ name: String) throws(UsageError) -> String {
            index += 1
            guard index < arguments.count, !arguments[index].hasPrefix("--") else {
                throw UsageError(zh: "\(name) 后面缺少值", en: "\(name) needs a value")
            }
            return arguments[index]
        }
        var profiles: [String] = []
        while index < arguments.count {
            switch arguments[index] {
            case "--config": options.configPath = try value("--config")
            case "--profiles": profiles.append(try value("--profiles"))
            case "--check": options.checkOnly = true
            case "-h", "--help": options.help = true
            case "--lang":
                let code = try value("--lang")
                guard let language = Language(code: code) else {
                    throw UsageError(zh: "--lang 的值 '\(code)' 无效；请用 zh 或 en", en: "invalid --lang '\(code)'; use zh or en")
                }
                options.language = language
            case let other:
                throw UsageError(zh: "未知选项 '\(other)'；运行 alertbox run --help 查看用法", en: "unknown option '\(other)'; see alertbox run --help")
            }
            index += 1
        }
        if !profiles.isEmpty { options.profileDirectories = profiles }
        return options
    }

    /// Runs the command and returns the exit status.
    public static func main(_ arguments: [String], environment: [String: String], openGPIO: @escaping BoxRuntime.GPIOOpener) async -> Int32 {
        let options: Options
        do {
            options = try parse(arguments, environment: environment)
        } catch {
            let language = environment["ALERTBOX_LANG"].flatMap(Language.init(code:)) ?? .chinese
            printError("alertbox run: " + (language == .english ? error.en : error.zh))
            return 64
        }
        if options.help {
            print(usage.text(options.language))
            return 0
        }
        let configuration: BoxConfiguration
        let board: BoardProfile
        do {
            configuration = try BoxConfiguration.load(path: options.configPath)
            board = try BoardProfile.load(configuration.boardProfile, directories: options.profileDirectories)
        } catch {
            printError(error.description)
            return 78
        }
        if options.checkOnly {
            print(options.language == .english
                ? "\(options.configPath): valid; board \(board.name), \(board.lines.count) GPIO lines, \(configuration.panel.inputs.count) inputs"
                : "\(options.configPath)：检查通过；板卡 \(board.name)，GPIO 线路 \(board.lines.count) 条，输入 \(configuration.panel.inputs.count) 路")
            return 0
        }

        let level = environment["ALERTBOX_LOG_LEVEL"].flatMap { LogLevel(name: $0) } ?? configuration.logLevel
        let logger = Logger(label: "alertbox", level: level).with("box", .plain(configuration.boxID))
        let signals = TerminationSignal.stream()
        let runtime: BoxRuntime
        do {
            runtime = try BoxRuntime(configuration: configuration, board: board, environment: environment, logger: logger, openGPIO: openGPIO)
            try await runtime.start()
        } catch {
            logger.critical("the box failed to start", ["error": .plain(String(describing: error))])
            return 1
        }
        for await signal in signals {
            logger.notice("stopping on signal", ["signal": .plain(String(signal))])
            break
        }
        await runtime.stop()
        return 0
    }

    private static func printError(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(STDERR_FILENO, $0.baseAddress, $0.count - 1) }
    }
}

/// A text in both languages.
struct LocalizedLines {
    var zh: String
    var en: String

    func text(_ language: Language) -> String {
        language == .english ? en : zh
    }
}
