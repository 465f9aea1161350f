/// The text-mode parameters from `+CSMP: <fo>,<vp>,<pid>,<dcs>`, the reply to `AT+CSMP?`.
///
/// Example: `+CSMP: 17,167,0,0`. `<vp>` is an integer in relative format, or a quoted time
/// string in absolute format, so it is kept as a field.
/// 3GPP TS 27.005 §3.3.2
public struct TextModeParameters: ATInformationResponse {
    public static let prefixes: Set<String> = ["+CSMP"]

    /// First octet of the SMS-SUBMIT.
    public var firstOctet: Int?
    /// Validity period, relative (integer) or absolute (quoted time string).
    public var validityPeriod: ATField
    /// Protocol identifier.
    public var protocolIdentifier: Int?
    /// Data coding scheme.
    public var dataCodingScheme: Int?

    /// Creates parameters.
    public init(firstOctet: Int? = 17, validityPeriod: ATField = .bare("167"), protocolIdentifier: Int? = 0, dataCodingScheme: Int? = 0) {
        self.firstOctet = firstOctet
        self.validityPeriod = validityPeriod
        self.protocolIdentifier = protocolIdentifier
        self.dataCodingScheme = dataCodingScheme
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        self.firstOctet = try reader.optionalInteger(0, "fo")
        self.validityPeriod = reader[1]
        self.protocolIdentifier = try reader.optionalInteger(2, "pid")
        self.dataCodingScheme = try reader.optionalInteger(3, "dcs")
    }

    public var line: String {
        ATFormat.line("+CSMP", [
            ATFormat.optional(firstOctet), validityPeriod.description, ATFormat.optional(protocolIdentifier),
            ATFormat.optional(dataCodingScheme),
        ])
    }
}
