import Console
import Core

/// Feeds keystrokes to the console's line editor and runs the lines it submits, the Tab
/// completions and the `?` help through the command grammar for both roles.
enum ConsoleFuzzing {
    private static let historyLimit = 8

    static func run(_ bytes: [UInt8], _ result: inout FuzzResult) {
        // A terminal may deliver keystrokes in any chunks, so one read and one read per byte
        // must give the same lines, completions and help requests.
        var whole = LineEditor(historyLimit: historyLimit)
        let wholeActions = whole.feed(bytes).filter(isCommand)
        var bytewise = LineEditor(historyLimit: historyLimit)
        var bytewiseActions: [LineEditor.Action] = []
        for byte in bytes {
            bytewiseActions += bytewise.feed(CollectionOfOne(byte)).filter(isCommand)
        }
        result.expect(bytewiseActions == wholeActions, "typing one byte per read gives other actions than one read")
        result.expect(bytewise.line == whole.line, "typing one byte per read leaves another line being edited")

        // The session reads a few bytes at a time and answers each action before the next read.
        var editor = LineEditor(historyLimit: historyLimit)
        _ = editor.begin(prompt: "alertbox> ")
        var start = 0
        while start < bytes.count {
            let end = min(bytes.count, start + 4)
            drive(&editor, Array(bytes[start..<end]), &result)
            start = end
        }
    }

    /// Feeds `bytes` and answers the actions as the console session does.
    private static func drive(_ editor: inout LineEditor, _ bytes: [UInt8], _ result: inout FuzzResult) {
        let grammar = CommandTable.grammar
        let actions = editor.feed(bytes)
        for action in actions {
            switch action {
            case .submit(let line):
                result.expect(!line.contains { $0 == "\r" || $0 == "\n" }, "a submitted line contains CR or LF")
                parse(line, &result)
                _ = editor.begin(prompt: "alertbox> ")
            case .complete(let beforeCursor):
                let completion = grammar.complete(beforeCursor, role: .admin, settingKeys: ["sms.hourly_limit"])
                result.expect(!completion.insertion.contains { $0.isNewline }, "a completion inserts a line break")
                _ = editor.insert(completion.insertion)
            case .help(let beforeCursor):
                for language in Language.allCases {
                    let lines = grammar.contextHelp(beforeCursor, role: .operator, language: language)
                    result.expect(!lines.isEmpty, "help for \(beforeCursor.debugDescription) is empty")
                }
            case .interrupt, .endOfInput:
                _ = editor.begin(prompt: "alertbox> ")
            case .write:
                break
            }
            result.expect((0...editor.line.count).contains(editor.cursor), "cursor \(editor.cursor) outside a line of \(editor.line.count)")
        }
        result.expect(editor.history.count <= historyLimit, "history keeps \(editor.history.count) lines, over its limit of \(historyLimit)")
    }

    /// Parses a submitted line for each role; an operator must never reach an admin command.
    private static func parse(_ line: String, _ result: inout FuzzResult) {
        for role in ConsoleRole.allCases {
            do {
                let invocation = try CommandTable.grammar.parse(line, role: role)
                result.accept()
                result.expect(
                    role >= invocation.command.role,
                    "role \(role) parsed \(invocation.command.words.joined(separator: " ")), which needs \(invocation.command.role)")
            } catch {
                result.reject(error, by: "CommandGrammar.parse")
            }
        }
    }

    private static func isCommand(_ action: LineEditor.Action) -> Bool {
        if case .write = action { return false }
        return true
    }
}
