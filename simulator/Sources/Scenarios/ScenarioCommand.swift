public import Core
import Foundation

/// `alertbox-sim scenario NAME`: plays a scenario against a real `alertbox` and reports.
public enum ScenarioCommand {
    public static let help = """
        Usage: alertbox-sim scenario NAME [--lang zh|en] [--alertbox PATH] [--profile FILE] [--keep]

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

        Every scenario starts alertbox under umask 022 and ends by checking that the files it
        created are owner-only and that no log line contains a configured secret or an
        unmasked phone number.

        Options:
          --lang zh|en     language of the timeline (default zh, or ALERTBOX_LANG)
          --alertbox PATH  the alertbox executable (default: next to alertbox-sim)
          --profile FILE   the simulator's board profile (default: board/profiles/simulator.toml)
          --keep           keep the scenario's directory (configuration, logs, database)
        """

    /// The scenarios' names, as the command line takes them.
    public static let names = ["reference", "power-loss", "wrong-pin", "carrier-cap", "modem-unplugged", "security"]

    static func scenario(named name: String) -> ((ScenarioStage) throws -> Void)? {
        switch name {
        case "reference": ReferenceScenario.run
        case "power-loss": FaultScenarios.powerLoss
        case "wrong-pin": FaultScenarios.wrongPIN
        case "carrier-cap": FaultScenarios.carrierCap
        case "modem-unplugged": FaultScenarios.modemUnplugged
        case "security": SecurityScenario.run
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
        let stage = ScenarioStage(setup: setup(for: name), executables: executables, narrator: narrator, directory: directory)
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
    static func setup(for name: String) -> ScenarioStage.Setup {
        var setup = ScenarioStage.Setup()
        switch name {
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
