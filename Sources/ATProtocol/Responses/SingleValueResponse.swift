/// A reply that carries one integer setting: `+CFUN: <fun>` or `+CMMS: <n>`.
///
/// `+CFUN: 1` also arrives unsolicited on Quectel modules after boot, and the line
/// classifier distinguishes the two by the command in flight.
/// 3GPP TS 27.007 §8.2 (`+CFUN`), 3GPP TS 27.005 §3.5.6 (`+CMMS`)
public struct SingleValueResponse: ATInformationResponse {
    public static let prefixes: Set<String> = ["+CFUN", "+CMMS"]

    /// The prefix of the line.
    public var prefix: String
    /// The value: the functionality level for `+CFUN` (0 minimum, 1 full, 4 radio off),
    /// the more-messages mode for `+CMMS` (0 off, 1 until timeout, 2 always on).
    public var value: Int

    /// Creates a reply.
    public init(prefix: String, value: Int) {
        self.prefix = prefix
        self.value = value
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        self.prefix = prefix
        self.value = try reader.integer(0, prefix == "+CFUN" ? "fun" : "n")
    }

    public var line: String {
        "\(prefix): \(value)"
    }
}
