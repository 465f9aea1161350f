/// SIMCom's system information, the reply to `AT+CPSI?`, also sent periodically after
/// `AT+CPSI=<seconds>`.
///
/// Shapes: `+CPSI: NO SERVICE,Online`, `+CPSI: GSM,Online,460-00,0x182d,12401,27 EGSM 900,
/// -64,2110,42-42` and `+CPSI: LTE,Online,460-00,0x5A1E,187214780,257,EUTRAN-BAND3,1650,5,5,
/// -94,-850,-545,15`. The fields are unquoted. The area code is hex with `0x`, and the cell
/// ID is decimal. Radio measurements stay in ``fields``, because their units differ between
/// technologies and firmware versions.
public struct SIMComSystemInfo: ATInformationResponse {
    public static let prefixes: Set<String> = ["+CPSI"]

    /// The system mode, such as `LTE`, `WCDMA`, `GSM` or `NO SERVICE`.
    public var systemMode: String
    /// The operation mode, such as `Online`, `Offline` or `Low Power Mode`.
    public var operationMode: String
    /// Mobile country code, when in service.
    public var mobileCountryCode: Int?
    /// Mobile network code, when in service.
    public var mobileNetworkCode: Int?
    /// Location or tracking area code, when in service.
    public var areaCode: UInt64?
    /// Serving cell ID, when in service.
    public var cellID: UInt64?
    /// All fields, as printed.
    public var fields: [ATField]

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        self.systemMode = try reader.string(0, "System Mode")
        self.operationMode = reader.optionalString(1) ?? ""
        self.fields = fields

        if let operatorCode = reader.optionalString(2) {
            let parts = operatorCode.split(separator: "-")
            if parts.count == 2 {
                self.mobileCountryCode = Int(parts[0])
                self.mobileNetworkCode = Int(parts[1])
            }
        }
        self.areaCode = try reader.optionalHexadecimal(3, "TAC/LAC")
        self.cellID = try reader.optionalInteger(4, "SCellID").flatMap { UInt64(exactly: $0) }
    }

    /// Whether the module reports a serving network.
    public var hasService: Bool {
        systemMode.uppercased() != "NO SERVICE" && mobileCountryCode != nil
    }

    public var line: String {
        ATFormat.line("+CPSI", fields.map(\.description))
    }
}
