import Foundation
import Glibc
import IMFakes
import Scenarios

/// A `mosquitto` child process on free 127.0.0.1 ports, with a plain listener, a TLS listener,
/// a TLS listener that requires a client certificate, a password file and certificates made
/// for the test run.
///
/// The certificates (a CA, a server and a client certificate signed by it, and a second CA
/// that signed nothing) and the password file are made once per test process with `openssl`
/// and `mosquitto_passwd`. Each broker writes its own configuration file.
public final class MosquittoBroker: @unchecked Sendable {
    // @unchecked Sendable: `process` is replaced only by `start` and `stop`, which the tests
    // call from one task at a time.

    public static let username = "alertbox"
    public static let password = "test-password-1"

    public let directory: String
    public let port: UInt16
    public let tlsPort: UInt16
    /// The TLS listener with `require_certificate true`.
    public let clientCertificatePort: UInt16
    private var process: Process?

    /// Files shared by every broker of the test process.
    public struct Material: Sendable {
        let directory: String
        let caFile: String
        let otherCAFile: String
        let clientCertificate: String
        let clientKey: String
        let serverCertificate: String
        let serverKey: String
        let passwordFile: String
    }

    public static let material: Result<Material, any Error> = Result { try makeMaterial() }

    public var caFile: String { get throws { try Self.material.get().caFile } }
    public var otherCAFile: String { get throws { try Self.material.get().otherCAFile } }
    public var clientCertificate: String { get throws { try Self.material.get().clientCertificate } }
    public var clientKey: String { get throws { try Self.material.get().clientKey } }

    /// Starts a broker and waits until both listeners take connections, on a thread of its
    /// own so that the waits do not hold a thread of the concurrency pool.
    public static func start(persistence: Bool = false) async throws -> MosquittoBroker {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try startOnFreePorts(persistence: persistence) })
            }
        }
    }

    /// Starts a broker, and again on new ports when another process took one of the chosen
    /// ports before mosquitto could bind it (a client's ephemeral port, say), up to three times.
    private static func startOnFreePorts(persistence: Bool) throws -> MosquittoBroker {
        var attempt = 1
        while true {
            do {
                return try MosquittoBroker(persistence: persistence)
            } catch let error as HarnessError where attempt < 3 && error.detail.contains("Address already in use") {
                attempt += 1
            }
        }
    }

    private init(persistence: Bool) throws {
        let material = try Self.material.get()
        directory = try Self.temporaryDirectory(prefix: "mosquitto")
        let ports = try FakePorts.freePorts(3).map { UInt16($0) }
        (port, tlsPort, clientCertificatePort) = (ports[0], ports[1], ports[2])
        let user = String(cString: getpwuid(getuid()).pointee.pw_name)
        let configuration = """
            user \(user)
            per_listener_settings false
            allow_anonymous false
            password_file \(material.passwordFile)
            persistence \(persistence)
            persistence_location \(directory)/
            log_dest file \(directory)/mosquitto.log
            log_type error
            log_type warning
            log_type notice
            log_type information
            listener \(port) 127.0.0.1
            listener \(tlsPort) 127.0.0.1
            cafile \(material.caFile)
            certfile \(material.serverCertificate)
            keyfile \(material.serverKey)
            listener \(clientCertificatePort) 127.0.0.1
            cafile \(material.caFile)
            certfile \(material.serverCertificate)
            keyfile \(material.serverKey)
            require_certificate true

            """
        try configuration.write(toFile: "\(directory)/mosquitto.conf", atomically: true, encoding: .utf8)
        try start()
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: directory)
    }

    /// Starts the broker process and waits up to 10 s for its listeners.
    public func start() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/mosquitto")
        process.arguments = ["-c", "\(directory)/mosquitto.conf"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        self.process = process
        for _ in 0..<200 {
            if [port, tlsPort, clientCertificatePort].allSatisfy({ FakePorts.accepts(port: Int($0)) }) { return }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        let log = (try? String(contentsOfFile: "\(directory)/mosquitto.log", encoding: .utf8)) ?? ""
        throw HarnessError(detail: "mosquitto did not start on ports \(port), \(tlsPort) and \(clientCertificatePort); its log: \(log)")
    }

    /// Stops the broker with SIGKILL and waits up to 10 s for it to exit. SIGTERM would not
    /// do: the child inherits the signal mask of the pool thread that started it, where
    /// SIGTERM is blocked.
    public func stop() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        if !ProcessLaunch.waitForExit(process, timeout: .seconds(10)) {
            print("mosquitto \(process.processIdentifier) did not exit within 10 s of SIGKILL")
        }
        self.process = nil
    }

    // MARK: Helpers

    public static func temporaryDirectory(prefix: String) throws -> String {
        var template = Array("\(NSTemporaryDirectory())/\(prefix)-XXXXXX".utf8CString)
        guard let path = mkdtemp(&template) else {
            throw HarnessError(detail: "mkdtemp failed: \(String(cString: strerror(errno)))")
        }
        return String(cString: path)
    }

    /// Runs a tool and throws with its output when it fails.
    public static func run(_ executable: String, _ arguments: [String]) throws {
        try ScenarioBroker.run(executable, arguments)
    }

    /// Makes the CAs, the server certificate and the password file.
    private static func makeMaterial() throws -> Material {
        let directory = try temporaryDirectory(prefix: "mqtt-material")
        let openssl = "/usr/bin/openssl"
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        for name in ["ca", "other-ca"] {
            try run(
                openssl,
                ["req", "-x509"] + curve + ["-keyout", "\(directory)/\(name).key", "-out", "\(directory)/\(name).crt", "-days", "2",
                    "-subj", "/CN=AlertBox test \(name)"])
        }
        try run(openssl, ["req"] + curve + ["-keyout", "\(directory)/server.key", "-out", "\(directory)/server.csr", "-subj", "/CN=127.0.0.1"])
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(toFile: "\(directory)/server.ext", atomically: true, encoding: .utf8)
        try run(
            openssl,
            ["x509", "-req", "-in", "\(directory)/server.csr", "-CA", "\(directory)/ca.crt", "-CAkey", "\(directory)/ca.key",
                "-CAcreateserial", "-out", "\(directory)/server.crt", "-days", "2", "-extfile", "\(directory)/server.ext"])
        try run(openssl, ["req"] + curve + ["-keyout", "\(directory)/client.key", "-out", "\(directory)/client.csr", "-subj", "/CN=alertbox-test"])
        try run(
            openssl,
            ["x509", "-req", "-in", "\(directory)/client.csr", "-CA", "\(directory)/ca.crt", "-CAkey", "\(directory)/ca.key",
                "-CAcreateserial", "-out", "\(directory)/client.crt", "-days", "2"])
        try run("/usr/bin/mosquitto_passwd", ["-c", "-b", "\(directory)/passwd", username, password])
        return Material(
            directory: directory, caFile: "\(directory)/ca.crt", otherCAFile: "\(directory)/other-ca.crt",
            clientCertificate: "\(directory)/client.crt", clientKey: "\(directory)/client.key",
            serverCertificate: "\(directory)/server.crt", serverKey: "\(directory)/server.key", passwordFile: "\(directory)/passwd")
    }
}

public struct HarnessError: Error, CustomStringConvertible {
    public let detail: String

    public init(detail: String) {
        self.detail = detail
    }

    public var description: String {
        detail
    }
}
