import Glibc

/// The process's environment, standard input and output, for `main.swift`.
public enum ProcessEnvironment {
    /// The environment variables, read with `environ(7)`.
    public static var current: [String: String] {
        var variables: [String: String] = [:]
        var cursor = environ
        while let entry = cursor.pointee {
            let text = String(cString: entry)
            if let equals = text.firstIndex(of: "=") {
                variables[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            cursor += 1
        }
        return variables
    }

    /// Reads standard input to its end, dropping one final line break.
    public static func readStandardInput() -> String {
        var lines: [String] = []
        while let line = readLine(strippingNewline: true) {
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Writes all of `text` to a file descriptor with `write(2)`, retrying on `EINTR`.
    public static func write(_ text: String, to descriptor: Int32) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                // `bytes` is not empty inside the loop, so the base address exists.
                Glibc.write(descriptor, buffer.baseAddress! + offset, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return  // The reader is gone, as with `| head`; nothing is left to tell.
            }
            offset += written
        }
    }
}
