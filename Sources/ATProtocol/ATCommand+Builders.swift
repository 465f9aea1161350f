/// Builders for the commands the modem driver sends.
///
/// Each builder fills in the expected response and the kind, so the classifier and the
/// deadline are right without the caller knowing the details.
extension ATCommand {
    // MARK: General

    /// `AT`: checks that the modem responds.
    public static let attention = ATCommand("AT")
    /// `ATE0`: switches echo off, to be sent at every (re)connect.
    public static let echoOff = ATCommand("ATE0")
    /// `ATV1`: selects verbose result codes.
    public static let verboseResults = ATCommand("ATV1")
    /// `AT+CMEE=1`: reports errors as `+CME ERROR: <n>` numbers.
    public static let numericErrors = ATCommand("AT+CMEE=1")
    /// `ATI`: product identification.
    public static let identification = ATCommand("ATI", response: .text)
    /// `AT+CGMI`: manufacturer.
    public static let manufacturer = ATCommand("AT+CGMI", response: .text)
    /// `AT+CGMM`: model.
    public static let model = ATCommand("AT+CGMM", response: .text)
    /// `AT+CGMR`: firmware revision.
    public static let revision = ATCommand("AT+CGMR", response: .text)
    /// `AT+CGSN`: IMEI.
    public static let imei = ATCommand("AT+CGSN", response: .text)
    /// `AT+CIMI`: IMSI.
    public static let imsi = ATCommand("AT+CIMI", response: .text, kind: .sim)

    /// The ICCID query in a vendor's dialect.
    public enum ICCIDDialect: Sendable, Hashable {
        /// `AT+CCID` (27.007 style, SIM800 and others).
        case standard
        /// `AT+QCCID` (Quectel).
        case quectel
        /// `AT+CICCID` (SIMCom SIM7600).
        case simcom
    }

    /// Builds the ICCID query for `dialect`.
    public static func iccid(_ dialect: ICCIDDialect = .standard) -> ATCommand {
        switch dialect {
        case .standard: return ATCommand("AT+CCID", response: .text, kind: .sim)
        case .quectel: return ATCommand("AT+QCCID", response: .text, kind: .sim)
        case .simcom: return ATCommand("AT+CICCID", response: .text, kind: .sim)
        }
    }

    // MARK: SIM

    /// `AT+CPIN?`: SIM lock state.
    public static let readPINStatus = ATCommand("AT+CPIN?", response: .prefixed("+CPIN"), kind: .sim)

    /// Builds `AT+CPIN="<pin>"`. The command is marked sensitive, so its description hides
    /// the PIN.
    ///
    /// - Throws: ``ATProtocolError`` unless the PIN is 4 to 8 digits.
    public static func enterPIN(_ pin: String) throws(ATProtocolError) -> ATCommand {
        guard (4...8).contains(pin.count), pin.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ATProtocolError(.invalidArgument(name: "pin"), context: "+CPIN", line: String(repeating: "*", count: pin.count))
        }
        return ATCommand("AT+CPIN=\"\(pin)\"", kind: .sim, isSensitive: true)
    }

    /// `AT+CPINR="SIM PIN"`: remaining PIN attempts (27.007).
    public static let readPINRetries = ATCommand("AT+CPINR=\"SIM PIN\"", response: .prefixed("+CPINR"), kind: .sim)
    /// `AT+QPINC="SC"`: remaining PIN and PUK attempts (Quectel).
    public static let readQuectelPINCounters = ATCommand("AT+QPINC=\"SC\"", response: .prefixed("+QPINC"), kind: .sim)
    /// `AT+SPIC`: remaining PIN and PUK attempts (SIMCom).
    public static let readSIMComPINCounters = ATCommand("AT+SPIC", response: .prefixed("+SPIC"), kind: .sim)

    // MARK: Network

    /// `AT+CFUN?`: functionality level.
    public static let readFunctionality = ATCommand("AT+CFUN?", response: .prefixed("+CFUN"), kind: .network)

    /// Builds `AT+CFUN=<level>[,1]`; with `reset`, the modem restarts after `OK` and may
    /// re-enumerate on USB.
    public static func setFunctionality(_ level: Int, reset: Bool = false) -> ATCommand {
        ATCommand(reset ? "AT+CFUN=\(level),1" : "AT+CFUN=\(level)", kind: .network)
    }

    /// Builds the read command for a registration domain, such as `AT+CEREG?`.
    public static func readRegistration(_ domain: NetworkRegistration.Domain) -> ATCommand {
        ATCommand("AT\(domain.rawValue)?", response: .prefixed(domain.rawValue))
    }

    /// Builds `AT+CREG=<n>` (or the domain's command) to set URC reporting.
    public static func setRegistrationReporting(_ domain: NetworkRegistration.Domain, mode: Int) -> ATCommand {
        ATCommand("AT\(domain.rawValue)=\(mode)")
    }

    /// `AT+CSQ`: signal quality.
    public static let readSignalQuality = ATCommand("AT+CSQ", response: .prefixed("+CSQ"))
    /// `AT+CESQ`: extended signal quality.
    public static let readExtendedSignalQuality = ATCommand("AT+CESQ", response: .prefixed("+CESQ"))
    /// `AT+QCSQ`: Quectel signal report.
    public static let readQuectelSignal = ATCommand("AT+QCSQ", response: .prefixed("+QCSQ"))
    /// `AT+QENG="servingcell"`: Quectel serving cell.
    public static let readQuectelServingCell = ATCommand("AT+QENG=\"servingcell\"", response: .prefixed("+QENG"))
    /// `AT+CPSI?`: SIMCom system information.
    public static let readSIMComSystemInfo = ATCommand("AT+CPSI?", response: .prefixed("+CPSI"))
    /// `AT+COPS?`: current operator.
    public static let readOperator = ATCommand("AT+COPS?", response: .prefixed("+COPS"), kind: .network)
    /// `AT+COPS=?`: operator scan, which takes minutes.
    public static let scanOperators = ATCommand("AT+COPS=?", response: .prefixed("+COPS"), kind: .networkScan)
    /// `AT+COPS=3,2`: report the operator in numeric form.
    public static let numericOperatorFormat = ATCommand("AT+COPS=3,2", kind: .network)

    // MARK: SMS settings

    /// Builds `AT+CMGF=<mode>`.
    public static func setMessageFormat(_ format: MessageFormat) -> ATCommand {
        ATCommand("AT+CMGF=\(format.rawValue)")
    }

    /// `AT+CMGF?`.
    public static let readMessageFormat = ATCommand("AT+CMGF?", response: .prefixed("+CMGF"))

    /// Builds `AT+CSCS="<name>"`.
    public static func setCharacterSet(_ name: String) -> ATCommand {
        ATCommand("AT+CSCS=\"\(name)\"")
    }

    /// `AT+CSCS?`.
    public static let readCharacterSet = ATCommand("AT+CSCS?", response: .prefixed("+CSCS"))
    /// `AT+CSCA?`: service centre address.
    public static let readServiceCentre = ATCommand("AT+CSCA?", response: .prefixed("+CSCA"), kind: .sim)

    /// Builds `AT+CSCA="<address>",<type>`.
    ///
    /// - Throws: ``ATProtocolError`` unless the address is a dial string of 3 to 20
    ///   characters (`+` then digits).
    public static func setServiceCentre(_ address: String, typeOfAddress: Int = 145) throws(ATProtocolError) -> ATCommand {
        let digits = address.hasPrefix("+") ? address.dropFirst() : Substring(address)
        guard (3...20).contains(digits.count), digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw ATProtocolError(.invalidArgument(name: "sca"), context: "+CSCA", line: address)
        }
        return ATCommand("AT+CSCA=\"\(address)\",\(typeOfAddress)", kind: .sim)
    }

    /// Builds `AT+CSMP=<fo>,<vp>,<pid>,<dcs>`.
    public static func setTextModeParameters(firstOctet: Int, validityPeriod: Int, protocolIdentifier: Int, dataCodingScheme: Int) -> ATCommand {
        ATCommand("AT+CSMP=\(firstOctet),\(validityPeriod),\(protocolIdentifier),\(dataCodingScheme)")
    }

    /// `AT+CPMS?`: preferred storage and its occupancy.
    public static let readPreferredStorage = ATCommand("AT+CPMS?", response: .prefixed("+CPMS"), kind: .smsStorage)
    /// `AT+CPMS=?`: supported storages.
    public static let testPreferredStorage = ATCommand("AT+CPMS=?", response: .prefixed("+CPMS"), kind: .smsStorage)

    /// Builds `AT+CPMS="<mem1>"[,"<mem2>"[,"<mem3>"]]`, which replies with the occupancy.
    public static func setPreferredStorage(_ memories: [String]) -> ATCommand {
        let list = memories.map { "\"\($0)\"" }.joined(separator: ",")
        return ATCommand("AT+CPMS=\(list)", response: .prefixed("+CPMS"), kind: .smsStorage)
    }

    /// Builds `AT+CNMI=<mode>,<mt>,<bm>,<ds>,<bfr>`. The default stores new messages and
    /// sends `+CMTI`, and sends status reports directly as `+CDS`.
    public static func setNewMessageIndications(mode: Int = 2, messageIndication: Int = 1, broadcastIndication: Int = 0, statusReportIndication: Int = 2, bufferHandling: Int = 0) -> ATCommand {
        ATCommand("AT+CNMI=\(mode),\(messageIndication),\(broadcastIndication),\(statusReportIndication),\(bufferHandling)")
    }

    /// Builds `AT+CMMS=<n>`: keep the relay link open between messages.
    public static func setMoreMessagesToSend(_ mode: Int) -> ATCommand {
        ATCommand("AT+CMMS=\(mode)")
    }

    // MARK: SMS transfer

    /// Builds `AT+CMGS=<length>` with the PDU as payload.
    ///
    /// The length is the TPDU length in octets, without the SMSC address that leads the
    /// PDU, and is computed here from the PDU: for `0011000D91...`, whose first octet 00 marks
    /// the SMSC address as empty, it is the octet count minus one.
    ///
    /// - Throws: ``ATProtocolError`` when the PDU is not an even number of hex digits, its
    ///   SMSC length runs past its end, or its TPDU is empty or longer than 176 octets.
    /// 3GPP TS 27.005 §3.5.1
    public static func sendPDU(_ pdu: String) throws(ATProtocolError) -> ATCommand {
        let length = try tpduLength(of: pdu)
        return ATCommand("AT+CMGS=\(length)", response: .prefixed("+CMGS"), kind: .smsSend, payload: pdu.uppercased())
    }

    /// Builds `AT+CMSS=<index>`: send a stored message.
    public static func sendStored(index: Int) -> ATCommand {
        ATCommand("AT+CMSS=\(index)", response: .prefixed("+CMSS"), kind: .smsSend)
    }

    /// Builds `AT+CMGR=<index>`.
    public static func readMessage(index: Int) -> ATCommand {
        ATCommand("AT+CMGR=\(index)", response: .prefixed("+CMGR"), kind: .smsStorage)
    }

    /// Builds `AT+CMGL=<stat>` in PDU mode, such as `AT+CMGL=4` for all messages.
    public static func listMessages(_ status: MessageStatus = .all) -> ATCommand {
        ATCommand("AT+CMGL=\(status.rawValue)", response: .prefixed("+CMGL"), kind: .smsStorage)
    }

    /// Builds `AT+CMGL="<stat>"` in text mode, such as `AT+CMGL="ALL"`.
    public static func listTextMessages(_ status: MessageStatus = .all) -> ATCommand {
        ATCommand("AT+CMGL=\"\(status.text)\"", response: .prefixed("+CMGL"), kind: .smsStorage)
    }

    /// Builds `AT+CMGD=<index>[,<delflag>]`.
    public static func deleteMessage(index: Int, flag: Int? = nil) -> ATCommand {
        ATCommand(flag.map { "AT+CMGD=\(index),\($0)" } ?? "AT+CMGD=\(index)", kind: .smsStorage)
    }

    /// `AT+CMGD=?`: occupied indexes and supported delete flags.
    public static let testDeleteMessage = ATCommand("AT+CMGD=?", response: .prefixed("+CMGD"), kind: .smsStorage)

    /// `AT+CNMA`: acknowledges a `+CMT` or `+CDS` delivered directly (phase 2+).
    public static let acknowledgeNewMessage = ATCommand("AT+CNMA")

    /// Computes the TPDU length of a hex PDU that starts with its SMSC address.
    static func tpduLength(of pdu: String) throws(ATProtocolError) -> Int {
        let characters = Array(pdu)
        guard characters.count >= 4, characters.count % 2 == 0, characters.allSatisfy({ $0.isASCII && $0.isHexDigit }) else {
            throw ATProtocolError(.invalidArgument(name: "pdu"), context: "+CMGS", line: pdu)
        }
        guard let smscLength = Int(String(characters[0..<2]), radix: 16) else {
            throw ATProtocolError(.invalidArgument(name: "pdu"), context: "+CMGS", line: pdu)
        }
        let tpduLength = characters.count / 2 - 1 - smscLength
        guard (1...176).contains(tpduLength) else {
            throw ATProtocolError(.invalidArgument(name: "pdu"), context: "+CMGS", line: pdu)
        }
        return tpduLength
    }
}
