import Foundation
import Glibc
import IMFakes

/// A mosquitto broker on a free 127.0.0.1 port with one password-protected user, started for
/// one scenario, and `mosquitto_pub` to publish to it as a campus system does.
public final class ScenarioBroker {
    static let username = "alertbox"

    let directory: String
    let port: Int
    let password: String
    private let process: ChildProcess

    init(directory: String) throws {
        self.directory = directory
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        port = try FakePorts.freePort()
        password = RobotCredentials.randomToken(16)
        try Self.run("/usr/bin/mosquitto_passwd", ["-c", "-b", directory + "/passwd", Self.username, password])
        let user = String(cString: getpwuid(getuid()).pointee.pw_name)
        let configuration = """
            user \(user)
            allow_anonymous false
            password_file \(directory)/passwd
            persistence false
            log_dest file \(directory)/mosquitto.log
            listener \(port) 127.0.0.1

            """
        try configuration.write(toFile: directory + "/mosquitto.conf", atomically: true, encoding: .utf8)
        process = try ChildProcess(
            name: "mosquitto", executable: "/usr/sbin/mosquitto", arguments: ["-c", directory + "/mosquitto.conf"],
            logPath: directory + "/stderr.log")
        for _ in 0..<200 {
            if FakePorts.accepts(port: port) { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        throw ScenarioError("mosquitto did not start on port \(port); see \(directory)/mosquitto.log (scripts/setup installs it)")
    }

    /// Publishes `payload` at QoS 1 and waits for `mosquitto_pub` to finish.
    func publish(topic: String, payload: String) throws {
        let file = directory + "/payload-\(UInt32.random(in: 0...UInt32.max))"
        try payload.write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        try Self.run(
            "/usr/bin/mosquitto_pub",
            ["-h", "127.0.0.1", "-p", String(port), "-u", Self.username, "-P", password, "-q", "1", "-t", topic, "-f", file])
    }

    func stop() {
        process.killNow()
    }

    /// Runs a tool and throws with its output when it fails.
    public static func run(_ executable: String, _ arguments: [String]) throws {
        let process = Process()
        let output = ProcessLaunch.pipe()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        do {
            try ProcessLaunch.run(process)
        } catch {
            throw ScenarioError("cannot run \(executable) (scripts/setup installs it): \(error)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ScenarioError("\((executable as NSString).lastPathComponent) failed: \(text)")
        }
    }
}
