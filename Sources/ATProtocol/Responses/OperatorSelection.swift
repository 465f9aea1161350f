/// The reply to `AT+COPS?`: `+COPS: <mode>[,<format>,<oper>[,<AcT>]]`.
///
/// With no network the reply is `+COPS: 0` or `+COPS: 2` only.
/// 3GPP TS 27.007 §7.3
public struct OperatorSelection: ATInformationResponse {
    public static let prefixes: Set<String> = ["+COPS"]

    /// The selection mode: 0 automatic, 1 manual, 2 deregistered, 4 manual then automatic.
    public var mode: Int
    /// The operator name format: 0 long alphanumeric, 1 short alphanumeric, 2 numeric.
    public var format: Int?
    /// The operator, in ``format``.
    public var operatorName: String?
    /// The access technology of the serving cell.
    public var accessTechnology: AccessTechnology?

    /// Creates a reply.
    public init(mode: Int, format: Int? = nil, operatorName: String? = nil, accessTechnology: AccessTechnology? = nil) {
        self.mode = mode
        self.format = format
        self.operatorName = operatorName
        self.accessTechnology = accessTechnology
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        guard !(fields.first.map { if case .list = $0 { true } else { false } } ?? false) else {
            throw reader.error(.malformedLine)
        }
        self.mode = try reader.integer(0, "mode")
        let format = try reader.optionalInteger(1, "format")
        let accessTechnology = try reader.optionalInteger(3, "AcT").map(AccessTechnology.init(rawValue:))
        let operatorName = reader.optionalString(2)
        // TS 27.007 sends the format, the operator and AcT together. A format without an
        // operator (`+COPS: 1,2,`) or an operator without a readable format names nothing
        // usable, so both are dropped, as `line` drops them.
        let complete = format != nil && operatorName != nil
        self.format = complete ? format : nil
        self.operatorName = complete ? operatorName : nil
        self.accessTechnology = complete ? accessTechnology : nil
    }

    public var line: String {
        var parameters = [String(mode)]
        if let format, let operatorName {
            parameters.append(String(format))
            parameters.append(ATFormat.quoted(operatorName))
            if let accessTechnology {
                parameters.append(String(accessTechnology.rawValue))
            }
        }
        return ATFormat.line("+COPS", parameters)
    }
}

/// The reply to `AT+COPS=?`: the networks found by a scan, then the supported modes and
/// formats.
///
/// Example: `+COPS: (2,"CHINA MOBILE","CMCC","46000",7),(1,"CHN-UNICOM","UNICOM","46001",7),,
/// (0-4),(0-2)`. Each network is a parenthesised list of status, long name, short name,
/// numeric code and optional AcT. Parsing stops at the empty field that separates the
/// networks from the mode lists.
/// 3GPP TS 27.007 §7.3
public struct OperatorScan: ATInformationResponse {
    /// One network found by the scan.
    public struct Network: Sendable, Hashable {
        /// 0 unknown, 1 available, 2 current, 3 forbidden.
        public var status: Int
        public var longName: String
        public var shortName: String
        /// The numeric code: MCC and MNC, such as `46000`.
        public var numericCode: String
        public var accessTechnology: AccessTechnology?

        public init(status: Int, longName: String, shortName: String, numericCode: String, accessTechnology: AccessTechnology? = nil) {
            self.status = status
            self.longName = longName
            self.shortName = shortName
            self.numericCode = numericCode
            self.accessTechnology = accessTechnology
        }
    }

    public static let prefixes: Set<String> = ["+COPS"]

    /// The networks in the order the modem listed them.
    public var networks: [Network]
    /// The selection modes the modem supports.
    public var supportedModes: [Int]
    /// The name formats the modem supports.
    public var supportedFormats: [Int]

    /// Creates a scan result.
    public init(networks: [Network], supportedModes: [Int] = [0, 1, 2, 3, 4], supportedFormats: [Int] = [0, 1, 2]) {
        self.networks = networks
        self.supportedModes = supportedModes
        self.supportedFormats = supportedFormats
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let context = prefix
        var networks: [Network] = []
        var index = 0

        while index < fields.count, case .list(let items) = fields[index] {
            let reader = FieldReader(fields: items, context: context, line: line)
            // Lists of integers only are the mode and format lists, which follow the networks.
            if items.count < 4 {
                break
            }
            networks.append(
                Network(
                    status: try reader.integer(0, "stat"),
                    longName: reader.optionalString(1) ?? "",
                    shortName: reader.optionalString(2) ?? "",
                    numericCode: try reader.string(3, "numeric"),
                    accessTechnology: try reader.optionalInteger(4, "AcT").map(AccessTechnology.init(rawValue:))
                ))
            index += 1
        }

        let remaining = fields[index...].filter { !$0.isBlank }
        self.networks = networks
        self.supportedModes = remaining.count > 0 ? remaining[remaining.startIndex].allowedIntegers : []
        self.supportedFormats = remaining.count > 1 ? remaining[remaining.startIndex + 1].allowedIntegers : []
    }

    public var line: String {
        var parameters = networks.map { network in
            var items = [
                String(network.status), ATFormat.quoted(network.longName), ATFormat.quoted(network.shortName),
                ATFormat.quoted(network.numericCode),
            ]
            if let accessTechnology = network.accessTechnology {
                items.append(String(accessTechnology.rawValue))
            }
            return "(" + items.joined(separator: ",") + ")"
        }
        parameters.append("")
        parameters.append(Self.integerList(supportedModes))
        parameters.append(Self.integerList(supportedFormats))
        return ATFormat.line("+COPS", parameters)
    }

    private static func integerList(_ values: [Int]) -> String {
        guard let first = values.first, let last = values.last else {
            return "()"
        }
        // Compared in place: two values far apart must not build the range between them.
        let (span, overflow) = last.subtractingReportingOverflow(first)
        if first < last, !overflow, span == values.count - 1, values.enumerated().allSatisfy({ $0.element == first + $0.offset }) {
            return "(\(first)-\(last))"
        }
        return "(" + values.map(String.init).joined(separator: ",") + ")"
    }
}
