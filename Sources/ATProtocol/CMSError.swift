/// A message service error from `+CMS ERROR: <err>`.
///
/// Codes 0-127 are RP-cause values from the network (3GPP TS 24.011 Annex E-2), codes
/// 128-255 are TP-Failure-Cause values from the service centre (3GPP TS 23.040 §9.2.3.22),
/// and codes 300-500 come from the modem itself. Codes from 512 up are vendor specific.
/// Modems report the error as a number or, with `AT+CMEE=2`, as text. Known text gets its
/// number and unknown text is kept with no number, as for ``CMEError``.
/// 3GPP TS 27.005 §3.2.5
public struct CMSError: Sendable, Hashable, CustomStringConvertible {
    /// The treatment a failed SMS submission calls for.
    public enum SendFailureKind: Sendable, Hashable {
        /// The network or modem is busy or briefly unavailable: retry with back-off.
        case temporary
        /// The destination, subscription or message itself is refused: retrying the same
        /// message cannot succeed, so fail it at once.
        case permanent
        /// The cause does not say (500, vendor codes, unlisted values): retry a small,
        /// bounded number of times.
        case unknown
    }

    /// The numeric error code, or nil when the modem sent text that is not in the table.
    public let code: Int?
    /// The text the modem sent in verbose mode, or nil in numeric mode.
    public let text: String?

    /// Creates an error from its number.
    public init(code: Int) {
        self.code = code
        self.text = nil
    }

    /// Parses the parameter of `+CMS ERROR:`, numeric or verbose.
    public init(parameter: some StringProtocol) {
        (code, text) = VerboseErrorText.parse(parameter, table: Self.codesByNormalizedText)
    }

    /// The standard meaning of ``code``, or nil if the code is not in the table.
    public var meaning: String? {
        code.flatMap { Self.meanings[$0] }
    }

    /// The parameter as a modem prints it: the number, or the text in verbose mode.
    public var parameter: String {
        if let text {
            return text
        }
        return code.map(String.init) ?? ""
    }

    /// The treatment of this error when it ends `AT+CMGS` or `AT+CMSS`.
    ///
    /// Temporary: 17, 38, 41, 42, 47 and 81 from the network, 192 SC busy, 194 SC system
    /// failure, 210 and 212 from the handset side, and the modem states 300, 301, 310-318
    /// (SIM), 320, 322, 330, 331 and 332. Permanent: the subscriber, barring and protocol
    /// causes (1, 8, 10, 21, 27-30, 50, 69, 95-99, 111, 127), the TP-FCS values that reject
    /// the message itself, and 303-305 and 321, which a resend of the same PDU repeats.
    /// Everything else, including 302 (some modems return it while SMS is still starting
    /// up) and 500, is unknown.
    ///
    /// 197 (duplicate message) is permanent because the service centre already holds the
    /// message. Sending it again would only repeat the rejection.
    public var sendFailureKind: SendFailureKind {
        guard let code else {
            return .unknown
        }
        if Self.temporaryCodes.contains(code) {
            return .temporary
        }
        if Self.permanentCodes.contains(code) {
            return .permanent
        }
        return .unknown
    }

    /// Whether the error describes the modem or SIM rather than the message.
    ///
    /// Such an error blocks every message on this modem until the device recovers, so the
    /// driver should run its recovery and raise an alarm instead of charging the retry to
    /// one message.
    public var isModemCondition: Bool {
        guard let code else {
            return false
        }
        return Self.modemConditionCodes.contains(code)
    }

    public var description: String {
        let summary = meaning ?? text ?? "unknown error"
        if let code {
            return "CMS error \(code) (\(summary))"
        }
        return "CMS error (\(summary))"
    }

    private static let temporaryCodes: Set<Int> = [
        17, 38, 41, 42, 47, 81, 192, 194, 210, 212,
        300, 301, 310, 311, 312, 313, 314, 315, 316, 317, 318, 320, 322, 330, 331, 332,
    ]

    private static let permanentCodes: Set<Int> = [
        1, 8, 10, 21, 27, 28, 29, 30, 50, 69, 95, 96, 97, 98, 99, 111, 127,
        128, 129, 130, 143, 144, 145, 159, 160, 161, 175, 176, 193, 195, 196, 197, 198, 199,
        303, 304, 305, 321,
    ]

    private static let modemConditionCodes: Set<Int> = [
        300, 301, 310, 311, 312, 313, 314, 315, 316, 317, 318, 320, 330,
    ]

    /// Standard meanings of the CMS error codes.
    /// 3GPP TS 27.005 §3.2.5, 3GPP TS 24.011 Annex E-2, 3GPP TS 23.040 §9.2.3.22
    public static let meanings: [Int: String] = [
        1: "unassigned (unallocated) number",
        8: "operator determined barring",
        10: "call barred",
        17: "network failure",
        21: "short message transfer rejected",
        22: "memory capacity exceeded",
        27: "destination out of order",
        28: "unidentified subscriber",
        29: "facility rejected",
        30: "unknown subscriber",
        38: "network out of order",
        41: "temporary failure",
        42: "congestion",
        47: "resources unavailable, unspecified",
        50: "requested facility not subscribed",
        69: "requested facility not implemented",
        81: "invalid short message transfer reference value",
        95: "semantically incorrect message",
        96: "invalid mandatory information",
        97: "message type non-existent or not implemented",
        98: "message not compatible with short message protocol state",
        99: "information element non-existent or not implemented",
        111: "protocol error, unspecified",
        127: "interworking, unspecified",
        128: "telematic interworking not supported",
        129: "short message type 0 not supported",
        130: "cannot replace short message",
        143: "unspecified TP-PID error",
        144: "data coding scheme (alphabet) not supported",
        145: "message class not supported",
        159: "unspecified TP-DCS error",
        160: "command cannot be actioned",
        161: "command unsupported",
        175: "unspecified TP-Command error",
        176: "TPDU not supported",
        192: "SC busy",
        193: "no SC subscription",
        194: "SC system failure",
        195: "invalid SME address",
        196: "destination SME barred",
        197: "SM rejected - duplicate SM",
        198: "TP-VPF not supported",
        199: "TP-VP not supported",
        208: "SIM SMS storage full",
        209: "no SMS storage capability in SIM",
        210: "error in MS",
        211: "memory capacity exceeded",
        212: "SIM Application Toolkit busy",
        213: "SIM data download error",
        255: "unspecified error cause",
        300: "ME failure",
        301: "SMS service of ME reserved",
        302: "operation not allowed",
        303: "operation not supported",
        304: "invalid PDU mode parameter",
        305: "invalid text mode parameter",
        310: "SIM not inserted",
        311: "SIM PIN required",
        312: "PH-SIM PIN required",
        313: "SIM failure",
        314: "SIM busy",
        315: "SIM wrong",
        316: "SIM PUK required",
        317: "SIM PIN2 required",
        318: "SIM PUK2 required",
        320: "memory failure",
        321: "invalid memory index",
        322: "memory full",
        330: "SMSC address unknown",
        331: "no network service",
        332: "network timeout",
        340: "no +CNMA acknowledgement expected",
        500: "unknown error",
    ]

    /// Verbose texts that modems print in place of the standard wording.
    private static let aliases: [String: Int] = [
        "destination out of service": 27,
        "invalid message, unspecified": 95,
        "resources unavailable": 47,
        "SMS service reserved": 301,
        "invalid PDU parameter": 304,
        "invalid text parameter": 305,
        "invalid index": 321,
        "no network": 331,
        "unknown": 500,
    ]

    private static let codesByNormalizedText: [String: Int] =
        VerboseErrorText.index(meanings: meanings, aliases: aliases)
}
