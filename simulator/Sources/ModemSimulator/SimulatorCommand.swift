public import Core
import Foundation
import NetFaults
import Glibc
import Hardware
import IMFakes

/// The `alertbox-sim` command line.
public enum SimulatorCommand {
    public static let help = """
        Usage: alertbox-sim <command> [options]

        Simulates cellular modems on pseudo-terminals, the carrier behind them and the handsets
        that receive SMS, so that AlertBox and other SMS software run without hardware.

        Commands:
          run       run modems until SIGTERM; each modem's tty is DIR/modemN, control is DIR/control.sock
          replay    play a transcript file of AT commands and replies on one tty, then exit
          control   send one JSON request to a running simulator and print the reply
          scenario  play a scenario against a real alertbox and check it (alertbox-sim scenario --help)

        Options of run:
          --dir DIR              directory for the tty symlinks and control socket (default /tmp/alertbox-sim)
          --modems N             number of modems (default 1)
          --dialect NAME         quectel or simcom (default quectel); repeat as NAME,NAME for several modems
          --pin PIN              lock each SIM with this PIN (default: no PIN)
          --sim-number NUMBER    the first modem's SIM number (default +8613900000000; the next ones count up)
          --latency MS           SMSC time to accept each part, in milliseconds (default 0)
          --cap-hour N           carrier cap per SIM per hour, in parts (default none)
          --cap-day N            carrier cap per SIM per day, in parts (default none)
          --cap-drop             past a cap, accept and drop silently instead of CMS ERROR 38
          --boot-ms MS           time from power-on to RDY (default 500)
          --faults FILE          JSON array of scheduled faults (see docs/simulator.md)
          --chaos-seed N         draw random recoverable faults from this seed
          --chaos-every S        mean seconds between random faults (default 20)
          --chaos-for S          seconds over which random faults are drawn (default 600)
          --seed N               seed of latencies and noise (default 1)
          --im                   run fake WeCom, DingTalk, Feishu and webhook servers on 127.0.0.1
          --im-tls               the same, over TLS with a self-signed certificate in DIR/im-tls
          --im-config FILE       the same, with the robots and settings of a JSON file
          --proxy NAME=LISTEN:TARGET[,...]
                                 TCP proxies on 127.0.0.1 from port LISTEN (0 picks one) to port TARGET,
                                 such as mqtt=0:1883 in front of a broker; the proxy op refuses or drops
          --gpio                 run the GPIO bridge with the reference board's lines on DIR/gpio.sock
          --gpio-socket PATH     the same, on the UNIX socket PATH
          --gpio-board FILE      the same, with the lines of a JSON board file (see docs/simulator.md)

        Options of replay:
          replay FILE --port PATH [--timeout S]

        Options of control:
          control [--dir DIR] JSON

        Exit status: 0 on success, 1 when a replay did not match, 64 on bad arguments.
        """

    /// Runs the command line; returns the exit status.
    public static func main(_ arguments: [String], logger: Logger, shouldStop: () -> Bool) throws -> Int32 {
        guard let command = arguments.first, !["-h", "--help", "help"].contains(command) else {
            print(help)
            return arguments.isEmpty ? 64 : 0
        }
        var options = try Options(Array(arguments.dropFirst()))
        switch command {
        case "run":
            return try run(&options, logger: logger, shouldStop: shouldStop)
        case "replay":
            guard let file = options.positionals.first, let port = options.values["--port"] else {
                throw ControlError("replay needs a transcript FILE and --port PATH")
            }
            let transcript = try Transcript(parsing: String(contentsOfFile: file, encoding: .utf8))
            let timeout = Duration.seconds(options.int("--timeout") ?? 60)
            let mismatches = try ReplayRuntime.run(transcript, portPath: port, timeout: timeout, logger: logger, shouldStop: shouldStop)
            for mismatch in mismatches {
                FileHandle.standardError.write(Data("alertbox-sim: replay: \(mismatch)\n".utf8))
            }
            return mismatches.isEmpty ? 0 : 1
        case "control":
            guard let request = options.positionals.first else {
                throw ControlError("control needs one JSON request, such as '{\"op\":\"status\"}'")
            }
            let directory = options.values["--dir"] ?? "/tmp/alertbox-sim"
            let reply: String
            do {
                reply = try ControlClient.send(request, to: SimulatorRuntime.Layout(directory: directory).controlPath)
            } catch {
                FileHandle.standardError.write(Data("alertbox-sim: error: \(error)\n".utf8))
                return 1
            }
            print(reply)
            // A reply with "ok": false is a failed request.
            return reply.contains("\"ok\":true") ? 0 : 1
        default:
            throw ControlError("unknown command '\(command)'; run 'alertbox-sim --help'")
        }
    }

    private static func run(_ options: inout Options, logger: Logger, shouldStop: () -> Bool) throws -> Int32 {
        let count = try options.int("--modems", in: 1...16) ?? 1
        let dialectNames = (options.values["--dialect"] ?? "quectel").split(separator: ",").map(String.init)
        guard dialectNames.count <= count else {
            throw ControlError("--dialect names \(dialectNames.count) dialects for \(count) modems; give one per modem or one for all")
        }
        let firstNumber = try PhoneNumberCounter(options.values["--sim-number"] ?? "+8613900000000")

        var modems: [ModemConfiguration] = []
        for index in 0..<count {
            let name = dialectNames[min(index, dialectNames.count - 1)]
            guard let dialect = ModemDialect(rawValue: name) else {
                throw ControlError("unknown --dialect '\(name)'; use quectel or simcom")
            }
            var configuration = ModemConfiguration(dialect: dialect, simNumber: firstNumber.number(index))
            configuration.imei = String(867_160_040_000_001 + index)
            configuration.pin = options.values["--pin"]
            if let boot = try options.int("--boot-ms", in: 0...120_000) {
                configuration.bootDelay = .milliseconds(boot)
            }
            modems.append(configuration)
        }

        var network = NetworkConfiguration(seed: UInt64(options.int("--seed") ?? 1))
        network.submitLatency = .fixed(.milliseconds(try options.int("--latency", in: 0...600_000) ?? 0))
        network.capPerHour = try options.int("--cap-hour", in: 0...1_000_000)
        network.capPerDay = try options.int("--cap-day", in: 0...10_000_000)
        if options.flags.contains("--cap-drop") {
            network.capBehaviour = .silentDrop
        }

        var faults = try options.values["--faults"].map(FaultSchedule.load(path:)) ?? []
        if let seed = options.int("--chaos-seed") {
            faults += FaultSchedule.random(
                seed: UInt64(seed), modems: count, every: .seconds(options.int("--chaos-every") ?? 20),
                total: .seconds(options.int("--chaos-for") ?? 600))
        }

        let layout = SimulatorRuntime.Layout(directory: options.values["--dir"] ?? "/tmp/alertbox-sim")
        let runtime = try SimulatorRuntime(
            simulation: Simulation(modems: modems, network: network, seed: UInt64(options.int("--seed") ?? 1)),
            layout: layout, faults: faults, logger: logger)
        if let configuration = try imConfiguration(options) {
            runtime.imFakes = try IMFakeHub.startAndWait(configuration, directory: layout.directory, logger: logger)
        }
        if let proxies = options.values["--proxy"] {
            runtime.proxies = try startProxies(proxies, logger: logger)
        }
        let gpioPath = options.values["--gpio-socket"] ?? layout.directory + "/gpio.sock"
        let gpioWanted = options.flags.contains("--gpio") || options.values["--gpio-socket"] != nil || options.values["--gpio-board"] != nil
        if gpioWanted {
            let board = try options.values["--gpio-board"].map(GPIOBoard.load(path:)) ?? .standard
            try runtime.enableGPIOBridge(board: board, path: gpioPath)
        }
        // One line on stdout signals to a parent process that the ports exist. A second one
        // names the GPIO bridge socket, which the status op also returns.
        FileHandle.standardOutput.write(Data("ready \(layout.directory)\n".utf8))
        if gpioWanted {
            FileHandle.standardOutput.write(Data("gpio \(gpioPath)\n".utf8))
        }
        runtime.run(until: shouldStop)
        return 0
    }
}

/// Returns the fake IM servers' settings that `--im`, `--im-tls` and `--im-config` ask
/// for, or nil when none of them is given.
private func imConfiguration(_ options: Options) throws -> IMFakeConfiguration? {
    var configuration: IMFakeConfiguration
    if let path = options.values["--im-config"] {
        configuration = try IMFakeConfiguration.load(path: path)
    } else if options.flags.contains("--im") || options.flags.contains("--im-tls") {
        configuration = IMFakeConfiguration()
    } else {
        return nil
    }
    if options.flags.contains("--im-tls") {
        configuration.tls = true
    }
    return configuration
}

/// Starts the proxies `--proxy` names, as `NAME=LISTEN:TARGET` entries separated by commas.
private func startProxies(_ text: String, logger: Logger) throws -> [String: TCPProxy] {
    var proxies: [String: TCPProxy] = [:]
    for entry in text.split(separator: ",").map(String.init) {
        let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
        let ports = parts.count == 2 ? parts[1].split(separator: ":").map { UInt16($0) } : []
        guard parts.count == 2, !parts[0].isEmpty, ports.count == 2, let listen = ports[0], let target = ports[1], target != 0 else {
            throw ControlError("invalid --proxy entry '\(entry)'; write NAME=LISTEN:TARGET with ports from 0 (LISTEN only) to 65535, such as mqtt=0:1883")
        }
        guard proxies[parts[0]] == nil else {
            throw ControlError("--proxy names '\(parts[0])' twice; give each proxy its own name")
        }
        let proxy = try TCPProxy(listenPort: listen, targetPort: target)
        logger.notice("proxy started", ["sim.proxy": .plain(parts[0]), "proxy.listen": .plain(String(proxy.listenPort)), "proxy.target": .plain(String(target))])
        proxies[parts[0]] = proxy
    }
    return proxies
}

/// Parsed `--name value` options, flags and positional arguments.
struct Options {
    static let flagNames: Set<String> = ["--cap-drop", "--im", "--im-tls", "--gpio"]
    static let valueNames: Set<String> = [
        "--dir", "--modems", "--dialect", "--pin", "--sim-number", "--latency", "--cap-hour", "--cap-day", "--boot-ms",
        "--faults", "--chaos-seed", "--chaos-every", "--chaos-for", "--seed", "--port", "--timeout", "--im-config",
        "--proxy", "--gpio-socket", "--gpio-board",
    ]
    var values: [String: String] = [:]
    var flags: Set<String> = []
    var positionals: [String] = []

    init(_ arguments: [String]) throws {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if Self.flagNames.contains(argument) {
                flags.insert(argument)
            } else if argument.hasPrefix("--") {
                guard Self.valueNames.contains(argument) else {
                    throw ControlError("unknown option \(argument); run 'alertbox-sim --help' for the options")
                }
                guard index < arguments.count else { throw ControlError("option \(argument) needs a value") }
                values[argument] = arguments[index]
                index += 1
            } else {
                positionals.append(argument)
            }
        }
    }

    func int(_ name: String) -> Int? {
        values[name].flatMap(Int.init)
    }

    /// Reads a whole number option that must lie in `range`.
    func int(_ name: String, in range: ClosedRange<Int>) throws -> Int? {
        guard let text = values[name] else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw ControlError("invalid \(name) '\(text)'; give a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}

/// SIM numbers counting up from the first one.
struct PhoneNumberCounter {
    let prefix: String
    let base: Int

    init(_ number: String) throws {
        guard number.hasPrefix("+"), number.count >= 8, let value = Int(number.suffix(6)) else {
            throw ControlError("invalid --sim-number '\(number)'; give an E.164 number such as +8613900000000")
        }
        prefix = String(number.dropLast(6))
        base = value
    }

    func number(_ offset: Int) -> String {
        let value = String(base + offset)
        return prefix + String(repeating: "0", count: max(0, 6 - value.count)) + value
    }
}

/// Sends one request to a running simulator's control socket.
public enum ControlClient {
    public static func send(_ request: String, to path: String) throws -> String {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Errno.current }
        let connection = FileDescriptor(rawValue: descriptor)
        defer { connection.close() }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: Array(path.utf8).prefix(buffer.count - 1))
        }
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard connected == 0 else {
            throw ControlError("cannot connect to \(path): \(Errno.current); is alertbox-sim running with this --dir?")
        }
        try connection.writeAll(Array((request + "\n").utf8))
        var reply: [UInt8] = []
        while !reply.contains(0x0A) {
            let bytes = try connection.read(maximum: 65_536)
            if bytes.isEmpty { break }
            reply += bytes
        }
        return String(decoding: reply.prefix { $0 != 0x0A }, as: UTF8.self)
    }
}
