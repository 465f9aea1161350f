/// The TE character set from `+CSCS`: the read reply `+CSCS: "GSM"` or the test reply
/// `+CSCS: ("IRA","GSM","UCS2")`.
///
/// A test reply with a single set may come without parentheses (`+CSCS: "IRA"`).
/// 3GPP TS 27.007 §5.5
public struct CharacterSet: ATInformationResponse {
    public static let prefixes: Set<String> = ["+CSCS"]

    /// The character set names, in upper case. A read reply has exactly one.
    public var names: [String]

    /// Creates a reply listing `names`.
    public init(names: [String]) {
        self.names = names.map { $0.uppercased() }
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let names = fields.flatMap(\.items).compactMap(\.string).map { $0.uppercased() }
        guard !names.isEmpty else {
            throw ATProtocolError(.missingField(name: "chset"), context: prefix, line: line)
        }
        self.names = names
    }

    /// The current set, when this is a read reply.
    public var current: String? { names.first }

    /// The read-reply line for the first set.
    public var line: String {
        ATFormat.line("+CSCS", [ATFormat.quoted(names.first ?? "")])
    }

    /// The test-reply line listing every set.
    public var testLine: String {
        "+CSCS: (" + names.map(ATFormat.quoted).joined(separator: ",") + ")"
    }
}
