/// A network registration report: the read reply or the URC of `+CREG`, `+CGREG`,
/// `+CEREG` or `+C5GREG`.
///
/// The read reply (`AT+CREG?`) starts with the reporting mode: `+CREG: <n>,<stat>[,<lac>,
/// <ci>[,<AcT>...]]`. The URC leaves it out: `+CREG: <stat>[,<lac>,<ci>[,<AcT>...]]`. Both
/// share the prefix, so the parser distinguishes them by shape alone, with the rule in
/// ``Layout/init(fields:)``. The line classifier adds the in-flight command on top of it.
///
/// Accepted quirks, all from real modems: spaces inside fields (`2,1,  0 5, 2715`), leading
/// zeros (`002,001,"18d8","ffff"`), quoted or unquoted hexadecimal, an empty LAC
/// (`2,1,"","605F"`), state values above 5 (`2,11,...`), non-numeric AcT (`B`, read as
/// absent) and extra trailing fields, which are kept in ``additionalFields``.
/// 3GPP TS 27.007 §7.2, §10.1.20, §10.1.22, §10.1.23
public struct NetworkRegistration: ATInformationResponse {
    /// The registration domain, named by the command prefix.
    public enum Domain: String, Sendable, Hashable, CaseIterable {
        /// `+CREG`: circuit-switched (voice and SMS over CS).
        case circuitSwitched = "+CREG"
        /// `+CGREG`: GPRS packet-switched.
        case packetSwitched = "+CGREG"
        /// `+CEREG`: EPS (LTE).
        case eps = "+CEREG"
        /// `+C5GREG`: 5GS.
        case fiveGS = "+C5GREG"
    }

    /// The arrangement of fields in a registration line.
    public enum Layout: Sendable, Hashable {
        /// `<n>,<stat>[,...]`: the reply to the read command.
        case readReply
        /// `<stat>[,...]`: the unsolicited result code.
        case unsolicited

        /// Decides the layout from the fields alone.
        ///
        /// - 1 field: unsolicited (`<stat>`).
        /// - 2 fields: read reply (`<n>,<stat>`). A URC never carries a LAC without a CI.
        /// - 3 fields: unsolicited (`<stat>,<lac>,<ci>`). A read reply never has a LAC
        ///   without a CI either.
        /// - 4 or more: read reply when the first field is a valid `<n>` (a number from 0 to
        ///   5) and the second is a valid `<stat>` (an unquoted number of at most three
        ///   digits, from 0 to 11). Otherwise the line is unsolicited. A LAC or TAC is
        ///   printed with four hex digits or in quotes, so it fails the second test.
        ///   `1,"8BE3","2B5D",3` and `2, 0001, 00000100, 7` are URCs, and `2,1,8BE3,2BAF`
        ///   is a read reply.
        public init(fields: [ATField]) {
            switch fields.count {
            case 0, 1, 3:
                self = .unsolicited
            case 2:
                self = .readReply
            default:
                self = Self.isMode(fields[0]) && Self.isState(fields[1]) ? .readReply : .unsolicited
            }
        }

        private static func isMode(_ field: ATField) -> Bool {
            guard !field.isQuoted, let value = field.integer else {
                return false
            }
            return (0...5).contains(value)
        }

        private static func isState(_ field: ATField) -> Bool {
            guard case .bare(let text) = field else {
                return false
            }
            let digits = text.filter { !$0.isWhitespace }
            guard (1...3).contains(digits.count), digits.allSatisfy(\.isASCII), let value = Int(digits) else {
                return false
            }
            return (0...11).contains(value)
        }
    }

    public static let prefixes: Set<String> = Set(Domain.allCases.map(\.rawValue))

    /// The domain the line reports on.
    public var domain: Domain
    /// The reporting mode `<n>`, present only in a read reply.
    public var reportingMode: Int?
    /// The registration status.
    public var state: RegistrationState
    /// The location area code (CS, GPRS) or tracking area code (EPS, 5GS).
    public var areaCode: UInt64?
    /// The cell identity: 16 bits for GSM, 28 bits for UTRAN and E-UTRAN, 36 bits for NR.
    public var cellID: UInt64?
    /// The access technology of the serving cell.
    public var accessTechnology: AccessTechnology?
    /// Fields after `<AcT>`: RAC, cause type and reject cause, PSM timers or vendor data.
    public var additionalFields: [ATField]

    /// Creates a registration report.
    public init(
        domain: Domain,
        reportingMode: Int? = nil,
        state: RegistrationState,
        areaCode: UInt64? = nil,
        cellID: UInt64? = nil,
        accessTechnology: AccessTechnology? = nil,
        additionalFields: [ATField] = []
    ) {
        self.domain = domain
        self.reportingMode = reportingMode
        self.state = state
        self.areaCode = areaCode
        self.cellID = cellID
        self.accessTechnology = accessTechnology
        self.additionalFields = additionalFields
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        guard let domain = Domain(rawValue: prefix) else {
            throw ATProtocolError(.prefixMismatch(expected: "+CREG"), context: prefix, line: line)
        }
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        guard !fields.isEmpty else {
            throw reader.error(.missingField(name: "stat"))
        }

        let layout = Layout(fields: fields)
        let offset = layout == .readReply ? 1 : 0

        self.domain = domain
        self.reportingMode = layout == .readReply ? try reader.integer(0, "n") : nil
        self.state = RegistrationState(rawValue: try reader.optionalInteger(offset, "stat") ?? 4)
        self.areaCode = try reader.optionalHexadecimal(offset + 1, domain == .circuitSwitched || domain == .packetSwitched ? "lac" : "tac")
        self.cellID = try reader.optionalHexadecimal(offset + 2, "ci")

        // A non-numeric AcT, such as the `B` a Samsung S8500 prints, counts as absent.
        self.accessTechnology = reader[offset + 3].integer.map(AccessTechnology.init(rawValue:))
        self.additionalFields = fields.count > offset + 4 ? Array(fields[(offset + 4)...]) : []
    }

    /// The line in 27.007 form: a read reply when ``reportingMode`` is set, else a URC.
    ///
    /// The area code is printed with 4 hex digits and the cell ID with 4, 8 or 9 digits
    /// (see `cellIDDigits`), both in quotes.
    public var line: String {
        var parameters: [String] = []
        if let reportingMode {
            parameters.append(String(reportingMode))
        }
        parameters.append(String(state.rawValue))

        let hasLocation = areaCode != nil || cellID != nil || accessTechnology != nil || !additionalFields.isEmpty
        if hasLocation {
            parameters.append(areaCode.map { ATFormat.quoted(ATFormat.hexadecimal($0, digits: 4)) } ?? "")
            parameters.append(cellID.map { ATFormat.quoted(ATFormat.hexadecimal($0, digits: cellIDDigits($0))) } ?? "")
        }
        if accessTechnology != nil || !additionalFields.isEmpty {
            parameters.append(accessTechnology.map { String($0.rawValue) } ?? "")
        }
        parameters += additionalFields.map(\.description)
        return ATFormat.line(domain.rawValue, parameters)
    }

    /// Picks the printed width of a cell ID: 4 hex digits for a GSM cell (two octets), 8 for
    /// UTRAN and E-UTRAN cells (28 bits), 9 for NR cells (36 bits).
    private func cellIDDigits(_ value: UInt64) -> Int {
        if value > 0xFFFF_FFFF {
            return 9
        }
        let gsmTechnologies: Set<Int> = [0, 1, 3, 8]
        let isGSM = accessTechnology.map { gsmTechnologies.contains($0.rawValue) } ?? (domain == .circuitSwitched || domain == .packetSwitched)
        return isGSM && value <= 0xFFFF ? 4 : 8
    }
}
