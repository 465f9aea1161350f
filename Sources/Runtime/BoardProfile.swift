import Core
public import Hardware
public import Modem

/// What a board has and where: the modem's port and module, the GPIO lines by role, the serial
/// console. Profiles live in `board/profiles/NAME.toml`; the configuration names one.
public struct BoardProfile: Sendable, Equatable {
    public enum GPIOBackend: String, Sendable, CaseIterable {
        /// The kernel's GPIO character devices through libgpiod 1.6.
        case libgpiod
        /// The simulator's GPIO bridge socket.
        case bridge
    }

    public var name: String
    public var description: String
    public var modemDevice: String
    public var baudRate: Int
    public var dialect: ModemDialect
    /// The module, which sets the power key and reset timings (`quectel-ec25`, `simcom-sim7600`).
    public var module: String
    public var gpioBackend: GPIOBackend
    /// The bridge socket, for the `bridge` backend.
    public var bridgeSocket: String?
    public var lines: [GPIOLineRequest]
    /// The serial console's tty, if the board has one for operators.
    public var consoleSerial: String?

    /// Finds a profile by name in `directories`, or reads it from a path.
    public static func load(_ nameOrPath: String, directories: [String]) throws(ConfigError) -> BoardProfile {
        let candidates = nameOrPath.contains("/") ? [nameOrPath] : directories.map { "\($0)/\(nameOrPath).toml" }
        for path in candidates {
            if let text = readFile(path) { return try parse(text, file: path) }
        }
        let places = directories.joined(separator: ", ")
        throw ConfigError(
            file: nameOrPath,
            issues: [
                ConfigIssue(
                    key: "board.profile", line: nil,
                    text: LocalizedText(
                        zh: "在 \(places) 中找不到板卡配置 \"\(nameOrPath)\"；请写其中某个文件的名字，或给出文件路径",
                        en: "no board profile \"\(nameOrPath)\" in \(places); name one of the files there or give a path"))
            ])
    }

    /// Reads and checks a profile's text; `file` names it in errors.
    public static func parse(_ text: String, file: String) throws(ConfigError) -> BoardProfile {
        let root = try ConfigReader.root(parsing: text, file: file)
        let issues = root.issues
        let board = root.section("board") ?? ConfigReader(table: TOMLTable(), path: "board", issues: issues)
        let name = board.string("name", fix: LocalizedText(zh: "请给板卡配置命名，例如 \"rpi4-ec25\"", en: "name the profile, such as \"rpi4-ec25\"")) ?? ""
        let description = board.string("description", default: "") ?? ""
        board.rejectUnknownKeys()

        let modem = root.section("modem") ?? ConfigReader(table: TOMLTable(), path: "modem", issues: issues)
        let device = modem.string("device", fix: LocalizedText(zh: "请填写模块的 AT 端口，例如 \"/dev/alertbox-modem\"", en: "give the modem's AT port, such as \"/dev/alertbox-modem\"")) ?? ""
        let baud = modem.integer("baud", default: 115_200, range: 9600...4_000_000)
        let dialect = modem.choice("dialect", default: ModemDialect.generic, of: [.quectel, .simcom, .huawei, .generic])
        let module = modem.string("module", default: "generic") ?? "generic"
        modem.rejectUnknownKeys()

        let gpio = root.section("gpio") ?? ConfigReader(table: TOMLTable(), path: "gpio", issues: issues)
        let backend = gpio.choice("backend", default: GPIOBackend.libgpiod, of: GPIOBackend.allCases)
        let socket = gpio.optionalString("bridge_socket", fix: LocalizedText(zh: "请填写模拟器 GPIO 桥接套接字的路径", en: "give the simulator's GPIO bridge socket path"))
        if backend == .bridge, socket == nil {
            gpio.report("bridge_socket", LocalizedText(zh: "缺少此项；bridge 后端需要模拟器的套接字路径", en: "missing; the bridge backend needs the simulator's socket path"))
        }
        var lines: [GPIOLineRequest] = []
        var roles: Set<String> = []
        for line in gpio.tables("line") {
            if let request = readLine(line) {
                if !roles.insert(request.role).inserted {
                    line.report(
                        "role",
                        LocalizedText(
                            zh: "\"\(request.role)\" 分给了两条线路；每条线路要有自己的角色",
                            en: "\"\(request.role)\" is given to two lines; give each its own role"))
                }
                lines.append(request)
            }
        }
        gpio.rejectUnknownKeys()

        let console = root.section("console")
        let serial = console?.optionalString("serial", fix: LocalizedText(zh: "请填写控制台的 tty，例如 \"/dev/ttyAMA0\"", en: "give the console's tty, such as \"/dev/ttyAMA0\""))
        console?.rejectUnknownKeys()
        root.rejectUnknownKeys()
        guard issues.list.isEmpty else { throw ConfigError(file: file, issues: issues.list) }
        return BoardProfile(
            name: name, description: description, modemDevice: device, baudRate: baud, dialect: dialect, module: module, gpioBackend: backend,
            bridgeSocket: socket, lines: lines, consoleSerial: serial)
    }

    private static func readLine(_ line: ConfigReader) -> GPIOLineRequest? {
        guard let role = line.string("role", fix: LocalizedText(zh: "请填写线路的角色，例如 \"panic_1\"", en: "name the line's role, such as \"panic_1\"")) else { return nil }
        let chip = line.string("chip", default: "gpiochip0") ?? "gpiochip0"
        let selector: GPIOLineSelector
        if line.has("name") {
            selector = .name(line.string("name") ?? "")
        } else if line.has("offset") {
            selector = .offset(UInt32(line.integer("offset", default: 0, range: 0...1023)))
        } else {
            line.report(
                "offset",
                LocalizedText(
                    zh: "缺少此项；请填写线路在芯片上的偏移，或用 name = \"GPIO17\" 给出线路名",
                    en: "missing; give the line's offset on the chip, or its name with name = \"GPIO17\""))
            return nil
        }
        let direction = line.string("direction", fix: LocalizedText(zh: "请写 \"input\" 或 \"output\"", en: "write \"input\" or \"output\"")) ?? "input"
        let activeLow = line.boolean("active_low", default: false)
        switch direction {
        case "input":
            let bias = line.choice("bias", default: GPIOBias.asIs, of: GPIOBias.allCases)
            let edges = line.boolean("edges", default: true)
            line.rejectUnknownKeys()
            return GPIOLineRequest(role: role, chip: chip, line: selector, direction: .input(bias: bias, edges: edges), activeLow: activeLow)
        case "output":
            let initial = line.boolean("initial_active", default: false)
            line.rejectUnknownKeys()
            return GPIOLineRequest(role: role, chip: chip, line: selector, direction: .output(initialActive: initial), activeLow: activeLow)
        default:
            line.report("direction", LocalizedText(zh: "\"\(direction)\" 不是有效的方向；请写 \"input\" 或 \"output\"", en: "\"\(direction)\" is not a direction; write \"input\" or \"output\""))
            return nil
        }
    }
}
