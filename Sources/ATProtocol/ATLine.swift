/// One line received from a modem, without its line terminator.
///
/// The framer delivers the raw bytes so nothing is lost, and a `String` decoded from them
/// with invalid UTF-8 sequences replaced by U+FFFD, so binary noise never stops decoding.
public struct ATLine: Sendable, Hashable, CustomStringConvertible {
    /// The bytes of the line, without CR or LF.
    public let bytes: [UInt8]
    /// The bytes decoded as UTF-8, with invalid sequences replaced by U+FFFD.
    public let text: String

    /// Creates a line from raw bytes.
    public init(bytes: [UInt8]) {
        self.bytes = bytes
        self.text = String(decoding: bytes, as: UTF8.self)
    }

    /// Creates a line from text, as a test or the simulator would.
    public init(_ text: String) {
        self.bytes = Array(text.utf8)
        self.text = text
    }

    /// The text without leading and trailing whitespace and control characters.
    ///
    /// Modems pad some lines with spaces, and echoed PDUs end with Ctrl-Z (0x1A).
    public var trimmedText: Substring {
        Self.trim(text[...])
    }

    public var description: String { text }

    /// Returns whether `trim` removes the character: a space, a C0 control character or DEL.
    static func isPadding(_ character: Character) -> Bool {
        guard let scalar = character.unicodeScalars.first, character.unicodeScalars.count == 1 else {
            // CR LF is one Character made of two scalars.
            return character == "\r\n"
        }
        return isPadding(scalar)
    }

    /// Returns whether the scalar is a space, a C0 control character or DEL.
    static func isPadding(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || scalar.value == 0x7F || scalar == " "
    }

    /// Removes leading and trailing whitespace and C0 control characters.
    static func trim(_ text: Substring) -> Substring {
        var start = text.startIndex
        var end = text.endIndex
        while start < end, isPadding(text[start]) {
            start = text.index(after: start)
        }
        while end > start, isPadding(text[text.index(before: end)]) {
            end = text.index(before: end)
        }
        return text[start..<end]
    }
}

/// An information line split into its response prefix and its parameter text.
///
/// `+CSQ: 20,99` splits into the prefix `+CSQ` and the parameters `20,99`. Only lines that
/// contain a colon and start with a command-name leader used by 27.007 or a vendor (`+`,
/// `^`, `*`, `#`, `$`, `%`) are split. Payload text such as `Revision: 1.0` or a PDU
/// therefore never passes for a prefixed response.
/// 3GPP TS 27.007 §4.1 (information response syntax)
public struct ATPrefixedLine: Sendable, Hashable {
    /// The prefix in upper case, for example `+CREG` or `^RSSI`.
    public let prefix: String
    /// The text after the colon, with surrounding whitespace removed.
    public let parameters: Substring

    /// Splits `text` at its first colon, or returns nil if it is not a prefixed line.
    public init?(_ text: some StringProtocol) {
        let trimmed = ATLine.trim(Substring(text))
        guard let first = trimmed.first, "+^*#$%".contains(first) else {
            return nil
        }
        guard let colon = trimmed.firstIndex(of: ":") else {
            return nil
        }
        let name = trimmed[..<colon].trimmingTrailingSpaces()
        guard name.count > 1, !name.contains(" ") || name.uppercased() == "+CME ERROR" || name.uppercased() == "+CMS ERROR" else {
            return nil
        }
        self.prefix = name.uppercased()
        self.parameters = ATLine.trim(trimmed[trimmed.index(after: colon)...])
    }

    /// The parameters split into fields.
    public var fields: [ATField] {
        ATFieldTokenizer.fields(in: parameters)
    }
}

extension Substring {
    fileprivate func trimmingTrailingSpaces() -> Substring {
        var end = endIndex
        while end > startIndex, self[index(before: end)] == " " {
            end = index(before: end)
        }
        return self[startIndex..<end]
    }
}
