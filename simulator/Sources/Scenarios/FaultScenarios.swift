import Foundation

/// Scenarios of the failures an alert box meets in the field: power loss, a wrong SIM PIN,
/// the carrier's cap and a modem that drops off the USB bus. Each ends with every recipient
/// accounted for.
enum FaultScenarios {
    static let fireMarker = ReferenceScenario.fireMarker
    static let updateMarker = ReferenceScenario.updateMarker

    /// Kills the box (SIGKILL, as a power cut) while a P0 run and a P1 run are under way and
    /// starts it again. Every recipient must get the message. Duplicates are allowed only for
    /// a P0 whose outcome the crash made unknown.
    static func powerLoss(_ stage: ScenarioStage) throws {
        let n = stage.narrator
        let people = stage.setup.people
        n.step(1, "P1 群发进行中又来了 P0", "a P0 arrives while a P1 run is under way")
        try startUpdateRun(stage)
        try stage.press("panic_1")
        let started = stage.waitFor(.seconds(60)) { stage.received(containing: fireMarker).count >= 3 }
        n.expect(started, "P0 火警开始发出", "the P0 fire alarm started going out")

        n.step(2, "断电：报警箱被 SIGKILL 杀掉", "power loss: the box is killed with SIGKILL")
        stage.killBox()
        let fireBefore = stage.received(containing: fireMarker).count
        let updateBefore = stage.received(containing: updateMarker).count
        n.say("断电时已收到：P0 \(fireBefore) 人，P1 \(updateBefore) 人", "received at the power cut: P0 by \(fireBefore), P1 by \(updateBefore)")
        usleep(1_000_000)

        n.step(3, "重新上电，报警箱从数据库恢复", "power returns and the box resumes from its database")
        let lines = stage.logLines().count
        try stage.startBox()
        n.expect(stage.logHas(["resumed from the database"], after: lines), "报警箱从数据库恢复了未完成的投递", "the box resumed the unfinished deliveries from its database")
        let fireDone = stage.waitForSMS(fireMarker, to: people.responderNumbers, timeout: .seconds(90))
        let updateDone = stage.waitForSMS(updateMarker, to: people.wardenNumbers, timeout: .seconds(120))
        n.expect(fireDone, "应急小组 \(people.responders) 人都收到了 P0", "all \(people.responders) responders received the P0")
        n.expect(updateDone, "\(people.wardens) 位楼层负责人都收到了 P1", "all \(people.wardens) floor wardens received the P1")
        expectPolicyDuplicates(stage, marker: updateMarker, allowed: 0, label: ("P1", "P1"))
        let fire = stage.alertID(where: "source = 'gpio' AND priority = 0")
        let resent = stage.database?.count("SELECT COUNT(*) AS n FROM deliveries WHERE alert_id = \(fire ?? -1) AND attempt > 1") ?? 0
        expectPolicyDuplicates(stage, marker: fireMarker, allowed: resent, label: ("P0（结果未知时重发）", "P0 (resent when the outcome was unknown)"))
    }

    /// Gives the box a PIN the SIM rejects: the box must not send it again, even after a
    /// restart, must raise an alarm and keep SMS unavailable, while IM still works.
    static func wrongPIN(_ stage: ScenarioStage) throws {
        let n = stage.narrator
        let people = stage.setup.people
        n.step(1, "报警箱配置了错误的 SIM PIN", "the box holds the wrong SIM PIN")
        let rejected = stage.waitFor(.seconds(60)) { stage.logHas(["SMS unavailable until an operator acts"]) }
        n.expect(rejected, "报警箱报告：需要人工处理，短信不可用", "the box reports that an operator must act and SMS is unavailable")
        n.expect(pinAttemptsLeft(stage) == 2, "SIM 只收到一次错误 PIN（还剩 2 次）", "the SIM got the wrong PIN once (2 tries left)")

        n.step(2, "报警仍经 IM 发出", "alarms still go out over IM")
        try stage.press("panic_1")
        let fire = stage.waitForAlert(where: "source = 'gpio' AND priority = 0")
        n.expect(fire != nil, "报警箱计划了 P0 火警", "the box planned the P0 fire alarm")
        let im = stage.waitFor(.seconds(30)) { stage.acceptedIM(RobotCredentials.emergencyRobot, containing: fireMarker) > 0 }
        n.expect(im, "钉钉应急群收到火警", "the DingTalk emergency group received the fire alarm")
        usleep(3_000_000)
        n.expect(stage.handsetMessages().isEmpty, "没有短信发出", "no SMS went out")
        n.expect(
            stage.deliveries(alert: fire ?? -1, states: ["pending"]) == people.responders,
            "\(people.responders) 条短信投递在队列中等待，没有丢", "\(people.responders) SMS deliveries wait in the queue, none lost")

        n.step(3, "重启报警箱：被拒绝的 PIN 不再发送", "the box restarts: the rejected PIN is not sent again")
        let lines = stage.logLines().count
        stage.box?.stop()
        try stage.startBox()
        let again = stage.waitFor(.seconds(60)) { stage.logHas(["SMS unavailable until an operator acts"], after: lines) }
        n.expect(again, "重启后仍报告需要人工处理", "after the restart it still reports that an operator must act")
        n.expect(pinAttemptsLeft(stage) == 2, "SIM 仍剩 2 次 PIN 机会：没有第二次尝试", "the SIM still has 2 PIN tries: no second attempt")
    }

    /// Runs into the carrier's hourly cap in the middle of a run: the rejected messages wait
    /// and are retried by the retry policy, and go out once the cap lifts. None is lost.
    static func carrierCap(_ stage: ScenarioStage) throws {
        let n = stage.narrator
        let people = stage.setup.people
        let cap = stage.setup.capPerHour ?? 0
        n.step(1, "运营商每小时上限 \(cap) 条，P1 群发 \(people.wardens) 条", "the carrier allows \(cap) SMS an hour; a P1 run of \(people.wardens)")
        try stage.press("panic_2")
        let capped = stage.waitFor(.seconds(90)) { stage.received(containing: updateMarker).count >= cap }
        n.expect(capped, "前 \(cap) 条送达", "the first \(cap) arrived")
        let update = stage.alertID(where: "source = 'gpio' AND priority = 1")
        let retrying = stage.waitFor(.seconds(60)) { stage.logHas(["delivery will be retried", "+CMS ERROR: 38"]) }
        n.expect(retrying, "报警箱收到 +CMS ERROR: 38 并记录", "the box got +CMS ERROR: 38 and logged it")
        usleep(2_000_000)
        let waiting = stage.deliveries(alert: update ?? -1, states: ["pending", "sending"])
        let failed = stage.deliveries(alert: update ?? -1, states: ["failed"])
        n.say("超出上限的投递：等待重试 \(waiting)，失败 \(failed)", "deliveries past the cap: waiting to retry \(waiting), failed \(failed)")
        n.expect(waiting + failed + stage.received(containing: updateMarker).count >= people.wardens, "超出上限的投递都有记录，没有丢", "every delivery past the cap is on record, none lost")

        n.step(2, "上限解除后，等待的投递发出", "once the cap lifts, the waiting deliveries go out")
        try stage.control(["op": "network", "cap_per_hour": NSNull()])
        let done = stage.waitFor(.seconds(150)) { stage.deliveries(alert: update ?? -1, states: ["pending", "sending"]) == 0 }
        n.expect(done, "P1 群发结束", "the P1 run ended")
        // The last message reaches its handset a moment after the box records it as sent.
        _ = stage.waitFor(.seconds(15)) {
            stage.received(containing: updateMarker).count + stage.deliveries(alert: update ?? -1, states: ["failed"]) >= people.wardens
        }
        let reached = stage.received(containing: updateMarker).count
        let failedAtEnd = stage.deliveries(alert: update ?? -1, states: ["failed"])
        n.expect(reached + failedAtEnd == people.wardens, "每位楼层负责人要么收到，要么记为失败（收到 \(reached)，失败 \(failedAtEnd)）", "each floor warden either received it or is recorded as failed (received \(reached), failed \(failedAtEnd))")
        expectPolicyDuplicates(stage, marker: updateMarker, allowed: 0, label: ("P1", "P1"))
    }

    /// Makes the modem vanish from the USB bus in the middle of a run and come back as a new
    /// device: the box reopens it and finishes the run.
    static func modemUnplugged(_ stage: ScenarioStage) throws {
        let n = stage.narrator
        let people = stage.setup.people
        n.step(1, "P1 群发进行中模块掉线", "the modem drops off the bus in the middle of a P1 run")
        try startUpdateRun(stage)
        let lines = stage.logLines().count
        try stage.control(["op": "fault", "fault": "reenumerate", "down_for_ms": 3000])
        n.say("模块的 tty 消失 3 秒后以新设备出现", "the modem's tty vanishes for 3 s and returns as a new device")
        let recovered = stage.waitFor(.seconds(90)) { stage.logHas(["modem state changed", "modem.state=ready"], after: lines) }
        n.expect(recovered, "报警箱重新打开模块并初始化", "the box reopened the modem and initialised it")
        let update = stage.alertID(where: "source = 'gpio' AND priority = 1")
        let done = stage.waitFor(.seconds(120)) { stage.deliveries(alert: update ?? -1, states: ["pending", "sending"]) == 0 }
        n.expect(done, "P1 群发结束", "the P1 run ended")
        _ = stage.waitForSMS(updateMarker, to: people.wardenNumbers, timeout: .seconds(15))
        let counts = stage.received(containing: updateMarker)
        let missing = people.wardenNumbers.filter { counts[$0, default: 0] == 0 }
        n.expect(missing.isEmpty, "\(people.wardens) 位楼层负责人都收到了（缺 \(missing.count) 人）", "all \(people.wardens) floor wardens received it (\(missing.count) missing)")
        expectPolicyDuplicates(stage, marker: updateMarker, allowed: 0, label: ("P1", "P1"))
    }

    /// Presses the duty room's update key (P1 to the floor wardens) and waits until 5 of them
    /// have it, so that the run is under way.
    static func startUpdateRun(_ stage: ScenarioStage) throws {
        try stage.press("panic_2")
        _ = stage.waitFor(.seconds(60)) { stage.received(containing: updateMarker).count >= 5 }
    }

    /// Expects at most `allowed` recipients to have received a message twice.
    static func expectPolicyDuplicates(_ stage: ScenarioStage, marker: String, allowed: Int, label: (zh: String, en: String)) {
        let duplicates = stage.received(containing: marker).values.filter { $0 > 1 }.count
        stage.narrator.expect(
            duplicates <= allowed, "\(label.zh) 重复 \(duplicates) 人，允许 \(allowed)", "\(label.en) duplicates: \(duplicates), allowed \(allowed)")
    }

    /// Returns the SIM's PIN tries left, as the simulator reports them.
    static func pinAttemptsLeft(_ stage: ScenarioStage) -> Int {
        let modems = (try? stage.control(["op": "status"]))?["modems"] as? [[String: Any]] ?? []
        return modems.first?["pin_attempts"] as? Int ?? -1
    }
}
