/// A command line for the host to send, with what its response looks like.
///
/// This is pure data and contains no timer. The driver turns ``timeout`` into an absolute
/// deadline when it writes the command, and lines that arrive in between never extend it.
/// Builders for the commands the driver uses live in `ATCommand+Builders.swift`.
/// ITU-T V.250 §5.2
public struct ATCommand: Sendable, Hashable, CustomStringConvertible {
    /// The class of a command, which selects its default timeout.
    public enum Kind: Sendable, Hashable, CaseIterable {
        /// A local query or setting: `AT`, `ATE0`, `AT+CSQ`, `AT+CMGF=0`.
        case quick
        /// A command that talks to the SIM: `AT+CPIN`, `AT+CIMI`, `AT+CCID`, PIN counters.
        case sim
        /// A command that may wait for the radio: `AT+CFUN`, `AT+COPS` set and read.
        case network
        /// A full operator scan, `AT+COPS=?`.
        case networkScan
        /// An SMS submission, `AT+CMGS` or `AT+CMSS`, which waits for the network.
        case smsSend
        /// A command on SMS storage: `AT+CMGR`, `AT+CMGL`, `AT+CMGD`, `AT+CPMS`.
        case smsStorage

        /// The default time from writing the command to its final result.
        ///
        /// - `quick`: 5 s, the read timeout smstools3 3.1.21 and python-gsmmodem use.
        /// - `sim`: 10 s, because PIN verification and SIM file reads take seconds.
        /// - `network`: 15 s, since `AT+CFUN` and `AT+COPS` may wait for the radio stack.
        /// - `networkScan`: 180 s, because a scan of every band takes minutes on LTE modules.
        /// - `smsSend`: 60 s after the PDU is written. Gammu SMSD 1.42 waits 30 s and
        ///   python-gsmmodem 35 s, and ModemManager allows up to 300 s. A timeout leaves the
        ///   outcome unknown and makes a P0 alert resend, so a longer wait costs less than a
        ///   duplicate, but 300 s would stall the whole queue behind one message.
        /// - `smsStorage`: 15 s, since listing a full SIM reads every record.
        ///
        /// NOTE: `networkScan` and `smsStorage` are estimates, not measured on hardware.
        public var timeout: Duration {
            switch self {
            case .quick: return .seconds(5)
            case .sim: return .seconds(10)
            case .network: return .seconds(15)
            case .networkScan: return .seconds(180)
            case .smsSend: return .seconds(60)
            case .smsStorage: return .seconds(15)
            }
        }
    }

    /// The shape of the information text a command returns before its final result.
    public enum Response: Sendable, Hashable {
        /// No information text, only a final result (set commands).
        case none
        /// Lines that start with this prefix, such as `+CSQ`.
        case prefixed(String)
        /// Unprefixed lines of text, as `ATI`, `AT+CGMI` or `AT+CIMI` return.
        case text
    }

    /// The syntactic form of an extended command.
    /// ITU-T V.250 §5.4.2
    public enum Form: Sendable, Hashable {
        /// `AT+CMD` or a basic command such as `ATE0`.
        case execute
        /// `AT+CMD?`.
        case read
        /// `AT+CMD=?`.
        case test
        /// `AT+CMD=<values>`.
        case set
    }

    /// Time allowed between writing `AT+CMGS=<length>` and the `>` prompt.
    ///
    /// smstools3, Kannel and python-gsmmodem wait 5 s, and ModemManager 10 s.
    public static let promptTimeout: Duration = .seconds(5)

    /// The command line without its trailing CR, for example `AT+CMGS=19`.
    public let text: String
    /// The information text expected before the final result.
    public let response: Response
    /// The class of the command.
    public let kind: Kind
    /// The data written after the `>` prompt (a PDU in hex), or nil if none is expected.
    public let payload: String?
    /// Whether ``text`` contains a secret (a PIN or PUK) that must not be logged.
    public let isSensitive: Bool

    /// Creates a command.
    ///
    /// - Parameters:
    ///   - text: The command line without CR. Leading and trailing whitespace is removed.
    ///   - response: The information text the command returns.
    ///   - kind: The class of the command, which selects its timeout.
    ///   - payload: Data to write after the `>` prompt, without Ctrl-Z.
    ///   - isSensitive: Whether the line contains a PIN or PUK.
    public init(
        _ text: String,
        response: Response = .none,
        kind: Kind = .quick,
        payload: String? = nil,
        isSensitive: Bool = false
    ) {
        self.text = String(ATLine.trim(text[...]))
        self.response = response
        self.kind = kind
        self.payload = payload
        self.isSensitive = isSensitive
    }

    /// Whether the modem answers the command line with the `>` prompt.
    public var expectsPrompt: Bool { payload != nil }

    /// The time allowed for the final result, from ``Kind/timeout``.
    public var timeout: Duration { kind.timeout }

    /// The prefix of the expected information text, or nil.
    public var responsePrefix: String? {
        if case .prefixed(let prefix) = response {
            return prefix
        }
        return nil
    }

    /// The bytes to write: the command line and CR.
    public var lineBytes: [UInt8] {
        Array(text.utf8) + [0x0D]
    }

    /// The bytes to write after the prompt: the payload and Ctrl-Z (0x1A), or nil.
    /// 3GPP TS 27.005 §3.5.1
    public var payloadBytes: [UInt8]? {
        payload.map { Array($0.utf8) + [0x1A] }
    }

    /// The syntactic form, read from the end of ``text``.
    public var form: Form {
        if text.hasSuffix("=?") {
            return .test
        }
        if text.hasSuffix("?") {
            return .read
        }
        if text.contains("=") {
            return .set
        }
        return .execute
    }

    /// Returns whether `line` is the modem's echo of this command or of its payload.
    ///
    /// Comparison ignores case and surrounding whitespace. A payload echo may end with the
    /// Ctrl-Z the host sent, which ``ATLine/trimmedText`` already removes.
    public func isEcho(_ line: some StringProtocol) -> Bool {
        let trimmed = ATLine.trim(Substring(line))
        guard !trimmed.isEmpty else {
            return false
        }
        if trimmed.uppercased() == text.uppercased() {
            return true
        }
        if let payload, trimmed.uppercased() == payload.uppercased() {
            return true
        }
        return false
    }

    /// The command line as it may be logged: PINs replaced by `****`, digits masked.
    public var description: String {
        guard isSensitive else {
            return ATProtocolError.masked(text)
        }
        guard let equals = text.firstIndex(of: "=") else {
            return text
        }
        return text[...equals] + "****"
    }
}
