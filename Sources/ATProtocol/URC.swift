/// The unsolicited result codes the classifier recognises, from 27.007, 27.005 and vendors.
///
/// Each kind states how its lines are matched, whether a second line (a PDU or message
/// text) belongs to it, and whether the same prefix is also the information text of a
/// command, in which case only the command in flight and the shape of the line decide.
/// 3GPP TS 27.007 §7-§10, 3GPP TS 27.005 §3.4.1
public enum URCKind: String, Sendable, Hashable, CaseIterable {
    // 27.005 message indications.
    case messageStored = "+CMTI"
    case messageDelivered = "+CMT"
    case statusReport = "+CDS"
    case statusReportStored = "+CDSI"
    case cellBroadcast = "+CBM"
    case cellBroadcastStored = "+CBMI"

    // 27.007 registration, calls, SIM, functionality, network time, indicators, USSD.
    case circuitRegistration = "+CREG"
    case packetRegistration = "+CGREG"
    case epsRegistration = "+CEREG"
    case fiveGSRegistration = "+C5GREG"
    case ring = "RING"
    case cellularRing = "+CRING"
    case callingLine = "+CLIP"
    case simStatus = "+CPIN"
    case functionality = "+CFUN"
    case timeZone = "+CTZV"
    case timeZoneExtended = "+CTZE"
    case indicatorEvent = "+CIEV"
    case ussd = "+CUSD"
    case packetDomainEvent = "+CGEV"
    case signalQuality = "+CSQ"

    // Start-up and shutdown notices.
    case ready = "RDY"
    case smsReady = "SMS READY"
    case callReady = "CALL READY"
    case smsDone = "SMS DONE"
    case phonebookDone = "PB DONE"
    case poweredDown = "POWERED DOWN"
    case normalPowerDown = "NORMAL POWER DOWN"
    case systemStart = "^SYSSTART"
    case atReady = "*ATREADY"
    case simToolkit = "+STIN"
    case serviceProviderSelection = "+PACSP"

    // Quectel.
    case quectelIndication = "+QIND"
    case quectelSIMStatus = "+QUSIM"
    case quectelNetworkTime = "+QNITZ"

    // SIMCom.
    case simcomSystemInfo = "+CPSI"

    // Huawei.
    case huaweiSignal = "^RSSI"
    case huaweiBoot = "^BOOT"
    case huaweiMode = "^MODE"

    /// The rule that matches a line against a kind.
    enum Matching {
        /// The line is `<prefix>: ...`.
        case prefixed
        /// The whole line equals the text, ignoring case.
        case exact
        /// The line starts with the text, ignoring case (`+PACSP1`, `^SYSSTART AIRPLANE MODE`).
        case startsWith
    }

    var matching: Matching {
        switch self {
        case .ring, .ready, .smsReady, .callReady, .smsDone, .phonebookDone, .poweredDown, .normalPowerDown:
            return .exact
        case .systemStart, .atReady, .serviceProviderSelection:
            return .startsWith
        default:
            return .prefixed
        }
    }

    /// Whether a command's information text uses the same prefix.
    ///
    /// For these kinds a line is the reply of the command in flight when that command
    /// expects this prefix and the line has the reply's shape (see ``ATLineClassifier``).
    public var isSharedWithReply: Bool {
        switch self {
        case .circuitRegistration, .packetRegistration, .epsRegistration, .fiveGSRegistration,
            .simStatus, .functionality, .callingLine, .ussd, .simcomSystemInfo, .signalQuality:
            return true
        default:
            return false
        }
    }

    /// Returns whether a line with these fields is followed by a second line of its own.
    ///
    /// `+CMT` and `+CBM` always are. `+CDS` is only in PDU mode (one field), because a
    /// text-mode status report fits on one line.
    func hasBody(fields: [ATField]) -> Bool {
        switch self {
        case .messageDelivered, .cellBroadcast:
            return true
        case .statusReport:
            return fields.count <= 1
        default:
            return false
        }
    }

    /// Returns whether the body of a line with these fields must be a hex PDU.
    func hasHexBody(fields: [ATField]) -> Bool {
        switch self {
        case .messageDelivered:
            return fields.count <= 2
        case .cellBroadcast, .statusReport:
            return fields.count <= 1
        default:
            return false
        }
    }

    private static let prefixedKinds: [String: URCKind] = Dictionary(
        uniqueKeysWithValues: allCases.filter { $0.matching == .prefixed }.map { ($0.rawValue, $0) })

    /// Finds the kind of a trimmed line, or nil if it is not a known URC.
    static func match(_ text: Substring, prefixed: ATPrefixedLine?) -> URCKind? {
        if let prefixed, let kind = prefixedKinds[prefixed.prefix] {
            return kind
        }
        let upper = text.uppercased()
        for kind in allCases {
            switch kind.matching {
            case .exact where upper == kind.rawValue:
                return kind
            case .startsWith where upper.hasPrefix(kind.rawValue):
                return kind
            default:
                continue
            }
        }
        return nil
    }
}

/// An unsolicited result code, with its body line when it has one.
public struct URC: Sendable, Hashable, CustomStringConvertible {
    /// The kind of the code.
    public let kind: URCKind
    /// The first line, without surrounding whitespace.
    public let line: String
    /// The second line of `+CMT`, `+CDS` or `+CBM`: the PDU in hex or the message text. Nil
    /// for one-line codes, and for a PDU-mode header whose next line was not hex.
    public let body: String?

    /// Creates a URC.
    public init(kind: URCKind, line: String, body: String? = nil) {
        self.kind = kind
        self.line = line
        self.body = body
    }

    /// The fields after the colon, or none for a bare code such as `RING`.
    public var fields: [ATField] {
        ATPrefixedLine(line)?.fields ?? []
    }

    /// The registration report, for the `+CREG` family.
    public var registration: NetworkRegistration? {
        try? NetworkRegistration(line: line)
    }

    /// The storage notice, for `+CMTI`, `+CDSI` and `+CBMI`.
    public var storedMessage: StoredMessageIndication? {
        try? StoredMessageIndication(line: line)
    }

    /// The message header, for `+CMT`, `+CDS` and `+CBM`.
    public var messageHeader: MessageHeader? {
        try? MessageHeader(line: line)
    }

    /// The SIM state, for `+CPIN`.
    public var pinStatus: PINStatus? {
        try? PINStatus(line: line)
    }

    /// The line and body with digit runs masked, safe for logs.
    public var description: String {
        let summary = body.map { line + " | " + $0 } ?? line
        return ATProtocolError.masked(summary)
    }
}
