/// The reply to `AT+CSQ`: `+CSQ: <rssi>,<ber>`.
///
/// `<rssi>` 99 means "not known or not detectable". It is never 0 % and never "no
/// coverage", so ``rssiDBm`` and ``percent`` are nil for it. Values from 100 to 191 (used
/// by TD-SCDMA modules) and other out-of-range values are kept raw and also read as nil.
/// 3GPP TS 27.007 §8.5
public struct SignalQuality: ATInformationResponse {
    public static let prefixes: Set<String> = ["+CSQ"]

    /// The raw `<rssi>`: 0-31, or 99 when unknown.
    public var rssi: Int
    /// The raw `<ber>` (RXQUAL 0-7), or 99 when unknown.
    public var bitErrorRate: Int

    /// Creates a reply from raw values.
    public init(rssi: Int, bitErrorRate: Int = 99) {
        self.rssi = rssi
        self.bitErrorRate = bitErrorRate
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        self.rssi = try reader.integer(0, "rssi")
        self.bitErrorRate = try reader.optionalInteger(1, "ber") ?? 99
    }

    /// Whether the modem reported a signal level.
    public var isKnown: Bool { (0...31).contains(rssi) }

    /// The received signal strength in dBm: 0 is -113 dBm or less, 31 is -51 dBm or more.
    public var rssiDBm: Int? {
        isKnown ? -113 + 2 * rssi : nil
    }

    /// The level as a percentage of the 0-31 scale, or nil when unknown.
    public var percent: Int? {
        isKnown ? (rssi * 100 + 15) / 31 : nil
    }

    public var line: String {
        ATFormat.line("+CSQ", [String(rssi), String(bitErrorRate)])
    }
}

/// The reply to `AT+CESQ`: `+CESQ: <rxlev>,<ber>,<rscp>,<ecno>,<rsrq>,<rsrp>`.
///
/// Each field belongs to one radio technology, and the others carry their "unknown"
/// value: 99 for `<rxlev>` and `<ber>`, 255 for the rest. The dBm and dB accessors return
/// the lower bound of the interval a value stands for (RSRP 0 is "below -140 dBm" and reads
/// as -141), and nil for unknown values.
/// 3GPP TS 27.007 §8.69
public struct ExtendedSignalQuality: ATInformationResponse {
    public static let prefixes: Set<String> = ["+CESQ"]

    /// GSM received signal level, 0-63, 99 when unknown.
    public var rxlev: Int
    /// GSM bit error rate (RXQUAL 0-7), 99 when unknown.
    public var bitErrorRate: Int
    /// UTRAN received signal code power, 0-96, 255 when unknown.
    public var rscp: Int
    /// UTRAN Ec/No, 0-49, 255 when unknown.
    public var ecno: Int
    /// E-UTRAN reference signal received quality, 0-34, 255 when unknown.
    public var rsrq: Int
    /// E-UTRAN reference signal received power, 0-97, 255 when unknown.
    public var rsrp: Int

    /// Creates a reply from raw values; the defaults are the "unknown" values.
    public init(rxlev: Int = 99, bitErrorRate: Int = 99, rscp: Int = 255, ecno: Int = 255, rsrq: Int = 255, rsrp: Int = 255) {
        self.rxlev = rxlev
        self.bitErrorRate = bitErrorRate
        self.rscp = rscp
        self.ecno = ecno
        self.rsrq = rsrq
        self.rsrp = rsrp
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        self.rxlev = try reader.integer(0, "rxlev")
        self.bitErrorRate = try reader.integer(1, "ber")
        self.rscp = try reader.integer(2, "rscp")
        self.ecno = try reader.integer(3, "ecno")
        self.rsrq = try reader.integer(4, "rsrq")
        self.rsrp = try reader.integer(5, "rsrp")
    }

    /// GSM received level in dBm (-111 to -48), or nil.
    public var rxlevDBm: Int? {
        (0...63).contains(rxlev) ? rxlev - 111 : nil
    }

    /// UTRAN RSCP in dBm (-121 to -25), or nil.
    public var rscpDBm: Int? {
        (0...96).contains(rscp) ? rscp - 121 : nil
    }

    /// UTRAN Ec/No in dB (-24.5 to 0), or nil.
    public var ecnoDB: Double? {
        (0...49).contains(ecno) ? Double(ecno) / 2 - 24.5 : nil
    }

    /// E-UTRAN RSRQ in dB (-20 to -3), or nil.
    public var rsrqDB: Double? {
        (0...34).contains(rsrq) ? Double(rsrq) / 2 - 20 : nil
    }

    /// E-UTRAN RSRP in dBm (-141 to -44), or nil.
    public var rsrpDBm: Int? {
        (0...97).contains(rsrp) ? rsrp - 141 : nil
    }

    /// Whether any technology reported a value.
    public var isKnown: Bool {
        rxlevDBm != nil || rscpDBm != nil || rsrpDBm != nil
    }

    public var line: String {
        ATFormat.line("+CESQ", [rxlev, bitErrorRate, rscp, ecno, rsrq, rsrp].map(String.init))
    }
}
