import Foundation
import Glibc
import Hardware

/// A test's own client on a simulated modem's tty: raw bytes in and out, no AT engine.
final class ModemPort {
    let path: String
    let descriptor: FileDescriptor
    /// Bytes read and not yet consumed by `read(until:)`.
    private(set) var buffer: [UInt8] = []

    /// Opens the tty behind `path` non-blocking, in raw mode at 115200 baud.
    init(_ path: String) throws {
        self.path = path
        descriptor = try FileDescriptor.open(path, flags: O_RDWR | O_NOCTTY | O_NONBLOCK)
        try TerminalSettings.makeRaw(descriptor)
    }

    func close() {
        descriptor.close()
    }

    func write(_ text: String) throws {
        try descriptor.writeAll(Array(text.utf8))
    }

    /// Reads the bytes that arrive within `duration`, without waiting for anything in
    /// particular.
    func drainBytes(for duration: Duration) async throws -> [UInt8] {
        let deadline = ContinuousClock.now.advanced(by: duration)
        while ContinuousClock.now < deadline {
            try readAvailable()
            try await Task.sleep(for: .milliseconds(20))
        }
        defer { buffer = [] }
        return buffer
    }

    /// Reads the text that arrives within `duration`.
    func drain(for duration: Duration) async throws -> String {
        String(decoding: try await drainBytes(for: duration), as: UTF8.self)
    }

    /// Reads until the bytes so far contain `marker`, and returns them all; throws after
    /// `timeout` with what arrived. The default bound only catches a hang, so it allows for
    /// a loaded machine.
    func read(until marker: String, timeout: Duration = .seconds(15)) async throws -> String {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            try readAvailable()
            let text = String(decoding: buffer, as: UTF8.self)
            if text.contains(marker) {
                buffer = []
                return text
            }
            guard ContinuousClock.now < deadline else {
                throw ChildProcessError("\(path): no \(marker.debugDescription) within \(timeout); received \(text.debugDescription)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Sends a command line and returns the reply up to its final `OK` or error.
    func command(_ line: String, timeout: Duration = .seconds(15)) async throws -> String {
        try write(line + "\r")
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while true {
            try readAvailable()
            let text = String(decoding: buffer, as: UTF8.self)
            if text.contains("\r\nOK\r\n") || text.contains("ERROR") {
                buffer = []
                return text
            }
            guard ContinuousClock.now < deadline else {
                throw ChildProcessError("\(path): no final result for \(line) within \(timeout); received \(text.debugDescription)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    private func readAvailable() throws {
        while true {
            do throws(Errno) {
                let bytes = try descriptor.read(maximum: 4096)
                if bytes.isEmpty { return }
                buffer += bytes
            } catch {
                if error == .wouldBlock { return }
                throw error
            }
        }
    }
}
