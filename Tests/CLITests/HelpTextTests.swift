import Core
import Foundation
import Testing

@testable import CLI

/// Help text, compared word for word with the files under `Help/`.
@Suite struct HelpTextTests {
    static let commands: [[String]] = [
        [], ["sms"], ["sms", "plan"], ["sms", "encode"], ["sms", "decode"],
        ["modem"], ["modem", "status"], ["modem", "send"], ["modem", "inbox"], ["modem", "reset"], ["console"], ["run"],
    ]

    static func expected(_ command: [String], _ language: Language) throws -> String {
        let name = (["alertbox"] + command).joined(separator: "-")
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Help/\(name).\(language.rawValue).txt")
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test(arguments: commands, Language.allCases)
    func helpMatchesFile(command: [String], language: Language) throws {
        let result = CommandLineTool.run(command + ["--help"], environment: ["ALERTBOX_LANG": language.rawValue])
        #expect(result.exitStatus == 0)
        #expect(result.standardOutput == (try Self.expected(command, language)))
    }

    @Test(arguments: commands)
    func helpFormsAreIdentical(command: [String]) {
        let long = CommandLineTool.run(command + ["--help"])
        let short = CommandLineTool.run(command + ["-h"])
        let word = CommandLineTool.run(["help"] + command)
        #expect(short == long)
        #expect(word == long)
    }

    @Test func helpFlagAfterArguments() {
        let result = CommandLineTool.run(["sms", "plan", "火警", "--help"])
        #expect(result == CommandLineTool.run(["sms", "plan", "--help"]))
    }

    @Test func chineseIsDefault() {
        let result = CommandLineTool.run(["sms", "--help"])
        #expect(result.standardOutput.hasPrefix("用法：alertbox sms"))
    }

    @Test func langOptionSelectsEnglish() {
        let result = CommandLineTool.run(["--lang", "en", "sms", "--help"])
        #expect(result.standardOutput.hasPrefix("Usage: alertbox sms"))
    }

    @Test func langOptionBeatsEnvironment() {
        let result = CommandLineTool.run(["sms", "--help", "--lang=zh"], environment: ["ALERTBOX_LANG": "en"])
        #expect(result.standardOutput.hasPrefix("用法："))
    }
}
