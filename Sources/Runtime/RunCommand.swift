import Core
import Glibc

/// `alertbox run`: starts the box and keeps it running until SIGTERM or SIGINT.
public enum RunCommand {
    /// Parsed arguments of `alertbox run`.
    struct Options: Equatable {
        var configPath = "/etc/alertbox/alertbox.toml"
        var profileDirectories = ["/usr/local/share/alertbox/board"]
        var checkOnly = false
        var language: Language = .chinese
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
            case "--lang":
                let code = try value("--lang")
                guard let language = Language(code: code) else {
                    throw UsageError(zh: "--lang 的值 '\(code)' 无效；请用 zh 或 en", en: "invalid --lang '\(code)'; use zh or en")
                }
                options.language = language
            case let other:
                throw UsageError(zh: "未知选项 '\(other)'；运行 'alertbox run --help' 查看用法", en: "unknown option '\(other)'; run 'alertbox run --help' for usage")
            }
            index += 1
        }
        if !profiles.isEmpty { options.profileDirectories = profiles }
        return options
    }

    /// Runs the command and returns the exit status.
    public static func main(_ arguments: [String], environment: [String: String], openGPIO: @escaping BoxRuntime.GPIOOpener = BoxRuntime.openBoardGPIO) async -> Int32 {
        let options: Options
        do {
            options = try parse(arguments, environment: environment)
        } catch {
            let language = environment["ALERTBOX_LANG"].flatMap(Language.init(code:)) ?? .chinese
            printError("alertbox run: " + (language == .english ? error.en : error.zh))
            return 64
        }
        let configuration: BoxConfiguration
        var board: BoardProfile
        do {
            configuration = try BoxConfiguration.load(path: options.configPath)
            board = try BoardProfile.load(configuration.boardProfile, directories: options.profileDirectories)
            if let socket = configuration.gpioSocket { board.bridgeSocket = socket }
        } catch {
            printError(error.description(in: options.language))
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
            runtime = try await BoxRuntime.make(configuration: configuration, board: board, environment: environment, logger: logger, openGPIO: openGPIO)
            try await runtime.start()
        } catch {
            logger.critical("the box failed to start", ["error": .plain(String(describing: error))])
            // A file named in the configuration, such as a secret others may read, is checked only
            // now. The operator gets the problem in the chosen language, as from --check.
            if let error = error as? ConfigError { printError(error.description(in: options.language)) }
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
