import Testing

@testable import CLI

/// `alertbox sms plan`, `encode` and `decode`, run in process.
@Suite struct SMSCommandTests {
    static func run(_ arguments: String..., stdin: String = "") -> CommandResult {
        CommandLineTool.run(arguments, environment: ["ALERTBOX_LANG": "en"], readStandardInput: { stdin })
    }

    @Test func planChineseSingle() {
        let result = Self.run("sms", "plan", "火警")
        #expect(result.exitStatus == 0)
        #expect(result.standardOutput == """
            Encoding: UCS-2 (because of non-GSM characters: 火 警)
            Length: 2 UTF-16 units
            Parts: 1, at most 70 UTF-16 units each
              Part 1: 2/70  火警

            """)
    }

    @Test func planWarnsOnMultipart() {
        let result = Self.run("sms", "plan", String(repeating: "警", count: 71))
        #expect(result.exitStatus == 0)
        #expect(result.standardOutput.contains("Part 2: 4/67"))
        #expect(result.standardOutput.contains("warning: this text needs 2 SMS; P0 and P1 alarm texts must fit one (at most 70 UTF-16 units in UCS-2)"))
    }

    @Test func planGSMHasNoWarning() {
        let result = Self.run("sms", "plan", String(repeating: "a", count: 160))
        #expect(!result.standardOutput.contains("warning"))
        #expect(result.standardOutput.contains("Encoding: GSM 7-bit\n"))
    }

    @Test func planJoinsArguments() {
        let result = Self.run("sms", "plan", "--json", "Fire", "in", "B3")
        #expect(result.standardOutput.contains("\"text\": \"Fire in B3\""))
    }

    @Test func planReadsStandardInput() {
        let result = Self.run("sms", "plan", "-", stdin: "Line1\r\nLine2")
        #expect(result.standardOutput.contains("Length: 12 septets"))
        #expect(result.standardOutput.contains("Line1\\r\\nLine2"))
    }

    @Test func planJSON() {
        let result = Self.run("sms", "plan", "--json", "测试")
        #expect(result.standardOutput == """
            {
              "encoding": "ucs2",
              "non_gsm_characters": [
                "测",
                "试"
              ],
              "units": 2,
              "unit": "utf16",
              "capacity_per_part": 70,
              "reference_bits": null,
              "parts": [
                {
                  "units": 2,
                  "text": "测试"
                }
              ],
              "warning": null
            }

            """)
    }

    @Test func encodeFieldCaseVector() {
        let result = Self.run("sms", "encode", "--to", "13800000001", "测试")
        #expect(result.exitStatus == 0)
        #expect(result.standardOutput == "Part 1/1  AT+CMGS=19\n0011000D91683108000000F10008AA046D4B8BD5\n")
    }

    @Test func encodeWithReport() {
        let result = Self.run("sms", "encode", "--to=+86 138 0000 0002", "--report", "Test")
        #expect(result.standardOutput.contains("0031000D91683108000000F20000AA04D4F29C0E"))
    }

    @Test func encodeMultipartJSON() {
        let result = Self.run("sms", "encode", "--json", "--to", "13800000001", "--ref", "167", String(repeating: "警", count: 100))
        #expect(result.standardOutput.contains("\"parts\": 2"))
        #expect(result.standardOutput.contains("050003A70201"))
        #expect(result.standardOutput.contains("050003A70202"))
    }

    @Test func encodeWithoutValidity() {
        let result = Self.run("sms", "encode", "--to", "13800000001", "--validity", "0", "Test")
        #expect(result.standardOutput.contains("0001000D91683108000000F1000004D4F29C0E"))
    }

    @Test func decodeDeliver() {
        let result = Self.run("sms", "decode", "0891683108000000F0040D91683108000000F100004210508000002306D4F29C0E8A01")
        #expect(result.exitStatus == 0)
        #expect(result.standardOutput == """
            Type: SMS-DELIVER
            SMSC: +8613800000000
            Originator (TP-OA): +8613800000001 (international)
            Timestamp (TP-SCTS): 2024-01-05T08:00:00+08:00
            TP-PID: 0x00
            TP-DCS: 0x00, GSM 7-bit
            Status report indication (TP-SRI): no
            More messages to send (TP-MMS): no
            User data length (TP-UDL): 6 septets
            Text: Test 1

            """)
    }

    @Test func decodeStatusReportJSON() {
        let result = Self.run("sms", "decode", "--json", "0891683108000000F006110D91683108000000F2421050800000234210508000002300")
        #expect(result.standardOutput.contains("\"category\": \"delivered\""))
        #expect(result.standardOutput.contains("\"message_reference\": 17"))
    }

    @Test func decodeBareTPDU() {
        let result = Self.run("sms", "decode", "--no-smsc", "11000D91683108000000F10008AA04706B8B66")
        #expect(result.exitStatus == 0)
        #expect(result.standardOutput.contains("Text: 火警"))
    }

    static let badInput: [([String], String)] = [
        (["sms", "decode", "0891ZZ"], "alertbox: error: invalid hex PDU at character 5: 'Z' is not a hex digit; give the PDU as an even number of hex digits\n"),
        (["sms", "decode", "0891683108000000F004"], "alertbox: error: PDU truncated in TP-OA length at byte 10: needs 1 byte, 0 left; check that the whole PDU line was copied\n"),
        (["sms", "decode"], "alertbox: error: expected one HEX argument; run 'alertbox sms decode --help' for usage\n"),
        (["sms", "encode", "Test"], "alertbox: error: missing --to NUMBER; run 'alertbox sms encode --help' for usage\n"),
        (["sms", "encode", "--to", "1380000001", "Test"], "alertbox: error: --to: invalid phone number 138****0001: has 10 digits without the country code; a Chinese mobile number has 11, starting with 13-19\n"),
        (["sms", "encode", "--to", "13800000001", "--ref", "256", "Test"], "alertbox: error: invalid --ref '256'; give a whole number from 0 to 255\n"),
        (["sms", "encode", "--to", "13800000001", "--validity", "soon", "Test"], "alertbox: error: invalid --validity 'soon'; give minutes, or 0 to leave the validity period out\n"),
        (["sms", "encode", "--to"], "alertbox: error: option --to needs a value NUMBER\n"),
        (["sms", "plan"], "alertbox: error: missing TEXT; run 'alertbox sms plan --help' for usage\n"),
        (["sms", "plan", "--bogus", "x"], "alertbox: error: unknown option --bogus; run 'alertbox sms plan --help' for the options\n"),
        (["sms", "plan", "--json=yes", "x"], "alertbox: error: option --json takes no value\n"),
        (["sms", "frobnicate"], "alertbox: error: unknown command 'frobnicate'; run 'alertbox sms --help' for the commands\n"),
        (["--lang", "fr", "sms"], "alertbox: error: invalid --lang 'fr'; use zh or en\n"),
        (["sms", "plan", String(repeating: "x", count: 153 * 255 + 1)], "alertbox: error: text needs 256 parts but one concatenated SMS has at most 255; shorten the text\n"),
    ]

    @Test(arguments: badInput)
    func badInputExits64(arguments: [String], message: String) {
        let result = CommandLineTool.run(arguments, environment: ["ALERTBOX_LANG": "en"])
        #expect(result.exitStatus == 64)
        #expect(result.standardError == message)
        #expect(result.standardOutput.isEmpty)
    }

    @Test func badInputInChinese() {
        let result = CommandLineTool.run(["sms", "encode", "--to", "010-12345678", "Test"])
        #expect(result.exitStatus == 64)
        #expect(result.standardError == "alertbox: 错误：--to：手机号 010****5678 无效：像是固定电话号码；短信需要以 13-19 开头的 11 位手机号\n")
    }

    @Test func beijingFixedLineAfterCountryCode() {
        let result = CommandLineTool.run(["sms", "encode", "--to", "+86 10 1234 5678", "Test"], environment: ["ALERTBOX_LANG": "en"])
        #expect(result.exitStatus == 64)
        #expect(result.standardError.contains("looks like a fixed-line number"))
    }

    @Test func helpWordAfterGroup() {
        #expect(CommandLineTool.run(["sms", "help", "plan"]) == CommandLineTool.run(["sms", "plan", "--help"]))
        #expect(CommandLineTool.run(["sms", "help"]) == CommandLineTool.run(["sms", "--help"]))
    }

    @Test func missingSubcommandShowsHelp() {
        let result = Self.run("sms")
        #expect(result.exitStatus == 64)
        #expect(result.standardError == "alertbox: error: missing command; run 'alertbox sms --help' for the commands\n")
    }
}

@Suite struct TerminalSafetyTests {
    @Test func decodeEscapesControlCharacters() {
        let result = CommandLineTool.run(
            ["sms", "decode", "0891683108000000F0040D91683108000000F100084210508000002312001B005B00330031006D0058000700410042"],
            environment: ["ALERTBOX_LANG": "en"])
        #expect(result.exitStatus == 0)
        #expect(!result.standardOutput.unicodeScalars.contains("\u{1B}"))
        #expect(!result.standardOutput.unicodeScalars.contains("\u{07}"))
        #expect(result.standardOutput.contains("Text: \\x1B[31mX\\x07AB"))
    }

    @Test func planEscapesControlCharacters() {
        let result = CommandLineTool.run(["sms", "plan", "A\u{1B}]0;owned\u{07}"], environment: ["ALERTBOX_LANG": "en"])
        #expect(!result.standardOutput.unicodeScalars.contains("\u{1B}"))
        #expect(result.standardOutput.contains("\\x1B]0;owned\\x07"))
    }
}
