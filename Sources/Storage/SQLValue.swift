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

/// The column names of one result, shared by its rows, with an index from name to position.
final class ColumnNames: Sendable {
    let names: [String]
    let positions: [String: Int]

    init(_ names: [String]) {
        self.names = names
        // A name that appears twice resolves to its first column, as a linear search would.
        positions = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
}

/// One result row, by column name and position.
public struct Row: Sendable, Equatable {
    let names: ColumnNames
    public let values: [SQLValue]

    init(names: ColumnNames, values: [SQLValue]) {
        self.names = names
        self.values = values
    }

    public var columns: [String] {
        names.names
    }

    public static func == (lhs: Row, rhs: Row) -> Bool {
        lhs.columns == rhs.columns && lhs.values == rhs.values
    }

    /// Returns the value of column `name`, or null when the result has no such column.
    public subscript(_ name: String) -> SQLValue {
        guard let index = names.positions[name] else { return .null }
        return values[index]
    }

    public subscript(_ index: Int) -> SQLValue {
        values[index]
    }
}
