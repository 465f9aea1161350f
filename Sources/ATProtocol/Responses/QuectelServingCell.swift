/// Quectel's serving-cell report, the reply to `AT+QENG="servingcell"`.
///
/// Every shape starts with `"servingcell",<state>`, where the state is `SEARCH`,
/// `LIMSRV`, `NOCONN` or `CONNECT`. On LTE the line continues with
/// `"LTE",<duplex>,<MCC>,<MNC>,<cellID>,<PCID>,<EARFCN>,<band>,<UL bw>,<DL bw>,<TAC>,
/// <RSRP>,<RSRQ>,<RSSI>,<SINR>,<srxlev>`, with the cell ID and TAC in hex. Other
/// technologies keep their fields in ``fields`` only.
public struct QuectelServingCell: ATInformationResponse {
    public static let prefixes: Set<String> = ["+QENG"]

    /// The connection state, such as `NOCONN`.
    public var state: String
    /// The radio technology (`LTE`, `WCDMA`, `GSM`...), or nil while searching.
    public var technology: String?
    /// Mobile country code, on LTE.
    public var mobileCountryCode: Int?
    /// Mobile network code, on LTE.
    public var mobileNetworkCode: Int?
    /// E-UTRAN cell identity, on LTE.
    public var cellID: UInt64?
    /// Tracking area code, on LTE.
    public var trackingAreaCode: UInt64?
    /// RSRP in dBm, on LTE.
    public var rsrpDBm: Int?
    /// RSRQ in dB, on LTE.
    public var rsrqDB: Int?
    /// RSSI in dBm, on LTE.
    public var rssiDBm: Int?
    /// All fields after `"servingcell"`, as printed.
    public var fields: [ATField]

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        guard reader.optionalString(0)?.lowercased() == "servingcell" else {
            throw reader.error(.invalidField(name: "servingcell"))
        }
        self.state = try reader.string(1, "state")
        self.technology = reader.optionalString(2)
        self.fields = Array(fields.dropFirst())

        guard technology?.uppercased() == "LTE" else {
            return
        }
        self.mobileCountryCode = try reader.optionalInteger(4, "MCC")
        self.mobileNetworkCode = try reader.optionalInteger(5, "MNC")
        self.cellID = try reader.optionalHexadecimal(6, "cellID")
        self.trackingAreaCode = try reader.optionalHexadecimal(12, "TAC")
        self.rsrpDBm = reader[13].integer
        self.rsrqDB = reader[14].integer
        self.rssiDBm = reader[15].integer
    }

    public var line: String {
        ATFormat.line("+QENG", [ATFormat.quoted("servingcell")] + fields.map(\.description))
    }
}
