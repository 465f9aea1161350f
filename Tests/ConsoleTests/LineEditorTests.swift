import Testing

@testable import Console

@Suite struct LineEditorTests {
    static func written(_ actions: [LineEditor.Action]) -> String {
        actions.compactMap { if case .write(let bytes) = $0 { String(decoding: bytes, as: UTF8.self) } else { nil } }.joined()
    }

    @Test func submitsLineOnCarriageReturn() {
        var editor = LineEditor()
        _ = editor.begin(prompt: "> ")
        let actions = editor.feed(Array("status\r\n".utf8))
        #expect(actions.last == .submit("status"))
        #expect(actions.filter { if case .submit = $0 { true } else { false } }.count == 1)
    }

    @Test func hintFollowsTheLineAndClearsOnEnter() {
        var editor = LineEditor()
        editor.hint = { $0.isEmpty ? nil : "[\($0.count)]" }
        _ = editor.begin(prompt: "> ")
        let typed = Self.written(editor.feed(Array("ab".utf8)))
        // Saved cursor, cleared tail, the dimmed hint, restored cursor.
        #expect(typed.hasSuffix("\u{1B}7\u{1B}[K  \u{1B}[2m[2]\u{1B}[0m\u{1B}8"))
        let moved = Self.written(editor.feed([0x1B, 0x5B, 0x44]))
        #expect(!moved.contains("[2m"), "a cursor move does not change the line")
        let entered = editor.feed(Array("\r".utf8))
        #expect(Self.written(entered).hasPrefix("\u{1B}[1C\u{1B}[K\r\n"))
        #expect(entered.last == .submit("ab"))
    }

    @Test func templateHintCountsTheWorstCase() {
        #expect(CommandRunner.templateHint(for: "status", language: .chinese, signature: nil) == nil)
        #expect(CommandRunner.templateHint(for: "templates set fire zh p0", language: .chinese, signature: nil) == nil)
        // The worst case counts the longer test label too: 【测试】 in Chinese, [EXERCISE] in English.
        let short = CommandRunner.templateHint(for: "templates check 火警", language: .chinese, signature: nil)
        #expect(short == "[6/70 · 1 条]")
        let long = CommandRunner.templateHint(for: "templates set x zh p1 " + String(repeating: "火", count: 71), language: .english, signature: nil)
        #expect(long == "[82/70 · 2 SMS!]")
        #expect(CommandRunner.templateHint(for: "templates check {locat", language: .chinese, signature: nil) == "[变量不完整]")
    }

    @Test func chineseSplitAcrossReadsIsOneCharacter() {
        var editor = LineEditor()
        _ = editor.begin(prompt: "")
        let bytes = Array("火警".utf8)
        _ = editor.feed(bytes[0..<2])
        #expect(editor.line.isEmpty)
        _ = editor.feed(bytes[2..<4])
        #expect(String(editor.line) == "火")
        _ = editor.feed(bytes[4...])
        #expect(String(editor.line) == "火警")
    }

    @Test func backspaceOverWideCharacterMovesTwoColumns() {
        var editor = LineEditor()
        _ = editor.begin(prompt: "")
        _ = editor.feed(Array("a火".utf8))
        let output = Self.written(editor.feed([0x7F]))
        #expect(String(editor.line) == "a")
        #expect(output == "\u{1B}[2D\u{1B}[K")
    }

    @Test(arguments: [
        ("\u{1B}[D", "xterm"), ("\u{1B}OD", "application mode"),
    ])
    func leftArrowThenInsert(sequence: String, variant: String) {
        var editor = LineEditor()
        _ = editor.begin(prompt: "")
        _ = editor.feed(Array("ac".utf8))
        _ = editor.feed(Array(sequence.utf8))
        _ = editor.feed(Array("b".utf8))
        #expect(String(editor.line) == "abc", "\(variant)")
    }

    @Test(arguments: ["\u{1B}[H", "\u{1B}[1~", "\u{1B}OH", "\u{1B}[7~", "\u{01}"])
    func homeKeysMoveToStart(sequence: String) {
        var editor = LineEditor()
        _ = editor.begin(prompt: "")
        _ = editor.feed(Array("状态".utf8))
        let output = Self.written(editor.feed(Array(sequence.utf8)))
        #expect(editor.cursor == 0)
        #expect(output == "\u{1B}[4D")
    }

    @Test(arguments: ["\u{1B}[F", "\u{1B}[4~", "\u{1B}OF", "\u{1B}[8~", "\u{05}"])
    func endKeysMoveToEnd(sequence: String) {
        var editor = LineEditor()
        _ = editor.begin(prompt: "")
        _ = editor.feed(Array("abc\u{01}".utf8))
        _ = editor.feed(Array(sequence.utf8))
        #expect(editor.cursor == 3)
    }

    @Test func deleteKeyRemovesUnderCursor() {
        var editor = LineEditor()
        _ = editor.begin(prompt: "")
        _ = editor.feed(Array("abc\u{01}\u{1B}[3~".utf8))
        #expect(String(editor.line) == "bc")
    }

    @Test func historyRecallsWithArrows() {
        var editor = LineEditor()
        _ = editor.begin(prompt: "")
        _ = editor.feed(Array("status\rshow alerts\r".utf8))
        _ = editor.feed(Array("\u{1B}[A\u{1B}[A".utf8))
        #expect(String(editor.line) == "status")
        _ = editor.feed(Array("\u{1B}[B".utf8))
        #expect(String(editor.line) == "show alerts")
        _ = editor.feed(Array("\u{1B}[B".utf8))
        #expect(editor.line.isEmpty)
    }

    @Test func passwordIsNotEchoedNorKept() {
        var editor = LineEditor()
        _ = editor.begin(prompt: "密码：", echo: false)
        let actions = editor.feed(Array("secret?\t\r".utf8))
        #expect(Self.written(actions) == "\r\n")
        #expect(actions.last == .submit("secret?"))
        #expect(editor.history.isEmpty)
    }

    @Test func questionMarkAsksForHelp() {
        var editor = LineEditor()
        _ = editor.begin(prompt: "")
        let actions = editor.feed(Array("alert ?".utf8))
        #expect(actions.last == .help("alert "))
        #expect(String(editor.line) == "alert ")
    }

    @Test func questionMarkInsideQuotesIsText() {
        var editor = LineEditor()
        _ = editor.begin(prompt: "")
        _ = editor.feed(Array("templates check \"有人吗?".utf8))
        #expect(String(editor.line) == "templates check \"有人吗?")
    }

    @Test func tabAsksForCompletion() {
        var editor = LineEditor()
        _ = editor.begin(prompt: "")
        #expect(editor.feed(Array("con\t".utf8)).last == .complete("con"))
    }

    @Test func controlCDropsLine() {
        var editor = LineEditor()
        _ = editor.begin(prompt: "")
        #expect(editor.feed(Array("abc\u{03}".utf8)).last == .interrupt)
        #expect(editor.line.isEmpty)
    }

    @Test func enterAfterCutShortUTF8StillSubmits() {
        var editor = LineEditor()
        _ = editor.begin(prompt: "")
        // The first two bytes of 火 (E7 81 AB), then Enter: the cut-short character is dropped.
        let actions = editor.feed([UInt8(ascii: "a"), 0xE7, 0x81, 0x0D])
        #expect(actions.last == .submit("a"))
    }

    @Test func controlKeyAfterCutShortUTF8StillActs() {
        var editor = LineEditor()
        _ = editor.begin(prompt: "")
        #expect(editor.feed([UInt8(ascii: "a"), 0xE7, 0x03]).last == .interrupt)
    }

    @Test func promptWithoutHistoryKeepsNoLine() {
        var editor = LineEditor()
        _ = editor.begin(prompt: "login: ", keepsHistory: false)
        _ = editor.feed(Array("hunter22\r".utf8))
        #expect(editor.history.isEmpty)
        _ = editor.begin(prompt: "login: ", keepsHistory: false)
        _ = editor.feed(Array("\u{1B}[A".utf8))
        #expect(editor.line.isEmpty)
    }

    @Test func clearHistoryForgetsLines() {
        var editor = LineEditor()
        _ = editor.begin(prompt: "")
        _ = editor.feed(Array("status\r".utf8))
        editor.clearHistory()
        _ = editor.feed(Array("\u{1B}[A".utf8))
        #expect(editor.history.isEmpty)
        #expect(editor.line.isEmpty)
    }

    @Test func lineStopsGrowingAtLimit() {
        var editor = LineEditor()
        _ = editor.begin(prompt: "")
        let actions = editor.feed(Array(repeating: UInt8(ascii: "x"), count: LineEditor.maximumLineLength + 100) + [0x0D])
        #expect(actions.last == .submit(String(repeating: "x", count: LineEditor.maximumLineLength)))
    }

    @Test func wideCharactersStopAtLimit() {
        var editor = LineEditor()
        _ = editor.begin(prompt: "")
        _ = editor.feed(Array(String(repeating: "警", count: LineEditor.maximumLineLength + 1).utf8))
        #expect(editor.line.count == LineEditor.maximumLineLength)
    }

    @Test func displayWidthOfMixedText() {
        #expect(DisplayWidth.columns(of: "P0 火警") == 7)
        #expect(DisplayWidth.columns(of: "ＡＢ") == 4)
    }
}
