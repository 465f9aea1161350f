/// The new-message indication settings from `+CNMI: <mode>,<mt>,<bm>,<ds>,<bfr>`, the
/// reply to `AT+CNMI?`.
///
/// Example: `+CNMI: 2,1,0,2,0` (store new messages and send `+CMTI`, send status reports
/// directly as `+CDS`). Modules may print fewer than five fields.
/// 3GPP TS 27.005 §3.4.1
public struct NewMessageIndicationSettings: ATInformationResponse {
    public static let prefixes: Set<String> = ["+CNMI"]

    /// The five settings in order. Absent ones are nil.
    public var mode: Int?
    public var messageIndication: Int?
    public var broadcastIndication: Int?
    public var statusReportIndication: Int?
    public var bufferHandling: Int?

    /// Creates settings.
    public init(mode: Int?, messageIndication: Int?, broadcastIndication: Int?, statusReportIndication: Int?, bufferHandling: Int?) {
        self.mode = mode
        self.messageIndication = messageIndication
        self.broadcastIndication = broadcastIndication
        self.statusReportIndication = statusReportIndication
        self.bufferHandling = bufferHandling
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        self.mode = try reader.optionalInteger(0, "mode")
        self.messageIndication = try reader.optionalInteger(1, "mt")
        self.broadcastIndication = try reader.optionalInteger(2, "bm")
        self.statusReportIndication = try reader.optionalInteger(3, "ds")
        self.bufferHandling = try reader.optionalInteger(4, "bfr")
    }

    public var line: String {
        ATFormat.line("+CNMI", [mode, messageIndication, broadcastIndication, statusReportIndication, bufferHandling].map(ATFormat.optional))
    }
}
