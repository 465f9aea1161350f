/// The test reply to `AT+CMGD=?`: `+CMGD: (<indexes>),(<delflags>)`.
///
/// Example: `+CMGD: (1,2,5),(0-4)`. The first list names the occupied indexes, which a
/// driver can use to find messages whose `+CMTI` it missed.
/// 3GPP TS 27.005 §3.5.4
public struct DeletableMessages: ATInformationResponse {
    public static let prefixes: Set<String> = ["+CMGD"]

    /// The indexes of the stored messages.
    public var indexes: [Int]
    /// The supported `<delflag>` values.
    public var deleteFlags: [Int]

    /// Creates a test reply.
    public init(indexes: [Int], deleteFlags: [Int] = [0, 1, 2, 3, 4]) {
        self.indexes = indexes
        self.deleteFlags = deleteFlags
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        guard !fields.isEmpty else {
            throw ATProtocolError(.missingField(name: "index"), context: prefix, line: line)
        }
        self.indexes = fields[0].allowedIntegers
        self.deleteFlags = fields.count > 1 ? fields[1].allowedIntegers : []
    }

    public var line: String {
        let indexList = "(" + indexes.map(String.init).joined(separator: ",") + ")"
        let flagList = "(" + deleteFlags.map(String.init).joined(separator: ",") + ")"
        return ATFormat.line("+CMGD", [indexList, flagList])
    }
}
