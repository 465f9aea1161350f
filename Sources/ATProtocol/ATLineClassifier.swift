/// A state machine that classifies each received line as the echo of the command just
/// sent, information text or the final result of the command in flight, an unsolicited
/// result code, or unknown.
///
/// Feed it every line from ``ATLineFramer`` in order, with the command in flight (nil when
/// none is). It keeps state only for lines that belong to the line before them: the body of
/// a two-line URC (`+CMT`, `+CDS`, `+CBM`) and the body after a `+CMGR` or `+CMGL` header.
/// A body is held across reads, so it is captured even when its line arrives in a later
/// chunk.
///
/// Rules, in the order they are applied:
/// 1. A line expected as a body is a body. After a text-mode header it is taken whatever it
///    reads, even `OK`. After a PDU-mode header it must be hex digits, because a PDU always
///    is. Otherwise the header is given up (a URC is reported without body) and the line
///    is classified by the rules below.
///    NOTE: the framer drops empty lines, so an empty text-mode body is not seen and the
///    line after it (often the final `OK`) is taken as the body. PDU mode has no such gap.
/// 2. A line equal to the command in flight, or to its payload, ignoring case and
///    surrounding whitespace, is an echo. A doubled echo (`ATE0\rATE0\r`) gives two echo
///    lines.
/// 3. A final result code ends the command in flight. With no command in flight it is
///    unknown, because a stray `OK` or `NO CARRIER` belongs to nothing the driver sent.
/// 4. A line with a URC prefix is a URC, except when the prefix is shared with a reply
///    (``URCKind/isSharedWithReply``), the command in flight expects that prefix, and the
///    line has the reply's shape:
///    - `+CREG`, `+CGREG`, `+CEREG`, `+C5GREG`: the read reply starts with `<n>`, the URC
///      does not, and ``NetworkRegistration/Layout`` tells them apart by field count and
///      field ranges. A test command (`=?`) takes any line with the prefix.
///    - `+CLIP`: the read reply `<n>,<m>` starts with a number, the URC with a quoted one.
///    - `+CPIN`, `+CFUN`, `+CSQ`, `+CPSI`, `+CUSD`: reply and URC have the same shape, so
///      the command in flight alone decides.
///    So `+CREG: 1` while `AT+CREG?` is in flight is a URC, and `+CREG: 2,1` is the reply.
/// 5. A line whose prefix the command in flight expects is its information text. A
///    command that returns unprefixed text (``ATCommand/Response/text``) takes any other
///    line.
/// 6. Everything else is unknown, for example vendor noise the table does not list.
///
/// Bodies are returned as received, without their line end. Other lines are returned
/// without surrounding whitespace.
/// ITU-T V.250 §5.7, 3GPP TS 27.007 §4, 3GPP TS 27.005 §3.4.1
public struct ATLineClassifier: Sendable {
    /// The class of a line.
    public enum Classification: Sendable, Hashable {
        /// The modem's echo of the command line or its payload.
        case echo
        /// The final result of the command in flight.
        case finalResult(FinalResult)
        /// Information text of the command in flight, including message bodies.
        case response(String)
        /// A complete unsolicited result code.
        case urc(URC)
        /// The first line of a two-line URC. The URC follows with the next line.
        case urcHeader(URCKind)
        /// A line that fits none of the above.
        case unknown(String)
    }

    private struct PendingURC: Sendable {
        let kind: URCKind
        let line: String
        let requiresHexBody: Bool
    }

    private struct PendingBody: Sendable {
        let commandText: String
        let requiresHexBody: Bool
    }

    private var pendingURC: PendingURC?
    private var pendingBody: PendingBody?

    /// Whether V.250 numeric result codes (`0` for OK, `4` for ERROR) count as final
    /// results. Set it only while the modem runs with `ATV0`.
    public var acceptsNumericResultCodes = false

    /// Creates a classifier with no pending state.
    public init() {}

    /// Whether the next line will be taken as the body of the previous one.
    public var isAwaitingBody: Bool {
        pendingURC != nil || pendingBody != nil
    }

    /// Forgets any pending body, for example after the port reopens.
    public mutating func reset() {
        pendingURC = nil
        pendingBody = nil
    }

    /// Classifies one line.
    ///
    /// Returns one classification, or two when a pending PDU-mode URC header is given up:
    /// that URC without body first, then the line itself.
    public mutating func classify(_ line: ATLine, inFlight command: ATCommand?) -> [Classification] {
        let text = line.trimmedText
        var results: [Classification] = []

        if let pending = pendingURC {
            pendingURC = nil
            if !pending.requiresHexBody || Self.isHex(text) {
                let body = pending.requiresHexBody ? String(text) : line.text
                return [.urc(URC(kind: pending.kind, line: pending.line, body: body))]
            }
            results.append(.urc(URC(kind: pending.kind, line: pending.line)))
        }

        if let pending = pendingBody {
            pendingBody = nil
            if pending.commandText == command?.text, !pending.requiresHexBody || Self.isHex(text) {
                return results + [.response(pending.requiresHexBody ? String(text) : line.text)]
            }
        }

        return results + [classifyOwnLine(text, inFlight: command)]
    }

    private mutating func classifyOwnLine(_ text: Substring, inFlight command: ATCommand?) -> Classification {
        if let command, command.isEcho(text) {
            return .echo
        }

        if let result = FinalResult(line: text, acceptsNumericCodes: acceptsNumericResultCodes) {
            return command == nil ? .unknown(String(text)) : .finalResult(result)
        }

        let prefixed = ATPrefixedLine(text)

        if let kind = URCKind.match(text, prefixed: prefixed) {
            let fields = prefixed?.fields ?? []
            if let command, kind.isSharedWithReply, command.responsePrefix == kind.rawValue,
                Self.hasReplyShape(kind: kind, fields: fields, command: command)
            {
                return .response(String(text))
            }
            if kind.hasBody(fields: fields) {
                pendingURC = PendingURC(kind: kind, line: String(text), requiresHexBody: kind.hasHexBody(fields: fields))
                return .urcHeader(kind)
            }
            return .urc(URC(kind: kind, line: String(text)))
        }

        guard let command else {
            return .unknown(String(text))
        }

        switch command.response {
        case .prefixed(let expected) where prefixed?.prefix == expected:
            if expected == "+CMGR" || expected == "+CMGL", let header = try? MessageHeader(line: text) {
                pendingBody = PendingBody(commandText: command.text, requiresHexBody: header.expectsHexBody)
            }
            return .response(String(text))
        case .text:
            return .response(String(text))
        default:
            return .unknown(String(text))
        }
    }

    /// Decides whether a line with a shared prefix has the shape of the command's reply.
    private static func hasReplyShape(kind: URCKind, fields: [ATField], command: ATCommand) -> Bool {
        switch kind {
        case .circuitRegistration, .packetRegistration, .epsRegistration, .fiveGSRegistration:
            switch command.form {
            case .test:
                return true
            case .read:
                return NetworkRegistration.Layout(fields: fields) == .readReply
            case .execute, .set:
                return false
            }
        case .callingLine:
            return command.form == .test || !(fields.first?.isQuoted ?? false)
        default:
            return true
        }
    }

    /// Returns whether `text` is a non-empty run of hex digits, as a PDU line is.
    static func isHex(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && $0.isHexDigit }
    }
}
