/// The SMS message format from `+CMGF: <mode>`, the reply to `AT+CMGF?`.
///
/// PDU mode is the default in this project: text mode cannot carry UCS-2 reliably and
/// makes a message body that reads `OK` look like a final result.
/// 3GPP TS 27.005 §3.2.3
public enum MessageFormat: Int, ATInformationResponse, CaseIterable {
    /// 0: PDU mode.
    case pdu = 0
    /// 1: text mode.
    case text = 1

    public static let prefixes: Set<String> = ["+CMGF"]

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        let mode = try reader.integer(0, "mode")
        guard let format = Self(rawValue: mode) else {
            throw reader.error(.invalidField(name: "mode"))
        }
        self = format
    }

    public var line: String {
        "+CMGF: \(rawValue)"
    }
}
