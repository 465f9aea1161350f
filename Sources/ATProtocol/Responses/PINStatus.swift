/// The SIM lock state from `+CPIN: <code>`, the reply to `AT+CPIN?`.
///
/// Many modules also send `+CPIN: <code>` unsolicited after boot or when the SIM changes
/// (`+CPIN: READY`, `+CPIN: NOT READY`, `+CPIN: SIM REMOVED`), with the same shape. Only the
/// command in flight distinguishes the two, and the line classifier applies that rule.
/// 3GPP TS 27.007 §8.3
public struct PINStatus: ATInformationResponse {
    public static let prefixes: Set<String> = ["+CPIN"]

    /// The code as printed, such as `READY` or `SIM PIN`, in upper case.
    public var code: String

    /// Creates a status from its code.
    public init(code: String) {
        self.code = code.uppercased()
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        // Trimmed as a bare field is, so `" READY"` in quotes reads as `READY`.
        let code = String(ATLine.trim(Substring(try reader.string(0, "code")))).uppercased()
        // TS 27.007 codes are words such as `PH-NET PIN`; anything else is a broken line.
        guard !code.isEmpty, code.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == " " || $0 == "-" }) else {
            throw reader.error(.malformedLine)
        }
        self.code = code
    }

    public static let ready = Self(code: "READY")
    public static let simPIN = Self(code: "SIM PIN")
    public static let simPUK = Self(code: "SIM PUK")
    public static let phoneSIMPIN = Self(code: "PH-SIM PIN")
    public static let phoneFirstSIMPIN = Self(code: "PH-FSIM PIN")
    public static let phoneFirstSIMPUK = Self(code: "PH-FSIM PUK")
    public static let simPIN2 = Self(code: "SIM PIN2")
    public static let simPUK2 = Self(code: "SIM PUK2")
    public static let networkPIN = Self(code: "PH-NET PIN")
    public static let networkPUK = Self(code: "PH-NET PUK")
    public static let notInserted = Self(code: "NOT INSERTED")
    public static let notReady = Self(code: "NOT READY")
    public static let removed = Self(code: "SIM REMOVED")

    /// Whether the SIM is unlocked and usable.
    public var isReady: Bool { code == "READY" }

    /// Whether the SIM waits for its PIN (the only code a driver may enter on its own).
    public var needsPIN: Bool { code == "SIM PIN" }

    /// Whether the SIM is blocked and needs a PUK, which only an operator may enter.
    public var needsPUK: Bool { code == "SIM PUK" || code == "SIM PUK2" || code.hasSuffix(" PUK") }

    /// Whether no usable SIM is present.
    public var isAbsent: Bool {
        code == "NOT INSERTED" || code == "SIM REMOVED" || code == "NOT READY"
    }

    public var line: String {
        "+CPIN: \(code)"
    }
}
