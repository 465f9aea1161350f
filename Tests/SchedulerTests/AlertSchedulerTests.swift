import Alerting
import Core
import Foundation
import Storage
import Testing

@testable import Scheduler

/// The scheduler actor on a real SQLite file, driven step by step with a manual clock.
@Suite struct AlertSchedulerTests {
    static let unlimited = SMSBudget.Limits(perMinute: 100_000, perHour: 100_000, perDay: 100_000, reservePerHour: 0, reservePerDay: 0)

    @Test func lifeSafetyPreemptsRoutineRun() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(smsLimits: Self.unlimited))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("全员", count: 500, base: 10_000)
        try await fixture.addGroup("应急", count: 3, base: 90_000)
        await fixture.scheduler.setUplink(.down)

        let routine = try await fixture.scheduler.submit(SchedulerFixture.alert("p2", priority: .routine, audience: ["全员"]))
        #expect(routine.smsDeliveries == 500)
        let first = await fixture.sendSMS(10)
        #expect(first.count == 10)

        try await fixture.scheduler.submit(SchedulerFixture.alert("p0", priority: .lifeSafety, audience: ["应急"]))
        let next = await fixture.sendSMS(4)
        #expect(Array(next.prefix(3)) == (0..<3).map { SchedulerFixture.phone(90_000, $0) })
        #expect(next[3] == SchedulerFixture.phone(10_000, 10))
        let rest = await fixture.drainSMS()
        #expect(rest.sent == 489)
        let counts = try await fixture.counts(alertID: routine.alertID)
        #expect(counts["sent"] == 500)
    }

    /// A modem that is restarting must not be handed deliveries: each would fail as
    /// "not ready", spend an attempt and wait out a back-off after the modem is back.
    @Test func unavailableSIMHoldsTheQueueWithoutSpendingAttempts() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(smsLimits: Self.unlimited))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 3, base: 90_000)
        await fixture.scheduler.setUplink(.down)
        let alert = try await fixture.scheduler.submit(SchedulerFixture.alert("p1", priority: .urgent, audience: ["应急"]))

        await fixture.scheduler.setSMSChannel("sim0", available: false)
        let held = await fixture.drainSMS()
        #expect(held.sent == 0)
        #expect(fixture.sms.sent.isEmpty)

        await fixture.scheduler.setSMSChannel("sim0", available: true)
        let released = await fixture.drainSMS()
        #expect(released.sent == 3)
        let attempts = try await fixture.rows("SELECT MAX(attempt) AS attempt FROM deliveries WHERE alert_id = ?", [.integer(alert.alertID)])
        #expect(attempts.first?["attempt"].int64 == 1)
    }

    @Test func roundRobinBetweenAlertsOfOnePriority() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(smsLimits: Self.unlimited))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("甲", count: 50, base: 10_000)
        try await fixture.addGroup("乙", count: 5, base: 20_000)
        await fixture.scheduler.setUplink(.down)
        try await fixture.scheduler.submit(SchedulerFixture.alert("a", priority: .routine, audience: ["甲"]))
        try await fixture.scheduler.submit(SchedulerFixture.alert("b", priority: .routine, audience: ["乙"]))

        let sent = await fixture.sendSMS(10)
        let fromSecond = sent.filter { $0.hasPrefix("+86138000200") }
        #expect(fromSecond.count == 5)
        #expect(sent[1] == SchedulerFixture.phone(20_000, 0))
    }

    @Test func budgetExhaustsAndRefillsByTheHour() async throws {
        let limits = SMSBudget.Limits(perMinute: 1000, perHour: 10, perDay: 1000, reservePerHour: 2, reservePerDay: 0)
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(smsLimits: limits))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("全员", count: 20, base: 10_000)
        try await fixture.addGroup("应急", count: 3, base: 90_000)
        await fixture.scheduler.setUplink(.down)
        try await fixture.scheduler.submit(SchedulerFixture.alert("p2", priority: .routine, audience: ["全员"]))

        let firstHour = await fixture.drainSMS()
        #expect(firstHour.sent == 8)
        guard case .wait(let wait) = firstHour.last else {
            Issue.record("expected a wait for the budget, got \(firstHour.last)")
            return
        }
        #expect(wait == .seconds(3600))

        // The reserve is for life safety: two of the three P0 SMS go now, the third waits.
        try await fixture.scheduler.submit(SchedulerFixture.alert("p0", priority: .lifeSafety, audience: ["应急"]))
        let reserve = await fixture.drainSMS()
        #expect(reserve.sent == 2)

        fixture.clock.advance(by: .seconds(3600))
        // One P0 and seven P2 fill the hour up to the reserve again.
        let secondHour = await fixture.drainSMS()
        #expect(secondHour.sent == 8)
        #expect(fixture.sms.sent[10].priority == 0)
        let budget = await fixture.scheduler.budget(sim: "sim0")
        #expect(budget.used(within: .seconds(3600), at: fixture.clock.now) == 8)
    }

    @Test func imFailureFallsBackToSMS() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        let ward = try await fixture.addGroup("病区", count: 3, base: 30_000)
        let targetID = try await fixture.addTarget("病区群", serving: ward)
        let robot = ScriptedChannel(name: "wecom-ward")
        await fixture.scheduler.addIMChannel(robot, targetID: targetID, kind: "wecom")

        let result = try await fixture.scheduler.submit(SchedulerFixture.alert("p1", priority: .urgent, audience: ["病区"]))
        #expect(result.imDeliveries == 1)
        #expect(result.smsDeliveries == 0)

        robot.script(.failed(.permanent, cause: "errcode 40008 invalid message type"))
        let step = await fixture.scheduler.step(.im(targetID: targetID))
        #expect(step == .sent(deliveryID: 1, outcome: .failed(.permanent, cause: "errcode 40008 invalid message type")))
        let sent = await fixture.sendSMS(5)
        #expect(sent == (0..<3).map { SchedulerFixture.phone(30_000, $0) })
        let counts = try await fixture.counts(alertID: result.alertID)
        #expect(counts["failed"] == 1)
        #expect(counts["sent"] == 3)
    }

    @Test func urgentFallsBackOnFirstTemporaryFailure() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        let ward = try await fixture.addGroup("病区", count: 2, base: 30_000)
        let targetID = try await fixture.addTarget("病区群", serving: ward)
        let robot = ScriptedChannel(name: "wecom-ward")
        await fixture.scheduler.addIMChannel(robot, targetID: targetID, kind: "wecom")
        try await fixture.scheduler.submit(SchedulerFixture.alert("p1", priority: .urgent, audience: ["病区"]))

        robot.script(.failed(.temporary, cause: "timed out"))
        _ = await fixture.scheduler.step(.im(targetID: targetID))
        #expect(await fixture.sendSMS(5).count == 2)
        // The IM retry still happens after its back-off.
        fixture.clock.advance(by: .seconds(30))
        _ = await fixture.scheduler.step(.im(targetID: targetID))
        #expect(robot.sent.count == 2)
    }

    @Test func targetDownHoldsLaneAndFallsBack() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        let ward = try await fixture.addGroup("病区", count: 2, base: 30_000)
        let targetID = try await fixture.addTarget("病区群", serving: ward)
        await fixture.scheduler.addIMChannel(ScriptedChannel(name: "wecom-ward"), targetID: targetID, kind: "wecom")
        try await fixture.scheduler.submit(SchedulerFixture.alert("p1", priority: .urgent, audience: ["病区"]))
        try await fixture.scheduler.submit(SchedulerFixture.alert("p3", priority: .reminder, audience: ["病区"]))

        await fixture.scheduler.setTargetHealth(targetID, .down)
        #expect(await fixture.scheduler.step(.im(targetID: targetID)) == .wait(.seconds(60)))
        // Only the urgent alert falls back; the reminder waits for IM.
        #expect(await fixture.sendSMS(5).count == 2)
        await fixture.scheduler.setTargetHealth(targetID, .up)
        guard case .sent = await fixture.scheduler.step(.im(targetID: targetID)) else {
            Issue.record("expected the IM lane to send once the target is up")
            return
        }
    }

    @Test func smsOutcomesGoToSyncOutbox() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        try await fixture.scheduler.submit(SchedulerFixture.alert("p0", priority: .lifeSafety, audience: ["应急"]))
        fixture.sms.script(.accepted(references: [5]))
        await fixture.sendSMS(1)
        await fixture.scheduler.handleStatusReport(sim: "sim0", reference: 5, recipient: "+8613800090000", status: .init(rawValue: 0))
        await fixture.scheduler.receiveSMS(from: "13800090000", text: "收到", reassemblyKey: nil, complete: true)

        let rows = try await fixture.rows("SELECT kind, payload FROM sync_outbox ORDER BY id")
        #expect(rows.map { $0["kind"].string } == ["sms.sent", "sms.report", "sms.received", "acknowledgement"])
        // Deliveries carry the masked number only.
        #expect(rows.first?["payload"].string?.contains("138****0000") == true)
        #expect(rows.first?["payload"].string?.contains("13800090000") == false)
    }

    /// The modem may hand over a status report before the outcome of its send is recorded;
    /// the report is kept and matched once the send is.
    @Test func statusReportBeforeItsSendIsMatchedLater() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        let submitted = try await fixture.scheduler.submit(SchedulerFixture.alert("p0", priority: .lifeSafety, audience: ["应急"]))
        await fixture.scheduler.handleStatusReport(sim: "sim0", reference: 9, recipient: "+8613800090000", status: .init(rawValue: 0))
        // A report for a reference no send will have stays unmatched.
        await fixture.scheduler.handleStatusReport(sim: "sim0", reference: 200, recipient: "+8613800090000", status: .init(rawValue: 0))
        fixture.sms.script(.accepted(references: [9]))
        await fixture.sendSMS(1)
        #expect(try await fixture.counts(alertID: submitted.alertID)["delivered"] == 1)
        #expect(await fixture.scheduler.parkedReports.map(\.reference) == [200])
    }

    @Test func routineFallsBackOnlyWhileUplinkDown() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        let ward = try await fixture.addGroup("病区", count: 3, base: 30_000)
        let targetID = try await fixture.addTarget("病区群", serving: ward)
        let robot = ScriptedChannel(name: "wecom-ward")
        await fixture.scheduler.addIMChannel(robot, targetID: targetID, kind: "wecom")

        try await fixture.scheduler.submit(SchedulerFixture.alert("p2", priority: .routine, audience: ["病区"]))
        robot.script(.failed(.permanent, cause: "rejected"))
        _ = await fixture.scheduler.step(.im(targetID: targetID))
        #expect(await fixture.scheduler.step(.sms) == .idle)

        // Going down falls back both: the one whose IM failed and the one still queued.
        try await fixture.scheduler.submit(SchedulerFixture.alert("p2b", priority: .routine, audience: ["病区"]))
        await fixture.scheduler.setUplink(.down)
        let sent = await fixture.drainSMS()
        #expect(sent.sent == 6)
        #expect(await fixture.scheduler.step(.im(targetID: targetID)) == .wait(.seconds(60)))
    }

    @Test func brokenChannelFailsItsQueueOnce() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        let ward = try await fixture.addGroup("病区", count: 2, base: 30_000)
        let targetID = try await fixture.addTarget("病区群", serving: ward)
        let robot = ScriptedChannel(name: "wecom-ward")
        await fixture.scheduler.addIMChannel(robot, targetID: targetID, kind: "wecom")
        try await fixture.scheduler.submit(SchedulerFixture.alert("one", priority: .urgent, audience: ["病区"]))
        try await fixture.scheduler.submit(SchedulerFixture.alert("two", priority: .urgent, audience: ["病区"]))

        robot.script(.failed(.channelBroken, cause: "errcode 93000 invalid webhook url"))
        _ = await fixture.scheduler.step(.im(targetID: targetID))
        #expect(robot.sent.count == 1)
        #expect(await fixture.scheduler.step(.im(targetID: targetID)) == .idle)
        let counts = try await fixture.counts()
        #expect(counts["failed"] == 2)
        #expect(counts["pending"] == 4)
    }

    @Test func imRateLimitHoldsTheRobot() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        let ward = try await fixture.addGroup("病区", count: 1, base: 30_000)
        let targetID = try await fixture.addTarget("病区群", channel: "dingtalk", serving: ward)
        let robot = ScriptedChannel(name: "dingtalk-ward")
        await fixture.scheduler.addIMChannel(robot, targetID: targetID, kind: "dingtalk")
        for index in 0..<25 {
            try await fixture.scheduler.submit(SchedulerFixture.alert("r\(index)", priority: .reminder, audience: ["病区"]))
        }
        var sent = 0
        var last = await fixture.scheduler.step(.im(targetID: targetID))
        while case .sent = last {
            sent += 1
            last = await fixture.scheduler.step(.im(targetID: targetID))
        }
        #expect(sent == 20)
        guard case .wait(let wait) = last else {
            Issue.record("expected a wait for the rate limit, got \(last)")
            return
        }
        // 20 a minute refills one token every 3 s.
        #expect(wait >= .seconds(3))
        #expect(wait < .milliseconds(3001))

        // DingTalk's block after its limit stops the robot for the time the API returned.
        fixture.clock.advance(by: .seconds(3))
        robot.script(.failed(.rateLimited(retryAfter: .seconds(600)), cause: "errcode 130101 send too fast"))
        _ = await fixture.scheduler.step(.im(targetID: targetID))
        let blocked = await fixture.scheduler.step(.im(targetID: targetID))
        #expect(blocked == .wait(.seconds(600)))
    }

    @Test func feishuKeepsBothLimits() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        let ward = try await fixture.addGroup("病区", count: 1, base: 30_000)
        let targetID = try await fixture.addTarget("病区群", channel: "feishu", serving: ward)
        await fixture.scheduler.addIMChannel(ScriptedChannel(name: "feishu-ward"), targetID: targetID, kind: "feishu")
        for index in 0..<8 {
            try await fixture.scheduler.submit(SchedulerFixture.alert("r\(index)", priority: .reminder, audience: ["病区"]))
        }
        var sent = 0
        while case .sent = await fixture.scheduler.step(.im(targetID: targetID)) {
            sent += 1
        }
        // Five a second, although a hundred a minute would allow eight.
        #expect(sent == 5)
        fixture.clock.advance(by: .milliseconds(200))
        let next = await fixture.scheduler.step(.im(targetID: targetID))
        guard case .sent = next else {
            Issue.record("expected a send once a token refilled, got \(next)")
            return
        }
    }

    @Test func temporaryFailureRetriesWithBackOff() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        await fixture.scheduler.setUplink(.down)
        let result = try await fixture.scheduler.submit(SchedulerFixture.alert("p1", priority: .urgent, audience: ["应急"]))

        fixture.sms.script(
            .failed(.temporary, cause: "+CMS ERROR: 38"), .failed(.temporary, cause: "+CMS ERROR: 38"), .failed(.temporary, cause: "+CMS ERROR: 42"))
        _ = await fixture.scheduler.step(.sms)
        #expect(await fixture.scheduler.step(.sms) == .wait(.seconds(30)))
        fixture.clock.advance(by: .seconds(30))
        _ = await fixture.scheduler.step(.sms)
        #expect(await fixture.scheduler.step(.sms) == .wait(.seconds(60)))
        fixture.clock.advance(by: .seconds(60))
        _ = await fixture.scheduler.step(.sms)
        fixture.clock.advance(by: .seconds(120))
        _ = await fixture.scheduler.step(.sms)
        let row = try await fixture.rows("SELECT state, attempt FROM deliveries WHERE alert_id = ?", [.integer(result.alertID)]).first
        #expect(row?["state"].string == "sent")
        #expect(row?["attempt"].int == 4)
    }

    @Test func permanentFailureIsNotRetried() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        try await fixture.scheduler.submit(SchedulerFixture.alert("p0", priority: .lifeSafety, audience: ["应急"]))
        fixture.sms.script(.failed(.permanent, cause: "+CMS ERROR: 1 unassigned number"))
        _ = await fixture.scheduler.step(.sms)
        #expect(await fixture.scheduler.step(.sms) == .idle)
        #expect(try await fixture.counts()["failed"] == 1)
    }

    @Test func permanentFailureTriesNextNumber() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        try await fixture.database.transaction("second phone") { connection in
            try connection.query("INSERT INTO contact_phones (contact_id, e164, position) VALUES (1, '+8613900090000', 1)", operation: "test")
        }
        try await fixture.scheduler.submit(SchedulerFixture.alert("p0", priority: .lifeSafety, audience: ["应急"]))
        fixture.sms.script(.failed(.permanent, cause: "+CMS ERROR: 1 unassigned number"))
        _ = await fixture.scheduler.step(.sms)
        #expect(await fixture.sendSMS(5) == ["+8613900090000"])
        // With every number tried, nothing more goes.
        #expect(await fixture.scheduler.step(.sms) == .idle)
    }

    @Test(arguments: [(AlertPriority.lifeSafety, "sent", 2), (AlertPriority.urgent, "unknown", 1)])
    func unknownOutcomeResentOnlyForLifeSafety(priority: AlertPriority, state: String, attempts: Int) async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        await fixture.scheduler.setUplink(.down)
        try await fixture.scheduler.submit(SchedulerFixture.alert("x", priority: priority, audience: ["应急"]))
        fixture.sms.script(.outcomeUnknown(cause: "modem reset during AT+CMGS"))
        _ = await fixture.scheduler.step(.sms)
        fixture.clock.advance(by: .seconds(10))
        _ = await fixture.scheduler.step(.sms)
        #expect(fixture.sms.sent.count == attempts)
        #expect(try await fixture.counts()[state] == 1)
    }

    @Test func statusReportsMarkDelivered() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 2, base: 90_000)
        try await fixture.scheduler.submit(SchedulerFixture.alert("p0", priority: .lifeSafety, audience: ["应急"]))
        fixture.sms.script(.accepted(references: [7]), .accepted(references: [8]))
        await fixture.sendSMS(2)

        await fixture.scheduler.handleStatusReport(sim: "sim0", reference: 7, recipient: "13800090000", status: .init(rawValue: 0))
        await fixture.scheduler.handleStatusReport(sim: "sim0", reference: 8, recipient: "+8613800090001", status: .init(rawValue: 0x41))
        let rows = try await fixture.rows("SELECT state FROM deliveries ORDER BY id")
        #expect(rows.map { $0["state"].string } == ["delivered", "failed"])
    }
}
