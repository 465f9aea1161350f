import Alerting
import LocalControl
import Runtime
import Testing

/// The repository's root, from this file's path.
let repositoryRoot: String = {
    var parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
    parts.removeLast(3)
    return parts.joined(separator: "/")
}()

@Suite struct BoxConfigurationTests {
    @Test func exampleFileIsValid() throws {
        let configuration = try BoxConfiguration.load(path: repositoryRoot + "/board/alertbox.example.toml")
        #expect(configuration.boxID == "alertbox-building3")
        #expect(configuration.language == .chinese)
        #expect(configuration.boardProfile == "rpi4-ec25")
        #expect(configuration.smsLimits.perMinute == 12)
        #expect(configuration.panel.inputs.map(\.role) == ["panic_1", "fire_panel", "nurse_call"])
        let fire = try #require(configuration.panel.inputs.first { $0.role == "fire_panel" })
        #expect(fire.kind == .normallyClosed)
        #expect(fire.timing.minimumHold == .milliseconds(500))
        #expect(fire.trigger.audience == ["消防组", "保卫处"])
        #expect(configuration.panel.testKey == "test_key")
        #expect(configuration.faultTrigger?.template == "device-fault")
        #expect(configuration.annunciatorRoles.siren == "siren")
        let settings = try configuration.schedulerSettings()
        #expect(settings.acknowledgementKeywords.contains("收到"))
    }

    @Test func everyProblemIsListedWithKeyLineAndFix() {
        let text = """
            [box]
            id = "楼3"
            langauge = "zh"
            log_level = "loud"

            [board]
            profile = "simulator"

            [sms.budget]
            per_minute = 100
            per_hour = "many"

            [[gpio.input]]
            role = "panic_1"
            kind = "normally-shut"
            template = "fire-alarm"
            debounce_ms = 5000
            """
        do {
            _ = try BoxConfiguration.parse(text, file: "alertbox.toml")
            Issue.record("accepted a bad configuration")
        } catch {
            let lines = error.issues.map(\.description)
            #expect(lines.contains("line 2: box.id: \"楼3\" may hold only ASCII letters, digits, - and _, because it becomes the CAP sender"))
            #expect(lines.contains("line 3: box.langauge: unknown key; did you mean language?"))
            #expect(lines.contains { $0.hasPrefix("line 4: box.log_level: \"loud\" is not a level") })
            #expect(lines.contains("line 10: sms.budget.per_minute: 100 is out of range; use 1 to 60"))
            #expect(lines.contains { $0.hasPrefix("line 11: sms.budget.per_hour: expected a whole number, found a string") })
            #expect(lines.contains { $0.hasPrefix("line 15: gpio.input[1].kind: \"normally-shut\" is not known; use one of \"normally-open\", \"normally-closed\"") })
            #expect(lines.contains("gpio.input[1].audience: missing or empty; name at least one contact group, such as [\"保卫处\"]"))
            #expect(lines.contains("line 17: gpio.input[1].debounce_ms: 5000 ms is out of range; use 0 to 1000 ms"))
            #expect(error.issues.count == 8, "\(lines)")
            #expect(error.description.hasPrefix("alertbox.toml: 8 problem(s) in the configuration:"))
        }
    }

    @Test func syntaxErrorNamesTheLine() {
        do {
            _ = try BoxConfiguration.parse("[box]\nid = alertbox\n", file: "a.toml")
            Issue.record("accepted")
        } catch {
            #expect(error.issues.first?.line == 2)
            #expect(error.issues.first?.key == "(syntax)")
        }
    }

    @Test func missingFileIsNamed() {
        #expect(throws: ConfigError.self) { try BoxConfiguration.load(path: "/nonexistent/alertbox.toml") }
    }
}
