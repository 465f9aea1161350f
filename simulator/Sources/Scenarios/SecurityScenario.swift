import Foundation
import Glibc

/// The security scenario: a running box meets a console brute force, SMS commands from a
/// stranger, with wrong PINs and replayed, inbound MQTT alerts without authorisation and
/// hostile CAP documents, and stays usable. Every secret it types or sends joins the log
/// audit that ends every scenario.
enum SecurityScenario {
    static let noticeMarker = "安全场景通知"

    static func run(_ stage: ScenarioStage) throws {
        try consoleBruteForce(stage)
        try smsCommands(stage)
        try unauthorisedInbound(stage)
        try hostileCAP(stage)
    }

    // MARK: Step 1: the console over the socket door

    /// Logs in with the one-time password and sets a new one, then guesses five times and
    /// expects the door to be locked even for the right password.
    static func consoleBruteForce(_ stage: ScenarioStage) throws {
        let n = stage.narrator
        n.step(1, "控制台套接字：首次登录改密码，然后暴力猜密码被锁定", "the console socket: first login sets a password, then guessing meets the lockout")
        let oneTimeFile = stage.stateDirectory + "/console-initial-password"
        let oneTime = ((try? String(contentsOfFile: oneTimeFile, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        n.expect(!oneTime.isEmpty, "报警箱写下了一次性密码文件", "the box wrote the one-time password file")
        let password = "Pw-" + RobotCredentials.randomToken(16)
        stage.addSecret("the console one-time password", oneTime)
        stage.addSecret("the console password set at first login", password)

        let first = try ConsoleClient(path: stage.consoleSocket)
        var loggedIn = first.waitFor("用户名：")
        try first.type("admin")
        loggedIn = loggedIn && first.waitFor("密码：")
        try first.type(oneTime)
        loggedIn = loggedIn && first.waitFor("新密码：")
        try first.type(password)
        loggedIn = loggedIn && first.waitFor("再次输入新密码：")
        try first.type(password)
        loggedIn = loggedIn && first.waitFor("(admin)# ")
        n.expect(loggedIn, "管理员用一次性密码登录并设置了新密码", "the admin logged in with the one-time password and set a new one")
        try first.type("logout")

        let attacker = try ConsoleClient(path: stage.consoleSocket)
        for attempt in 1...5 {
            let guess = "guess-" + RobotCredentials.randomToken(10)
            stage.addSecret("console guess \(attempt)", guess)
            _ = attacker.waitFor("用户名：")
            try attacker.type("admin")
            _ = attacker.waitFor("密码：")
            try attacker.type(guess)
        }
        n.expect(attacker.waitFor("已锁定"), "5 次猜错后控制台锁定", "five wrong passwords lock the console")
        _ = attacker.waitFor("用户名：")
        try attacker.type("admin")
        _ = attacker.waitFor("密码：")
        try attacker.type(password)
        n.expect(attacker.waitFor("已锁定"), "锁定期间正确的密码也被拒绝", "during the lockout the right password is rejected too")
    }

    // MARK: Step 2: SMS commands

    /// Sends SMS commands from a stranger, with wrong PINs, stale and replayed, next to
    /// valid ones, through the simulator's network to the box's modem.
    static func smsCommands(_ stage: ScenarioStage) throws {
        let n = stage.narrator
        let people = stage.setup.people
        guard let pin = stage.setup.commandPIN else { throw ScenarioError("the security scenario needs a command PIN") }
        let officer = people.commandOperators[0]
        let second = people.commandOperators[1]
        n.step(2, "短信指令：陌生号码、错误 PIN、过期和重放的指令都不执行", "SMS commands: a stranger, wrong PINs, stale and replayed commands are not run")

        try deliver("\(pin) 状态", from: officer, stage: stage)
        let status = stage.waitFor(.seconds(60)) { replies(to: officer, stage).contains { $0.hasPrefix("状态：") } }
        n.expect(status, "白名单号码用正确 PIN 查询状态，收到回复", "an allow-listed number with the right PIN gets the status")

        // The stranger and the guesser ask for an alarm, so that a command run by mistake
        // would show up as an alert raised by SMS.
        try deliver("\(pin) 报警 火警", from: people.stranger, stage: stage)
        for attempt in 1...3 {
            let wrong = String(Int.random(in: 10_000_000...99_999_999))
            stage.addSecret("wrong SMS PIN \(attempt)", wrong)
            // The box keeps one command per sender, SCTS second and text with the PIN masked,
            // so each guess gets a time stamp of its own.
            try deliver("\(wrong) 报警 火警", from: second, stage: stage, at: Date().addingTimeInterval(Double(attempt - 3)))
            _ = stage.waitFor(.seconds(60)) { replies(to: second, stage).count >= attempt }
        }
        let secondReplies = replies(to: second, stage)
        n.expect(secondReplies.last?.hasPrefix("PIN错误次数过多") == true, "第 3 次错误 PIN 后号码被锁定", "the third wrong PIN locks the number out")
        try deliver("\(pin) 报警 火警", from: second, stage: stage, at: Date().addingTimeInterval(1))
        let lockedOut = stage.waitFor(.seconds(30)) { commandAudit(stage).contains { $0.contains("sender locked out") } }
        n.expect(lockedOut, "锁定期间正确 PIN 的指令也不执行", "during the lockout a command with the right PIN is not run either")

        let stamp = Date()
        let before = replies(to: officer, stage).count
        try deliver("\(pin) STATUS", from: officer, stage: stage, at: stamp)
        try deliver("\(pin) STATUS", from: officer, stage: stage, at: stamp)
        let copy = stage.waitFor(.seconds(30)) { commandAudit(stage).contains { $0.contains("copy of a command already handled") } }
        n.expect(copy, "同一时间戳的重放指令被识别为副本", "the replayed command with the same time stamp is recognised as a copy")
        try deliver("\(pin) 状态", from: officer, stage: stage, at: stamp.addingTimeInterval(-20 * 60))
        _ = stage.waitFor(.seconds(60)) { replies(to: officer, stage).count >= before + 2 }
        usleep(1_500_000)
        let fresh = Array(replies(to: officer, stage).dropFirst(before))
        n.expect(fresh.filter { $0.hasPrefix("状态：") }.count == 1, "重放的两份只执行一次", "the two copies ran once")
        n.expect(fresh.contains { $0.hasPrefix("指令发出已超过20分钟") }, "20 分钟前的指令不执行并回复原因", "a command stamped 20 minutes ago is not run and the reply says why")

        let audit = commandAudit(stage)
        n.expect(
            replies(to: people.stranger, stage).isEmpty && audit.contains { $0.contains("sender not on the allow-list") },
            "陌生号码没有收到任何回复，审计日志记下了它", "the stranger got no reply at all, and the audit log has the command")
        let alarms = stage.database?.count("SELECT COUNT(*) AS n FROM sms_command_alerts") ?? -1
        let fire = stage.database?.count("SELECT COUNT(*) AS n FROM alerts WHERE priority = 0") ?? -1
        n.expect(alarms == 0 && fire == 0, "没有任何短信指令拉响警报", "no SMS command raised an alarm")
    }

    static func deliver(_ text: String, from sender: String, stage: ScenarioStage, at time: Date = Date()) throws {
        try stage.control(["op": "deliver_pdu", "pdu": DeliverPDU.make(text: text, from: sender, time: time)])
    }

    static func replies(to number: String, _ stage: ScenarioStage) -> [String] {
        stage.handsetMessages().filter { $0.to == number }.map(\.text)
    }

    static func commandAudit(_ stage: ScenarioStage) -> [String] {
        let rows = stage.database?.rows("SELECT action, detail FROM audit_log WHERE action LIKE 'sms.command.%' ORDER BY id") ?? []
        return rows.map { "\($0["action"] as? String ?? "") \($0["detail"] as? String ?? "")" }
    }

    // MARK: Step 3: inbound MQTT without authorisation

    /// Publishes alerts without a signature, with a wrong one, from an unknown publisher and
    /// signed as another publisher. The running box must reject each and log the reason.
    static func unauthorisedInbound(_ stage: ScenarioStage) throws {
        let n = stage.narrator
        n.step(3, "未经授权的 MQTT 告警被拒绝", "inbound MQTT alerts without authorisation are rejected")
        guard let noticeSecret = stage.files?.publisherSecrets[BoxFiles.noticePublisher] else { throw ScenarioError("no notice publisher") }
        let forged = RobotCredentials.randomToken(32)
        stage.addSecret("the forged publisher secret", forged)
        let cases: [(name: (zh: String, en: String), topic: String, secret: String?, signer: String?, reason: String)] = [
            (("没有签名", "unsigned"), BoxFiles.noticePublisher, nil, nil, "malformed envelope"),
            (("签名密钥错误", "signed with a wrong secret"), BoxFiles.noticePublisher, forged, nil, "bad signature"),
            (("未知发布者", "from an unknown publisher"), "intruder", forged, nil, "unknown publisher"),
            (("用另一发布者的密钥签名", "signed with another publisher's secret"), BoxFiles.safetyPublisher, noticeSecret, BoxFiles.noticePublisher, "bad signature"),
        ]
        for (index, item) in cases.enumerated() {
            let lines = stage.logLines().count
            let body = notice(identifier: "forged-\(index)-\(Int(Date().timeIntervalSince1970))")
            try stage.publishInbound(topicPublisher: item.topic, body: body, messageID: "forged-\(index)", secret: item.secret, signingPublisher: item.signer)
            let rejected = stage.waitFor(.seconds(15)) { stage.logHas(["rejected inbound message", item.reason], after: lines) }
            n.expect(rejected, "\(item.name.zh)的告警被拒绝，日志写明原因（\(item.reason)）", "the alert \(item.name.en) is rejected with the reason logged (\(item.reason))")
        }
        usleep(500_000)
        let planned = stage.database?.count("SELECT COUNT(*) AS n FROM alerts WHERE identifier LIKE 'forged-%'") ?? -1
        n.expect(planned == 0, "没有计划任何伪造的告警", "no forged alert was planned")
    }

    /// Returns a JSON P2 notice for everyone.
    static func notice(identifier: String) -> String {
        """
        {"identifier":"\(identifier)","sender":"logistics","priority":2,"msgType":"Alert","status":"Actual",
         "texts":[{"language":"zh","headline":"通知","text":"\(noticeMarker)：\(identifier)"}]}
        """
    }

    // MARK: Step 4: hostile CAP

    /// Publishes the XXE sample and variants aimed at a canary file and a loopback listener,
    /// signed by a known publisher so that they reach the XML parser. Nothing may open the
    /// canary or connect to the listener, and a valid alert afterwards is still planned.
    static func hostileCAP(_ stage: ScenarioStage) throws {
        let n = stage.narrator
        n.step(4, "恶意 CAP 不读文件、不连网络，报警箱照常工作", "hostile CAP touches no file and no network, and the box keeps working")
        let canary = try CanaryFile(path: stage.directory + "/canary.txt")
        let listener = try LoopbackListener()
        defer { listener.stop() }
        let sample = try String(contentsOfFile: try stage.executables.xxeSample, encoding: .utf8)
        let aimed = sample.replacingOccurrences(of: "http://localhost:8080", with: "http://127.0.0.1:\(listener.port)")
            .replacingOccurrences(of: "file:///etc/passwd", with: "file://\(canary.path)")
        let doctype = "document type declarations are not accepted"
        let documents: [(name: String, xml: String, reason: String)] = [
            ("xee.cap", sample, doctype),
            ("xee.cap aimed at the canary and the listener", aimed, doctype),
            ("an external DTD", "<?xml version=\"1.0\"?>\n<!DOCTYPE alert SYSTEM \"http://127.0.0.1:\(listener.port)/a.dtd\">\n"
                + sample.components(separatedBy: "]>").dropFirst().joined(separator: "]>"), doctype),
            ("an entity naming the canary", "<?xml version=\"1.0\"?>\n<!DOCTYPE alert [<!ENTITY leak SYSTEM \"file://\(canary.path)\">]>\n"
                + "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>&leak;</identifier></alert>", doctype),
            ("XInclude of the canary without a DTD", "<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">"
                + "<xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"file://\(canary.path)\" parse=\"text\"/></alert>", "XInclude"),
        ]
        for (index, document) in documents.enumerated() {
            let lines = stage.logLines().count
            try stage.publishInbound(publisher: BoxFiles.safetyPublisher, body: document.xml, messageID: "hostile-\(index)")
            let rejected = stage.waitFor(.seconds(15)) { stage.logHas(["rejected inbound message", "invalid CAP"], after: lines) }
            let reason = stage.logLines().dropFirst(lines).first { $0.contains("rejected inbound message") } ?? ""
            n.expect(
                rejected && reason.contains(document.reason), "\(document.name)：被拒绝，日志写明原因（\(document.reason)）",
                "\(document.name): rejected, and the log gives the reason (\(document.reason))")
        }
        usleep(1_000_000)
        let opened = canary.events()
        n.expect(opened == 0, "没有进程打开或读取诱饵文件（inotify 事件 \(opened) 个）", "nothing opened or read the canary file (\(opened) inotify events)")
        n.expect(listener.accepted == 0, "没有连接到回环监听端口（\(listener.accepted) 个连接）", "nothing connected to the loopback listener (\(listener.accepted) connections)")
        let hostilePlanned = stage.database?.count("SELECT COUNT(*) AS n FROM alerts WHERE identifier = 'KSTO1055887203'") ?? -1
        n.expect(hostilePlanned == 0, "没有计划恶意 CAP 告警", "no hostile CAP alert was planned")

        let identifier = "after-hostile-\(Int(Date().timeIntervalSince1970))"
        try stage.publishInbound(publisher: BoxFiles.noticePublisher, body: notice(identifier: identifier), messageID: "after-hostile")
        let planned = stage.waitForAlert(where: "source = 'mqtt' AND identifier = '\(identifier)'", timeout: .seconds(30))
        n.expect(planned != nil, "之后一条有效签名的告警照常计划", "a validly signed alert afterwards is still planned")
        let delivered = stage.waitFor(.seconds(30)) { stage.acceptedIM(RobotCredentials.allStaffRobot, containing: identifier) > 0 }
        n.expect(delivered, "企业微信全员群收到这条告警", "the WeCom all-staff group received it")
    }
}
