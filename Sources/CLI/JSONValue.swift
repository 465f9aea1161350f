import Core

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

    static func quoted(_ text: String) -> String {
        JSONText.quoted(text)
    }
}
