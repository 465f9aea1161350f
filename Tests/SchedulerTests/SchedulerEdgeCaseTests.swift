import Alerting
import Core
import Foundation
import SMS
import Storage
import Testing

@testable import Scheduler

/// Adversarial scheduler cases that the scheduler handles: restarts, order, Cancel and
/// Update, acknowledgements and log privacy.
@Suite struct SchedulerEdgeCaseTests {
    static let unlimited = SMSBudget.Limits(perMinute: 100_000, perHour: 100_000, perDay: 100_000, reservePerHour: 0, reservePerDay: 0)

    // MARK: - Durability

    @Test func repeatedRestartsLoseNoRecipient() async throws {
        let settings = SchedulerSettings(smsLimits: Self.unlimited)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alertbox-review-\(UUID().uuidString.prefix(8)).sqlite").path
        let clock = ManualClock(wallStart: SchedulerFixture.start)
        let setup = try await SchedulerFixture(settings: settings, path: path, clock: clock)
        try await setup.addGroup("全员", count: 20, base: 10_000)
        await setup.scheduler.setUplink(.down)
        let alert = try await setup.scheduler.submit(SchedulerFixture.alert("notice", priority: .routine, audience: ["全员"]))
        await setup.database.close()

        // Three power cuts, each after three sends and with a fourth in flight.
        var recipients: [String] = []
        for _ in 0..<3 {
            let run = try await SchedulerFixture(settings: settings, path: path, clock: clock)
            _ = try await run.scheduler.resume()
            recipients += await run.sendSMS(3)
            let inFlight = try await run.startHungSend(.sms, channel: run.sms)
            recipients += run.sms.sent.last.flatMap(\.recipient).map { [$0] } ?? []
            await run.database.close()
            inFlight.cancel()
            clock.advance(by: .seconds(30))
        }

        let last = try await SchedulerFixture(settings: settings, path: path, clock: clock)
        defer { Task { await last.remove() } }
        let report = try await last.scheduler.resume()
        #expect(report.resent == 0)
        recipients += await last.sendSMS(100)
        #expect(recipients.count == 20)
        #expect(Set(recipients).count == 20)
        let counts = try await last.counts(alertID: alert.alertID)
        #expect(counts["sent"] == 17)
        #expect(counts["unknown"] == 3)
    }

    @Test func restartKeepsMultipartBudget() async throws {
        let settings = SchedulerSettings(smsLimits: Self.unlimited)
        let first = try await SchedulerFixture(settings: settings)
        try await first.addGroup("应急", count: 3, base: 90_000)
        try await first.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["应急"], text: String(repeating: "火", count: 100)))
        first.sms.script(.accepted(references: [1, 2]), .accepted(references: [3, 4]), .accepted(references: [5, 6]))
        await first.sendSMS(3)
        let before = await first.scheduler.budget(sim: "sim0").used(within: .seconds(3600), at: first.clock.now)
        await first.database.close()

        first.clock.advance(by: .seconds(120))
        let restarted = try await SchedulerFixture(settings: settings, path: first.path, clock: first.clock)
        defer { Task { await restarted.remove() } }
        _ = try await restarted.scheduler.resume()
        let budget = await restarted.scheduler.budget(sim: "sim0")
        #expect(before == 6)
        #expect(budget.used(within: .seconds(3600), at: restarted.clock.now) == 6)
        #expect(budget.used(within: .seconds(60), at: restarted.clock.now) == 0)
    }

    @Test func restartKeepsReserveForLifeSafety() async throws {
        let limits = SMSBudget.Limits(perMinute: 1000, perHour: 10, perDay: 1000, reservePerHour: 3, reservePerDay: 0)
        let first = try await SchedulerFixture(settings: SchedulerSettings(smsLimits: limits))
        try await first.addGroup("全员", count: 20, base: 10_000)
        try await first.addGroup("应急", count: 3, base: 90_000)
        await first.scheduler.setUplink(.down)
        try await first.scheduler.submit(SchedulerFixture.alert("notice", priority: .routine, audience: ["全员"]))
        #expect(await first.drainSMS().sent == 7)
        await first.database.close()

        let restarted = try await SchedulerFixture(settings: SchedulerSettings(smsLimits: limits), path: first.path, clock: first.clock)
        defer { Task { await restarted.remove() } }
        _ = try await restarted.scheduler.resume()
        await restarted.scheduler.setUplink(.down)
        #expect(await restarted.drainSMS().sent == 0)
        try await restarted.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["应急"]))
        #expect(await restarted.drainSMS().sent == 3)
    }

    @Test func restartResumesEscalationDue() async throws {
        let settings = SchedulerSettings(escalationTimeout: .seconds(300))
        let first = try await SchedulerFixture(settings: settings)
        try await first.addGroup("值班医生", count: 2, base: 40_000, sequenced: true)
        try await first.scheduler.submit(SchedulerFixture.alert("code-blue", priority: .urgent, audience: ["值班医生"]))
        await first.sendSMS(1)
        await first.database.close()

        first.clock.advance(by: .seconds(400))
        let restarted = try await SchedulerFixture(settings: settings, path: first.path, clock: first.clock)
        defer { Task { await restarted.remove() } }
        _ = try await restarted.scheduler.resume()
        _ = await restarted.scheduler.escalate()
        #expect(await restarted.sendSMS(5) == [SchedulerFixture.phone(40_000, 1)])
    }

    // MARK: - Order and fairness

    @Test func lifeSafetyPreemptsIMRun() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        let everyone = try await fixture.addGroup("全员", count: 1, base: 10_000)
        let targetID = try await fixture.addTarget("全员群", serving: everyone)
        let robot = ScriptedChannel(name: "wecom-all")
        await fixture.scheduler.addIMChannel(robot, targetID: targetID, kind: "wecom")
        for index in 0..<10 {
            try await fixture.scheduler.submit(SchedulerFixture.alert("reminder-\(index)", priority: .reminder, audience: ["全员"]))
        }
        for _ in 0..<3 { _ = await fixture.scheduler.step(.im(targetID: targetID)) }

        try await fixture.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["全员"]))
        _ = await fixture.scheduler.step(.im(targetID: targetID))
        #expect(robot.sent.last?.alertIdentifier == "fire")
    }

    @Test func retryBackOffLetsOthersGo() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(smsLimits: Self.unlimited))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("全员", count: 3, base: 10_000)
        await fixture.scheduler.setUplink(.down)
        try await fixture.scheduler.submit(SchedulerFixture.alert("notice", priority: .routine, audience: ["全员"]))
        fixture.sms.script(.failed(.temporary, cause: "+CMS ERROR: 42"))
        _ = await fixture.scheduler.step(.sms)

        let others = await fixture.drainSMS()
        #expect(others.sent == 2)
        #expect(others.last == .wait(.seconds(60)))
        fixture.clock.advance(by: .seconds(60))
        #expect(await fixture.sendSMS(1) == [SchedulerFixture.phone(10_000, 0)])
    }

    @Test func zeroRecipientAlertIsDone() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("空组", count: 0, base: 0)
        let result = try await fixture.scheduler.submit(SchedulerFixture.alert("empty", priority: .lifeSafety, audience: ["空组", "不存在"]))
        #expect(result.disposition == .planned)
        #expect(result.unknownGroups == ["不存在"])
        let state = try await fixture.rows("SELECT state FROM alerts WHERE id = ?", [.integer(result.alertID)]).first?["state"].string
        #expect(state == "done")
        let audit = try await fixture.rows("SELECT detail FROM audit_log WHERE action = 'alert.planned'").first?["detail"].string
        #expect(audit?.contains("不存在") == true)
    }

    // MARK: - Cancel, Update, expiry

    @Test func cancelTwiceSendsOneAllClear() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 2, base: 90_000)
        try await fixture.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["应急"]))
        await fixture.sendSMS(2)
        let cancel = SchedulerFixture.alert("fire-cancel", priority: .lifeSafety, audience: [], type: .cancel, references: ["fire"], text: "解除")
        #expect(try await fixture.scheduler.submit(cancel).smsDeliveries == 2)
        #expect(try await fixture.scheduler.submit(cancel).disposition == .alreadyAccepted)
        var again = cancel
        again.identifier = "fire-cancel-2"
        #expect(try await fixture.scheduler.submit(again).smsDeliveries == 0)
        #expect(await fixture.drainSMS().sent == 2)
    }

    @Test func cancelReferencingOtherSenderIgnored() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 2, base: 90_000)
        let fire = try await fixture.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["应急"]))
        var cancel = SchedulerFixture.alert("fire-cancel", priority: .lifeSafety, audience: [], type: .cancel, references: ["fire"], text: "解除")
        cancel.references = [CAPReference(sender: "other@feed", identifier: "fire", sent: "2026-12-04T10:00:00+08:00")]
        let result = try await fixture.scheduler.submit(cancel)
        #expect(result.closedAlerts.isEmpty)
        #expect(try await fixture.counts(alertID: fire.alertID)["pending"] == 2)
    }

    @Test func updateOfUpdateKeepsAudience() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(smsLimits: Self.unlimited))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("全员", count: 4, base: 10_000)
        await fixture.scheduler.setUplink(.down)
        try await fixture.scheduler.submit(SchedulerFixture.alert("closure", priority: .routine, audience: ["全员"]))
        let first = try await fixture.scheduler.submit(
            SchedulerFixture.alert("closure-2", priority: .routine, audience: [], type: .update, references: ["closure"], text: "闭馆至周四"))
        let second = try await fixture.scheduler.submit(
            SchedulerFixture.alert("closure-3", priority: .routine, audience: [], type: .update, references: ["closure-2"], text: "闭馆至周五"))
        #expect(first.smsDeliveries == 4)
        #expect(second.smsDeliveries == 4)
        #expect(try await fixture.counts(alertID: first.alertID)["superseded"] == 4)
        _ = await fixture.drainSMS()
        #expect(Set(fixture.sms.sent.map(\.text)) == ["闭馆至周五"])
    }

    @Test func expiryMidRunStopsRetry() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        let now = SchedulerFixture.start.secondsSinceEpoch * 1000
        try await fixture.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["应急"], expiresAt: now + 5000))
        fixture.sms.script(.failed(.temporary, cause: "+CMS ERROR: 42"))
        _ = await fixture.scheduler.step(.sms)
        fixture.clock.advance(by: .seconds(10))
        #expect(await fixture.scheduler.step(.sms) == .expired(deliveryID: 1))
        #expect(fixture.sms.sent.count == 1)
    }

    @Test func exerciseGoesToTestAudienceLabelled() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("全员", count: 5, base: 10_000)
        try await fixture.addGroup("测试组", count: 1, base: 60_000)
        let result = try await fixture.scheduler.submit(SchedulerFixture.alert("drill", priority: .lifeSafety, audience: ["全员"], status: .exercise))
        #expect(result.smsDeliveries == 1)
        await fixture.sendSMS(1)
        #expect(fixture.sms.sent.first?.text.hasPrefix("【演练】") == true)
        #expect(fixture.sms.sent.first?.recipient == SchedulerFixture.phone(60_000, 0))
    }

    // MARK: - Acknowledgements

    @Test(arguments: ["收到！", "ＯＫ", "Yes.", "safe!!", "收到\n", "\u{3000}收到\u{3000}", "１。", "确认～"])
    func acknowledgementVariantsAccepted(reply: String) {
        #expect(AlertScheduler.isAcknowledgement(reply, keywords: SchedulerSettings().acknowledgementKeywords))
    }

    @Test(arguments: ["13800090000", "+86 138 0009 0000", "0086-138-0009-0000", "8613800090000", "１３８０００９００００"])
    func acknowledgementFromAnyNumberForm(sender: String) async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        let fire = try await fixture.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["应急"]))
        await fixture.sendSMS(1)
        let acknowledgement = await fixture.scheduler.receiveSMS(from: sender, text: "收到", reassemblyKey: nil, complete: true)
        #expect(acknowledgement?.alertID == fire.alertID)
    }

    @Test func replyFromUnreachedNumberIgnored() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 2, base: 90_000)
        try await fixture.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["应急"]))
        await fixture.sendSMS(1)
        // The second member's SMS is still queued, and a stranger never got one.
        #expect(await fixture.scheduler.handleReply(from: SchedulerFixture.phone(90_000, 1), text: "1") == nil)
        #expect(await fixture.scheduler.handleReply(from: "13912345678", text: "1") == nil)
        #expect(try await fixture.rows("SELECT * FROM acknowledgements").isEmpty)
    }

    @Test func acknowledgementEndsOnlySenderGroup() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(escalationTimeout: .seconds(300)))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("内科值班", count: 2, base: 40_000, sequenced: true)
        try await fixture.addGroup("外科值班", count: 2, base: 50_000, sequenced: true)
        try await fixture.scheduler.submit(SchedulerFixture.alert("code-blue", priority: .urgent, audience: ["内科值班", "外科值班"]))
        #expect(await fixture.sendSMS(5).count == 2)

        let acknowledgement = await fixture.scheduler.handleReply(from: SchedulerFixture.phone(40_000, 0), text: "收到")
        #expect(acknowledgement?.escalationsEnded == 1)
        fixture.clock.advance(by: .seconds(300))
        _ = await fixture.scheduler.escalate()
        #expect(await fixture.sendSMS(5) == [SchedulerFixture.phone(50_000, 1)])
    }

    @Test func memberOfTwoGroupsGetsOneSMS() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("甲", count: 3, base: 90_000)
        try await fixture.addGroup("乙", count: 3, base: 90_000)
        let result = try await fixture.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["甲", "乙"]))
        #expect(result.smsDeliveries == 3)
    }

    // MARK: - Bad input

    @Test func missingIdentifierErrorNamesFix() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        let error = await #expect(throws: SchedulerError.self) {
            try await fixture.scheduler.submit(SchedulerFixture.alert("", priority: .lifeSafety, audience: ["应急"]))
        }
        #expect(error?.description.contains("identifier") == true)
    }

    @Test func missingTextsErrorNamesAlert() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        let earlier = try await fixture.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["应急"]))
        var empty = SchedulerFixture.alert("no-text", priority: .lifeSafety, audience: ["应急"])
        empty.texts = []
        let error = await #expect(throws: SchedulerError.self) {
            try await fixture.scheduler.submit(empty)
        }
        #expect(error?.description.contains("no-text") == true)
        // The rejection leaves the alert accepted before it untouched.
        #expect(try await fixture.counts(alertID: earlier.alertID)["pending"] == 1)
    }

    // MARK: - Privacy

    @Test func infoLogsMaskNumbersAndBodies() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(escalationTimeout: .seconds(60)))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 2, base: 90_000)
        try await fixture.addGroup("值班", count: 2, base: 40_000, sequenced: true)
        let sink = CapturingLogSink()
        let scheduler = await fixture.scheduler(loggingTo: sink)

        try await scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["应急"]))
        try await scheduler.submit(SchedulerFixture.alert("code-blue", priority: .urgent, audience: ["值班"], text: "心脏骤停，请速到5楼"))
        fixture.sms.script(.accepted(references: [7]), .failed(.temporary, cause: "+CMS ERROR: 42"), .outcomeUnknown(cause: "modem reset"))
        for _ in 0..<3 { _ = await scheduler.step(.sms) }
        await scheduler.handleStatusReport(sim: "sim0", reference: 7, recipient: SchedulerFixture.phone(90_000, 0), status: .init(rawValue: 0))
        await scheduler.receiveSMS(from: "13800090000", text: "收到，马上到", reassemblyKey: nil, complete: true)
        await scheduler.receiveSMS(from: "13800090000", text: "收到", reassemblyKey: nil, complete: true)
        await scheduler.receiveSMS(from: "13912345678", text: "1", reassemblyKey: nil, complete: true)
        fixture.clock.advance(by: .seconds(60))
        _ = await scheduler.escalate()
        try await scheduler.submit(
            SchedulerFixture.alert("fire-cancel", priority: .lifeSafety, audience: [], type: .cancel, references: ["fire"], text: "火警解除"))
        while case .sent = await scheduler.step(.sms) {}

        let lines = sink.lines
        #expect(lines.count > 10)
        let secrets = ["13800090000", "13800090001", "13800040000", "13800040001", "13912345678", "3号楼火警", "心脏骤停", "马上到", "火警解除"]
        for line in lines {
            for secret in secrets {
                #expect(!line.contains(secret), "log line shows \(secret): \(line)")
            }
        }
    }
}
