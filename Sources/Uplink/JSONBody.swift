/// A JSON value for request bodies, written with object keys in the order given.
///
/// The IM APIs do not care about key order, but a fixed order makes the bodies exact in
/// tests and in the fake servers' recordings. Non-ASCII text is written as UTF-8, not as
/// `\u` escapes, so the body's byte count matches what the server's limit counts.
indirect enum JSONBody: Equatable, Sendable {
    case string(String)
    case integer(Int)
    case bool(Bool)
    case array([JSONBody])
    case object([(String, JSONBody)])

    static func == (lhs: JSONBody, rhs: JSONBody) -> Bool {
        lhs.serialized == rhs.serialized
    }

    /// The compact JSON text (RFC 8259), with no spaces.
    var serialized: String {
        var output = ""
        write(to: &output)
        return output
    }

    /// The compact JSON text as UTF-8 bytes.
    var bytes: [UInt8] {
        Array(serialized.utf8)
    }

    private func write(to output: inout String) {
        switch self {
        case .string(let text):
            Self.writeString(text, to: &output)
        case .integer(let value):
            output += String(value)
        case .bool(let value):
            output += value ? "true" : "false"
        case .array(let elements):
            output += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { output += "," }
                element.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output += "," }
                Self.writeString(key, to: &output)
                output += ":"
                value.write(to: &output)
            }
            output += "}"
        }
    }

    /// Writes a string literal, escaping the quote, the backslash and the control characters
    /// that RFC 8259 §7 requires.
    private static func writeString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case "\u{00}"..."\u{1F}":
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
