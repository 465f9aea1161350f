import LocalControl
import Testing

@Suite struct SMSCommandParserTests {
    static let names = ["火警", "FIRE", "着火", "火警演练", "演练", "DRILL"]

    static func parse(_ text: String) -> ParsedSMS {
        SMSCommandParser.parse(text, triggerNames: names)
    }

    @Test(arguments: [
        ("2468 状态", SMSCommand.status),
        ("2468 STATUS", .status),
        ("2468 status", .status),
        ("２４６８　状态", .status),
        ("2468状态", .status),
        ("  2468 ，状态。 ", .status),
        ("2468 报警 火警", .alarm(name: "火警", note: "")),
        ("2468 报警 火警 三楼东侧有烟", .alarm(name: "火警", note: "三楼东侧有烟")),
        ("2468报警火警三楼东侧", .alarm(name: "火警", note: "三楼东侧")),
        ("2468 报警 火警演练", .alarm(name: "火警演练", note: "")),
        ("2468 ALARM fire Building 3", .alarm(name: "FIRE", note: "Building 3")),
        ("2468 alarm Ｆｉｒｅ", .alarm(name: "FIRE", note: "")),
        ("2468 报警 爆炸 二楼", .alarm(name: "爆炸", note: "二楼")),
        ("2468 ALARM fireworks", .alarm(name: "fireworks", note: "")),
        ("2468 取消", .cancel(alertNumber: nil)),
        ("2468 取消 12", .cancel(alertNumber: 12)),
        ("2468 取消 #12。", .cancel(alertNumber: 12)),
        ("2468 cancel １２", .cancel(alertNumber: 12)),
        ("确认 4821", .confirm(code: "4821")),
        ("CONFIRM 4821", .confirm(code: "4821")),
        ("2468 确认 4821", .confirm(code: "4821")),
    ])
    func commandParses(text: String, command: SMSCommand) {
        guard case .command(let parsed, _, _) = Self.parse(text) else {
            Issue.record("'\(text)' did not parse as a command: \(Self.parse(text))")
            return
        }
        #expect(parsed == command)
    }

    @Test func pinIsTheLeadingDigits() {
        guard case .command(_, let pin, _) = Self.parse("２４６８ 报警 火警") else {
            Issue.record("no command")
            return
        }
        #expect(pin == "2468")
    }

    @Test(arguments: [
        ("2468 报警 火警 三楼", "**** 报警 火警 三楼"),
        ("２４６８状态", "**** 状态"),
        ("2468 取消 x", "**** 取消 x"),
        ("确认 4821", "确认 4821"),
        ("状态", "状态"),
    ])
    func redactedTextHidesPIN(text: String, redacted: String) {
        #expect(Self.parse(text).redacted == redacted)
    }

    @Test(arguments: ["1", "收到", "收到，马上到", "2301 房间已疏散", "报警了吗？", "13800000001", "", "状态很好", "确认", "确认。", "CONFIRM", "确认 收到"])
    func replyIsNoCommand(text: String) {
        #expect(Self.parse(text) == .notCommand)
    }

    @Test(arguments: [
        ("状态", SMSCommandKind.status),
        ("报警 火警", .alarm),
        ("STATUS", .status),
        ("2468 报警", .alarm),
        ("12 状态", .status),
        ("1234567890123 状态", .status),
        ("2468 取消 abc", .cancel),
        ("2468 确认", .confirm),
        ("2468 确认 abc", .confirm),
    ])
    func malformedCommandIsRecognised(text: String, kind: SMSCommandKind) {
        guard case .malformed(let parsed, _) = Self.parse(text) else {
            Issue.record("'\(text)' was not malformed: \(Self.parse(text))")
            return
        }
        #expect(parsed == kind)
    }

    @Test func normalizedReadsFullWidthAndSpaces() {
        #expect(SMSCommandParser.normalized("\u{3000}１２３４\u{3000}\u{3000}ＳＴＡＴＵＳ\n") == "1234 STATUS")
    }
}
