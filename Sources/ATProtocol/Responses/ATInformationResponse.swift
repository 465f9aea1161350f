/// A typed information response: one line such as `+CSQ: 20,99`, parsed and formatted.
///
/// Conforming types parse every shape listed in their documentation and format the
/// canonical 3GPP shape, which the simulator sends. The modem driver reads with
/// ``init(line:)`` and the simulator writes ``line``.
/// 3GPP TS 27.007 §4.1
public protocol ATInformationResponse: Sendable, Hashable {
    /// The upper-case prefixes this type parses, such as `+CSQ`.
    static var prefixes: Set<String> { get }

    /// Parses the fields of a line whose prefix is in ``prefixes``.
    ///
    /// - Parameters:
    ///   - prefix: The upper-case prefix of the line.
    ///   - fields: The parameters after the colon.
    ///   - line: The whole line, for error messages.
    /// - Throws: ``ATProtocolError`` when a mandatory field is missing or invalid.
    init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError)

    /// The information text as a modem prints it, without CR LF.
    var line: String { get }
}

extension ATInformationResponse {
    /// Parses a complete information line, checking its prefix.
    ///
    /// - Throws: ``ATProtocolError`` with ``ATProtocolError/Reason/prefixMismatch(expected:)``
    ///   when the prefix does not belong to this type, or the error of the field parser.
    public init(line: some StringProtocol) throws(ATProtocolError) {
        let expected = Self.prefixes.sorted().joined(separator: " or ")
        guard let prefixed = ATPrefixedLine(line), Self.prefixes.contains(prefixed.prefix) else {
            throw ATProtocolError(.prefixMismatch(expected: expected), context: expected, line: line)
        }
        try self.init(prefix: prefixed.prefix, fields: prefixed.fields, line: String(line))
    }
}

/// Positional access to fields with errors that name the field and keep the line.
struct FieldReader {
    let fields: [ATField]
    let context: String
    let line: String

    var count: Int { fields.count }

    /// The field at `index`, or ``ATField/empty`` outside the fields, so that an index
    /// counted back from the end of a line without fields is only a missing field.
    subscript(index: Int) -> ATField {
        fields.indices.contains(index) ? fields[index] : .empty
    }

    func error(_ reason: ATProtocolError.Reason) -> ATProtocolError {
        ATProtocolError(reason, context: context, line: line)
    }

    /// Reads a mandatory decimal field.
    func integer(_ index: Int, _ name: String) throws(ATProtocolError) -> Int {
        guard let value = try optionalInteger(index, name) else {
            throw error(.missingField(name: name))
        }
        return value
    }

    /// Reads an optional decimal field: nil when absent or blank, an error when not a number.
    func optionalInteger(_ index: Int, _ name: String) throws(ATProtocolError) -> Int? {
        let field = self[index]
        if field.isBlank {
            return nil
        }
        guard let value = field.integer else {
            throw error(.invalidField(name: name))
        }
        return value
    }

    /// Reads an optional hexadecimal field: nil when absent or blank, an error when invalid.
    func optionalHexadecimal(_ index: Int, _ name: String) throws(ATProtocolError) -> UInt64? {
        let field = self[index]
        if field.isBlank {
            return nil
        }
        guard let value = field.hexadecimal else {
            throw error(.invalidField(name: name))
        }
        return value
    }

    /// Reads a mandatory string field, quoted or bare.
    func string(_ index: Int, _ name: String) throws(ATProtocolError) -> String {
        guard let value = optionalString(index) else {
            throw error(.missingField(name: name))
        }
        return value
    }

    /// Reads an optional string field: nil when absent or blank.
    func optionalString(_ index: Int) -> String? {
        let field = self[index]
        if field.isBlank {
            return nil
        }
        return field.string
    }
}

/// Helpers that format fields the way 27.007 prints them.
enum ATFormat {
    /// Wraps a string in double quotes.
    static func quoted(_ value: String) -> String {
        "\"\(value)\""
    }

    /// Formats a value in upper-case hexadecimal with at least `digits` digits.
    static func hexadecimal(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 16, uppercase: true)
        guard text.count < digits else {
            return text
        }
        return String(repeating: "0", count: digits - text.count) + text
    }

    /// Joins a prefix and its parameters into an information line.
    static func line(_ prefix: String, _ parameters: [String]) -> String {
        "\(prefix): " + parameters.joined(separator: ",")
    }

    /// Formats an optional integer, empty when nil.
    static func optional(_ value: Int?) -> String {
        value.map(String.init) ?? ""
    }
}
