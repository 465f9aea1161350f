import Glibc

/// A destination for finished log lines.
public protocol LogSink: Sendable {
    /// Writes one line; the sink adds the line end.
    func write(_ line: String)
}

/// A sink that writes each line to standard error with a single `write(2)` call.
///
/// One call per line keeps lines from several threads whole, because writes of up to
/// `PIPE_BUF` bytes to a pipe are atomic and journald reads stderr through a pipe or socket.
public struct StandardErrorSink: LogSink {
    public static let shared = StandardErrorSink()

    public func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        var offset = 0
        while offset < bytes.count {
            // The buffer is never empty because it ends with the line feed.
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(2, buffer.baseAddress! + offset, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return  // Standard error is gone; nothing is left to report the failure to.
            }
            offset += written
        }
    }
}

/// A sink that keeps lines in memory, for tests that check what was logged.
public final class CapturingLogSink: LogSink {
    private let storage = Locked<[String]>([])

    public init() {}

    public func write(_ line: String) {
        storage.withLock { $0.append(line) }
    }

    /// The lines written so far, oldest first.
    public var lines: [String] {
        storage.withLock { $0 }
    }
}
