/// A mobile termination error from `+CME ERROR: <err>`.
///
/// Modems report it as a number (`AT+CMEE=1`) or as text (`AT+CMEE=2`). Text that matches a
/// standard meaning gets its number, compared case-insensitively and ignoring punctuation,
/// so `SIM PIN required` and `sim pin required` both become 11. Unknown text is kept as is
/// with no number.
/// 3GPP TS 27.007 §9.2
public struct CMEError: Sendable, Hashable, CustomStringConvertible {
    /// The numeric error code, or nil when the modem sent text that is not in the table.
    public let code: Int?
    /// The text the modem sent in verbose mode, or nil in numeric mode.
    public let text: String?

    /// Creates an error from its number.
    public init(code: Int) {
        self.code = code
        self.text = nil
    }

    /// Parses the parameter of `+CME ERROR:`, numeric or verbose.
    public init(parameter: some StringProtocol) {
        (code, text) = VerboseErrorText.parse(parameter, table: Self.codesByNormalizedText)
    }

    /// The standard meaning of ``code``, or nil if the code is not in the table.
    public var meaning: String? {
        code.flatMap { Self.meanings[$0] }
    }

    /// Whether the SIM rejected a PIN or PUK (`incorrect password`).
    ///
    /// A driver must never resend the same PIN after this error: three wrong PINs block the
    /// SIM behind its PUK.
    public var isIncorrectPassword: Bool { code == 16 }

    /// Whether the error reports that the SIM is missing, locked or not ready.
    public var isSIMProblem: Bool {
        guard let code else {
            return false
        }
        return [5, 6, 7, 10, 11, 12, 13, 14, 15, 17, 18, 48].contains(code)
    }

    /// The parameter as a modem prints it: the number, or the text in verbose mode.
    public var parameter: String {
        if let text {
            return text
        }
        return code.map(String.init) ?? ""
    }

    public var description: String {
        let summary = meaning ?? text ?? "unknown error"
        if let code {
            return "CME error \(code) (\(summary))"
        }
        return "CME error (\(summary))"
    }

    /// Standard meanings of the CME error codes.
    /// 3GPP TS 27.007 §9.2.1 (general errors), §9.2.2 (GPRS, EPS and 5GS errors)
    public static let meanings: [Int: String] = [
        0: "phone failure",
        1: "no connection to phone",
        2: "phone-adaptor link reserved",
        3: "operation not allowed",
        4: "operation not supported",
        5: "PH-SIM PIN required",
        6: "PH-FSIM PIN required",
        7: "PH-FSIM PUK required",
        10: "SIM not inserted",
        11: "SIM PIN required",
        12: "SIM PUK required",
        13: "SIM failure",
        14: "SIM busy",
        15: "SIM wrong",
        16: "incorrect password",
        17: "SIM PIN2 required",
        18: "SIM PUK2 required",
        20: "memory full",
        21: "invalid index",
        22: "not found",
        23: "memory failure",
        24: "text string too long",
        25: "invalid characters in text string",
        26: "dial string too long",
        27: "invalid characters in dial string",
        30: "no network service",
        31: "network timeout",
        32: "network not allowed - emergency calls only",
        40: "network personalization PIN required",
        41: "network personalization PUK required",
        42: "network subset personalization PIN required",
        43: "network subset personalization PUK required",
        44: "service provider personalization PIN required",
        45: "service provider personalization PUK required",
        46: "corporate personalization PIN required",
        47: "corporate personalization PUK required",
        48: "hidden key required",
        49: "EAP method not supported",
        50: "incorrect parameters",
        51: "command implemented but currently disabled",
        52: "command aborted by user",
        53: "not attached to network due to MT functionality restrictions",
        54: "modem not allowed - MT restricted to emergency calls only",
        55: "operation not allowed because of MT functionality restrictions",
        56: "fixed dial number only allowed - called number is not a fixed dial number",
        57: "temporarily out of service due to other MT usage",
        58: "language/alphabet not supported",
        59: "unexpected data value",
        60: "system failure",
        61: "data missing",
        62: "call barred",
        63: "message waiting indication subscription failure",
        100: "unknown",
        102: "IMSI unknown in HLR",
        103: "illegal MS",
        104: "IMSI unknown in VLR",
        105: "IMEI not accepted",
        106: "illegal ME",
        107: "GPRS services not allowed",
        108: "GPRS services and non-GPRS services not allowed",
        109: "MS identity cannot be derived by the network",
        110: "implicitly detached",
        111: "PLMN not allowed",
        112: "location area not allowed",
        113: "roaming not allowed in this location area",
        114: "GPRS services not allowed in this PLMN",
        115: "no suitable cells in location area",
        116: "MSC temporarily not reachable",
        117: "network failure",
        118: "CS domain not available",
        119: "ESM failure",
        122: "congestion",
        124: "MBMS bearer capabilities insufficient for the service",
        125: "not authorized for this CSG",
        126: "insufficient resources",
        127: "missing or unknown APN",
        128: "unknown PDP address or PDP type",
        129: "user authentication or authorization failed",
        130: "activation rejected by GGSN, Serving GW or PDN GW",
        131: "activation rejected, unspecified",
        132: "service option not supported",
        133: "requested service option not subscribed",
        134: "service option temporarily out of order",
        135: "NSAPI already used",
        136: "regular deactivation",
        137: "QoS not accepted",
        138: "call cannot be identified",
        139: "CS service temporarily not available",
        140: "feature not supported",
        141: "semantic error in the TFT operation",
        142: "syntactical error in the TFT operation",
        143: "unknown PDP context",
        144: "semantic errors in packet filter(s)",
        145: "syntactical errors in packet filter(s)",
        146: "PDP context without TFT already activated",
        147: "multicast group membership time-out",
        148: "unspecified GPRS error",
        149: "PDP authentication failure",
        150: "invalid mobile class",
        151: "last PDN disconnection not allowed (legacy)",
        171: "last PDN disconnection not allowed",
        172: "semantically incorrect message",
        173: "invalid mandatory information",
        174: "message type non-existent or not implemented",
        175: "conditional IE error",
        176: "unspecified protocol error",
        177: "operator determined barring",
        178: "maximum number of PDP contexts reached",
        179: "requested APN not supported in current RAT and PLMN combination",
        180: "request rejected, bearer control mode violation",
        181: "unsupported QCI value",
        182: "user data transmission via control plane is congested",
        183: "SMS provided via GPRS in this routing area",
        184: "invalid PTI value",
        185: "no bearer context activated",
        186: "message not compatible with protocol state",
        187: "recovery on timer expiry",
        188: "invalid transaction identifier value",
        189: "requested service option not authorized in this PLMN",
        190: "network failure during context activation",
        191: "reactivation requested",
        192: "PDP type IPv4 only allowed",
        193: "PDP type IPv6 only allowed",
        194: "single address bearers only allowed",
        195: "collision with network initiated request",
        196: "PDP type IPv4v6 only allowed",
        197: "PDP type non IP only allowed",
        198: "bearer handling not supported",
        199: "APN restriction value incompatible with active PDP context",
        200: "multiple accesses to a PDN connection not allowed",
        201: "ESM information not received",
        202: "PDN connection does not exist",
        203: "multiple PDN connections for a given APN not allowed",
        204: "severe network failure",
    ]

    /// Verbose texts that modems print in place of the standard wording.
    private static let aliases: [String: Int] = [
        "unknown error": 100,
        "phone adapter link reserved": 2,
        "network not allowed, emergency calls only": 32,
        // Code 48 meant "PH-SIM PUK required" before 27.007 renamed it.
        "PH-SIM PUK required": 48,
    ]

    private static let codesByNormalizedText: [String: Int] =
        VerboseErrorText.index(meanings: meanings, aliases: aliases)
}
