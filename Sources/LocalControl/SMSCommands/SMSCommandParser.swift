/// A command read from an SMS.
public enum SMSCommand: Sendable, Equatable {
    case status
    /// Raise the alarm with the typed name (a trigger's name or alias, or an unknown name) and
    /// an optional note for the template's instruction.
    case alarm(name: String, note: String)
    /// Cancel the alert with this number, or the sender's latest when nil.
    case cancel(alertNumber: Int64?)
    /// Run the held command that sent this one-time code.
    case confirm(code: String)

    public var kind: SMSCommandKind {
        switch self {
        case .status: .status
        case .alarm: .alarm
        case .cancel: .cancel
        case .confirm: .confirm
        }
    }
}

/// The reading of an inbound SMS.
public enum ParsedSMS: Sendable, Equatable {
    /// Not a command: the text goes on to the scheduler unchanged.
    case notCommand
    /// A command. `pin` is nil only for a confirmation sent without one. `redacted` is the
    /// text with the PIN replaced by `****`, the only form that may be stored or logged.
    case command(SMSCommand, pin: String?, redacted: String)
    /// A keyword was found but the rest cannot be read, or the PIN is missing or of the
    /// wrong length.
    case malformed(SMSCommandKind, redacted: String)

    /// The text that may be stored, synced and logged at debug level, or nil when the text is
    /// no command and passes on unchanged.
    public var redacted: String? {
        switch self {
        case .notCommand: nil
        case .command(_, _, let redacted), .malformed(_, let redacted): redacted
        }
    }
}

/// Reads SMS commands: `<PIN> 状态`, `<PIN> 报警 <名称> [附言]`, `<PIN> 取消 [编号]`,
/// `[<PIN>] 确认 <码>`, and the English keywords `STATUS`, `ALARM`, `CANCEL`, `CONFIRM`.
///
/// Operators type on Chinese phone keyboards, so full-width digits, letters and spaces read as
/// ASCII and keywords are case-insensitive. A comma or colon may separate the parts. The
/// spaces after the PIN and after a Chinese keyword may be left out (`1234报警火警`). A text is
/// a command only when a keyword follows the PIN, so a reply that starts with a number, such
/// as `2301 房间已疏散`, stays a reply. A keyword without a PIN is malformed only when it is
/// the whole first word, so `报警了吗` stays a reply too. `确认` without a PIN and without a
/// code stays a reply as well, because recipients acknowledge alerts with it.
public enum SMSCommandParser {
    /// The keywords of each command, lower case, Chinese first.
    public static let keywords: [(word: String, kind: SMSCommandKind)] = [
        ("状态", .status), ("status", .status), ("报警", .alarm), ("alarm", .alarm), ("取消", .cancel), ("cancel", .cancel),
        ("确认", .confirm), ("confirm", .confirm),
    ]
    static let mask = "****"

    /// Parses `text`, splitting an alarm's name from its note by the longest of `triggerNames`
    /// that the text starts with.
    public static func parse(_ text: String, triggerNames: [String]) -> ParsedSMS {
        let normalized = Array(normalized(text))
        var position = 0
        while position < normalized.count, normalized[position].isASCIIDigit {
            position += 1
        }
        let pin = position > 0 ? String(normalized[0..<position]) : nil
        skipSeparators(normalized, &position)

        guard let (kind, keywordEnd) = keyword(in: normalized, at: position, wholeWord: pin == nil) else {
            return .notCommand
        }
        let remainderStart = position
        var argumentsStart = keywordEnd
        skipSeparators(normalized, &argumentsStart)
        let arguments = String(normalized[argumentsStart...])
        let redacted = (pin == nil ? "" : mask + " ") + String(normalized[remainderStart...])

        if kind == .confirm {
            // 确认 is also an acknowledgement keyword, so without a PIN it is a command only
            // when a code follows. `确认` or `确认 收到` alone is a reply to an alert.
            guard let code = digits(arguments) else { return pin == nil ? .notCommand : .malformed(kind, redacted: redacted) }
            guard pin.map(isPINLength) ?? true else { return .malformed(kind, redacted: redacted) }
            return .command(.confirm(code: code), pin: pin, redacted: redacted)
        }
        guard let pin, isPINLength(pin) else { return .malformed(kind, redacted: redacted) }

        switch kind {
        case .status:
            return .command(.status, pin: pin, redacted: redacted)
        case .alarm:
            guard let (name, note) = alarmName(arguments, triggerNames: triggerNames) else { return .malformed(kind, redacted: redacted) }
            return .command(.alarm(name: name, note: note), pin: pin, redacted: redacted)
        case .cancel:
            let trimmed = trimmingTrailingPunctuation(arguments)
            if trimmed.isEmpty { return .command(.cancel(alertNumber: nil), pin: pin, redacted: redacted) }
            guard let number = digits(trimmed.hasPrefix("#") ? String(trimmed.dropFirst()) : trimmed).flatMap({ Int64($0) }) else {
                return .malformed(kind, redacted: redacted)
            }
            return .command(.cancel(alertNumber: number), pin: pin, redacted: redacted)
        case .confirm:
            return .malformed(kind, redacted: redacted)
        }
    }

    /// Returns `text` with full-width forms read as ASCII, every kind of white space (the
    /// ideographic space U+3000 included) as one ASCII space, and no space at either end.
    public static func normalized(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in text.unicodeScalars {
            if scalar.properties.isWhitespace {
                pendingSpace = !scalars.isEmpty
                continue
            }
            if pendingSpace {
                scalars.append(" ")
                pendingSpace = false
            }
            // Full-width forms U+FF01...U+FF5E map to ASCII 0x21...0x7E.
            if (0xFF01...0xFF5E).contains(scalar.value), let ascii = Unicode.Scalar(scalar.value - 0xFEE0) {
                scalars.append(ascii)
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    private static func isPINLength(_ pin: String) -> Bool {
        PINHash.lengths.contains(pin.count)
    }

    /// Finds a keyword at `position`. An English keyword must end at a word boundary, and
    /// without a PIN every keyword must be the whole first word.
    private static func keyword(in text: [Character], at position: Int, wholeWord: Bool) -> (SMSCommandKind, Int)? {
        for (word, kind) in keywords {
            let characters = Array(word)
            let end = position + characters.count
            guard end <= text.count, text[position..<end].map({ Character($0.lowercased()) }) == characters else { continue }
            let next = end < text.count ? text[end] : nil
            let ascii = characters.allSatisfy(\.isASCII)
            if let next, (ascii && (next.isLetter || next.isNumber)) || (wholeWord && !isSeparator(next)) {
                continue
            }
            return (kind, end)
        }
        return nil
    }

    /// Splits the alarm's arguments into the longest trigger name they start with and the
    /// note after it. When no known name matches, the first word is the name.
    private static func alarmName(_ arguments: String, triggerNames: [String]) -> (String, String)? {
        let text = Array(arguments)
        guard !text.isEmpty else { return nil }
        let candidates = triggerNames.map { Array(normalized($0)) }.filter { !$0.isEmpty }.sorted { $0.count > $1.count }
        for name in candidates where name.count <= text.count {
            guard text[0..<name.count].map({ $0.lowercased() }) == name.map({ $0.lowercased() }) else { continue }
            // An ASCII name must not run on into more letters: `fire` is not `fireworks`.
            if name.count < text.count, name.last?.isASCII == true, text[name.count].isLetter || text[name.count].isNumber {
                continue
            }
            var noteStart = name.count
            skipSeparators(text, &noteStart)
            return (String(name), String(text[noteStart...]))
        }
        var end = 0
        while end < text.count, !isSeparator(text[end]) {
            end += 1
        }
        var noteStart = end
        skipSeparators(text, &noteStart)
        return (String(text[0..<end]), String(text[noteStart...]))
    }

    private static func digits(_ text: String) -> String? {
        let trimmed = trimmingTrailingPunctuation(text)
        guard !trimmed.isEmpty, trimmed.count <= 18, trimmed.allSatisfy(\.isASCIIDigit) else { return nil }
        return trimmed
    }

    private static func trimmingTrailingPunctuation(_ text: String) -> String {
        var result = Substring(text)
        while let last = result.last, last.isPunctuation || last.isSymbol || last.isWhitespace, last != "#" {
            result.removeLast()
        }
        return String(result)
    }

    /// Spaces, commas, colons and semicolons, ASCII or ideographic, between the parts.
    private static func isSeparator(_ character: Character) -> Bool {
        character == " " || character == "," || character == ":" || character == ";" || character == "、" || character == "。"
    }

    private static func skipSeparators(_ text: [Character], _ position: inout Int) {
        while position < text.count, isSeparator(text[position]) {
            position += 1
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool {
        isASCII && isNumber
    }
}
