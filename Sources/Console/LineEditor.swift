/// A line editor for a terminal in raw mode: bytes from the keyboard in, screen output and
/// whole lines out.
///
/// It decodes UTF-8 that may arrive split across reads, moves by characters whose width is
/// one or two columns, and reads the escape sequences that xterm, VT100, PuTTY, picocom and
/// minicom send for the arrows, Home, End and Delete. It keeps a history and hands Tab and `?`
/// to the caller, which owns the command grammar. It performs no I/O: `feed` returns actions.
/// - Note: Editing assumes the line fits on one terminal row; a longer line still edits
///   correctly, but the cursor moves drawn across a wrap may land one row off.
public struct LineEditor: Sendable {
    /// What the caller does after a key.
    public enum Action: Sendable, Equatable {
        /// Writes these bytes to the terminal.
        case write([UInt8])
        /// The user pressed Enter on this line; the editor already moved to a new row.
        case submit(String)
        /// The user pressed Tab with this text before the cursor.
        case complete(String)
        /// The user typed `?` outside quotes with this text before the cursor.
        case help(String)
        /// The user pressed Ctrl-C; the line was dropped.
        case interrupt
        /// The user pressed Ctrl-D on an empty line.
        case endOfInput
    }

    private enum EscapeState: Sendable {
        case none
        case escape
        /// After `ESC [`, with the parameter bytes so far.
        case controlSequence([UInt8])
        /// After `ESC O` (SS3), which application cursor mode and PuTTY send for arrows.
        case singleShift
    }

    public private(set) var prompt = ""
    /// Whether typed characters are shown; false while a password is typed.
    public private(set) var echo = true
    public private(set) var line: [Character] = []
    /// The cursor as an index into `line`.
    public private(set) var cursor = 0
    public private(set) var history: [String] = []
    private var historyIndex: Int?
    private var draftBeforeHistory: [Character] = []
    private var pendingUTF8: [UInt8] = []
    private var escape = EscapeState.none
    private var lastByteWasCarriageReturn = false
    /// The most lines `history` keeps.
    public let historyLimit: Int
    /// Whether lines submitted after the current prompt go into `history` and the arrows
    /// recall it. It is false at the login prompts, where a password may be typed by mistake.
    public private(set) var keepsHistory = true
    /// The maximum number of characters in a line. Keys past it are dropped with a bell, so a
    /// paste without line breaks or a flood on the socket cannot grow the line without bound.
    public static let maximumLineLength = 1024

    /// Returns a hint shown dimmed after the line while it is typed, such as a template's SMS
    /// count; nil shows none. It is called after every key that changes the line.
    public var hint: (@Sendable (String) -> String?)?
    /// Whether a hint is on screen, so Enter clears it before the line is submitted.
    private var hintShown = false

    public init(historyLimit: Int = 100) {
        self.historyLimit = historyLimit
    }

    /// Starts a new line after `prompt`; returns the bytes that draw the prompt.
    /// - Parameter keepsHistory: whether this line goes into the history and the arrows recall it.
    public mutating func begin(prompt: String, echo: Bool = true, keepsHistory: Bool = true) -> [UInt8] {
        self.prompt = prompt
        self.echo = echo
        self.keepsHistory = keepsHistory
        line = []
        cursor = 0
        historyIndex = nil
        return Array(prompt.utf8)
    }

    /// Returns the bytes that draw the prompt and the line again on a fresh row, after the
    /// caller printed something (help, a completion list, a progress line) below it.
    public func redraw() -> [UInt8] {
        var bytes = Array(prompt.utf8)
        guard echo else { return bytes }
        bytes += Array(String(line).utf8)
        bytes += Self.moveLeft(DisplayWidth.columns(of: String(line[cursor...])))
        return bytes
    }

    /// Forgets every line in the history, as a new login on the same line must.
    public mutating func clearHistory() {
        history = []
        historyIndex = nil
        draftBeforeHistory = []
    }

    /// Inserts text at the cursor, as a completion does; returns the screen output.
    public mutating func insert(_ text: String) -> [Action] {
        var output: [UInt8] = []
        for character in text {
            output += insertCharacter(character)
        }
        return output.isEmpty ? [] : [.write(output)]
    }

    /// Feeds bytes read from the terminal; returns the actions in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Action] {
        var actions: [Action] = []
        var output: [UInt8] = []
        let before = line
        func flush() {
            if !output.isEmpty {
                actions.append(.write(output))
                output = []
            }
        }
        for byte in bytes {
            let afterCarriageReturn = lastByteWasCarriageReturn
            lastByteWasCarriageReturn = byte == 0x0D
            if case .none = escape, byte < 0x80 {
                // An ASCII byte ends a UTF-8 sequence cut short. The bytes so far are dropped
                // and the key still acts, so an Enter after invalid UTF-8 submits the line.
                pendingUTF8 = []
                if byte == 0x0A, afterCarriageReturn { continue }  // CR LF is one Enter
                let result = control(byte)
                output += result.output
                if let action = result.action {
                    flush()
                    actions.append(action)
                }
                continue
            }
            if case .none = escape {
                output += utf8Byte(byte)
            } else {
                output += escapeByte(byte)
            }
        }
        if echo, line != before, hint != nil {
            output += hintOutput()
        }
        flush()
        return actions
    }

    /// Shows the hint for the current line after its end, dimmed, and puts the cursor back.
    private mutating func hintOutput() -> [UInt8] {
        let text = hint?(String(line))
        guard text != nil || hintShown else { return [] }
        var bytes = Array("\u{1B}7".utf8) + Self.moveRight(DisplayWidth.columns(of: String(line[cursor...]))) + Array("\u{1B}[K".utf8)
        if let text {
            bytes += Array("  \u{1B}[2m\(text)\u{1B}[0m".utf8)
        }
        bytes += Array("\u{1B}8".utf8)
        hintShown = text != nil
        return bytes
    }

    // MARK: Keys

    private mutating func control(_ byte: UInt8) -> (output: [UInt8], action: Action?) {
        switch byte {
        case 0x0D, 0x0A:
            let text = String(line)
            if echo, keepsHistory, text.contains(where: { $0 != " " }), history.last != text {
                history.append(text)
                if history.count > historyLimit { history.removeFirst() }
            }
            historyIndex = nil
            var output: [UInt8] = []
            if hintShown {
                output = Self.moveRight(DisplayWidth.columns(of: String(line[cursor...]))) + Array("\u{1B}[K".utf8)
                hintShown = false
            }
            line = []
            cursor = 0
            return (output + Array("\r\n".utf8), .submit(text))
        case 0x1B:
            escape = .escape
            return ([], nil)
        case 0x7F, 0x08:
            return (deleteBackward(), nil)
        case 0x01:
            return (moveCursor(to: 0), nil)
        case 0x05:
            return (moveCursor(to: line.count), nil)
        case 0x02:
            return (moveCursor(to: cursor - 1), nil)
        case 0x06:
            return (moveCursor(to: cursor + 1), nil)
        case 0x10:
            return (recallHistory(older: true), nil)
        case 0x0E:
            return (recallHistory(older: false), nil)
        case 0x15:
            let start = moveCursor(to: 0)
            line.removeSubrange(0..<cursorBeforeMove)
            return (start + redrawTail(), nil)
        case 0x0B:
            line.removeSubrange(cursor...)
            return (echo ? Array("\u{1B}[K".utf8) : [], nil)
        case 0x03:
            line = []
            cursor = 0
            historyIndex = nil
            return (Array("^C\r\n".utf8), .interrupt)
        case 0x04:
            if line.isEmpty { return ([], .endOfInput) }
            return (deleteForward(), nil)
        case 0x0C:
            return (Array("\u{1B}[H\u{1B}[2J".utf8) + redraw(), nil)
        case 0x09:
            if !echo { return ([], nil) }
            return ([], .complete(String(line[..<cursor])))
        case UInt8(ascii: "?") where echo && !isInsideQuotes:
            return ([], .help(String(line[..<cursor])))
        case 0x20...0x7E:
            return (insertCharacter(Character(Unicode.Scalar(byte))), nil)
        default:
            return ([], nil)
        }
    }

    /// The cursor index that the last `moveCursor` started from; Ctrl-U reads it.
    private var cursorBeforeMove = 0

    private var isInsideQuotes: Bool {
        line[..<cursor].filter { $0 == "\"" }.count % 2 == 1
    }

    private mutating func utf8Byte(_ byte: UInt8) -> [UInt8] {
        if pendingUTF8.isEmpty, byte & 0xC0 == 0x80 { return [] }  // a stray continuation byte
        if !pendingUTF8.isEmpty, byte & 0xC0 != 0x80 {
            pendingUTF8 = []  // a sequence cut short by another lead byte: drop it and start over
        }
        pendingUTF8.append(byte)
        let expected: Int
        switch pendingUTF8[0] {
        case 0xC2...0xDF: expected = 2
        case 0xE0...0xEF: expected = 3
        case 0xF0...0xF4: expected = 4
        default:
            pendingUTF8 = []
            return []
        }
        guard pendingUTF8.count == expected else { return [] }
        let bytes = pendingUTF8
        pendingUTF8 = []
        guard let text = String(validating: bytes, as: UTF8.self) else { return [] }
        var output: [UInt8] = []
        for character in text {
            output += insertCharacter(character)
        }
        return output
    }

    private mutating func escapeByte(_ byte: UInt8) -> [UInt8] {
        switch escape {
        case .none:
            return []
        case .escape:
            switch byte {
            case UInt8(ascii: "["): escape = .controlSequence([])
            case UInt8(ascii: "O"): escape = .singleShift
            default: escape = .none
            }
            return []
        case .singleShift:
            escape = .none
            return cursorKey(byte)
        case .controlSequence(var parameters):
            if (0x30...0x3F).contains(byte) {
                parameters.append(byte)
                escape = parameters.count > 8 ? .none : .controlSequence(parameters)
                return []
            }
            escape = .none
            if byte == UInt8(ascii: "~") {
                switch String(decoding: parameters, as: UTF8.self) {
                case "1", "7": return moveCursor(to: 0)
                case "4", "8": return moveCursor(to: line.count)
                case "3": return deleteForward()
                default: return []
                }
            }
            return cursorKey(byte)
        }
    }

    private mutating func cursorKey(_ byte: UInt8) -> [UInt8] {
        switch byte {
        case UInt8(ascii: "A"): recallHistory(older: true)
        case UInt8(ascii: "B"): recallHistory(older: false)
        case UInt8(ascii: "C"): moveCursor(to: cursor + 1)
        case UInt8(ascii: "D"): moveCursor(to: cursor - 1)
        case UInt8(ascii: "H"): moveCursor(to: 0)
        case UInt8(ascii: "F"): moveCursor(to: line.count)
        default: []
        }
    }

    // MARK: Editing

    private mutating func insertCharacter(_ character: Character) -> [UInt8] {
        guard line.count < Self.maximumLineLength else { return echo ? [0x07] : [] }
        line.insert(character, at: cursor)
        cursor += 1
        guard echo else { return [] }
        if cursor == line.count { return Array(String(character).utf8) }
        return Array(String(character).utf8) + redrawTail()
    }

    private mutating func deleteBackward() -> [UInt8] {
        guard cursor > 0 else { return [] }
        let width = DisplayWidth.columns(of: line[cursor - 1])
        line.remove(at: cursor - 1)
        cursor -= 1
        guard echo else { return [] }
        return Self.moveLeft(width) + redrawTail()
    }

    private mutating func deleteForward() -> [UInt8] {
        guard cursor < line.count else { return [] }
        line.remove(at: cursor)
        return echo ? redrawTail() : []
    }

    /// Draws the line from the cursor to its end, clears what was after it, and returns the
    /// cursor to its place.
    private func redrawTail() -> [UInt8] {
        guard echo else { return [] }
        let tail = String(line[cursor...])
        return Array(tail.utf8) + Array("\u{1B}[K".utf8) + Self.moveLeft(DisplayWidth.columns(of: tail))
    }

    private mutating func moveCursor(to index: Int) -> [UInt8] {
        cursorBeforeMove = cursor
        let target = min(max(index, 0), line.count)
        defer { cursor = target }
        guard echo, target != cursor else { return [] }
        if target < cursor {
            return Self.moveLeft(DisplayWidth.columns(of: String(line[target..<cursor])))
        }
        return Self.moveRight(DisplayWidth.columns(of: String(line[cursor..<target])))
    }

    private mutating func recallHistory(older: Bool) -> [UInt8] {
        guard echo, keepsHistory, !history.isEmpty else { return [] }
        let next: Int?
        switch (historyIndex, older) {
        case (nil, true):
            draftBeforeHistory = line
            next = history.count - 1
        case (nil, false):
            return []
        case (let index?, true):
            next = max(index - 1, 0)
        case (let index?, false):
            next = index + 1 < history.count ? index + 1 : nil
        }
        historyIndex = next
        let replacement = next.map { Array(history[$0]) } ?? draftBeforeHistory
        var output = moveCursor(to: 0)
        line = replacement
        cursor = 0
        output += redrawTail()
        output += moveCursor(to: line.count)
        return output
    }

    static func moveLeft(_ columns: Int) -> [UInt8] {
        columns > 0 ? Array("\u{1B}[\(columns)D".utf8) : []
    }

    static func moveRight(_ columns: Int) -> [UInt8] {
        columns > 0 ? Array("\u{1B}[\(columns)C".utf8) : []
    }
}
