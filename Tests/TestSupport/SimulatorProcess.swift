import Foundation
import IMFakes
import ModemSimulator

/// A running `alertbox-sim` child process with its own directory, for the tests that drive
/// the modem driver and the `alertbox` command line against it.
public final class SimulatorProcess: @unchecked Sendable {
    // @unchecked Sendable: every stored property is set in init and only read afterwards;
    // `Process` serializes its own state.
    public let directory: String
    let process = Process()
    private let output = ProcessLaunch.pipe()

    public var portPath: String { directory + "/modem0" }
    public var stateDirectory: String { directory + "/state" }
    /// The GPIO bridge socket of a simulator started with `--gpio`.
    public var gpioSocketPath: String { directory + "/gpio.sock" }

    /// Starts the simulator next to the test bundle and waits for its `ready` line.
    public init(_ arguments: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertbox-sim-\(UUID().uuidString.prefix(8))").path
        let executable = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            .deletingLastPathComponent().appendingPathComponent("alertbox-sim")
        process.executableURL = executable
        process.arguments = ["run", "--dir", directory, "--boot-ms", "200"] + arguments
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try ProcessLaunch.run(process)
        var line = Data()
        let handle = output.fileHandleForReading
        while !line.contains(0x0A) {
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard String(decoding: line, as: UTF8.self).hasPrefix("ready") else {
            process.terminate()
            throw SimulatorError(message: "alertbox-sim did not start: \(String(decoding: line, as: UTF8.self))")
        }
    }

    /// Sends one control request and returns the parsed reply.
    @discardableResult
    public func control(_ request: [String: Any]) throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: request)
        let reply = try ControlClient.send(String(decoding: data, as: UTF8.self), to: directory + "/control.sock")
        let object = try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any] ?? [:]
        guard object["ok"] as? Bool == true else {
            throw SimulatorError(message: "control request failed: \(reply)")
        }
        return object
    }

    /// The texts the simulated handsets received, in order.
    public func receivedTexts(to number: String? = nil) throws -> [String] {
        var request: [String: Any] = ["op": "received"]
        if let number { request["number"] = number }
        let messages = try control(request)["messages"] as? [[String: Any]] ?? []
        return messages.compactMap { $0["text"] as? String }
    }

    /// Polls the handsets' received texts until they equal `expected` or `timeout` passes,
    /// and returns the last texts read. A loaded machine delivers later than an idle one,
    /// so a test waits for the texts instead of sleeping a fixed time. It returns at the first
    /// match, so it cannot show that nothing more arrives, and `[]` returns at once.
    public func waitForTexts(to number: String, _ expected: [String], timeout: Duration = .seconds(30)) async throws -> [String] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        var texts = try receivedTexts(to: number)
        while texts != expected, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
            texts = try receivedTexts(to: number)
        }
        return texts
    }

    /// Polls the first modem's message memories until they contain `count` messages in all or
    /// `timeout` passes, and returns the last count per memory.
    public func waitForStoredMessages(_ count: Int, timeout: Duration = .seconds(20)) async throws -> [String: Int] {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            let modems = try control(["op": "status"])["modems"] as? [[String: Any]]
            let memories = modems?.first?["memories"] as? [String: Int] ?? [:]
            if memories.values.reduce(0, +) >= count || ContinuousClock.now >= deadline { return memories }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Sends SIGTERM and returns at once, so that a caller on the concurrency pool never
    /// blocks. `stop()` then waits for the exit and removes the directory.
    public func requestStop() {
        if process.isRunning {
            process.terminate()
        }
    }

    /// Sends SIGTERM and returns at once. A thread of its own waits for the exit and removes
    /// the directory, so no caller on the concurrency pool blocks. Nothing needs the old
    /// directory gone, because each simulator has its own.
    public func stop() {
        let process = self.process
        let directory = self.directory
        if process.isRunning {
            process.terminate()
        }
        Thread.detachNewThread {
            if process.isRunning {
                process.waitUntilExit()
            }
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    deinit {
        stop()
    }

    /// Starts the simulator on a thread of its own, so waiting for its `ready` line blocks no
    /// thread of the concurrency pool. On a 2-core machine the pool has two threads, and a
    /// blocked pool stalls every other test of the run.
    public static func launch(_ arguments: [String] = []) async throws -> SimulatorProcess {
        try await onOwnThread { try SimulatorProcess(arguments) }
    }

    /// Stops the simulator and waits for its exit on a thread of its own.
    public func shutDown() async {
        let process = self.process
        requestStop()
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                process.waitUntilExit()
                continuation.resume()
            }
        }
        stop()
    }
}

public struct SimulatorError: Error, CustomStringConvertible {
    let message: String
    public var description: String { message }
}
