import Foundation
import Testing

/// Runs python-gsmmodem-new (0.13, from requirements-test.txt) against the simulator through
/// `Clients/gsmmodem_client.py`, which prints one JSON object per line.
@Suite struct GsmModemTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// `ALERTBOX_PYTHON`, or the virtualenv that scripts/setup creates.
    static var python: String {
        ProcessInfo.processInfo.environment["ALERTBOX_PYTHON"] ?? "\(repositoryRoot)/.venv/bin/python"
    }

    /// Returns the JSON lines that the client printed so far.
    static func events(_ client: ChildProcess) -> [[String: Any]] {
        client.output.split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
    }

    static func event(_ name: String, in client: ChildProcess) -> [String: Any]? {
        events(client).first { $0["event"] as? String == name }
    }

    /// Waits for the client to print `name`; an `error` event or an early exit fails at once.
    static func waitForEvent(_ name: String, _ client: ChildProcess, timeout: Duration) async throws -> [String: Any] {
        try await waitFor("gsmmodem client event \(name.debugDescription)", timeout: timeout) {
            if let error = event("error", in: client) {
                throw ChildProcessError("gsmmodem client failed: \(error["traceback"] ?? error)")
            }
            if let found = event(name, in: client) { return found }
            guard client.isRunning else {
                throw ChildProcessError("gsmmodem client exited with \(client.exitStatus) before \(name): \(client.errorOutput)")
            }
            return nil
        }
    }

    /// Returns the UCS-2 big-endian hex that 27.005 text mode prints for a UCS-2 body.
    static func ucs2Hex(_ text: String) -> String {
        text.utf16.map { String(format: "%04X", $0) }.joined()
    }

    @Test func sendReceiveAndList() async throws {
        let simulator = try await SimulatorProcess.start()
        defer { simulator.stop() }
        let alert = "火警：三号楼三层，请立即疏散。"
        let drill = "Fire drill at 10:00, hall B"
        let storedReply = "已到达集合点。"
        let incomingReply = "收到，正在疏散。"

        // A reply that arrives before the client connects stays on the SIM for it to list.
        try simulator.handsetSends(from: "+8613800000002", storedReply)
        _ = try await waitFor("the early reply stored on the SIM", timeout: .seconds(5)) {
            (try simulator.modemStatus()["memories"] as? [String: Int])?["SM"] == 1 ? true : nil
        }

        let client = try ChildProcess(
            Self.python, ["\(Self.repositoryRoot)/Tests/SimulatorTests/Clients/gsmmodem_client.py", simulator.portPath(), alert, drill, "+8613800000001"],
            logDirectory: simulator.directory, label: "gsmmodem")
        defer { client.stop() }

        let connected = try await Self.waitForEvent("connected", client, timeout: .seconds(20))
        #expect(connected["manufacturer"] as? String == "Quectel")
        #expect(connected["model"] as? String == "EC25")
        #expect(connected["imei"] as? String == "867160040000001")
        #expect(connected["imsi"] as? String == "460001234567890")
        #expect(connected["signal"] as? Int == 22)
        #expect(connected["network"] as? String == "CHINA MOBILE")

        let stored = try await Self.waitForEvent("stored", client, timeout: .seconds(10))
        let listedPDU = stored["pdu"] as? [[String: Any]] ?? []
        #expect(listedPDU.count == 1)
        #expect(listedPDU.first?["number"] as? String == "+8613800000002")
        #expect(listedPDU.first?["text"] as? String == storedReply)
        // In text mode a UCS-2 body is hex (27.005 §3.1 <data>); the library prints it as is.
        let listedText = stored["text"] as? [[String: Any]] ?? []
        #expect(listedText.first?["text"] as? String == Self.ucs2Hex(storedReply))
        #expect(listedText.first?["number"] as? String == "+8613800000002")
        let read = stored["read"] as? [[String: Any]] ?? []
        #expect(read.first?["text"] as? String == storedReply)

        _ = try await Self.waitForEvent("waiting", client, timeout: .seconds(30))
        let sends = Self.events(client).filter { $0["event"] as? String == "sent" }
        #expect(sends.count == 2)
        #expect(sends.first?["delivered"] as? Bool == true)
        #expect(sends.first?["report_number"] as? String == "+8613800000001")
        #expect(sends.last?["mode"] as? String == "text")
        #expect(sends.last?["delivered"] as? Bool == true)
        let handset = try await simulator.waitForReceived(count: 2, by: "+8613800000001", timeout: .seconds(5))
        #expect(handset.map(\.text) == [alert, drill])

        try simulator.handsetSends(from: "+8613800000001", incomingReply)
        let done = try await Self.waitForEvent("done", client, timeout: .seconds(20))
        let received = done["received"] as? [[String: Any]] ?? []
        #expect(received.count == 1)
        #expect(received.first?["number"] as? String == "+8613800000001")
        #expect(received.first?["text"] as? String == incomingReply)
        #expect(await client.waitForExit(timeout: .seconds(10)))
        #expect(client.exitStatus == 0)
    }
}
