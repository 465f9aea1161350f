import Foundation
import Glibc
import IMFakes

/// A child `loopback_server.py` on a free 127.0.0.1 port, stopped when the value is released.
///
/// The server exits when its stdin closes, so it also stops when the test process dies.
final class LoopbackServer: @unchecked Sendable {
    // @unchecked Sendable: after init, only `port` is read and `deinit` closes the pipe.

    let process = Process()
    let input = ProcessLaunch.pipe()
    let port: Int

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Servers/loopback_server.py").path

    /// The interpreter: `ALERTBOX_PYTHON`, else the system's python3.
    static let python = ProcessInfo.processInfo.environment["ALERTBOX_PYTHON"] ?? "/usr/bin/python3"

    /// Starts the server with `arguments` and waits for the port it prints, on a thread of
    /// its own so that the wait does not hold a thread of the concurrency pool, where the
    /// timing tests measure.
    static func start(_ arguments: [String] = []) async throws -> LoopbackServer {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try LoopbackServer(arguments) })
            }
        }
    }

    private init(_ arguments: [String]) throws {
        let output = ProcessLaunch.pipe()
        process.executableURL = URL(fileURLWithPath: Self.python)
        process.arguments = [Self.script] + arguments
        process.standardOutput = output
        process.standardInput = input
        try ProcessLaunch.run(process)

        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            line += chunk
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            try? input.fileHandleForWriting.close()
            throw ServerError(message: "loopback_server.py printed no port: \(String(decoding: line, as: UTF8.self))")
        }
        self.port = port
    }

    /// Closes the server's stdin, so it exits; Foundation reaps the child.
    deinit {
        try? input.fileHandleForWriting.close()
    }

    func url(_ path: String, scheme: String = "http") -> String {
        "\(scheme)://127.0.0.1:\(port)\(path)"
    }

    /// Returns a 127.0.0.1 port with no listener: bound, read and closed again.
    static func closedPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw ServerError(message: "socket failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else { throw ServerError(message: "bind failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A self-signed certificate for 127.0.0.1, made with `openssl req` in a temporary directory.
struct TestCertificate {
    let directory: URL
    var certificate: String { directory.appendingPathComponent("cert.pem").path }
    var key: String { directory.appendingPathComponent("key.pem").path }

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("uplink-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", directory.appendingPathComponent("key.pem").path, "-out", directory.appendingPathComponent("cert.pem").path,
        ]
        openssl.standardError = FileHandle.nullDevice
        try ProcessLaunch.run(openssl)
        openssl.waitUntilExit()
        guard openssl.terminationStatus == 0 else {
            throw ServerError(message: "openssl req exited with \(openssl.terminationStatus)")
        }
    }

    func remove() {
        try? FileManager.default.removeItem(at: directory)
    }
}

struct ServerError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
