/// The header line of a message: `+CMGR`, `+CMGL`, `+CMT`, `+CDS` or `+CBM`.
///
/// In PDU mode the header gives the TPDU length and the next line is the PDU in hex:
/// - `+CMGR: <stat>,[<alpha>],<length>`, for example `+CMGR: 0,,26` or `+CMGR: 0,"",26`
/// - `+CMGL: <index>,<stat>,[<alpha>],<length>`
/// - `+CMT: [<alpha>],<length>`
/// - `+CDS: <length>` and `+CBM: <length>`
///
/// In text mode the header carries the status as text and the address and time stamp, and
/// the next line is the message text, whatever it reads. A text-mode `+CDS` is a single
/// line with no body. ``Mode`` is decided by shape: a quoted status for `+CMGR` and
/// `+CMGL`, more than two fields for `+CMT`, and more than one for `+CDS` and `+CBM`.
/// 3GPP TS 27.005 §3.4.1, §3.4.2, §4.1, §4.3
public struct MessageHeader: ATInformationResponse {
    /// The message format the header was written in.
    public enum Mode: Sendable, Hashable {
        case pdu
        case text
    }

    public static let prefixes: Set<String> = ["+CMGR", "+CMGL", "+CMT", "+CDS", "+CBM"]

    /// The prefix of the line.
    public var prefix: String
    /// The message format.
    public var mode: Mode
    /// The storage index, for `+CMGL`.
    public var index: Int?
    /// The storage status, for `+CMGR` and `+CMGL`.
    public var status: MessageStatus?
    /// The phonebook name of the address, when the modem prints one.
    public var alpha: String?
    /// In PDU mode, the TPDU length in octets (without the SMSC address).
    public var length: Int?
    /// In text mode, the originating or destination address.
    public var address: String?
    /// All fields, as printed.
    public var fields: [ATField]

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        self.prefix = prefix
        self.fields = fields

        switch prefix {
        case "+CMGR":
            self.mode = reader[0].isQuoted ? .text : .pdu
            if mode == .pdu {
                self.status = MessageStatus(rawValue: try reader.integer(0, "stat"))
                self.alpha = reader.optionalString(1)
                self.length = try reader.integer(2, "length")
            } else {
                self.status = MessageStatus(text: try reader.string(0, "stat"))
                self.address = reader[1].isQuoted ? reader.optionalString(1) : nil
                self.alpha = reader.optionalString(2)
            }

        case "+CMGL":
            self.index = try reader.integer(0, "index")
            self.mode = reader[1].isQuoted ? .text : .pdu
            if mode == .pdu {
                self.status = MessageStatus(rawValue: try reader.integer(1, "stat"))
                self.alpha = reader.optionalString(2)
                self.length = try reader.integer(3, "length")
            } else {
                self.status = MessageStatus(text: try reader.string(1, "stat"))
                self.address = reader[2].isQuoted ? reader.optionalString(2) : nil
                self.alpha = reader.optionalString(3)
            }

        case "+CMT":
            self.mode = fields.count <= 2 ? .pdu : .text
            if mode == .pdu {
                self.alpha = fields.count == 2 ? reader.optionalString(0) : nil
                self.length = try reader.integer(fields.count - 1, "length")
            } else {
                self.address = reader.optionalString(0)
                self.alpha = reader.optionalString(1)
            }

        default:
            self.mode = fields.count <= 1 ? .pdu : .text
            if mode == .pdu {
                self.length = try reader.integer(0, "length")
            }
        }

        if let length, !(0...255).contains(length) {
            throw reader.error(.invalidField(name: "length"))
        }
    }

    /// Whether a body line follows this header.
    public var expectsBody: Bool {
        !(prefix == "+CDS" && mode == .text)
    }

    /// Whether the body must be hex digits, as in PDU mode.
    public var expectsHexBody: Bool { mode == .pdu }

    public var line: String {
        ATFormat.line(prefix, fields.map(\.description))
    }

    /// Formats a PDU-mode header.
    public static func pdu(prefix: String, index: Int? = nil, status: MessageStatus? = nil, alpha: String? = nil, length: Int) -> String {
        var parameters: [String] = []
        if prefix == "+CMGL" {
            parameters.append(ATFormat.optional(index))
        }
        if prefix == "+CMGR" || prefix == "+CMGL" {
            parameters.append(ATFormat.optional(status?.rawValue))
        }
        if prefix != "+CDS" && prefix != "+CBM" {
            parameters.append(alpha.map(ATFormat.quoted) ?? "")
        }
        parameters.append(String(length))
        return ATFormat.line(prefix, parameters)
    }
}

/// The storage status of a message.
/// 3GPP TS 27.005 §3.1 (`<stat>`)
public enum MessageStatus: Int, Sendable, Hashable, CaseIterable {
    case receivedUnread = 0
    case receivedRead = 1
    case storedUnsent = 2
    case storedSent = 3
    /// Used only as a filter: `AT+CMGL=4`.
    case all = 4

    /// Reads the text-mode name, such as `REC UNREAD`.
    public init?(text: String) {
        guard let status = Self.allCases.first(where: { $0.text == text.uppercased() }) else {
            return nil
        }
        self = status
    }

    /// The text-mode name.
    public var text: String {
        switch self {
        case .receivedUnread: return "REC UNREAD"
        case .receivedRead: return "REC READ"
        case .storedUnsent: return "STO UNSENT"
        case .storedSent: return "STO SENT"
        case .all: return "ALL"
        }
    }
}

/// A stored message from an `AT+CMGR` or `AT+CMGL` reply: its header and body.
public struct StoredMessage: Sendable, Hashable {
    public var header: MessageHeader
    /// The PDU in hex (PDU mode) or the message text (text mode), or nil if it was missing.
    public var body: String?

    public init(header: MessageHeader, body: String?) {
        self.header = header
        self.body = body
    }

    /// Pairs each header in the information lines of a reply with the line after it.
    ///
    /// The line after a text-mode header is its body whatever it reads, even `OK`. After a
    /// PDU-mode header the next line is its body only if it is hex digits, so a missing PDU
    /// does not swallow the next header. Lines that are neither headers nor bodies are
    /// skipped.
    ///
    /// - Throws: ``ATProtocolError`` when a header cannot be parsed.
    public static func messages(in lines: [String]) throws(ATProtocolError) -> [StoredMessage] {
        var messages: [StoredMessage] = []
        var index = 0
        while index < lines.count {
            let line = lines[index]
            index += 1
            guard let prefixed = ATPrefixedLine(line), prefixed.prefix == "+CMGR" || prefixed.prefix == "+CMGL" else {
                continue
            }
            let header = try MessageHeader(line: line)
            var body: String?
            if index < lines.count {
                let candidate = String(ATLine.trim(Substring(lines[index])))
                if !header.expectsHexBody || ATLineClassifier.isHex(candidate) {
                    body = header.expectsHexBody ? candidate : lines[index]
                    index += 1
                }
            }
            messages.append(StoredMessage(header: header, body: body))
        }
        return messages
    }
}
