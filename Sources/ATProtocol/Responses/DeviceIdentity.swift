/// Readers for the identification replies: `AT+CGMI`, `AT+CGMM`, `AT+CGMR`, `AT+CGSN`,
/// `AT+CIMI`, the ICCID commands and `ATI`.
///
/// Vendors disagree on the shape. Some print the bare value (`Quectel`), some add the
/// prefix (`+CGMR: LE11B08SIM7600M22`), and some quote it (`"E2"`). SIM800 replies to
/// `AT+CCID` with the bare ICCID, Quectel replies to `AT+QCCID` with `+QCCID: <iccid>`,
/// and SIMCom to `AT+CICCID` with `+ICCID: <iccid>`. These readers accept all of them.
/// 3GPP TS 27.007 §5.1-§5.6, ITU-T V.250 §6.1.3
public enum DeviceIdentity {
    /// The prefixes an ICCID may follow.
    public static let iccidPrefixes: Set<String> = ["+CCID", "+QCCID", "+ICCID"]

    /// Returns the value of a one-value reply, from its information lines.
    ///
    /// The first non-empty line is used. A known prefix (`+CGMI`, `+GMI`, `+CGMR`...) is
    /// removed, and so are surrounding quotes.
    ///
    /// - Throws: ``ATProtocolError`` when no line carries a value.
    public static func value(in lines: [String], context: String) throws(ATProtocolError) -> String {
        for line in lines {
            let trimmed = ATLine.trim(Substring(line))
            guard !trimmed.isEmpty else {
                continue
            }
            var value = trimmed
            if let prefixed = ATPrefixedLine(trimmed) {
                value = prefixed.parameters
            }
            value = ATLine.trim(value)
            if value.count >= 2, value.first == "\"", value.last == "\"" {
                value = value.dropFirst().dropLast()
            }
            guard !value.isEmpty else {
                continue
            }
            return String(value)
        }
        throw ATProtocolError(.missingField(name: "value"), context: context, line: lines.joined(separator: " | "))
    }

    /// Returns the IMEI from an `AT+CGSN` reply: the first run of 14 to 17 digits.
    ///
    /// Some modules append a serial number after a comma (`129512359199159,SE393939TS`),
    /// which is ignored.
    /// - Throws: ``ATProtocolError`` when no line carries such a digit run.
    public static func imei(in lines: [String]) throws(ATProtocolError) -> String {
        try digitRun(in: lines, lengths: 14...17, context: "+CGSN")
    }

    /// Returns the IMSI from an `AT+CIMI` reply: the first run of 6 to 15 digits.
    /// - Throws: ``ATProtocolError`` when no line carries such a digit run.
    public static func imsi(in lines: [String]) throws(ATProtocolError) -> String {
        try digitRun(in: lines, lengths: 6...15, context: "+CIMI")
    }

    /// Returns the ICCID from an `AT+CCID`, `AT+QCCID` or `AT+CICCID` reply.
    ///
    /// An ICCID has 18 to 22 characters: digits, and on some SIMs a trailing `F` filler or
    /// hex digits. The value is returned in upper case.
    /// - Throws: ``ATProtocolError`` when no line carries an ICCID.
    public static func iccid(in lines: [String]) throws(ATProtocolError) -> String {
        for line in lines {
            let value = (try? Self.value(in: [line], context: "+CCID")) ?? ""
            let candidate = value.uppercased()
            guard (18...22).contains(candidate.count), candidate.allSatisfy(\.isHexDigit), candidate.prefix(2).allSatisfy(\.isNumber) else {
                continue
            }
            return candidate
        }
        throw ATProtocolError(.missingField(name: "iccid"), context: "+CCID", line: lines.joined(separator: " | "))
    }

    private static func digitRun(in lines: [String], lengths: ClosedRange<Int>, context: String) throws(ATProtocolError) -> String {
        for line in lines {
            var run = ""
            for character in line + " " {
                if character.isASCII, character.isNumber {
                    run.append(character)
                    continue
                }
                if lengths.contains(run.count) {
                    return run
                }
                run = ""
            }
        }
        throw ATProtocolError(.missingField(name: context == "+CGSN" ? "imei" : "imsi"), context: context, line: lines.joined(separator: " | "))
    }
}

/// The product identification from `ATI`.
///
/// SIMCom and Huawei print labelled lines (`Manufacturer: SIMCOM INCORPORATED`,
/// `Model: SIMCOM_SIM7600CE-T`, `Revision: ...`, `IMEI: ...`). Quectel prints the
/// manufacturer, the model and then `Revision: EC25EFAR06A06M4G` on three lines. Labelled
/// lines win. Otherwise the first two unlabelled lines are the manufacturer and model.
/// ITU-T V.250 §6.1.3
public struct ProductIdentification: Sendable, Hashable {
    public var manufacturer: String?
    public var model: String?
    public var revision: String?
    /// The IMEI, when the module prints it.
    public var imei: String?

    /// Creates an identification from its parts.
    public init(manufacturer: String? = nil, model: String? = nil, revision: String? = nil, imei: String? = nil) {
        self.manufacturer = manufacturer
        self.model = model
        self.revision = revision
        self.imei = imei
    }

    /// Parses the information lines of an `ATI` reply.
    public init(lines: [String]) {
        var unlabelled: [String] = []
        for line in lines {
            let trimmed = String(ATLine.trim(Substring(line)))
            guard !trimmed.isEmpty else {
                continue
            }
            guard let colon = trimmed.firstIndex(of: ":"), !trimmed.hasPrefix("+") else {
                if !trimmed.hasPrefix("+") {
                    unlabelled.append(trimmed)
                }
                continue
            }
            let label = trimmed[..<colon].lowercased()
            let value = String(ATLine.trim(trimmed[trimmed.index(after: colon)...]))
            switch label {
            case "manufacturer": manufacturer = value
            case "model": model = value
            case "revision": revision = value
            case "imei": imei = value
            default: break
            }
        }
        if manufacturer == nil, unlabelled.count > 0 {
            manufacturer = unlabelled[0]
        }
        if model == nil, unlabelled.count > 1 {
            model = unlabelled[1]
        }
    }

    /// The information lines in SIMCom's labelled form.
    public var lines: [String] {
        var lines: [String] = []
        if let manufacturer { lines.append("Manufacturer: \(manufacturer)") }
        if let model { lines.append("Model: \(model)") }
        if let revision { lines.append("Revision: \(revision)") }
        if let imei { lines.append("IMEI: \(imei)") }
        return lines
    }
}
