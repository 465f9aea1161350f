import Core
import Testing

@testable import Console

@Suite struct GrammarTests {
    let grammar = CommandTable.grammar

    @Test func parsesArgumentsAndRest() throws {
        let invocation = try grammar.parse("alert send fire-alarm 全体员工 请走 东侧楼梯", role: .operator)
        #expect(invocation.command.id == .alertSend)
        #expect(invocation.arguments == ["fire-alarm", "全体员工", "请走 东侧楼梯"])
    }

    @Test func quotesKeepSpaces() throws {
        let invocation = try grammar.parse("contacts add \"Li Lei\" 13800000001", role: .admin)
        #expect(invocation.arguments == ["Li Lei", "13800000001"])
    }

    @Test func operatorCannotRunAdminCommand() {
        #expect(throws: ConsoleError.self) { try grammar.parse("config set sms.per_minute 10", role: .operator) }
    }

    @Test func missingArgumentNamesIt() {
        do {
            _ = try grammar.parse("alert cancel", role: .operator)
            Issue.record("parsed without ALERT")
        } catch {
            #expect(error.message.english == "Missing ALERT (alert number (first column of show alerts)). Usage: alert cancel ALERT")
        }
    }

    @Test func unknownWordIsNamed() {
        do {
            _ = try grammar.parse("launch", role: .admin)
            Issue.record("parsed an unknown command")
        } catch {
            #expect(error.message.chinese == "未知命令“launch”；输入 ? 或 help 查看可用命令。")
        }
    }

    @Test(arguments: ["", "   ", "\t\u{3000}"])
    func blankLineIsRejected(line: String) {
        do {
            _ = try grammar.parse(line, role: .admin)
            Issue.record("parsed a blank line")
        } catch {
            #expect(error.message.english == "Empty command; type help for the commands.")
        }
    }

    @Test func incompleteCommandListsNextWords() {
        do {
            _ = try grammar.parse("alert", role: .operator)
            Issue.record("parsed an incomplete command")
        } catch {
            #expect(error.message.english == "Incomplete command: alert send|test|cancel; type ? for help.")
        }
    }

    @Test func invalidChoiceListsChoices() {
        #expect(throws: ConsoleError.self) { try grammar.parse("lang fr", role: .operator) }
    }

    @Test func completesUniqueWord() {
        #expect(grammar.complete("conf", role: .admin).insertion == "ig ")
        #expect(grammar.complete("con", role: .admin).candidates == ["contacts", "config"])
        #expect(grammar.complete("contacts im", role: .admin).insertion == "port ")
    }

    @Test func completionOffersCandidates() {
        let completion = grammar.complete("show ", role: .operator)
        #expect(completion.candidates == ["alerts", "deliveries", "inbox", "log"])
    }

    @Test func completionHidesAdminCommands() {
        #expect(grammar.complete("users ", role: .operator).candidates.isEmpty)
        #expect(grammar.complete("con", role: .operator).insertion == "")
    }

    @Test func completesSettingKeys() {
        let completion = grammar.complete("config set sms.per_h", role: .admin, settingKeys: SettingRegistry.keys)
        #expect(completion.insertion == "our ")
    }

    @Test func completesChoices() {
        #expect(grammar.complete("lang e", role: .operator).insertion == "n ")
    }

    @Test func contextHelpListsMatchingCommands() {
        let lines = grammar.contextHelp("alert ", role: .operator, language: .english)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("  alert send TEMPLATE GROUPS [NOTE...]"))
    }
}
