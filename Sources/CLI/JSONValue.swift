/// A JSON value whose objects keep their key order, so output reads in field order.
enum JSONValue: Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral {
    case string(String)
    case number(Int)
    case bool(Bool)
    case null
    case array([JSONValue])
    case object([(String, JSONValue)])

    init(stringLiteral value: String) {
        self = .string(value)
    }

    init(integerLiteral value: Int) {
        self = .number(value)
    }

    init(booleanLiteral value: Bool) {
        self = .bool(value)
    }

    init(_ value: String?) {
        self = value.map { .string($0) } ?? .null
    }

    init(_ value: Int?) {
        self = value.map { .number($0) } ?? .null
    }

    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        lhs.rendered(indent: nil) == rhs.rendered(indent: nil)
    }

    /// Renders the value; `indent` spaces per level, or one line when nil.
    func rendered(indent: Int? = 2, level: Int = 0) -> String {
        let newline = indent == nil ? "" : "\n"
        let pad = String(repeating: " ", count: (indent ?? 0) * (level + 1))
        let closingPad = String(repeating: " ", count: (indent ?? 0) * level)
        let separator = indent == nil ? ":" : ": "
        switch self {
        case .string(let text):
            return Self.quoted(text)
        case .number(let number):
            return String(number)
        case .bool(let flag):
            return flag ? "true" : "false"
        case .null:
            return "null"
        case .array(let items):
            guard !items.isEmpty else { return "[]" }
            let body = items.map { pad + $0.rendered(indent: indent, level: level + 1) }
            return "[" + newline + body.joined(separator: "," + newline) + newline + closingPad + "]"
        case .object(let fields):
            guard !fields.isEmpty else { return "{}" }
            let body = fields.map { pad + Self.quoted($0.0) + separator + $0.1.rendered(indent: indent, level: level + 1) }
            return "{" + newline + body.joined(separator: "," + newline) + newline + closingPad + "}"
        }
    }

    /// Quotes a string as RFC 8259 §7 requires: quote, backslash and control characters escaped.
    static func quoted(_ text: String) -> String {
        var output = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output + "\""
    }
}
