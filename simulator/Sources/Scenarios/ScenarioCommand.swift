import Core
import Foundation

/// `alertbox-sim scenario NAME`: plays a scenario against a real `alertbox` and reports.
public enum ScenarioCommand {
    public static let help = """
        Usage: alertbox-sim scenario NAME [--lang zh|en] [--alertbox PATH] [--profile FILE] [--keep]
               alertbox-sim scenario torture [--kills N] [--recipients N] [--seed N] [--latency-ms N] [--max-life-ms N]
               alertbox-sim scenario soak [--minutes N]

        Starts a mosquitto broker, the simulator (modem, handsets, GPIO bridge, fake IM servers,
        proxies) and alertbox as child processes, plays a timeline against them and checks what
        comes out. Exits 0 when every expectation held, 1 when one did not, 64 on bad arguments.

        Scenarios:
          reference        the eight steps of docs/scenarios.md
          power-loss       the box is killed in the middle of a P0 run and started again
          wrong-pin        the box holds the wrong SIM PIN: no retry, an alarm, IM still works
          carrier-cap      the carrier's hourly cap is reached in the middle of a run
          modem-unplugged  the modem's USB device vanishes in the middle of a run and returns
          security         console brute force, hostile SMS commands, forged MQTT alerts, hostile CAP
          torture          SIGKILL the box at random points of a P0-P3 run, restart it each time,
                           and account for every recipient
          soak             steady mixed traffic with faults; RSS and open descriptors must stay flat

        Every scenario starts alertbox under umask 022 and ends by checking that the files it
        created are owner-only and that no log line contains a configured secret or an
        unmasked phone number.

        Options:
          --lang zh|en     language of the timeline (default zh, or ALERTBOX_LANG)
          --alertbox PATH  the alertbox executable (default: next to alertbox-sim)
          --profile FILE   the simulator's board profile (default: board/profiles/simulator.toml)
          --keep           keep the scenario's directory (configuration, logs, database)
          --kills N        torture: how many times the box is killed (default 200)
          --recipients N   torture: people in the roster, at least 10 (default 1000)
          --seed N         torture: seed of the kill points (default random, printed)
          --latency-ms N   torture: SMSC time per part in ms (default kills*2000/recipients, 20 to 2000)
          --max-life-ms N  torture: latest kill point after each start in ms (default 4000)
          --minutes N      soak: how long to run, in minutes (default 20; fractions allowed)
        """

    /// The scenarios' names, as the command line takes them.
    public static let names = ["reference", "power-loss", "wrong-pin", "carrier-cap", "modem-unplugged", "security", "torture", "soak"]

    static func scenario(named name: String) -> ((ScenarioStage) throws -> Void)? {
        switch name {
        case "reference": ReferenceScenario.run
        case "power-loss": FaultScenarios.powerLoss
        case "wrong-pin": FaultScenarios.wrongPIN
        case "carrier-cap": FaultScenarios.carrierCap
        case "modem-unplugged": FaultScenarios.modemUnplugged
        case "security": SecurityScenario.run
        case "torture": TortureScenario.run
        case "soak": SoakScenario.run
        default: nil
        }
    }

    /// Runs the command line after `scenario`; returns the exit status.
    public static func main(_ arguments: [String], environment: [String: String]) -> Int32 {
        var language = environment["ALERTBOX_LANG"].flatMap(Language.init(code:)) ?? .chinese
        var name: String?
        var boxPath: String?
        var profile: String?
        var keep = false
        var torture = TortureOptions()
        var soakMinutes = 20.0
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            switch argument {
            case "-h", "--help", "help":
                print(help)
                return 0
            case "--keep":
                keep = true
            case "--lang", "--alertbox", "--profile":
                guard index < arguments.count else { return usage("\(argument) needs a value") }
                let value = arguments[index]
                index += 1
                if argument == "--lang" {
                    guard let chosen = Language(code: value) else { return usage("invalid --lang '\(value)'; use zh or en") }
                    language = chosen
                } else if argument == "--alertbox" {
                    boxPath = value
                } else {
                    profile = value
                }
            case "--kills", "--recipients", "--seed", "--latency-ms", "--max-life-ms", "--minutes":
                guard index < arguments.count else { return usage("\(argument) needs a value") }
                let value = arguments[index]
                index += 1
                switch argument {
                case "--kills":
                    guard let kills = Int(value), kills >= 1 else { return usage("invalid --kills '\(value)'; give a whole number of at least 1") }
                    torture.kills = kills
                case "--recipients":
                    guard let recipients = Int(value), (10...9_999).contains(recipients) else {
                        return usage("invalid --recipients '\(value)'; give a whole number from 10 to 9999")
                    }
                    torture.recipients = recipients
                case "--seed":
                    guard let seed = UInt64(value) else { return usage("invalid --seed '\(value)'; give a whole number from 0 to 2^64-1") }
                    torture.seed = seed
                case "--latency-ms":
                    guard let latency = Int(value), (1...10_000).contains(latency) else {
                        return usage("invalid --latency-ms '\(value)'; give milliseconds from 1 to 10000")
                    }
                    torture.latencyMs = latency
                case "--max-life-ms":
                    guard let life = Int(value), (200...600_000).contains(life) else {
                        return usage("invalid --max-life-ms '\(value)'; give milliseconds from 200 to 600000")
                    }
                    torture.maxLifeMs = life
                default:
                    guard let minutes = Double(value), minutes > 0, minutes <= 10_080 else {
                        return usage("invalid --minutes '\(value)'; give minutes above 0 and at most 10080 (a week)")
                    }
                    soakMinutes = minutes
                }
            default:
                guard name == nil, !argument.hasPrefix("-") else { return usage("unexpected argument '\(argument)'") }
                name = argument
            }
        }
        guard let name, let scenario = scenario(named: name) else {
            return usage("name a scenario: \(names.joined(separator: ", "))")
        }

        let narrator = Narrator(language: language)
        let directory: String
        let executables: Executables
        do {
            executables = try Executables.locate(box: boxPath, profile: profile)
            directory = try temporaryDirectory()
        } catch {
            FileHandle.standardError.write(Data("alertbox-sim: scenario: \(error)\n".utf8))
            return 1
        }
        // A permissive umask, as a shell often has, so that a file the box creates without an
        // explicit mode shows up in the mode check.
        umask(0o022)
        var setup = setup(for: name, torture: torture)
        setup.soakMinutes = soakMinutes
        let stage = ScenarioStage(setup: setup, executables: executables, narrator: narrator, directory: directory)
        narrator.emit(narrator.text("场景 \(name)，目录 \(directory)", "Scenario \(name), directory \(directory)"))
        do {
            try stage.start()
            narrator.say("alertbox 已启动，等待模块就绪", "alertbox started; waiting for the modem")
            narrator.expect(stage.waitUntilReady(), "模块和上行链路就绪", "the modem and the uplink are ready")
            try scenario(stage)
        } catch {
            narrator.expect(false, "场景中断：\(error)", "the scenario stopped: \(error)")
        }
        if stage.box?.isRunning == true {
            SecurityAudit.checkModes(stage)
        }
        stage.printSummary()
        stage.stop()
        SecurityAudit.checkLogs(stage)

        let failures = narrator.failures
        narrator.emit("")
        if failures.isEmpty {
            narrator.emit(narrator.text("结果：\(narrator.passed) 项预期全部成立", "Result: all \(narrator.passed) expectations held"))
            if !keep { try? FileManager.default.removeItem(atPath: directory) }
            return 0
        }
        narrator.emit(narrator.text("结果：\(failures.count) 项预期未成立：", "Result: \(failures.count) expectations did not hold:"))
        for failure in failures { narrator.emit("  ✗ " + failure) }
        narrator.emit(narrator.text("日志和数据库保留在 \(directory)", "logs and database kept in \(directory)"))
        return 1
    }

    /// Returns the simulator's and the box's settings for a scenario.
    static func setup(for name: String, torture: TortureOptions = TortureOptions()) -> ScenarioStage.Setup {
        var setup = ScenarioStage.Setup()
        switch name {
        case "torture":
            setup = TortureScenario.setup(torture)
        case "soak":
            setup = SoakScenario.setup()
        case "wrong-pin":
            setup.simPIN = "1234"
            setup.boxPIN = "4321"
            setup.modemUsable = false
        case "carrier-cap":
            setup.capPerHour = 15
            setup.uplink = false
        case "power-loss", "modem-unplugged":
            setup.uplink = false
        case "security":
            setup.commandPIN = String(Int.random(in: 1_000_000_000...9_999_999_999))
            setup.people.everyone = 200
            // Debug lines carry message bodies, so the log audit covers them too.
            setup.logLevel = "debug"
        default:
            break
        }
        return setup
    }

    private static func usage(_ message: String) -> Int32 {
        FileHandle.standardError.write(Data("alertbox-sim: scenario: \(message); run 'alertbox-sim scenario --help'\n".utf8))
        return 64
    }

    private static func temporaryDirectory() throws -> String {
        var template = Array("\(NSTemporaryDirectory())/alertbox-scenario-XXXXXX".utf8CString)
        guard let path = mkdtemp(&template) else { throw ScenarioError("mkdtemp failed in \(NSTemporaryDirectory())") }
        return String(cString: path)
    }
}
