/// A value bound to a statement parameter or read from a column.
public enum SQLValue: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public init(stringLiteral value: String) {
        self = .text(value)
    }

    public init(integerLiteral value: Int64) {
        self = .integer(value)
    }

    public init(nilLiteral: ()) {
        self = .null
    }

    public init(_ value: String?) {
        self = value.map { .text($0) } ?? .null
    }

    public init(_ value: Int?) {
        self = value.map { .integer(Int64($0)) } ?? .null
    }

    public init(_ value: Int64?) {
        self = value.map { .integer($0) } ?? .null
    }

    public init(_ value: Bool) {
        self = .integer(value ? 1 : 0)
    }

    public var int64: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var int: Int? {
        int64.map { Int($0) }
    }

    public var string: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    public var double: Double? {
        switch self {
        case .real(let value): value
        case .integer(let value): Double(value)
        default: nil
        }
    }

    public var isNull: Bool {
        self == .null
    }
}

/// One result row, by column name and position.
public struct Row: Sendable, Equatable {
    public let columns: [String]
    public let values: [SQLValue]

    public subscript(_ name: String) -> SQLValue {
        guard let index = columns.firstIndex(of: name) else { return .null }
        return values[index]
    }

    public subscript(_ index: Int) -> SQLValue {
        values[index]
    }
}
