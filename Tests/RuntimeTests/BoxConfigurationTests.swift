import Alerting
import LocalControl
import LocalControl
@testable import Runtime
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
            per_minute = 1000
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
            #expect(lines.contains("line 10: sms.budget.per_minute: 1000 is out of range; use 1 to 600"))
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

@Suite struct ExtensionConfigurationTests {
    static let base = """
        [box]
        id = "alertbox-b3"
        [board]
        profile = "simulator"

        """

    @Test func smsCommandsConsoleAndUplinkAreRead() throws {
        let hash = try PINHash.make(pin: "2468", iterations: 1000)
        let text = Self.base + """
            [sms_commands]
            pin_hash = "\(hash.description)"
            lockout_s = 600
            [[sms_commands.operator]]
            name = "值班长"
            number = "13800000001"
            commands = ["status", "alarm"]
            [[sms_commands.trigger]]
            name = "火警"
            aliases = ["fire"]
            template = "fire-alarm"
            priority = 0
            audience = ["消防组"]

            [console]
            socket = "/run/alertbox/console.sock"
            serial = false

            [[im.robot]]
            name = "保卫处群"
            kind = "wecom"
            url = "http://127.0.0.1:18080"
            key_file = "/etc/alertbox/wecom.key"
            groups = ["保卫处"]

            [upstream]
            kind = "webhook"
            url = "https://upstream.example.org/hook"
            secret_file = "/etc/alertbox/upstream.secret"
            """
        let configuration = try BoxConfiguration.parse(text, file: "a.toml")
        let commands = try #require(configuration.smsCommands)
        #expect(commands.operators.first?.number.e164 == "+8613800000001")
        #expect(commands.operators.first?.allowedCommands == [.status, .alarm])
        #expect(commands.triggers.first?.names == ["火警", "fire"])
        #expect(commands.lockoutDuration == .seconds(600))
        #expect(commands.alertSender == "alertbox-b3")
        #expect(configuration.console.serial == false)
        #expect(configuration.uplink.robots.first?.groups == ["保卫处"])
        #expect(configuration.uplink.upstream == .webhook(url: "https://upstream.example.org/hook", secretFile: "/etc/alertbox/upstream.secret"))
    }

    @Test func mistakesInTheNewSectionsAreNamed() {
        let text = Self.base + """
            [sms_commands]
            pin_hash = "1234"
            [[sms_commands.operator]]
            name = "值班长"
            number = "12345"
            [[im.robot]]
            name = "x"
            kind = "wecom"
            url = "http://robots.example.org"
            groups = []
            [mqtt]
            host = "broker.example.org"
            """
        do {
            _ = try BoxConfiguration.parse(text, file: "a.toml")
            Issue.record("accepted")
        } catch {
            let lines = error.issues.map(\.description)
            #expect(lines.contains { $0.contains("sms_commands.operator[1].number: \"***45\" is not a phone number") }, "\(lines)")
            #expect(lines.contains { $0.contains("sms_commands.pin_hash: not a valid PIN hash") }, "\(lines)")
            #expect(lines.contains { $0.contains("im.robot[1].url: \"http://robots.example.org\" must use https") }, "\(lines)")
            #expect(lines.contains { $0.contains("im.robot[1].key_file: missing") }, "\(lines)")
            #expect(lines.contains { $0.contains("im.robot[1].groups: missing or empty") }, "\(lines)")
            #expect(lines.contains { $0.contains("mqtt.ca_file: missing") }, "\(lines)")
        }
    }

    @Test func clientCertificateNeedsKeyAndTLS() throws {
        let withBoth = try BoxConfiguration.parse(
            Self.base + "[mqtt]\nhost = \"broker.example.org\"\nca_file = \"/etc/alertbox/ca.pem\"\n"
                + "certificate_file = \"/etc/alertbox/box.crt\"\nkey_file = \"/etc/alertbox/box.key\"\n",
            file: "a.toml")
        #expect(withBoth.uplink.mqtt?.certificateFile == "/etc/alertbox/box.crt")
        #expect(withBoth.uplink.mqtt?.keyFile == "/etc/alertbox/box.key")

        let text = Self.base + "[mqtt]\nhost = \"127.0.0.1\"\ncertificate_file = \"/etc/alertbox/box.crt\"\n"
        do {
            _ = try BoxConfiguration.parse(text, file: "a.toml")
            Issue.record("accepted a client certificate without its key and without TLS")
        } catch {
            let lines = error.issues.map(\.description)
            #expect(lines.contains { $0.contains("mqtt.key_file: missing; the client certificate and its key go together") }, "\(lines)")
            #expect(lines.contains { $0.contains("mqtt.certificate_file: a client certificate needs TLS; set ca_file too") }, "\(lines)")
        }
    }
}

@Suite struct RuntimeOverridesTests {
    @Test func committedConsoleValuesWinOverTheFile() throws {
        var settings = try BoxConfiguration.load(path: repositoryRoot + "/board/alertbox.example.toml").schedulerSettings()
        let applied = RuntimeOverrides.apply(
            ["sms.per_minute": "6", "ack.keywords": "1, 收到 ,ok", "alerts.all_clear": "none", "box.utc_offset_minutes": "420"], to: &settings)
        #expect(Set(applied) == ["sms.per_minute", "ack.keywords", "alerts.all_clear", "box.utc_offset_minutes"])
        #expect(settings.smsLimits.perMinute == 6)
        #expect(settings.smsLimits.perHour == 180)
        #expect(settings.acknowledgementKeywords == ["1", "收到", "ok"])
        #expect(settings.allClear == .none)
        #expect(settings.composer.renderer.utcOffsetMinutes == 420)
    }
}
