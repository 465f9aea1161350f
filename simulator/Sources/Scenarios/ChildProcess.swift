import Foundation
import Glibc
import IMFakes

/// A child process of the scenario with its standard error in a log file.
final class ChildProcess: @unchecked Sendable {
    // @unchecked Sendable: the scenario's thread alone starts, signals and waits for it.

    let name: String
    let logPath: String
    private let process = Process()
    private let output = ProcessLaunch.pipe()

    /// Starts `executable` with `arguments`; its standard error goes to `logPath`, appended.
    init(name: String, executable: String, arguments: [String], logPath: String, environment: [String: String]? = nil) throws {
        self.name = name
        self.logPath = logPath
        if !FileManager.default.fileExists(atPath: logPath), !FileManager.default.createFile(atPath: logPath, contents: nil) {
            throw ScenarioError("cannot create the log \(logPath); check that its directory exists and is writable")
        }
        guard let log = FileHandle(forWritingAtPath: logPath) else {
            throw ScenarioError("cannot write the log \(logPath)")
        }
        log.seekToEndOfFile()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = log
        if let environment { process.environment = environment }
        do {
            try ProcessLaunch.run(process)
        } catch {
            throw ScenarioError("cannot start \(executable): \(error)")
        }
    }

    var processIdentifier: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }
    var exitStatus: Int32? { process.isRunning ? nil : process.terminationStatus }

    /// Reads standard output up to the first line break, within `timeout`.
    func firstLine(timeout: Duration) -> String? {
        let handle = output.fileHandleForReading
        let deadline = ContinuousClock.now + timeout
        var line = Data()
        while !line.contains(0x0A), ContinuousClock.now < deadline {
            var entry = pollfd(fd: handle.fileDescriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 200) >= 0 else { return nil }
            if entry.revents == 0 { continue }
            let chunk = handle.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard let end = line.firstIndex(of: 0x0A) else { return nil }
        return String(decoding: line[..<end], as: UTF8.self)
    }

    /// Sends SIGTERM and waits up to `grace`, then SIGKILL.
    func stop(grace: Duration = .seconds(10)) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + grace
        while process.isRunning, ContinuousClock.now < deadline {
            usleep(20_000)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    /// Kills the process at once, as a power loss does, and waits for it.
    func killNow() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// A scenario that cannot be set up or driven, with the reason.
public struct ScenarioError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
