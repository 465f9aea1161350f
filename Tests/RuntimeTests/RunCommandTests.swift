import Foundation
import Glibc
import IMFakes
import Testing
import TestSupport

/// `alertbox run` as a child process against `alertbox-sim`: start, ready, stop on SIGTERM.
@Suite(.serialized) struct RunCommandTests {
    static var binary: URL {
        URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? "")
            .deletingLastPathComponent().appendingPathComponent("alertbox")
    }

    /// Writes a configuration for a simulator in `simulator.directory`; returns its path.
    static func writeConfiguration(in directory: String, simulator: SimulatorProcess, extra: String = "") throws -> String {
        try "姓名,手机,分组\n张保安,13800070001,保卫处\n".write(toFile: directory + "/contacts.csv", atomically: true, encoding: .utf8)
        let text = """
            [box]
            id = "alertbox-run-test"
            state_directory = "\(directory)/state"
            [board]
            profile = "simulator"
            gpio_socket = "\(simulator.gpioSocketPath)"
            [modem]
            device = "\(simulator.portPath)"
            [contacts]
            file = "\(directory)/contacts.csv"
            [[gpio.input]]
            role = "panic_1"
            template = "active-threat"
            audience = ["保卫处"]
            [annunciator]
            siren = "siren"
            [console]
            socket = "\(directory)/console.sock"
            serial = false
            \(extra)
            """
        try text.write(toFile: directory + "/alertbox.toml", atomically: true, encoding: .utf8)
        return directory + "/alertbox.toml"
    }

    /// Runs `alertbox` with `arguments` on a thread of its own; returns the process and its stderr file.
    /// `language` sets `ALERTBOX_LANG`, and nil removes it from the inherited environment.
    static func start(_ arguments: [String], directory: String, language: String? = nil) throws -> (Process, String) {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["ALERTBOX_LANG"] = language
        process.environment = environment
        let log = directory + "/box.log"
        try #require(FileManager.default.createFile(atPath: log, contents: nil), "cannot create \(log)")
        process.standardError = FileHandle(forWritingAtPath: log)
        process.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try ProcessLaunch.run(process)
        return (process, log)
    }

    static func waitForExit(_ process: Process) async -> Int32 {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
    }

    static func eventually(_ timeout: Duration = .seconds(30), _ condition: () throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try condition()
    }

    @Test func startsRaisesAnAlarmAndStopsOnSIGTERM() async throws {
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        let directory = try MosquittoBroker.temporaryDirectory(prefix: "run")
        let config = try Self.writeConfiguration(in: directory, simulator: simulator)
        let (process, log) = try Self.start(["run", "--config", config, "--profiles", repositoryRoot + "/board/profiles"], directory: directory)
        #expect(try await Self.eventually { try String(contentsOfFile: log, encoding: .utf8).contains("box ready") })

        _ = try simulator.control(["op": "gpio_sequence", "role": "panic_1", "steps": [[true, 300], [false, 0]]])
        #expect(try await Self.eventually { try !simulator.receivedTexts(to: "+8613800070001").isEmpty })
        #expect(try await Self.eventually { (try simulator.control(["op": "gpio_get", "role": "siren"])["on"] as? Bool) == true })

        // The database and the one-time password are owner-only.
        for file in ["/state", "/state/alertbox.db", "/state/console-initial-password"] {
            let mode = (try FileManager.default.attributesOfItem(atPath: directory + file)[.posixPermissions] as? Int) ?? 0
            #expect(mode & 0o077 == 0, "\(file) has mode \(String(mode, radix: 8))")
        }

        let stopAsked = ContinuousClock.now
        process.terminate()
        let status = await Self.waitForExit(process)
        #expect(status == 0)
        #expect(stopAsked.duration(to: .now) < .seconds(10), "the box must stop within its 5 s deadline plus start-up noise")
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(text.contains("box stopped"))
        #expect(!text.contains("did not stop in time"))
        // The handset's number appears only masked.
        #expect(!text.contains("13800070001"))
        #expect(text.contains("138****0001"))
        try? FileManager.default.removeItem(atPath: directory)
    }

    @Test func badConfigurationExits78AndNamesTheKey() async throws {
        let directory = try MosquittoBroker.temporaryDirectory(prefix: "run-bad")
        try "[box]\nid = \"box 1\"\n[board]\nprofile = \"simulator\"\n".write(toFile: directory + "/bad.toml", atomically: true, encoding: .utf8)
        let (process, log) = try Self.start(["run", "--config", directory + "/bad.toml", "--profiles", repositoryRoot + "/board/profiles"], directory: directory)
        #expect(await Self.waitForExit(process) == 78)
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains("第 2 行：box.id：\"box 1\" 只能包含 ASCII 字母"))
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// The expected first two lines of `run --check` on a file with a bad box id and a typo.
    static let checkOutputs = [
        "zh": "bad.toml：配置中有 2 处问题：\n  - 第 2 行：box.id：\"box 1\" 只能包含 ASCII 字母、数字、- 和 _，因为它会用作 CAP 消息的 sender 字段\n",
        "en": "bad.toml: 2 problem(s) in the configuration:\n  - line 2: box.id: \"box 1\" may hold only ASCII letters, digits, - and _, because it becomes the CAP sender\n",
    ]

    @Test(arguments: [
        ([String](), nil, "zh"), (["--lang", "en"], nil, "en"), ([], "en", "en"), (["--lang", "zh"], "en", "zh"), ([], "zh_CN.UTF-8", "zh"),
    ])
    func checkPrintsChosenLanguage(options: [String], environment: String?, expected: String) async throws {
        let directory = try MosquittoBroker.temporaryDirectory(prefix: "run-check")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "[box]\nid = \"box 1\"\nlangauge = \"zh\"\n[board]\nprofile = \"simulator\"\n".write(
            toFile: directory + "/bad.toml", atomically: true, encoding: .utf8)
        let arguments = ["run", "--check", "--config", directory + "/bad.toml", "--profiles", repositoryRoot + "/board/profiles"] + options
        let (process, log) = try Self.start(arguments, directory: directory, language: environment)
        #expect(await Self.waitForExit(process) == 78)
        let text = try String(contentsOfFile: log, encoding: .utf8)
        let expectedOutput = try #require(Self.checkOutputs[expected])
        #expect(text.hasPrefix(directory + "/" + expectedOutput), "\(text)")
        let typo = expected == "zh" ? "  - 第 3 行：box.langauge：未知的键；是否应为 language？" : "  - line 3: box.langauge: unknown key; did you mean language?"
        #expect(text.contains(typo), "\(text)")
    }

    @Test func secretReadableByOthersIsRefused() async throws {
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        let directory = try MosquittoBroker.temporaryDirectory(prefix: "run-secret")
        try "1234\n".write(toFile: directory + "/pin", atomically: true, encoding: .utf8)
        chmod(directory + "/pin", 0o644)
        let config = try Self.writeConfiguration(in: directory, simulator: simulator, extra: "")
        let text = try String(contentsOfFile: config, encoding: .utf8).replacingOccurrences(
            of: "[modem]\n", with: "[modem]\npin_file = \"\(directory)/pin\"\n")
        try text.write(toFile: config, atomically: true, encoding: .utf8)
        let (process, log) = try Self.start(["run", "--config", config, "--profiles", repositoryRoot + "/board/profiles"], directory: directory)
        #expect(await Self.waitForExit(process) == 1)
        let output = try String(contentsOfFile: log, encoding: .utf8)
        #expect(output.contains("is readable by others; run chmod 600 on it"))
        #expect(output.contains("其他用户也能读取；请对它运行 chmod 600"), "the operator's copy, in the default language")
        #expect(!output.contains("1234"))
        try? FileManager.default.removeItem(atPath: directory)
    }
}
