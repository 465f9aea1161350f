/// The number of PIN and PUK attempts the SIM has left.
///
/// Three forms are parsed:
/// - 27.007 `+CPINR: <code>,<retries>[,<default retries>]`, one line per code, for
///   example `+CPINR: SIM PIN,3,3`.
/// - Quectel `+QPINC: <facility>,<pin counter>,<puk counter>`, for example
///   `+QPINC: "SC",3,10`. SC is the SIM PIN and P2 the PIN2.
/// - SIMCom `+SPIC: <pin1>,<puk1>,<pin2>,<puk2>`, for example `+SPIC: 3,10,0,10`.
///
/// Use ``merging(_:)`` to combine the lines of one `AT+CPINR` reply.
/// 3GPP TS 27.007 §8.65
public struct PINRetryCounts: ATInformationResponse {
    public static let prefixes: Set<String> = ["+CPINR", "+QPINC", "+SPIC"]

    /// Attempts left for the SIM PIN.
    public var pin: Int?
    /// Attempts left for the SIM PUK.
    public var puk: Int?
    /// Attempts left for PIN2.
    public var pin2: Int?
    /// Attempts left for PUK2.
    public var puk2: Int?
    /// The prefix of the line that was parsed, which ``line`` formats again.
    public var prefix: String

    /// Creates counts in the given form.
    public init(prefix: String = "+SPIC", pin: Int? = nil, puk: Int? = nil, pin2: Int? = nil, puk2: Int? = nil) {
        self.prefix = prefix
        self.pin = pin
        self.puk = puk
        self.pin2 = pin2
        self.puk2 = puk2
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        self.prefix = prefix

        switch prefix {
        case "+SPIC":
            self.pin = try reader.integer(0, "pin1")
            self.puk = try reader.integer(1, "puk1")
            self.pin2 = try reader.optionalInteger(2, "pin2")
            self.puk2 = try reader.optionalInteger(3, "puk2")

        case "+QPINC":
            let facility = try reader.string(0, "facility").uppercased()
            let pinCount = try reader.integer(1, "pincounter")
            let pukCount = try reader.integer(2, "pukcounter")
            switch facility {
            case "SC":
                self.pin = pinCount
                self.puk = pukCount
            case "P2":
                self.pin2 = pinCount
                self.puk2 = pukCount
            default:
                throw reader.error(.invalidField(name: "facility"))
            }

        default:
            let code = try reader.string(0, "code").uppercased()
            let retries = try reader.integer(1, "retries")
            switch code {
            case "SIM PIN": self.pin = retries
            case "SIM PUK": self.puk = retries
            case "SIM PIN2": self.pin2 = retries
            case "SIM PUK2": self.puk2 = retries
            default: break
            }
        }
    }

    /// Combines two partial reports, preferring the values in `other`.
    public func merging(_ other: Self) -> Self {
        Self(prefix: prefix, pin: other.pin ?? pin, puk: other.puk ?? puk, pin2: other.pin2 ?? pin2, puk2: other.puk2 ?? puk2)
    }

    /// The line in the form of ``prefix``. For `+CPINR` and `+QPINC`, only the SIM PIN
    /// line is printed, because each of those lines carries one code.
    public var line: String {
        switch prefix {
        case "+QPINC":
            return ATFormat.line(prefix, [ATFormat.quoted("SC"), ATFormat.optional(pin), ATFormat.optional(puk)])
        case "+CPINR":
            return ATFormat.line(prefix, ["SIM PIN", ATFormat.optional(pin)])
        default:
            return ATFormat.line("+SPIC", [pin, puk, pin2, puk2].map(ATFormat.optional))
        }
    }
}
