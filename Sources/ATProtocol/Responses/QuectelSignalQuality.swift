/// Quectel's signal report, the reply to `AT+QCSQ`.
///
/// Shapes: `+QCSQ: "NOSERVICE"`, `+QCSQ: "GSM",<rssi>`, `+QCSQ: "WCDMA",<rssi>,<rscp>,<ecio>`
/// and `+QCSQ: "LTE",<rssi>,<rsrp>,<sinr>,<rsrq>` (also `CAT-M1` and `CAT-NB1`). Values are
/// kept as the module prints them: dBm for RSSI, RSCP and RSRP, dB for RSRQ and Ec/Io.
///
/// NOTE: Quectel prints LTE SINR on a module-specific scale that this code has not
/// verified, so the value is kept raw.
public struct QuectelSignalQuality: ATInformationResponse {
    public static let prefixes: Set<String> = ["+QCSQ"]

    /// The service mode, such as `LTE`, `WCDMA`, `GSM` or `NOSERVICE`.
    public var systemMode: String
    /// The values after the mode, in the order the module prints them.
    public var values: [Int]

    /// Creates a report.
    public init(systemMode: String, values: [Int]) {
        self.systemMode = systemMode
        self.values = values
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        self.systemMode = try reader.string(0, "sysmode").uppercased()
        var values: [Int] = []
        for index in 1..<max(1, fields.count) {
            values.append(try reader.integer(index, "value \(index)"))
        }
        self.values = values
    }

    /// Whether the module has service.
    public var hasService: Bool { systemMode != "NOSERVICE" && !values.isEmpty }

    /// RSSI in dBm, the first value in every mode with service.
    public var rssiDBm: Int? { values.first }

    /// LTE RSRP in dBm, or nil outside LTE.
    public var rsrpDBm: Int? { isLTE && values.count > 1 ? values[1] : nil }

    /// LTE SINR on Quectel's raw scale, or nil outside LTE.
    public var sinrRaw: Int? { isLTE && values.count > 2 ? values[2] : nil }

    /// LTE RSRQ in dB, or nil outside LTE.
    public var rsrqDB: Int? { isLTE && values.count > 3 ? values[3] : nil }

    private var isLTE: Bool {
        systemMode == "LTE" || systemMode == "CAT-M1" || systemMode == "CAT-NB1" || systemMode == "EMTC" || systemMode == "NBIOT"
    }

    public var line: String {
        ATFormat.line("+QCSQ", [ATFormat.quoted(systemMode)] + values.map(String.init))
    }
}
