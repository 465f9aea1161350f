import Core
import Foundation

/// The reference scenario: eight steps of an emergency in a hospital building,
/// played against a real `alertbox` and checked from outside.
enum ReferenceScenario {
    static let fireMarker = "东侧楼梯"
    static let updateMarker = "火势已控制"
    static let codeBlueMarker = "医疗急救"
    static let noticeMarker = "停水通知"
    static let leakMarker = "化学品泄漏"
    static let allClearMarker = "解除警报"

    static func run(_ stage: ScenarioStage) throws {
        let n = stage.narrator
        let people = stage.setup.people
        for number in people.responderNumbers {
            try stage.control(["op": "handset", "number": number, "replies": [["trigger": codeBlueMarker, "text": "1", "delay_ms": 800]]])
        }

        // Step 1.
        n.step(1, "按下报警按钮：P0 火警同时经 IM 机器人和短信发给应急小组，警笛响起", "a panic button fires a P0 fire alarm: IM robots and SMS to the responders at once, the siren on")
        _ = stage.sirenSounded()
        n.say("按下 3 号楼 2 层的报警按钮 panic_1", "pressing the panic button panic_1 on floor 2 of building 3")
        let pressedAt = stage.simulatorMillis()
        try stage.press("panic_1")
        let fire = stage.waitForAlert(where: "source = 'gpio' AND priority = 0")
        n.expect(fire != nil, "报警箱计划了一条 P0 告警", "the box planned a P0 alert")
        let fireReached = stage.waitForSMS(fireMarker, to: people.responderNumbers, timeout: .seconds(60))
        n.expect(fireReached, "应急小组 \(people.responders) 人都收到火警短信", "all \(people.responders) responders received the fire SMS")
        let firstFire = stage.handsetMessages().first { $0.text.contains(fireMarker) }
        if let firstFire {
            n.say("按下到第一条短信到达：\(firstFire.atMillis - pressedAt) 毫秒", "press to first SMS received: \(firstFire.atMillis - pressedAt) ms")
        }
        let fireIM = stage.waitFor(.seconds(30)) { stage.acceptedIM(RobotCredentials.emergencyRobot, containing: fireMarker) > 0 }
        n.expect(fireIM, "钉钉应急群收到火警", "the DingTalk emergency group received the fire alarm")
        n.expect(stage.sirenSounded(), "警笛已打开", "the siren is on")

        // Step 2.
        n.step(2, "一条 P2 通知经 IM 发给全体 \(people.everyone) 人", "a P2 notice to all \(people.everyone) people goes out over IM")
        let smsBefore = stage.handsetMessages().count
        let notice = """
            {"identifier":"notice-\(Int(Date().timeIntervalSince1970))","sender":"logistics","priority":2,"msgType":"Alert","status":"Actual",
             "texts":[{"language":"zh","headline":"停水通知","text":"\(noticeMarker)：明天 9:00-12:00 3 号楼停水检修。"}]}
            """
        try stage.publishInbound(publisher: BoxFiles.noticePublisher, body: notice, messageID: "n-1")
        n.say("后勤系统经 MQTT 发布停水通知（已签名）", "the facilities system publishes a water outage notice over MQTT, signed")
        let noticeAlert = stage.waitForAlert(where: "source = 'mqtt' AND priority = 2")
        n.expect(noticeAlert != nil, "报警箱收下并计划了这条 P2 通知", "the box accepted and planned the P2 notice")
        let noticeIM = stage.waitFor(.seconds(30)) { stage.acceptedIM(RobotCredentials.allStaffRobot, containing: noticeMarker) > 0 }
        n.expect(noticeIM, "企业微信全员群收到通知：一条消息到达全体", "the WeCom all-staff group received the notice: one message reaches everyone")
        usleep(1_000_000)
        n.expect(
            stage.handsetMessages().count == smsBefore && stage.deliveries(alert: noticeAlert ?? -1) == 0,
            "没有为 P2 通知发短信", "no SMS was sent for the P2 notice")

        // Step 3.
        n.step(3, "上行链路被静默黑洞：报警箱发现，P1 通报改走短信", "the uplink is silently blackholed: detected, and a P1 update goes out by SMS instead")
        let linesBefore = stage.logLines().count
        try stage.setProxies("blackhole")
        let blackholedAt = n.elapsed
        n.say("代理开始丢弃 IM 服务器和 MQTT 代理的全部数据包，连接不断开", "the proxies drop every packet to the IM servers and the MQTT broker, without closing a connection")
        let down = stage.waitFor(.seconds(60)) { stage.logHas(["uplink health changed", "uplink.to=down"], after: linesBefore) }
        n.expect(down, "报警箱判定上行链路中断", "the box judged the uplink down")
        if down { n.say(String(format: "用时 %.1f 秒", n.elapsed - blackholedAt), String(format: "after %.1f s", n.elapsed - blackholedAt)) }
        let dingTalkBefore = stage.imRequests(RobotCredentials.emergencyRobot).count
        n.say("值班室按下火情通报键 panic_2（P1，发给 \(people.wardens) 位楼层负责人）", "the duty room presses the fire update key panic_2 (P1, to the \(people.wardens) floor wardens)")
        try stage.press("panic_2")
        let update = stage.waitForAlert(where: "source = 'gpio' AND priority = 1")
        n.expect(update != nil, "报警箱计划了 P1 通报", "the box planned the P1 update")
        let updateStarted = stage.waitFor(.seconds(60)) { stage.received(containing: updateMarker).count >= 5 }
        n.expect(updateStarted, "P1 通报改经短信发出", "the P1 update goes out by SMS")

        // Step 4.
        n.step(4, "短信群发进行中来了 P0，它先发", "a P0 arrives in the middle of the bulk SMS run and goes first")
        n.say("护士站呼叫：医疗急救（P0）", "the nurse call raises a code blue (P0)")
        try stage.press("nurse_call", holdMs: 800)
        let codeBlue = stage.waitForAlert(where: "source = 'gpio' AND priority = 0 AND id > \(fire ?? 0)")
        n.expect(codeBlue != nil, "报警箱计划了 P0 医疗急救", "the box planned the P0 code blue")
        let codeBlueReached = stage.waitForSMS(codeBlueMarker, to: people.responderNumbers, timeout: .seconds(60))
        n.expect(codeBlueReached, "应急小组都收到医疗急救短信", "every responder received the code blue SMS")
        let order = stage.handsetMessages().filter { $0.text.contains(updateMarker) || $0.text.contains(codeBlueMarker) }
        let codeBlueIndices = order.indices.filter { order[$0].text.contains(codeBlueMarker) }
        if let first = codeBlueIndices.first, let last = codeBlueIndices.last {
            let between = order[first...last].filter { $0.text.contains(updateMarker) }.count
            let before = order[..<first].filter { $0.text.contains(updateMarker) }.count
            n.say("P0 之前已发出 \(before) 条 P1 短信", "\(before) P1 messages went out before the P0")
            n.expect(between == 0, "P0 的 \(people.responders) 条短信连续发出，中间没有 P1", "the P0's \(people.responders) messages went out in a row, no P1 between them")
            n.expect(before < people.wardens, "P0 插在 P1 群发中间，而不是等它发完", "the P0 went ahead of the remaining P1 messages instead of waiting for the run to end")
        } else {
            n.expect(false, "P0 短信按顺序到达", "the P0 messages arrived in order")
        }
        n.expect(stage.deliveries(alert: update ?? -1, channel: "dingtalk") == 1 && dingTalkBefore == stage.imRequests(RobotCredentials.emergencyRobot).count,
            "链路中断期间没有 IM 请求到达机器人，IM 投递在队列中等待", "no IM request reached the robots while the uplink was down; the IM deliveries wait in the queue")

        // Step 5.
        n.step(5, "应急队员短信回复 1，报警箱统计确认", "responders reply 1 by SMS and the acknowledgements are counted")
        var acks = 0
        let acknowledged = stage.waitFor(.seconds(60)) {
            acks = stage.database?.count("SELECT COUNT(*) AS n FROM acknowledgements WHERE alert_id = \(codeBlue ?? -1)") ?? 0
            return acks >= people.responders
        }
        n.expect(acknowledged, "医疗急救收到 \(acks)/\(people.responders) 个确认", "the code blue has \(acks)/\(people.responders) acknowledgements")

        // Step 6.
        n.step(6, "发送中途模块重启，报警箱恢复，不丢一条", "the modem reboots in the middle of a send and the box recovers without losing a delivery")
        let remaining = stage.deliveries(alert: update ?? -1, states: ["pending", "sending"])
        n.say("P1 群发还剩 \(remaining) 条；让模块在下一条短信的 PDU 之后、+CMGS 之前重启", "\(remaining) P1 messages remain; the modem will reboot after the next PDU, before +CMGS")
        n.expect(remaining > 0, "故障发生时群发仍在进行", "the run is still going when the fault strikes")
        let rebootLines = stage.logLines().count
        try stage.control(["op": "fault", "fault": "reboot_during_send", "reached_network": true])
        let finished = stage.waitFor(.seconds(120)) { stage.deliveries(alert: update ?? -1, states: ["pending", "sending"]) == 0 }
        n.expect(finished, "P1 群发全部结束", "the P1 run finished")
        n.expect(stage.logHas(["modem state changed"], after: rebootLines), "报警箱发现模块重启并重新初始化", "the box noticed the reboot and initialised the modem again")
        _ = stage.waitForSMS(updateMarker, to: people.wardenNumbers, timeout: .seconds(15))
        let updateCounts = stage.received(containing: updateMarker)
        let missing = people.wardenNumbers.filter { updateCounts[$0, default: 0] == 0 }
        let duplicates = updateCounts.values.filter { $0 > 1 }.count
        let unknown = stage.deliveries(alert: update ?? -1, states: ["unknown"])
        let good = stage.deliveries(alert: update ?? -1, states: ["sent", "delivered"])
        n.say("P1 短信：已发出或送达 \(good)，结果未知 \(unknown)，重复 \(duplicates)", "P1 SMS: sent or delivered \(good), outcome unknown \(unknown), duplicates \(duplicates)")
        if !missing.isEmpty {
            // Masked, because the log audit reads the scenario's output too.
            let all = stage.handsetMessages().filter { missing.contains($0.to) }.map { "\(PhoneMask.mask($0.to)): \($0.text.prefix(12))" }
            let masked = missing.map(PhoneMask.mask).joined(separator: ", ")
            n.say("未收到：\(masked)；他们收到的：\(all)", "missing: \(masked); what they got: \(all)")
        }
        n.expect(missing.isEmpty, "\(people.wardens) 位楼层负责人都收到了 P1 通报（缺 \(missing.count) 人）", "all \(people.wardens) floor wardens received the P1 update (\(missing.count) missing)")
        n.expect(good + unknown == people.wardens && unknown <= 1, "每条 P1 投递都有结果；只有重启打断的那条记为结果未知", "every P1 delivery has an outcome; only the one the reboot cut is recorded as unknown")
        n.expect(duplicates == 0, "P1 没有重发（只有 P0 在结果未知时重发）", "no P1 was sent twice (only P0 resends when the outcome is unknown)")

        // Step 7.
        n.step(7, "上行链路恢复：IM 恢复，离线期间的事件同步到上游", "the uplink returns: IM resumes and the offline events are synced upstream")
        let upLines = stage.logLines().count
        try stage.setProxies("pass")
        n.say("代理恢复转发", "the proxies forward again")
        let up = stage.waitFor(.seconds(90)) { stage.logHas(["uplink health changed", "uplink.to=up"], after: upLines) }
        n.expect(up, "报警箱判定上行链路恢复", "the box judged the uplink up")
        let imResumed = stage.waitFor(.seconds(60)) {
            stage.acceptedIM(RobotCredentials.emergencyRobot, containing: updateMarker) > 0
                && stage.acceptedIM(RobotCredentials.emergencyRobot, containing: codeBlueMarker) > 0
        }
        n.expect(imResumed, "中断期间排队的 P1 通报和医疗急救已发到钉钉应急群", "the P1 update and the code blue queued during the outage reached the DingTalk group")
        var unsynced = -1
        let synced = stage.waitFor(.seconds(120)) {
            unsynced = stage.database?.count("SELECT COUNT(*) AS n FROM sync_outbox WHERE synced_at IS NULL") ?? -1
            return unsynced == 0
        }
        let upstream = stage.imRequests(RobotCredentials.upstreamRobot).filter { ($0["status"] as? Int) == 200 }
        let ackEvents = upstream.filter { (($0["body"] as? String) ?? "").contains("acknowledgement") }.count
        n.say("上游收到 \(upstream.count) 个事件，其中确认 \(ackEvents) 个", "upstream received \(upstream.count) events, \(ackEvents) of them acknowledgements")
        n.expect(synced, "离线期间记录的事件全部同步到上游（未同步 \(max(unsynced, 0))）", "every event recorded offline was synced upstream (\(max(unsynced, 0)) left)")
        n.expect(ackEvents >= people.responders, "上游收到了全部确认", "upstream received every acknowledgement")

        // Step 8.
        n.step(8, "经 MQTT 收到 CAP Cancel，未发出的投递被取消", "a CAP Cancel arrives over MQTT and pending deliveries are dropped")
        let sent = ISO8601DateFormatter.cap.string(from: Date())
        let identifier = "SAFETY-LEAK-\(Int(Date().timeIntervalSince1970))"
        let leak = CAPDocuments.alert(identifier: identifier, sent: sent, event: "化学品泄漏", headline: "\(leakMarker)：3号楼地下室，请勿进入")
        try stage.publishInbound(publisher: BoxFiles.safetyPublisher, body: leak, messageID: "leak-1")
        n.say("保卫处经 MQTT 发布 CAP 告警：化学品泄漏（P0，发给楼层负责人）", "the security office publishes a CAP alert over MQTT: chemical leak (P0, to the floor wardens)")
        let leakAlert = stage.waitForAlert(where: "source = 'mqtt' AND priority = 0")
        n.expect(leakAlert != nil, "报警箱计划了 CAP 告警", "the box planned the CAP alert")
        // The all-clear names the event too, so the alert's own messages are those without it.
        func leakReached() -> Int {
            Set(stage.handsetMessages().filter { $0.text.contains(leakMarker) && !$0.text.contains(allClearMarker) }.map(\.to)).count
        }
        _ = stage.waitFor(.seconds(60)) { leakReached() >= 3 }
        let cancel = CAPDocuments.cancel(identifier: identifier + "-C", sent: ISO8601DateFormatter.cap.string(from: Date()), references: "\(CAPDocuments.sender),\(identifier),\(sent)")
        try stage.publishInbound(publisher: BoxFiles.safetyPublisher, body: cancel, messageID: "leak-2")
        n.say("误报：保卫处发布 CAP Cancel", "a false alarm: the security office publishes a CAP Cancel")
        let cancelled = stage.waitFor(.seconds(30)) { stage.deliveries(alert: leakAlert ?? -1, states: ["cancelled"]) > 0 }
        let cancelledCount = stage.deliveries(alert: leakAlert ?? -1, states: ["cancelled"])
        n.expect(cancelled, "\(cancelledCount) 条未发出的短信被取消", "\(cancelledCount) unsent SMS were cancelled")
        _ = stage.waitFor(.seconds(60)) { stage.deliveries(alert: leakAlert ?? -1, states: ["pending", "sending"]) == 0 }
        usleep(1_000_000)
        let reached = leakReached()
        usleep(2_000_000)
        n.expect(leakReached() == reached && reached < people.wardens, "取消后不再发出这条告警（已收到 \(reached) 人）", "nothing more of the alert went out after the Cancel (\(reached) people had it)")
        let allClear = stage.waitFor(.seconds(60)) { stage.received(containing: allClearMarker).count >= reached }
        n.expect(allClear, "已收到告警的 \(reached) 人收到解除通知", "the \(reached) people who had the alert received the all-clear")
    }
}

/// CAP 1.2 documents as the security office's system publishes them.
enum CAPDocuments {
    static let sender = "security@hospital.example.cn"

    static func alert(identifier: String, sent: String, event: String, headline: String) -> String {
        document(
            identifier: identifier, sent: sent, messageType: "Alert",
            body: """
                  <info>
                    <language>zh-CN</language>
                    <category>Safety</category>
                    <event>\(event)</event>
                    <urgency>Immediate</urgency>
                    <severity>Extreme</severity>
                    <certainty>Observed</certainty>
                    <headline>\(headline)</headline>
                    <instruction>请远离3号楼地下室。</instruction>
                  </info>
                """)
    }

    static func cancel(identifier: String, sent: String, references: String) -> String {
        document(
            identifier: identifier, sent: sent, messageType: "Cancel",
            body: """
                  <note>误报，警报取消。</note>
                  <references>\(references)</references>
                """)
    }

    private static func document(identifier: String, sent: String, messageType: String, body: String) -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>\(identifier)</identifier>
          <sender>\(sender)</sender>
          <sent>\(sent)</sent>
          <status>Actual</status>
          <msgType>\(messageType)</msgType>
          <scope>Restricted</scope>
          <restriction>院内职工</restriction>
        \(body)
        </alert>
        """
    }
}

extension ISO8601DateFormatter {
    /// CAP's `sent` form: seconds and the offset, such as 2026-12-04T10:15:00+08:00.
    static var cap: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(secondsFromGMT: 8 * 3600)
        formatter.formatOptions = [.withInternetDateTime]
        return formatter
    }
}
