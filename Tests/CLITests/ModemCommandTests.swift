import Foundation
import IMFakes
import Testing
import TestSupport

/// `alertbox modem` run as a child process against a real `alertbox-sim` child.
@Suite(.serialized) struct ModemCommandTests {
    /// Runs `alertbox modem COMMAND` on the simulator's port with its state directory.
    static func modem(_ simulator: SimulatorProcess, _ arguments: [String]) async throws -> (status: Int32, output: String, error: String) {
        try await ExecutableTests.run(["modem"] + arguments + ["--device", simulator.portPath, "--state-dir", simulator.stateDirectory, "--timeout", "20"])
    }

    static func jsonObject(_ text: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] ?? [:]
    }

    @Test func statusShowsIdentity() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let result = try await Self.modem(simulator, ["status"])
        #expect(result.status == 0)
        #expect(result.output.contains("State: ready\n"))
        #expect(result.output.contains("Modem: Quectel EC25"))
        #expect(result.output.contains("IMEI: 867160040000001\n"))
        #expect(result.output.contains("SIM: ready\n"))
        #expect(result.output.contains("EPS, LTE (+CEREG): registered, home network\n"))
        #expect(result.output.contains(" dBm"))
        #expect(result.output.contains("Operator: CHINA MOBILE\n"))
        #expect(result.output.contains("SMSC: +8613800000000\n"))
        #expect(result.error.isEmpty)
    }

    @Test func statusMasksIMSIAndICCID() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let result = try await Self.modem(simulator, ["status"])
        let imsi = result.output.split(separator: "\n").first { $0.hasPrefix("IMSI: ") }.map { String($0.dropFirst(6)) } ?? ""
        let iccid = result.output.split(separator: "\n").first { $0.hasPrefix("ICCID: ") }.map { String($0.dropFirst(7)) } ?? ""
        #expect(imsi.count == 15)
        #expect(imsi.filter { $0 == "*" }.count == 5)
        #expect(iccid.filter { $0 != "*" }.count == 10)
    }

    @Test func statusChineseByDefault() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let result = try await Self.modem(simulator, ["status", "--lang", "zh"])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("状态：就绪\n"))
        #expect(result.output.contains("LTE EPS (+CEREG)：已注册，本地网络\n"))
    }

    @Test func statusJSON() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let result = try await Self.modem(simulator, ["status", "--json"])
        #expect(result.status == 0)
        let object = try Self.jsonObject(result.output)
        #expect(object["state"] as? String == "ready")
        #expect(object["model"] as? String == "EC25")
        let sim = object["sim"] as? [String: Any]
        #expect(sim?["state"] as? String == "READY")
        #expect((sim?["imsi"] as? String)?.contains("*") == true)
        let eps = (object["registration"] as? [String: Any])?["eps"] as? [String: Any]
        #expect(eps?["registered"] as? Bool == true)
        #expect((object["signal"] as? [String: Any])?["bars"] is Int)
    }

    @Test func sendGSMText() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let result = try await Self.modem(simulator, ["send", "--to", "13800000001", "Fire drill at 10:00"])
        #expect(result.status == 0)
        #expect(result.output.contains("Sent to +8613800000001 in 1 part:\n"))
        #expect(result.output.contains("Part 1/1: accepted by the SMSC, TP-MR 0\n"))
        #expect(try await simulator.waitForTexts(to: "+8613800000001", ["Fire drill at 10:00"]) == ["Fire drill at 10:00"])
    }

    @Test func sendChineseMultipartWithReport() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let text = String(repeating: "火警：三号楼二层起火，请立即撤离。", count: 8)
        let result = try await Self.modem(simulator, ["send", "--to", "13800000002", "--report", "--wait-report", "20", text])
        #expect(result.status == 0)
        #expect(result.output.contains("in 3 parts:\n"))
        for part in 1...3 {
            #expect(result.output.contains("Part \(part)/3: accepted by the SMSC, TP-MR \(part - 1)\n"))
            #expect(result.output.contains("Part \(part)/3: delivered (received by the recipient, TP-ST 0)\n"))
        }
        #expect(try await simulator.waitForTexts(to: "+8613800000002", [text]) == [text])
    }

    @Test func sendJSONWithReport() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let result = try await Self.modem(simulator, ["send", "--json", "--to", "13800000003", "--report", "测试"])
        #expect(result.status == 0)
        let object = try Self.jsonObject(result.output)
        #expect(object["result"] as? String == "accepted")
        #expect(object["references"] as? [Int] == [0])
        let reports = object["reports"] as? [[String: Any]]
        #expect(reports?.first?["category"] as? String == "delivered")
    }

    @Test func sendRejectedExitsOne() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        try simulator.control(["op": "fault", "fault": "cms_error", "cause": 21])
        let result = try await Self.modem(simulator, ["send", "--to", "13800000001", "Test"])
        #expect(result.status == 1)
        #expect(result.error.split(separator: "\n").count == 1)
        #expect(result.error.contains("part 1 not sent: permanent"))
        #expect(result.error.contains("CMS cause 21"))
    }

    @Test func sendBadNumberExits64() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let result = try await Self.modem(simulator, ["send", "--to", "1380000", "Test"])
        #expect(result.status == 64)
        #expect(result.output.isEmpty)
        #expect(result.error.split(separator: "\n").count == 1)
        #expect(result.error.hasPrefix("alertbox: error: --to: "))
    }

    @Test func inboxShowsStoredMessage() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        // A first run waits until the simulated modem has booted and registered, so that
        // the network can deliver the handset's message to it.
        #expect(try await Self.modem(simulator, ["status"]).status == 0)
        try simulator.control(["op": "send", "from": "+8613800000005", "text": "收到，已撤离到集合点"])
        #expect(try await simulator.waitForStoredMessages(1).values.reduce(0, +) == 1)
        let result = try await Self.modem(simulator, ["inbox"])
        #expect(result.status == 0)
        #expect(result.output.contains("1 message (deleted from the modem):\n"))
        #expect(result.output.contains("From +8613800000005, 1 part:\n  收到，已撤离到集合点\n"))

        // The driver deleted the message, so a second run finds none.
        let again = try await Self.modem(simulator, ["inbox"])
        #expect(again.output == "No messages.\n")
    }

    @Test func inboxWaitReceivesNewMessage() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let text = String(repeating: "收到，已撤离到集合点。", count: 10)
        let bundle = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        let process = Process()
        process.executableURL = bundle.deletingLastPathComponent().appendingPathComponent("alertbox")
        process.arguments = [
            "modem", "inbox", "--json", "--wait", "5", "--device", simulator.portPath, "--state-dir", simulator.stateDirectory,
        ]
        let output = ProcessLaunch.pipe()
        process.standardOutput = output
        try ProcessLaunch.run(process)
        try await Task.sleep(for: .seconds(2))
        try simulator.control(["op": "send", "from": "+8613800000006", "text": text])
        let (status, data) = try await onOwnThread {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, data)
        }
        #expect(status == 0)
        let messages = try Self.jsonObject(String(decoding: data, as: UTF8.self))["messages"] as? [[String: Any]]
        #expect(messages?.count == 1)
        #expect(messages?.first?["text"] as? String == text)
        #expect(messages?.first?["parts"] as? Int == 2)
        #expect(messages?.first?["kind"] as? String == "complete")
    }

    @Test func resetReportsTime() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let result = try await Self.modem(simulator, ["reset", "--json"])
        #expect(result.status == 0)
        let object = try Self.jsonObject(result.output)
        #expect(object["restarted"] as? Bool == true)
        // The simulator boots in 200 ms, so the restart cannot be faster.
        #expect((object["ready_after_ms"] as? Int ?? 0) >= 200)
        let status = (try simulator.control(["op": "status"])["modems"] as? [[String: Any]])?.first
        #expect(status != nil)
    }

    @Test func resetText() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let result = try await Self.modem(simulator, ["reset"])
        #expect(result.status == 0)
        #expect(result.output.hasPrefix("Modem restarted; ready again after "))
    }

    @Test func missingDeviceExitsOne() async throws {
        let result = try await ExecutableTests.run(["modem", "status", "--device", "/dev/alertbox-no-such-modem"])
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        #expect(result.error.split(separator: "\n").count == 1)
        #expect(result.error.contains("device /dev/alertbox-no-such-modem not found"))
    }

    @Test func missingDeviceOptionExits64() async throws {
        let result = try await ExecutableTests.run(["modem", "status"])
        #expect(result.status == 64)
        #expect(result.error == "alertbox: error: missing --device PATH; run 'alertbox modem status --help' for usage\n")
    }

    @Test func lockedSIMNotReady() async throws {
        let simulator = try await SimulatorProcess.launch(["--pin", "1234"])
        defer { simulator.stop() }
        let result = try await ExecutableTests.run([
            "modem", "status", "--device", simulator.portPath, "--state-dir", simulator.stateDirectory, "--timeout", "3",
        ])
        #expect(result.status == 1)
        #expect(result.error.split(separator: "\n").count == 1)
        #expect(result.error.contains("modem not ready within 3 s; last state: unavailable"))
        #expect(result.error.contains("PIN"))
    }
}
