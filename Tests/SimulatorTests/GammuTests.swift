import Foundation
import Testing

/// Runs Debian's `gammu` command line (libgammu 1.42, AT driver at 115200 baud) against the
/// simulator's pseudo-terminal, as an independent SMS stack would drive a real module.
@Suite struct GammuTests {
    /// A Chinese alert of 150 characters: three UCS-2 parts of at most 67 characters.
    static let chineseAlert = String(String(repeating: "火警！三号楼三层，请立即疏散。", count: 10).prefix(150))

    /// A Chinese reply of 98 characters from a handset: two UCS-2 parts.
    static let chineseReply =
        "收到，正在疏散三号楼。请消防队从东门进入，那里的通道已经清空，电梯已经停止运行，"
        + "所有人员正在沿楼梯撤离到操场集合点，清点人数后会再次回复。目前没有发现受伤人员，三层东侧走廊烟雾较大。"

    /// Writes the gammurc of the simulator's modem 0 and runs `gammu` with it.
    static func gammu(
        _ arguments: [String], _ simulator: SimulatorProcess, label: String, timeout: Duration = .seconds(30)
    ) async throws -> String {
        let configuration = "\(simulator.directory)/gammurc"
        if !FileManager.default.fileExists(atPath: configuration) {
            let text = "[gammu]\ndevice = \(simulator.portPath())\nconnection = at115200\n"
            try text.write(toFile: configuration, atomically: true, encoding: .utf8)
        }
        // gammu prints message text in the locale's encoding.
        let result = try await ChildProcess.run(
            "gammu", ["-c", configuration] + arguments, logDirectory: simulator.directory, label: label,
            environment: ["LC_ALL": "C.UTF-8"], timeout: timeout)
        guard result.status == 0 else {
            throw ChildProcessError(
                "gammu \(arguments.joined(separator: " ")) exited with \(result.status): \(result.output) \(result.errorOutput)")
        }
        return result.output
    }

    /// Returns the value after `Name :` in gammu's aligned `Name      : value` lines.
    static func field(_ name: String, in output: String) -> String? {
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                return parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    @Test(arguments: [("quectel", "Quectel", "EC25"), ("simcom", "SIMCOM INCORPORATED", "SIMCOM_SIM7600CE-T")])
    func identify(dialect: String, manufacturer: String, model: String) async throws {
        let simulator = try await SimulatorProcess.start(["--dialect", dialect])
        defer { simulator.stop() }

        let output = try await Self.gammu(["--identify"], simulator, label: "identify")

        #expect(Self.field("Manufacturer", in: output) == manufacturer)
        #expect(Self.field("Model", in: output)?.contains(model) == true)
        #expect(Self.field("IMEI", in: output) == "867160040000001")
        #expect(Self.field("SIM IMSI", in: output) == "460001234567890")
    }

    @Test func securityStatusWithoutPIN() async throws {
        let simulator = try await SimulatorProcess.start()
        defer { simulator.stop() }

        let output = try await Self.gammu(["--getsecuritystatus"], simulator, label: "security")

        #expect(output.contains("Nothing to enter."))
    }

    @Test func securityStatusWithPIN() async throws {
        let simulator = try await SimulatorProcess.start(["--pin", "1234"], waitForSMS: false)
        defer { simulator.stop() }

        let locked = try await Self.gammu(["--getsecuritystatus"], simulator, label: "security-locked")
        #expect(locked.contains("Waiting for PIN."))

        _ = try await Self.gammu(["--entersecuritycode", "PIN", "1234"], simulator, label: "enter-pin")
        // The module prints +QIND: SMS DONE about 2 s after the PIN, as an EC25 does. gammu
        // 1.42 gives up ("UNKNOWN frame", then a timeout) when such a URC arrives just
        // before the echo of its command, so the next call waits for the URC to pass.
        try await simulator.waitUntilSMSReady()
        let unlocked = try await Self.gammu(["--getsecuritystatus"], simulator, label: "security-unlocked")
        #expect(unlocked.contains("Nothing to enter."))
    }

    @Test func monitorOnce() async throws {
        let simulator = try await SimulatorProcess.start()
        defer { simulator.stop() }

        let output = try await Self.gammu(["--monitor", "1"], simulator, label: "monitor")

        #expect(Self.field("Network state", in: output) == "home network")
        #expect(Self.field("Packet network state", in: output) == "home network")
        // +CSQ: 22 is -113 + 2 * 22 dBm.
        #expect(Self.field("Signal strength", in: output) == "-69 dBm")
        #expect(Self.field("SIM SMS status", in: output) == "0 used, 0 unread, 40 locations")
        #expect(output.contains("CHINA MOBILE"))
    }

    @Test func sendGSMText() async throws {
        let simulator = try await SimulatorProcess.start()
        defer { simulator.stop() }
        let text = "Fire alarm, building 3: evacuate by the east stairs."

        let output = try await Self.gammu(["sendsms", "TEXT", "+8613800000001", "-text", text], simulator, label: "send")

        #expect(output.contains("OK, message reference="))
        let messages = try await simulator.waitForReceived(count: 1, by: "+8613800000001", timeout: .seconds(5))
        #expect(messages.count == 1)
        #expect(messages.first?.text == text)
        #expect(messages.first?.parts == 1)
        #expect(messages.first?.from == "+8613900000000")
    }

    @Test func sendChineseMultipart() async throws {
        let simulator = try await SimulatorProcess.start()
        defer { simulator.stop() }

        let output = try await Self.gammu(
            ["sendsms", "TEXT", "+8613800000001", "-unicode", "-len", "200", "-text", Self.chineseAlert], simulator,
            label: "send-multipart")

        #expect(output.contains("Sending SMS 3/3"))
        let messages = try await simulator.waitForReceived(count: 1, by: "+8613800000001", timeout: .seconds(5))
        #expect(messages.count == 1)
        #expect(messages.first?.text == Self.chineseAlert)
        #expect(messages.first?.parts == 3)
        #expect(messages.first?.complete == true)
    }

    @Test func readAndDeleteIncoming() async throws {
        let simulator = try await SimulatorProcess.start()
        defer { simulator.stop() }
        try simulator.handsetSends(from: "+8613800000001", Self.chineseReply)
        _ = try await waitFor("both parts stored on the SIM", timeout: .seconds(5)) {
            (try simulator.modemStatus()["memories"] as? [String: Int])?["SM"] == 2 ? true : nil
        }

        let listing = try await Self.gammu(["getallsms"], simulator, label: "getallsms")
        // getallsms prints each part under its own header; the bodies joined are the text.
        #expect(listing.contains("2 SMS parts in 2 SMS sequences"))
        #expect(listing.contains("part 1 of 2"))
        #expect(listing.contains("part 2 of 2"))
        #expect(listing.contains("Remote number        : \"+8613800000001\""))
        let bodies = listing.split(separator: "\n").filter { $0.unicodeScalars.contains { $0.value >= 0x4E00 } }
        #expect(bodies.joined() == Self.chineseReply)

        let linked = try await Self.gammu(["geteachsms"], simulator, label: "geteachsms")
        #expect(linked.contains(Self.chineseReply))
        #expect(linked.contains("2 SMS parts in 1 SMS sequences"))

        _ = try await Self.gammu(["deleteallsms", "1"], simulator, label: "deleteallsms")
        let empty = try await Self.gammu(["getallsms"], simulator, label: "getallsms-empty")
        #expect(empty.contains("0 SMS parts in 0 SMS sequences"))
        #expect(!empty.contains(String(Self.chineseReply.prefix(10))))
    }
}
