/// The notice that a message was stored: `+CMTI: <mem>,<index>` for an SMS,
/// `+CDSI: <mem>,<index>` for a status report, `+CBMI: <mem>,<index>` for a cell broadcast.
///
/// Example: `+CMTI: "SM",3`. The driver reads the message with `AT+CMGR=<index>` after
/// selecting `<mem>`.
/// 3GPP TS 27.005 §3.4.1
public struct StoredMessageIndication: ATInformationResponse {
    public static let prefixes: Set<String> = ["+CMTI", "+CDSI", "+CBMI"]

    /// The prefix of the line.
    public var prefix: String
    /// The memory holding the message, such as `SM`, `ME` or `SR`.
    public var memory: String
    /// The index of the message in that memory.
    public var index: Int

    /// Creates an indication.
    public init(prefix: String = "+CMTI", memory: String, index: Int) {
        self.prefix = prefix
        self.memory = memory
        self.index = index
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        self.prefix = prefix
        self.memory = try reader.string(0, "mem").uppercased()
        self.index = try reader.integer(1, "index")
    }

    public var line: String {
        ATFormat.line(prefix, [ATFormat.quoted(memory), String(index)])
    }
}
