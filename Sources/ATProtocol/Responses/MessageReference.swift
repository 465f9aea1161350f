/// The result of a successful submission: `+CMGS: <mr>[,<scts>]` or `+CMSS: <mr>[,<scts>]`.
///
/// `<mr>` is the TP-Message-Reference (0-255) that the status report for this message will
/// carry. `<scts>` appears only when the network returns a time stamp in the RP-ACK, which
/// most do not.
/// 3GPP TS 27.005 §3.5.1, §3.5.2
public struct MessageReference: ATInformationResponse {
    public static let prefixes: Set<String> = ["+CMGS", "+CMSS"]

    /// The prefix of the line: `+CMGS` or `+CMSS`.
    public var prefix: String
    /// The message reference.
    public var reference: Int
    /// The service centre time stamp, as printed.
    public var serviceCentreTimestamp: String?

    /// Creates a submission result.
    public init(prefix: String = "+CMGS", reference: Int, serviceCentreTimestamp: String? = nil) {
        self.prefix = prefix
        self.reference = reference
        self.serviceCentreTimestamp = serviceCentreTimestamp
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        self.prefix = prefix
        self.reference = try reader.integer(0, "mr")
        guard (0...255).contains(reference) else {
            throw reader.error(.invalidField(name: "mr"))
        }
        self.serviceCentreTimestamp = reader.optionalString(1)
    }

    public var line: String {
        var parameters = [String(reference)]
        if let serviceCentreTimestamp {
            parameters.append(ATFormat.quoted(serviceCentreTimestamp))
        }
        return ATFormat.line(prefix, parameters)
    }
}
