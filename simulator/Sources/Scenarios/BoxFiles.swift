import Foundation
import Glibc

/// The box's configuration, contacts and secret files for one scenario, written into the
/// scenario's directory. Secrets go into files of mode 0600, as the box requires.
struct BoxFiles {
    static let boxID = "alertbox-scenario"
    static let topicPrefix = "campus"
    /// Publishers of inbound alerts: routine notices to everyone, and the safety office's
    /// alarms to the floor wardens.
    static let noticePublisher = "notice"
    static let safetyPublisher = "safety"

    let configPath: String
    let contactsPath: String
    /// Each publisher's shared secret, by name.
    let publisherSecrets: [String: String]
    /// Every secret written into the files, for the log audit.
    let secrets: [SecurityAudit.Secret]

    /// Writes the files; `proxies` (the proxy ports by name) is nil for a box without an uplink.
    init(
        directory: String, simulatorDirectory: String, profile: String, people: ScenarioPeople, proxies: [String: Int]?,
        credentials: RobotCredentials, brokerPassword: String?, boxPIN: String?, commandPIN: String?, budget: SMSBudget = SMSBudget()
    ) throws {
        let secrets = directory + "/secrets"
        try FileManager.default.createDirectory(atPath: secrets, withIntermediateDirectories: true)
        configPath = directory + "/alertbox.toml"
        contactsPath = directory + "/contacts.csv"
        try people.csv().write(toFile: contactsPath, atomically: true, encoding: .utf8)

        var publisherSecrets: [String: String] = [:]
        var secretList: [SecurityAudit.Secret] = []
        var text = """
            # Written by alertbox-sim scenario for one run.
            [box]
            id = "\(Self.boxID)"
            name = "仿真医院3号楼报警箱"
            language = "zh"
            state_directory = "\(directory)/state"
            log_level = "info"

            [board]
            profile = "\(profile)"
            gpio_socket = "\(simulatorDirectory)/gpio.sock"

            [modem]
            device = "\(simulatorDirectory)/modem0"

            """
        if let boxPIN {
            try Self.writeSecret(boxPIN, to: secrets + "/sim-pin")
            secretList.append(SecurityAudit.Secret(name: "modem.pin_file", value: boxPIN))
            text += "pin_file = \"\(secrets)/sim-pin\"\n"
        }
        text += """

            [sms]
            signature = "仿真医院"

            [sms.budget]
            per_minute = \(budget.perMinute)
            per_hour = \(budget.perHour)
            per_day = \(budget.perDay)
            p0_reserve_per_hour = 100
            p0_reserve_per_day = 500

            [alerts]
            acknowledgement_keywords = ["1", "收到", "ok"]

            [contacts]
            file = "\(contactsPath)"

            [gpio]
            test_key = "test_key"

            # Step 1: the panic button in the lobby raises the fire alarm.
            [[gpio.input]]
            role = "panic_1"
            kind = "normally-open"
            template = "fire-alarm"
            audience = ["\(ScenarioPeople.responderGroup)"]
            event = "火警"
            location = "3号楼2层"
            instruction = "请从东侧楼梯疏散"

            # Step 3: the duty room's key for the fire update to the floor wardens, at P1.
            [[gpio.input]]
            role = "panic_2"
            kind = "normally-open"
            template = "fire-alarm"
            priority = 1
            audience = ["\(ScenarioPeople.wardenGroup)"]
            event = "火情通报"
            location = "3号楼"
            instruction = "火势已控制，请清点人数"

            # Step 4: the nurse call's code blue, a P0 for the responders.
            [[gpio.input]]
            role = "nurse_call"
            kind = "normally-closed"
            template = "code-blue"
            audience = ["\(ScenarioPeople.responderGroup)"]
            location = "3号楼2层护士站"

            [annunciator]
            status_led = "led_status"
            feedback_led = "led_feedback"
            siren = "siren"

            [console]
            socket = "\(directory)/console.sock"
            serial = false

            """
        if let commandPIN {
            secretList.append(SecurityAudit.Secret(name: "the SMS command PIN", value: commandPIN))
            text += Self.smsCommandSection(pin: commandPIN, people: people)
        }
        if let proxies, let brokerPassword {
            try Self.writeSecret(credentials.wecomKey, to: secrets + "/wecom-key")
            try Self.writeSecret(credentials.dingTalkToken, to: secrets + "/dingtalk-token")
            try Self.writeSecret(credentials.dingTalkSecret, to: secrets + "/dingtalk-secret")
            try Self.writeSecret(credentials.upstreamSecret, to: secrets + "/upstream-secret")
            try Self.writeSecret(brokerPassword, to: secrets + "/mqtt-password")
            secretList += [
                SecurityAudit.Secret(name: "the WeCom robot key", value: credentials.wecomKey),
                SecurityAudit.Secret(name: "the DingTalk access token", value: credentials.dingTalkToken),
                SecurityAudit.Secret(name: "the DingTalk signing secret", value: credentials.dingTalkSecret),
                SecurityAudit.Secret(name: "the upstream webhook secret", value: credentials.upstreamSecret),
                SecurityAudit.Secret(name: "the upstream webhook key", value: String(credentials.upstreamSecret.dropFirst("whsec_".count))),
                SecurityAudit.Secret(name: "the MQTT password", value: brokerPassword),
            ]
            for publisher in [Self.noticePublisher, Self.safetyPublisher] {
                let secret = RobotCredentials.randomToken(32)
                publisherSecrets[publisher] = secret
                secretList.append(SecurityAudit.Secret(name: "the inbound secret of \(publisher)", value: secret))
                try Self.writeSecret(secret, to: secrets + "/publisher-\(publisher)")
            }
            text += """

                [[im.robot]]
                name = "全员群"
                kind = "wecom"
                url = "http://127.0.0.1:\(proxies["wecom"] ?? 0)"
                key_file = "\(secrets)/wecom-key"
                groups = ["\(ScenarioPeople.everyoneGroup)"]

                [[im.robot]]
                name = "应急群"
                kind = "dingtalk"
                url = "http://127.0.0.1:\(proxies["dingtalk"] ?? 0)"
                key_file = "\(secrets)/dingtalk-token"
                secret_file = "\(secrets)/dingtalk-secret"
                groups = ["\(ScenarioPeople.responderGroup)", "\(ScenarioPeople.wardenGroup)"]

                [mqtt]
                host = "127.0.0.1"
                port = \(proxies["mqtt"] ?? 0)
                username = "\(ScenarioBroker.username)"
                password_file = "\(secrets)/mqtt-password"
                topic_prefix = "\(Self.topicPrefix)"

                [[mqtt.publisher]]
                name = "\(Self.noticePublisher)"
                secret_file = "\(secrets)/publisher-\(Self.noticePublisher)"
                audience = ["\(ScenarioPeople.everyoneGroup)"]

                [[mqtt.publisher]]
                name = "\(Self.safetyPublisher)"
                secret_file = "\(secrets)/publisher-\(Self.safetyPublisher)"
                audience = ["\(ScenarioPeople.wardenGroup)"]

                [upstream]
                kind = "webhook"
                url = "http://127.0.0.1:\(proxies["webhook"] ?? 0)\(RobotCredentials.upstreamPath)"
                secret_file = "\(secrets)/upstream-secret"

                # The simulator's machine may have no time service; the fakes use its clock.
                [uplink]
                clock = "assumed"

                """
        }
        self.publisherSecrets = publisherSecrets
        self.secrets = secretList
        try text.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    /// Returns the `[sms_commands]` section: the PIN's hash, the operators of `people` on the
    /// allow-list, and the fire alarm as the one alarm they may raise.
    static func smsCommandSection(pin: String, people: ScenarioPeople) -> String {
        var text = """

            [sms_commands]
            pin_hash = "\(PINHashing.hash(pin: pin))"

            [[sms_commands.trigger]]
            name = "火警"
            template = "fire-alarm"
            priority = 0
            audience = ["\(ScenarioPeople.responderGroup)"]
            location = "3号楼"

            """
        for (index, number) in people.commandOperators.enumerated() {
            text += """

                [[sms_commands.operator]]
                name = "值班员\(index + 1)"
                number = "\(number)"

                """
        }
        return text
    }

    /// The box's SMS budget in parts; the reference scenario's 60 a minute makes a P0 wait
    /// behind a P1 run, and the torture and soak runs raise it to send fast.
    struct SMSBudget {
        var perMinute = 60
        var perHour = 1_000
        var perDay = 5_000
    }

    /// Writes a secret into a file that only its owner may read.
    static func writeSecret(_ secret: String, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw ScenarioError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(descriptor) }
        fchmod(descriptor, 0o600)
        let bytes = Array((secret + "\n").utf8)
        guard bytes.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
            throw ScenarioError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
