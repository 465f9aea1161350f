import Alerting
import Core
import Foundation
import Storage
import Testing

@testable import Scheduler

/// Escalation, acknowledgement, cancel, update, repeats, expiry, test audiences and restarts.
@Suite struct AlertLifecycleTests {
    static let unlimited = SMSBudget.Limits(perMinute: 100_000, perHour: 100_000, perDay: 100_000, reservePerHour: 0, reservePerDay: 0)

    @Test func escalatesToNextContactWithoutAcknowledgement() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(escalationTimeout: .seconds(300)))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("值班医生", count: 3, base: 40_000, sequenced: true)
        let result = try await fixture.scheduler.submit(SchedulerFixture.alert("code-blue", priority: .urgent, audience: ["值班医生"]))
        #expect(result.smsDeliveries == 1)
        #expect(await fixture.sendSMS(5) == [SchedulerFixture.phone(40_000, 0)])

        #expect(await fixture.scheduler.escalate() == .seconds(300))
        fixture.clock.advance(by: .seconds(299))
        _ = await fixture.scheduler.escalate()
        #expect(await fixture.scheduler.step(.sms) == .idle)

        fixture.clock.advance(by: .seconds(1))
        _ = await fixture.scheduler.escalate()
        #expect(await fixture.sendSMS(5) == [SchedulerFixture.phone(40_000, 1)])

        // The second doctor acknowledges; the third is never alerted.
        let acknowledgement = await fixture.scheduler.handleReply(from: "13800040001", text: "收到")
        #expect(acknowledgement?.alertID == result.alertID)
        #expect(acknowledgement?.escalationsEnded == 1)
        fixture.clock.advance(by: .seconds(600))
        #expect(await fixture.scheduler.escalate() == nil)
        #expect(await fixture.scheduler.step(.sms) == .idle)
    }

    @Test func escalationExhaustsAfterLastContact() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(escalationTimeout: .seconds(60)))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("保卫科", count: 2, base: 50_000, sequenced: true)
        try await fixture.scheduler.submit(SchedulerFixture.alert("threat", priority: .urgent, audience: ["保卫科"]))
        await fixture.sendSMS(1)
        fixture.clock.advance(by: .seconds(60))
        _ = await fixture.scheduler.escalate()
        await fixture.sendSMS(1)
        fixture.clock.advance(by: .seconds(60))
        _ = await fixture.scheduler.escalate()
        let state = try await fixture.rows("SELECT state FROM escalations").first?["state"].string
        #expect(state == "exhausted")
        #expect(fixture.sms.sent.count == 2)
    }

    @Test func failedSMSEscalatesAtOnce() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("值班", count: 2, base: 40_000, sequenced: true)
        try await fixture.scheduler.submit(SchedulerFixture.alert("x", priority: .urgent, audience: ["值班"]))
        fixture.sms.script(.failed(.permanent, cause: "+CMS ERROR: 1"))
        _ = await fixture.scheduler.step(.sms)
        #expect(await fixture.scheduler.escalate() == nil)
        #expect(await fixture.sendSMS(1) == [SchedulerFixture.phone(40_000, 1)])
    }

    @Test(arguments: ["1", "１", "收到", "收到。", " OK! ", "安全"])
    func acknowledgementKeywordsAccepted(reply: String) {
        #expect(AlertScheduler.isAcknowledgement(reply, keywords: SchedulerSettings().acknowledgementKeywords))
    }

    @Test(arguments: ["", "hello", "11", "不收到", "2"])
    func otherRepliesAreNoAcknowledgement(reply: String) {
        #expect(!AlertScheduler.isAcknowledgement(reply, keywords: SchedulerSettings().acknowledgementKeywords))
    }

    @Test func acknowledgementMatchesLatestAlertToNumber() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        let first = try await fixture.scheduler.submit(SchedulerFixture.alert("first", priority: .lifeSafety, audience: ["应急"]))
        await fixture.sendSMS(1)
        fixture.clock.advance(by: .seconds(10))
        let second = try await fixture.scheduler.submit(SchedulerFixture.alert("second", priority: .lifeSafety, audience: ["应急"]))
        await fixture.sendSMS(1)

        let acknowledgement = await fixture.scheduler.handleReply(from: "+8613800090000", text: "1")
        #expect(acknowledgement?.alertID == second.alertID)
        #expect(acknowledgement?.alertID != first.alertID)
        #expect(await fixture.scheduler.handleReply(from: "+8613800099999", text: "1") == nil)
        let stored = try await fixture.rows("SELECT alert_id, keyword FROM acknowledgements")
        #expect(stored.count == 1)
    }

    @Test func cancelMidRunStopsAndSendsAllClearToReached() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(smsLimits: Self.unlimited))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("全员", count: 500, base: 10_000)
        await fixture.scheduler.setUplink(.down)
        let original = try await fixture.scheduler.submit(SchedulerFixture.alert("drill", priority: .routine, audience: ["全员"]))
        await fixture.sendSMS(5)

        let cancel = try await fixture.scheduler.submit(
            SchedulerFixture.alert("drill-cancel", priority: .routine, audience: [], type: .cancel, references: ["drill"]))
        #expect(cancel.closedAlerts == [original.alertID])
        #expect(cancel.smsDeliveries == 5)
        let counts = try await fixture.counts(alertID: original.alertID)
        #expect(counts["cancelled"] == 495)
        let allClear = await fixture.drainSMS()
        #expect(allClear.sent == 5)
        #expect(fixture.sms.sent.suffix(5).allSatisfy { $0.alertID == cancel.alertID })
        let state = try await fixture.rows("SELECT state FROM alerts WHERE id = ?", [.integer(original.alertID)]).first?["state"].string
        #expect(state == "cancelled")
    }

    @Test func cancelDuringSendStopsItsRetry() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        await fixture.scheduler.setUplink(.down)
        try await fixture.scheduler.submit(SchedulerFixture.alert("drill", priority: .routine, audience: ["应急"]))
        fixture.sms.holdNextSend()
        fixture.sms.script(.failed(.temporary, cause: "+CMS ERROR: 42"))
        let inFlight = Task { await fixture.scheduler.step(.sms) }
        try await fixture.waitUntilHolding()

        try await fixture.scheduler.submit(
            SchedulerFixture.alert("drill-cancel", priority: .routine, audience: [], type: .cancel, references: ["drill"]))
        #expect(fixture.sms.release())
        _ = await inFlight.value
        fixture.clock.advance(by: .seconds(600))
        // Only the all-clear goes: the SMS in flight may have arrived, and its retry is dropped.
        #expect(await fixture.sendSMS(5).count == 1)
        #expect(fixture.sms.sent.last?.alertIdentifier == "drill-cancel")
        let state = try await fixture.rows("SELECT state FROM deliveries WHERE id = 1").first?["state"].string
        #expect(state == "cancelled")
    }

    @Test func cancelWithoutTextComposesAllClear() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        try await fixture.scheduler.submit(SchedulerFixture.alert("fire-1", priority: .lifeSafety, audience: ["应急"]))
        await fixture.sendSMS(1)
        var cancel = SchedulerFixture.alert("fire-1-cancel", priority: .lifeSafety, audience: [], type: .cancel, references: ["fire-1"])
        cancel.texts = []
        let result = try await fixture.scheduler.submit(cancel)
        await fixture.sendSMS(1)
        #expect(fixture.sms.sent.last?.text == "解除警报：火警警报已于10:00解除，恢复正常#fire-1")
        // The all-clear is urgent, never life safety.
        #expect(fixture.sms.sent.last?.priority == 1)
        #expect(result.disposition == .planned)
    }

    @Test func updateMidRunSupersedesPending() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(smsLimits: Self.unlimited))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("全员", count: 500, base: 10_000)
        await fixture.scheduler.setUplink(.down)
        let original = try await fixture.scheduler.submit(SchedulerFixture.alert("closure", priority: .routine, audience: ["全员"]))
        await fixture.sendSMS(5)

        let update = try await fixture.scheduler.submit(
            SchedulerFixture.alert("closure-2", priority: .routine, audience: [], type: .update, references: ["closure"], text: "闭馆延长至周五"))
        #expect(update.smsDeliveries == 500)
        let counts = try await fixture.counts(alertID: original.alertID)
        #expect(counts["superseded"] == 495)
        #expect(counts["sent"] == 5)
        _ = await fixture.sendSMS(1)
        #expect(fixture.sms.sent.last?.text == "闭馆延长至周五")
    }

    @Test func repeatedTriggerFiresOnce() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(triggerWindow: .seconds(60)))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        let first = try await fixture.scheduler.submit(SchedulerFixture.alert("b1", priority: .lifeSafety, audience: ["应急"], triggerKey: "gpio:button-1"))
        fixture.clock.advance(by: .seconds(2))
        let bounce = try await fixture.scheduler.submit(SchedulerFixture.alert("b2", priority: .lifeSafety, audience: ["应急"], triggerKey: "gpio:button-1"))
        #expect(bounce.disposition == .duplicateTrigger)
        #expect(bounce.alertID == first.alertID)
        fixture.clock.advance(by: .seconds(60))
        let later = try await fixture.scheduler.submit(SchedulerFixture.alert("b3", priority: .lifeSafety, audience: ["应急"], triggerKey: "gpio:button-1"))
        #expect(later.disposition == .planned)
    }

    @Test func sameIdentifierAcceptedOnce() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        let first = try await fixture.scheduler.submit(SchedulerFixture.alert("cap-1", priority: .lifeSafety, audience: ["应急"]))
        let again = try await fixture.scheduler.submit(SchedulerFixture.alert("cap-1", priority: .lifeSafety, audience: ["应急"]))
        #expect(again.disposition == .alreadyAccepted)
        #expect(again.alertID == first.alertID)
        #expect(await fixture.pendingSMS() == 1)
    }

    @Test func expiredAlertsAreNotSent() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 3, base: 90_000)
        let now = SchedulerFixture.start.secondsSinceEpoch * 1000
        let stale = try await fixture.scheduler.submit(SchedulerFixture.alert("old", priority: .lifeSafety, audience: ["应急"], expiresAt: now - 1))
        #expect(stale.disposition == .expired)

        try await fixture.scheduler.submit(SchedulerFixture.alert("soon", priority: .lifeSafety, audience: ["应急"], expiresAt: now + 30_000))
        await fixture.sendSMS(1)
        fixture.clock.advance(by: .seconds(30))
        #expect(await fixture.scheduler.step(.sms) == .expired(deliveryID: 2))
        #expect(fixture.sms.sent.count == 1)
    }

    @Test func expiryClosesTheAlertAndForgetsIt() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 3, base: 91_000)
        let now = SchedulerFixture.start.secondsSinceEpoch * 1000
        let result = try await fixture.scheduler.submit(
            SchedulerFixture.alert("ends", priority: .lifeSafety, audience: ["应急"], expiresAt: now + 30_000))
        // The first send fails for now and waits for its retry, and the second goes.
        fixture.sms.script(.failed(.temporary, cause: "network busy"))
        await fixture.sendSMS(2)
        #expect(await fixture.scheduler.expireDue() == .seconds(30))
        #expect(await fixture.scheduler.core.expiryCount == 1)

        fixture.clock.advance(by: .seconds(30))
        #expect(await fixture.scheduler.expireDue() == nil)
        #expect(await fixture.scheduler.core.expiryCount == 0)
        let alert = try await fixture.rows("SELECT state FROM alerts WHERE id = ?", [.integer(result.alertID)])
        #expect(alert.first?["state"].string == "expired")
        // The retry and the third contact's delivery closed, and nothing is queued.
        #expect(try await fixture.counts(alertID: result.alertID) == ["sent": 1, "expired": 2])
        #expect(await fixture.scheduler.core.pendingCount == 0)
        #expect(await fixture.scheduler.step(.sms) == .idle)
        #expect(fixture.sms.sent.count == 2)
    }

    @Test func expiryDuringSendStopsItsRetry() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 92_000)
        let now = SchedulerFixture.start.secondsSinceEpoch * 1000
        try await fixture.scheduler.submit(SchedulerFixture.alert("brief", priority: .lifeSafety, audience: ["应急"], expiresAt: now + 30_000))
        fixture.sms.holdNextSend()
        fixture.sms.script(.failed(.temporary, cause: "+CMS ERROR: 42"))
        let inFlight = Task { await fixture.scheduler.step(.sms) }
        try await fixture.waitUntilHolding()

        fixture.clock.advance(by: .seconds(30))
        #expect(await fixture.scheduler.expireDue() == nil)
        #expect(fixture.sms.release())
        _ = await inFlight.value
        // The send in flight failed after the expiry, so its retry is dropped.
        let state = try await fixture.rows("SELECT state FROM deliveries WHERE id = 1").first?["state"].string
        #expect(state == "expired")
        #expect(await fixture.scheduler.core.pendingCount == 0)
        #expect(fixture.sms.sent.count == 1)
    }

    @Test func cancelAfterExpirySendsAllClear() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 2, base: 93_000)
        let now = SchedulerFixture.start.secondsSinceEpoch * 1000
        let original = try await fixture.scheduler.submit(
            SchedulerFixture.alert("smoke", priority: .lifeSafety, audience: ["应急"], expiresAt: now + 30_000))
        #expect(await fixture.sendSMS(2).count == 2)
        fixture.clock.advance(by: .seconds(30))
        #expect(await fixture.scheduler.expireDue() == nil)

        let cancel = try await fixture.scheduler.submit(
            SchedulerFixture.alert("smoke-cancel", priority: .lifeSafety, audience: [], type: .cancel, references: ["smoke"]))
        #expect(cancel.disposition == .planned)
        #expect(cancel.closedAlerts == [original.alertID])
        #expect(await fixture.sendSMS(5).count == 2)
        #expect(fixture.sms.sent.last?.alertIdentifier == "smoke-cancel")
        let state = try await fixture.rows("SELECT state FROM alerts WHERE id = ?", [.integer(original.alertID)]).first?["state"].string
        #expect(state == "cancelled")
    }

    @Test func testAlertsGoOnlyToTestAudienceLabelled() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(testAudience: ["测试组"]))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("全员", count: 50, base: 10_000)
        try await fixture.addGroup("测试组", count: 2, base: 60_000)
        let result = try await fixture.scheduler.submit(SchedulerFixture.alert("t", priority: .lifeSafety, audience: ["全员"], status: .test))
        #expect(result.smsDeliveries == 2)
        await fixture.sendSMS(1)
        #expect(fixture.sms.sent.first?.text.hasPrefix("【测试】") == true)
        let exercise = AlertScheduler.labelled(AlertText(language: .english, smsText: "Drill", imText: "Drill"), status: .exercise)
        #expect(exercise.smsText == "[EXERCISE] Drill")
    }

    @Test func quietHoursDelayRoutineButNotLifeSafety() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(smsLimits: Self.unlimited))
        defer { Task { await fixture.remove() } }
        // 10:00 local: quiet from 09:00 to 11:00.
        try await fixture.addGroup("夜班", count: 1, base: 70_000, quiet: (9 * 60, 11 * 60))
        await fixture.scheduler.setUplink(.down)
        try await fixture.scheduler.submit(SchedulerFixture.alert("notice", priority: .routine, audience: ["夜班"]))
        #expect(await fixture.scheduler.step(.sms) == .wait(.seconds(3600)))
        try await fixture.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["夜班"]))
        #expect(await fixture.sendSMS(1).count == 1)
        fixture.clock.advance(by: .seconds(3600))
        #expect(await fixture.sendSMS(1).count == 1)
    }

    @Test func restartMidRunResumesByDurabilityRules() async throws {
        let limits = SMSBudget.Limits(perMinute: 1000, perHour: 30, perDay: 1000, reservePerHour: 0, reservePerDay: 0)
        let first = try await SchedulerFixture(settings: SchedulerSettings(smsLimits: limits))
        try await first.addGroup("全员", count: 20, base: 10_000)
        try await first.addGroup("应急", count: 2, base: 90_000)
        await first.scheduler.setUplink(.down)
        let routine = try await first.scheduler.submit(SchedulerFixture.alert("p2", priority: .routine, audience: ["全员"]))
        await first.sendSMS(5)

        // The routine SMS in flight when the power goes: committed as sending, never finished.
        first.sms.hangFromNowOn()
        let inFlight = Task { await first.scheduler.step(.sms) }
        try await waitForSending(first)
        await first.database.close()
        inFlight.cancel()

        let restarted = try await SchedulerFixture(settings: SchedulerSettings(smsLimits: limits), path: first.path, clock: first.clock)
        defer { Task { await restarted.remove() } }
        let report = try await restarted.scheduler.resume()
        #expect(report.interrupted == 1)
        #expect(report.resent == 0)
        #expect(report.queued == 14)
        let counts = try await restarted.counts(alertID: routine.alertID)
        #expect(counts["unknown"] == 1)
        #expect(counts["sent"] == 5)
        // Five parts sent before the restart still count against the hour.
        let budget = await restarted.scheduler.budget(sim: "sim0")
        #expect(budget.used(within: .seconds(3600), at: restarted.clock.now) == 5)
        let rest = await restarted.drainSMS()
        #expect(rest.sent == 14)
    }

    @Test func restartResendsInterruptedLifeSafety() async throws {
        let first = try await SchedulerFixture()
        try await first.addGroup("应急", count: 2, base: 90_000)
        try await first.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["应急"]))
        first.sms.hangFromNowOn()
        let inFlight = Task { await first.scheduler.step(.sms) }
        try await waitForSending(first)
        await first.database.close()
        inFlight.cancel()

        let restarted = try await SchedulerFixture(path: first.path, clock: first.clock)
        defer { Task { await restarted.remove() } }
        let report = try await restarted.scheduler.resume()
        #expect(report.resent == 1)
        let sent = await restarted.sendSMS(2)
        #expect(sent == [SchedulerFixture.phone(90_000, 0), SchedulerFixture.phone(90_000, 1)])
        let attempts = try await restarted.rows("SELECT attempt FROM deliveries ORDER BY id").map { $0["attempt"].int }
        #expect(attempts == [2, 1])
        let audit = try await restarted.rows("SELECT count(*) AS n FROM audit_log WHERE action = 'delivery.resendAfterRestart'")
        #expect(audit.first?["n"].int == 1)
    }

    /// Waits until a delivery row is `sending`.
    private func waitForSending(_ fixture: SchedulerFixture) async throws {
        for _ in 0..<500 {
            if try await fixture.counts()["sending"] == 1 { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("no delivery reached sending")
    }
}

extension SchedulerFixture {
    func pendingSMS() async -> Int {
        (try? await counts()["pending"]) ?? 0
    }
}
