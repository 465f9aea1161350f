/// The modem side of the serial line: turns the host's bytes into command lines and, after a
/// `>` prompt, into the text or PDU that ends with Ctrl-Z.
///
/// A command line ends with CR (S3); a LF after it is dropped, and so are lines that do not
/// start with `AT` or `A/`, as V.250 tells a modem to ignore them. Backspace (S5) removes the
/// last character. After a prompt, everything up to Ctrl-Z (0x1A) is the payload, and ESC
/// (0x1B) cancels it.
/// ITU-T V.250 §5.1-§5.2.1, 3GPP TS 27.005 §3.5.1.
struct HostInput: Sendable {
    enum Event: Sendable, Equatable {
        /// A command line without its CR, such as `AT+CMGS=19`.
        case commandLine(String)
        /// The payload after a prompt, without Ctrl-Z.
        case payload(String)
        /// The payload was cancelled with ESC.
        case payloadCancelled
    }

    /// Whether bytes go to a payload, after the modem printed a prompt.
    var awaitingPayload = false
    private var line: [UInt8] = []
    private var lastCommandLine: String?
    /// The maximum line length kept, well above the roughly 500 characters (an estimate) that
    /// real modems accept.
    let maximumLineLength = 4096

    mutating func feed(_ bytes: [UInt8]) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            if awaitingPayload {
                switch byte {
                case 0x1A:
                    events.append(.payload(String(decoding: line, as: UTF8.self)))
                    line.removeAll()
                    awaitingPayload = false
                case 0x1B:
                    events.append(.payloadCancelled)
                    line.removeAll()
                    awaitingPayload = false
                case 0x08:
                    if !line.isEmpty { line.removeLast() }
                default:
                    if line.count < maximumLineLength * 4 { line.append(byte) }
                }
                continue
            }
            switch byte {
            case 0x0D:
                if let event = finishLine() {
                    events.append(event)
                }
            case 0x0A:
                continue
            case 0x08, 0x7F:
                if !line.isEmpty { line.removeLast() }
            default:
                if line.count < maximumLineLength { line.append(byte) }
                // "A/" repeats the last command line at once, without CR.
                if line.count == 2, line[0] | 0x20 == 0x61, line[1] == 0x2F {
                    line.removeAll()
                    if let last = lastCommandLine {
                        events.append(.commandLine(last))
                    }
                }
            }
        }
        return events
    }

    private mutating func finishLine() -> Event? {
        defer { line.removeAll() }
        // Leading noise (a stray LF, NUL or space) before "AT" is skipped.
        guard let start = line.firstIndex(where: { $0 | 0x20 == 0x61 }) else { return nil }
        let text = String(decoding: line[start...], as: UTF8.self)
        guard text.count >= 2, text.prefix(2).uppercased() == "AT" else { return nil }
        lastCommandLine = text
        return .commandLine(text)
    }
}

/// One command of a command line: `AT+CMGF=0;+CNMI=2,1` contains two.
struct HostCommand: Sendable, Equatable {
    enum Form: Sendable, Equatable {
        case execute
        case read
        case test
        case set
    }

    /// The upper-case name: `+CMGS`, `E`, `&F`, `S0`, `I`.
    var name: String
    var form: Form
    /// The text after `=` for a set command, or the digits after a basic command letter.
    var argument: String

    /// Parses a command line into its commands.
    ///
    /// Basic commands (`E0`, `V1`, `&F`, `S0=0`, `I`) may follow each other directly; extended
    /// commands (`+CMGF=0`) run to the next `;` that is not inside quotes.
    /// ITU-T V.250 §5.3-§5.4.
    static func parse(_ commandLine: String) -> [HostCommand]? {
        var rest = Substring(commandLine.dropFirst(2))
        var commands: [HostCommand] = []
        while let first = rest.first {
            if first == ";" || first == " " {
                rest = rest.dropFirst()
                continue
            }
            if first == "+" || first == "^" || first == "$" || first == "*" || first == "#" {
                let end = extendedEnd(rest)
                commands.append(extended(rest[..<end]))
                rest = rest[end...]
                continue
            }
            guard let (command, consumed) = basic(rest) else { return nil }
            commands.append(command)
            rest = rest.dropFirst(consumed)
        }
        return commands
    }

    private static func extendedEnd(_ text: Substring) -> Substring.Index {
        var quoted = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "\"" { quoted.toggle() }
            if character == ";" && !quoted { return index }
            index = text.index(after: index)
        }
        return text.endIndex
    }

    private static func extended(_ text: Substring) -> HostCommand {
        if text.hasSuffix("=?") {
            return HostCommand(name: text.dropLast(2).uppercased(), form: .test, argument: "")
        }
        if text.hasSuffix("?") {
            return HostCommand(name: text.dropLast().uppercased(), form: .read, argument: "")
        }
        if let equals = text.firstIndex(of: "=") {
            return HostCommand(name: text[..<equals].uppercased(), form: .set, argument: String(text[text.index(after: equals)...]))
        }
        return HostCommand(name: text.uppercased(), form: .execute, argument: "")
    }

    /// Parses one basic command: a letter or `&` and a letter, then digits, or `Sn=v`/`Sn?`.
    private static func basic(_ text: Substring) -> (HostCommand, Int)? {
        var index = text.startIndex
        var name = ""
        if text[index] == "&" {
            index = text.index(after: index)
            guard index < text.endIndex else { return nil }
            name = "&"
        }
        guard text[index].isLetter else { return nil }
        name += text[index].uppercased()
        index = text.index(after: index)

        if name == "S" {
            let digits = text[index...].prefix { $0.isNumber }
            name += digits
            index = text.index(index, offsetBy: digits.count)
            if index < text.endIndex, text[index] == "?" {
                return (HostCommand(name: name, form: .read, argument: ""), text.distance(from: text.startIndex, to: text.index(after: index)))
            }
            if index < text.endIndex, text[index] == "=" {
                let value = text[text.index(after: index)...].prefix { $0.isNumber }
                let end = text.index(index, offsetBy: 1 + value.count)
                return (HostCommand(name: name, form: .set, argument: String(value)), text.distance(from: text.startIndex, to: end))
            }
            return (HostCommand(name: name, form: .execute, argument: ""), text.distance(from: text.startIndex, to: index))
        }

        let digits = text[index...].prefix { $0.isNumber }
        let end = text.index(index, offsetBy: digits.count)
        return (HostCommand(name: name, form: .execute, argument: String(digits)), text.distance(from: text.startIndex, to: end))
    }
}
