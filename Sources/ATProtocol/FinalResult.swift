/// A final result code: the line that ends a command's response.
///
/// Covers the verbose codes of V.250 (`OK`, `ERROR`, `CONNECT [<text>]`, `NO CARRIER`,
/// `BUSY`, `NO ANSWER`, `NO DIALTONE`) and the extended error codes `+CME ERROR: <err>`
/// and `+CMS ERROR: <err>` in numeric and verbose form. `RING` is not a final result but an
/// unsolicited one, so ``URCKind/ring`` covers it.
///
/// Numeric result codes (`ATV0`) are read only when the caller asks for them, because a
/// bare digit such as `0` is also a valid line of information text.
/// ITU-T V.250 §5.7.1, 3GPP TS 27.007 §9.2, 3GPP TS 27.005 §3.2.5
public enum FinalResult: Sendable, Hashable, CustomStringConvertible {
    /// The command succeeded.
    case ok
    /// The command failed with no further detail.
    case error
    /// The command failed with a mobile termination error.
    case cmeError(CMEError)
    /// The SMS command failed with a message service error.
    case cmsError(CMSError)
    /// A data connection was set up, with optional text such as a bit rate.
    case connect(String?)
    /// The connection was not established or was lost.
    case noCarrier
    /// The called party is busy.
    case busy
    /// The called party did not answer.
    case noAnswer
    /// The modem found no dial tone.
    case noDialtone

    /// The broad meaning of a final result.
    public enum Category: Sendable, Hashable {
        /// `OK`.
        case success
        /// `CONNECT`: the port switches to data mode.
        case connected
        /// `ERROR`, `+CME ERROR` or `+CMS ERROR`.
        case failure
        /// `NO CARRIER`, `BUSY`, `NO ANSWER` or `NO DIALTONE`.
        case callFailure
    }

    /// Parses a final result code, or returns nil if the line is not one.
    ///
    /// Matching ignores case and surrounding whitespace. With `acceptsNumericCodes` the
    /// V.250 numeric codes 0 (OK), 1 (CONNECT), 3 (NO CARRIER), 4 (ERROR), 6 (NO DIALTONE),
    /// 7 (BUSY) and 8 (NO ANSWER) are accepted as well.
    public init?(line: some StringProtocol, acceptsNumericCodes: Bool = false) {
        let trimmed = ATLine.trim(Substring(line))
        let upper = trimmed.uppercased()

        switch upper {
        case "OK":
            self = .ok
            return
        case "ERROR":
            self = .error
            return
        case "NO CARRIER":
            self = .noCarrier
            return
        case "BUSY":
            self = .busy
            return
        case "NO ANSWER":
            self = .noAnswer
            return
        case "NO DIALTONE", "NO DIAL TONE":
            self = .noDialtone
            return
        case "CONNECT":
            self = .connect(nil)
            return
        default:
            break
        }

        if upper.hasPrefix("CONNECT ") {
            self = .connect(String(ATLine.trim(trimmed.dropFirst("CONNECT ".count))))
            return
        }

        if let prefixed = ATPrefixedLine(trimmed) {
            switch prefixed.prefix {
            case "+CME ERROR":
                self = .cmeError(CMEError(parameter: prefixed.parameters))
                return
            case "+CMS ERROR":
                self = .cmsError(CMSError(parameter: prefixed.parameters))
                return
            default:
                break
            }
        }

        guard acceptsNumericCodes else {
            return nil
        }
        switch upper {
        case "0": self = .ok
        case "1": self = .connect(nil)
        case "3": self = .noCarrier
        case "4": self = .error
        case "6": self = .noDialtone
        case "7": self = .busy
        case "8": self = .noAnswer
        default: return nil
        }
    }

    /// The category of this result.
    public var category: Category {
        switch self {
        case .ok:
            return .success
        case .connect:
            return .connected
        case .error, .cmeError, .cmsError:
            return .failure
        case .noCarrier, .busy, .noAnswer, .noDialtone:
            return .callFailure
        }
    }

    /// Whether the command succeeded (`OK` or `CONNECT`).
    public var isSuccess: Bool {
        category == .success || category == .connected
    }

    /// The line as a modem prints it in verbose mode (`ATV1`), without CR LF.
    public var line: String {
        switch self {
        case .ok:
            return "OK"
        case .error:
            return "ERROR"
        case .cmeError(let error):
            return "+CME ERROR: \(error.parameter)"
        case .cmsError(let error):
            return "+CMS ERROR: \(error.parameter)"
        case .connect(let text):
            return text.map { "CONNECT \($0)" } ?? "CONNECT"
        case .noCarrier:
            return "NO CARRIER"
        case .busy:
            return "BUSY"
        case .noAnswer:
            return "NO ANSWER"
        case .noDialtone:
            return "NO DIALTONE"
        }
    }

    public var description: String { line }
}
