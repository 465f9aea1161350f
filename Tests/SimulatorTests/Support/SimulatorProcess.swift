import Foundation
import Glibc
import ModemSimulator

/// A message as the simulated handsets report it through the control socket.
struct HandsetRecord: Equatable, CustomStringConvertible {
    var from: String
    var to: String
    var text: String
    var parts: Int
    var complete: Bool

    var description: String {
        "\(from) -> \(to) (\(parts) parts\(complete ? "" : ", incomplete")): \(text.debugDescription)"
    }
}

/// The real `alertbox-sim` executable running as a child of the test, in a fresh directory.
///
/// Call `stop()` in a `defer` right after `start`, so that no simulator outlives its test.
final class SimulatorProcess {
    /// The directory with the tty symlinks, the control socket and the test's own files.
    let directory: String
    private let child: ChildProcess

    private init(directory: String, child: ChildProcess) {
        self.directory = directory
        self.child = child
    }

    /// The path of `alertbox-sim`, next to the test bundle that SwiftPM built with it.
    static var executablePath: String {
        get throws {
            let bundle = try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
            let path = URL(fileURLWithPath: bundle).deletingLastPathComponent().appendingPathComponent("alertbox-sim").path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw ChildProcessError("\(path) not found; build with 'swift build --build-tests' first")
            }
            return path
        }
    }

    /// Starts `alertbox-sim run` with a 200 ms boot, waits for its `ready DIR` line and then
    /// for modem 0 to be ready for SMS.
    static func start(_ arguments: [String] = [], waitForSMS: Bool = true) async throws -> SimulatorProcess {
        let directory = try makeTemporaryDirectory("alertbox-fidelity")
        let child = try ChildProcess(
            try executablePath, ["run", "--dir", directory, "--boot-ms", "200"] + arguments,
            logDirectory: directory, label: "alertbox-sim")
        let simulator = SimulatorProcess(directory: directory, child: child)
        do {
            try await child.waitForOutput(containing: "ready \(directory)\n", timeout: .seconds(10))
            if waitForSMS {
                try await simulator.waitUntilSMSReady()
            }
        } catch {
            simulator.stop()
            throw error
        }
        return simulator
    }

    /// Returns the stable path of modem `index`'s tty.
    func portPath(_ index: Int = 0) -> String {
        "\(directory)/modem\(index)"
    }

    /// Stops the simulator and removes its directory.
    func stop() {
        child.stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// What the simulator logged on stderr, for failure messages.
    var log: String {
        child.errorOutput
    }

    // MARK: Control socket

    /// Sends one request to the control socket and returns the reply; a reply with
    /// `"ok": false` throws its error.
    @discardableResult
    func control(_ request: [String: Any]) throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: request, options: [.sortedKeys])
        let line = try ControlClient.send(String(decoding: data, as: UTF8.self), to: "\(directory)/control.sock")
        guard let reply = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw ChildProcessError("control reply is not a JSON object: \(line)")
        }
        guard reply["ok"] as? Bool == true else {
            throw ChildProcessError("control request \(request) failed: \(reply["error"] ?? line)")
        }
        return reply
    }

    /// Returns the status of modem `index` from the `status` op.
    func modemStatus(_ index: Int = 0) throws -> [String: Any] {
        let modems = try control(["op": "status"])["modems"] as? [[String: Any]] ?? []
        guard modems.indices.contains(index) else { throw ChildProcessError("status has no modem \(index)") }
        return modems[index]
    }

    func waitUntilSMSReady(timeout: Duration = .seconds(10)) async throws {
        _ = try await waitFor("modem 0 ready for SMS", timeout: timeout) {
            try modemStatus()["sms_ready"] as? Bool == true ? true : nil
        }
    }

    /// Returns the messages the handsets received, for one number or all.
    func received(by number: String? = nil) throws -> [HandsetRecord] {
        var request: [String: Any] = ["op": "received"]
        if let number {
            request["number"] = number
        }
        let messages = try control(request)["messages"] as? [[String: Any]] ?? []
        return messages.map { message in
            HandsetRecord(
                from: message["from"] as? String ?? "", to: message["to"] as? String ?? "",
                text: message["text"] as? String ?? "", parts: message["parts"] as? Int ?? 0,
                complete: message["complete"] as? Bool ?? false)
        }
    }

    /// Waits until the handsets hold at least `count` messages, and returns them.
    func waitForReceived(count: Int, by number: String? = nil, timeout: Duration) async throws -> [HandsetRecord] {
        do {
            return try await waitFor("\(count) handset messages", timeout: timeout) {
                let messages = try received(by: number)
                return messages.count >= count ? messages : nil
            }
        } catch {
            let messages = (try? received(by: number)) ?? []
            throw ChildProcessError("\(error); the handsets have \(messages.count): \(messages)")
        }
    }

    /// Makes a handset send `text` to modem 0's SIM.
    func handsetSends(from number: String, _ text: String) throws {
        try control(["op": "send", "from": number, "text": text])
    }
}
