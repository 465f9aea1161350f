import Core
import Foundation
import LocalControl
@testable import Runtime
import Testing

/// Configuration, board-profile and TOML errors in Chinese (the default) and English.
@Suite struct ConfigErrorLanguageTests {
    static let broken = """
        [box]
        id = "楼3"
        langauge = "zh"

        [board]
        profile = "simulator"

        [[gpio.input]]
        role = "panic_1"
        template = "fire-alarm"
        debounce_ms = 5000
        """

    /// Returns the error that parsing `text` throws, or nil when the text is accepted.
    static func parseError(_ text: String, file: String = "alertbox.toml") -> ConfigError? {
        do {
            _ = try BoxConfiguration.parse(text, file: file)
            return nil
        } catch {
            return error
        }
    }

    @Test func brokenConfigurationInChinese() throws {
        let error = try #require(Self.parseError(Self.broken))
        let lines = error.description(in: .chinese).split(separator: "\n").map(String.init)
        #expect(lines.first == "alertbox.toml：配置中有 4 处问题：")
        #expect(lines.contains("  - 第 2 行：box.id：\"楼3\" 只能包含 ASCII 字母、数字、- 和 _，因为它会用作 CAP 消息的 sender 字段"))
        #expect(lines.contains("  - 第 3 行：box.langauge：未知的键；是否应为 language？"))
        #expect(lines.contains("  - 第 11 行：gpio.input[1].debounce_ms：5000 ms 超出范围；请用 0 到 1000 ms"))
        #expect(lines.contains("  - gpio.input[1].audience：缺少此项或为空；请至少填写一个联系人分组，例如 [\"保卫处\"]"))
        #expect(lines.count == 5)
    }

    @Test func brokenConfigurationInEnglish() throws {
        let error = try #require(Self.parseError(Self.broken))
        let lines = error.description(in: .english).split(separator: "\n").map(String.init)
        #expect(lines.first == "alertbox.toml: 4 problem(s) in the configuration:")
        #expect(lines.contains("  - line 2: box.id: \"楼3\" may hold only ASCII letters, digits, - and _, because it becomes the CAP sender"))
        #expect(lines.contains("  - line 3: box.langauge: unknown key; did you mean language?"))
        #expect(lines.contains("  - line 11: gpio.input[1].debounce_ms: 5000 ms is out of range; use 0 to 1000 ms"))
        #expect(lines.contains("  - gpio.input[1].audience: missing or empty; name at least one contact group, such as [\"保卫处\"]"))
        #expect(lines.count == 5)
        #expect(error.description == error.description(in: .english))
    }

    @Test func syntaxErrorInBothLanguages() throws {
        let error = try #require(Self.parseError("[box]\nid = alertbox\n", file: "a.toml"))
        #expect(
            error.description(in: .chinese)
                == "a.toml：配置中有 1 处问题：\n  - 第 2 行：（语法）：\"alertbox\" 不是有效的值；字符串要加双引号，数字直接写，例如 30 或 1.5")
        #expect(
            error.description(in: .english)
                == "a.toml: 1 problem(s) in the configuration:\n"
                + "  - line 2: (syntax): \"alertbox\" is not a value; strings go in double quotes, numbers are digits such as 30 or 1.5")
    }

    @Test func tomlErrorNamesLineAndColumn() {
        do {
            _ = try TOMLParser.parse("[box]\nid = \"a\" x\n")
            Issue.record("accepted text after the value")
        } catch {
            #expect(error.description(in: .chinese) == "第 2 行第 10 列：值后面有多余的内容；每行只写一个键")
            #expect(error.description(in: .english) == "line 2, column 10: unexpected text after the value; put one key per line")
        }
    }

    /// A configuration with a mistake for nearly every check the reader makes.
    static let fullOfMistakes = """
        contacts = 5

        [box]
        id = "box 1"
        langauge = "zh"
        log_level = "loud"
        utc_offset_minutes = 900
        state_directory = "var/lib/alertbox"
        language = 3

        [modem]
        device = 5
        pin_file = ["/etc/pin"]

        [sms]
        signature = true
        [sms.budget]
        per_minute = 100
        per_hour = 50
        per_day = 10
        p0_reserve_per_hour = 60

        [alerts]
        acknowledgement_keywords = []
        escalation_timeout_s = "long"
        all_clear = "never"
        test_audience = "保卫处"

        [[gpio.input]]
        role = "panic_1"
        kind = "normally-shut"
        template = "fire-alarm"
        minimum_hold_ms = 20000
        stuck_after_s = 10
        [[gpio.input]]
        role = "panic_1"
        template = "fire-alarm"
        audience = [1, 2]
        [gpio]
        test_key = "panic_1"
        test_long_press_ms = 10000
        test_key_stuck_after_s = 5

        [annunciator]
        siren = true
        feedback_hold_s = 0

        [console]
        serial = "yes"

        [sms_commands]
        pin_hash = "1234"
        [[sms_commands.operator]]
        name = "值班长"
        number = "12345"
        [[sms_commands.operator]]
        name = "副班长"
        number = "+8613800000002"
        commands = ["status", "reboot"]
        [[sms_commands.trigger]]
        name = "火警"
        template = "fire-alarm"

        [[im.robot]]
        name = "保卫处群"
        kind = "wecom"
        url = "http://robots.example.org"
        [[im.robot]]
        name = "保卫处群"
        kind = "webhook"
        groups = "保卫处"

        [mqtt]
        host = "broker.example.org"
        username = "box"
        topic_prefix = "alertbox/#"
        publisher = 3

        [upstream]
        kind = "carrier-pigeon"

        [uplink]
        clock = "sundial"
        """

    /// Words a Chinese message may keep in Latin letters: standard names and literal values
    /// that the operator types. Words with a digit, `_`, `.` or `/` count as identifiers.
    static let allowedWords: Set<String> = [
        "ASCII", "CAP", "sender", "GPIO", "SIM", "PIN", "MQTT", "TLS", "CA", "URL", "HTTPS", "https", "http", "AT", "Unicode", "CSV", "tty",
        "ms", "s", "true", "false", "bridge", "webhook", "mqtt", "whsec_", "chmod", "username", "status", "alarm", "cancel", "id",
        "wecom", "dingtalk", "feishu",
    ]

    /// Returns the words of `text` that are neither a key, a literal, a path nor an allowed name.
    static func englishWords(in text: String, keys: [String]) -> [String] {
        var rest = text
        for pattern in [#""[^"]*""#, #"'[^']*'"#, "`[^`]*`", #"\[[^\]]*\]"#, #"\\[0-9A-Za-z]+"#, "[A-Za-z0-9_]+ ="] {
            rest = rest.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        let keyParts = Set(keys.flatMap { $0.split(whereSeparator: { ".[]".contains($0) }).map(String.init) })
        let words = rest.split { !($0.isASCII && ($0.isLetter || $0.isNumber || "_./-".contains($0))) }.map(String.init)
        return words.filter { word in
            guard word.contains(where: \.isLetter), word.count > 1 else { return false }
            let isKeyOrPath = word.contains { $0.isNumber || "_./".contains($0) } || keyParts.contains(word)
            return !isKeyOrPath && !Self.allowedWords.contains(word)
        }
    }

    /// Checks that each issue has a Chinese text of its own, free of English words.
    static func expectTranslated(_ issues: [ConfigIssue], sourceLocation: SourceLocation = #_sourceLocation) {
        let keys = issues.map(\.key)
        for issue in issues {
            #expect(!issue.text.chinese.isEmpty, "\(issue)", sourceLocation: sourceLocation)
            #expect(issue.text.chinese != issue.text.english, "\(issue)", sourceLocation: sourceLocation)
            #expect(englishWords(in: issue.text.chinese, keys: keys) == [], "\(issue.description(in: .chinese))", sourceLocation: sourceLocation)
        }
    }

    @Test func everyConfigurationIssueIsTranslated() throws {
        let error = try #require(Self.parseError(Self.fullOfMistakes))
        Self.expectTranslated(error.issues)
        // The walk proves little unless the file reaches most of the reader's messages.
        #expect(error.issues.count >= 46, "\(error.issues.count) issues:\n\(error)")
    }

    @Test func everyBoardProfileIssueIsTranslated() {
        let text = """
            [board]
            name = 4
            colour = "green"
            [modem]
            baud = 300
            dialect = "nokia"
            [gpio]
            backend = "bridge"
            line = [1]
            [console]
            serial = 3
            """
        let lines = """
            [board]
            name = "x"
            [modem]
            device = "/dev/ttyUSB2"
            [[gpio.line]]
            role = "panic_1"
            direction = "sideways"
            offset = 3
            [[gpio.line]]
            role = "panic_1"
            direction = "input"
            offset = 5
            [[gpio.line]]
            role = "led_status"
            direction = "output"
            [[gpio.line]]
            role = "panic_1"
            direction = "input"
            edges = "both"
            offset = 4
            """
        var issues: [ConfigIssue] = []
        for profile in [text, lines] {
            do {
                _ = try BoardProfile.parse(profile, file: "x.toml")
                Issue.record("accepted a bad profile")
            } catch {
                issues += error.issues
            }
        }
        do {
            _ = try BoardProfile.load("no-such-board", directories: ["/nonexistent"])
            Issue.record("found a profile that does not exist")
        } catch {
            issues += error.issues
        }
        Self.expectTranslated(issues)
        #expect(issues.count >= 13, "\(issues.map(\.description))")
    }

    @Test(arguments: [
        "[box]\nid = alertbox", "a = \"open", "a = 'open", "a = \"open\nb = 1", "a = 'open\nb = 1", "a = 1 b = 2", "a = [1, 2", "a = 2026-12-05",
        "a = \"\\q\"", "a = \"\\uZZZZ\"", "x = 1\n[x]", "a = 1\na = 2", "[t]\n[t]", "[x]\ny = 1\n[[x.y]]", "a =",
        "a = tru", "a = \"\"\"x\"\"\"", "[box", "[[box]", "a = {b.c = 1}", "a = {b = 1 c = 2}", "a = {b = 1, b = 2}", "a 1", "= 1", "a.",
    ])
    func everyTOMLErrorIsTranslated(text: String) {
        do {
            _ = try TOMLParser.parse(text)
            Issue.record("accepted: \(text)")
        } catch {
            Self.expectTranslated([ConfigIssue(key: ConfigIssue.syntaxKey, line: error.line, text: error.text)])
        }
    }

    @Test func unreadableSecretInBothLanguages() throws {
        let directory = NSTemporaryDirectory() + "alertbox-secret-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "1234\n".write(toFile: directory + "/pin", atomically: true, encoding: .utf8)
        #expect(chmod(directory + "/pin", 0o644) == 0)
        var issues: [ConfigIssue] = []
        for path in [directory + "/pin", directory + "/missing"] {
            do {
                _ = try BoxRuntime.readSecret(path, name: "modem.pin_file")
                Issue.record("read the secret at \(path)")
            } catch {
                issues += error.issues
            }
        }
        Self.expectTranslated(issues)
        #expect(issues.first?.description(in: .chinese) == "modem.pin_file：其他用户也能读取；请对它运行 chmod 600，因为其中存有密钥")
        #expect(issues.first?.description(in: .english) == "modem.pin_file: is readable by others; run chmod 600 on it, because it holds a secret")
    }
}
