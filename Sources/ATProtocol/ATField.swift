/// One parameter of an AT information response, as the tokenizer found it.
///
/// Numeric accessors remove all whitespace first, because real modems print fields such as
/// `  0 5` or ` 1F00` (Qualcomm Gobi, Novatel). They accept a value in quotes as well as a
/// bare one, because vendors disagree on quoting LAC and cell ID.
/// 3GPP TS 27.007 §4.1
public enum ATField: Sendable, Hashable, CustomStringConvertible {
    /// A field with no characters between its commas.
    case empty
    /// An unquoted value, with surrounding whitespace removed.
    case bare(String)
    /// A value in double quotes, without the quotes.
    case quoted(String)
    /// A parenthesised list, as in test-command replies: `("SM","ME")` or `(0-2)`.
    case list([ATField])
    /// A range inside a parenthesised list, such as `0-2`.
    case range(ClosedRange<Int>)

    /// The text of a bare or quoted field, or nil for other fields.
    public var string: String? {
        switch self {
        case .bare(let value), .quoted(let value):
            return value
        case .empty, .list, .range:
            return nil
        }
    }

    /// Whether the field carries no value: empty, or an empty quoted string.
    public var isBlank: Bool {
        switch self {
        case .empty:
            return true
        case .bare(let value), .quoted(let value):
            return value.allSatisfy(\.isWhitespace)
        case .list, .range:
            return false
        }
    }

    /// Whether the value was written in double quotes.
    public var isQuoted: Bool {
        if case .quoted = self {
            return true
        }
        return false
    }

    /// The value as a decimal integer, ignoring whitespace and leading zeros.
    public var integer: Int? {
        guard let compact = compactValue else {
            return nil
        }
        return Int(compact, radix: 10)
    }

    /// The value as a hexadecimal integer, ignoring whitespace and an optional `0x` prefix.
    public var hexadecimal: UInt64? {
        guard var compact = compactValue else {
            return nil
        }
        if compact.hasPrefix("0x") || compact.hasPrefix("0X") {
            compact.removeFirst(2)
        }
        guard !compact.isEmpty, compact.count <= 16 else {
            return nil
        }
        return UInt64(compact, radix: 16)
    }

    /// The items of a list, a one-item array for a single value, or an empty array.
    ///
    /// Test replies put a single supported value either in parentheses or not, for example
    /// `+CPMS: ("ME","MT"),"ME",("SM")`, so readers treat both the same way.
    public var items: [ATField] {
        switch self {
        case .list(let items):
            return items
        case .empty:
            return []
        case .bare, .quoted, .range:
            return [self]
        }
    }

    /// All integers a test-reply list allows, with ranges expanded.
    ///
    /// Ranges wider than 4096 values are left out, so a broken reply cannot allocate
    /// unbounded memory.
    public var allowedIntegers: [Int] {
        var values: [Int] = []
        for item in items {
            switch item {
            case .range(let range) where range.count <= 4096:
                values.append(contentsOf: range)
            default:
                if let value = item.integer {
                    values.append(value)
                }
            }
        }
        return values
    }

    /// The field as it appears in an AT line.
    public var description: String {
        switch self {
        case .empty:
            return ""
        case .bare(let value):
            return value
        case .quoted(let value):
            return "\"\(value)\""
        case .list(let items):
            return "(" + items.map(\.description).joined(separator: ",") + ")"
        case .range(let range):
            return "\(range.lowerBound)-\(range.upperBound)"
        }
    }

    private var compactValue: String? {
        guard let value = string else {
            return nil
        }
        let compact = value.filter { !$0.isWhitespace }
        return compact.isEmpty ? nil : compact
    }
}
