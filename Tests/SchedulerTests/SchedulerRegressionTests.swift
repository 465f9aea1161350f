import Alerting
import Core
import Foundation
import SMS
import Storage
import Testing

@testable import Scheduler

/// Behaviour a review found broken and that the scheduler now keeps: restarts, Cancel and
/// Update rules, escalation, acknowledgements and bad input.
@Suite struct SchedulerRegressionTests {
    // MARK: - Durability

    @Test func restartKeepsCancelledAlarmClosed() async throws {
        let first = try await SchedulerFixture()
        try await first.addGroup("应急", count: 1, base: 90_000)
        try await first.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["应急"]))

        // The alarm is with the modem when the Cancel arrives, and the power goes before the send ends.
        let inFlight = try await first.startHungSend(.sms, channel: first.sms)
        try await first.scheduler.submit(
            SchedulerFixture.alert("fire-cancel", priority: .lifeSafety, audience: [], type: .cancel, references: ["fire"], text: "误报，警报解除"))
        await first.database.close()
        inFlight.cancel()

        let restarted = try await SchedulerFixture(path: first.path, clock: first.clock)
        defer { Task { await restarted.remove() } }
        let report = try await restarted.scheduler.resume()
        #expect(report.resent == 0)
        _ = await restarted.drainSMS()
        #expect(restarted.sms.sent.filter { $0.alertIdentifier == "fire" }.isEmpty)
    }

    @Test func restartStopsAtLifeSafetyAttemptLimit() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alertbox-review-\(UUID().uuidString.prefix(8)).sqlite").path
        let clock = ManualClock(wallStart: SchedulerFixture.start)
        let setup = try await SchedulerFixture(path: path, clock: clock)
        try await setup.addGroup("应急", count: 1, base: 90_000)
        try await setup.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["应急"]))
        await setup.database.close()

        // Each send takes the box down, as a modem that browns out the board would. RetryPolicy
        // allows a P0 delivery ten attempts when the outcome is unknown.
        for _ in 1...10 {
            let run = try await SchedulerFixture(path: path, clock: clock)
            _ = try await run.scheduler.resume()
            let inFlight = try await run.startHungSend(.sms, channel: run.sms)
            await run.database.close()
            inFlight.cancel()
        }

        let last = try await SchedulerFixture(path: path, clock: clock)
        defer { Task { await last.remove() } }
        let report = try await last.scheduler.resume()
        #expect(report.interrupted == 1)
        #expect(report.resent == 0)
        let row = try await last.rows("SELECT state, attempt FROM deliveries").first
        #expect(row?["state"].string == "unknown")
        #expect(row?["attempt"].int == 10)
    }

    @Test func restartArmsInterruptedEscalation() async throws {
        let settings = SchedulerSettings(escalationTimeout: .seconds(300))
        let first = try await SchedulerFixture(settings: settings)
        try await first.addGroup("值班医生", count: 2, base: 40_000, sequenced: true)
        try await first.scheduler.submit(SchedulerFixture.alert("code-blue", priority: .urgent, audience: ["值班医生"]))
        let inFlight = try await first.startHungSend(.sms, channel: first.sms)
        await first.database.close()
        inFlight.cancel()

        let restarted = try await SchedulerFixture(settings: settings, path: first.path, clock: first.clock)
        defer { Task { await restarted.remove() } }
        _ = try await restarted.scheduler.resume()
        // No one can acknowledge an SMS that may never have left, so the roster must move on.
        restarted.clock.advance(by: .seconds(300))
        _ = await restarted.scheduler.escalate()
        let sent = await restarted.sendSMS(5)
        #expect(sent == [SchedulerFixture.phone(40_000, 1)])
    }

    @Test func unknownOutcomeArmsEscalation() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(escalationTimeout: .seconds(300)))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("值班医生", count: 2, base: 40_000, sequenced: true)
        try await fixture.scheduler.submit(SchedulerFixture.alert("code-blue", priority: .urgent, audience: ["值班医生"]))
        fixture.sms.script(.outcomeUnknown(cause: "modem reset during AT+CMGS"))
        _ = await fixture.scheduler.step(.sms)
        #expect(try await fixture.counts()["unknown"] == 1)

        #expect(await fixture.scheduler.escalate() == .seconds(300))
        fixture.clock.advance(by: .seconds(300))
        _ = await fixture.scheduler.escalate()
        #expect(await fixture.sendSMS(5) == [SchedulerFixture.phone(40_000, 1)])
    }

    @Test func restartPlansLostIMFallback() async throws {
        let first = try await SchedulerFixture()
        let ward = try await first.addGroup("病区", count: 3, base: 30_000)
        let targetID = try await first.addTarget("病区群", serving: ward)
        let robot = ScriptedChannel(name: "wecom-ward")
        await first.scheduler.addIMChannel(robot, targetID: targetID, kind: "wecom")
        try await first.scheduler.submit(SchedulerFixture.alert("lockdown", priority: .urgent, audience: ["病区"]))
        robot.script(.failed(.permanent, cause: "errcode 93000 invalid webhook url"))
        _ = await first.scheduler.step(.im(targetID: targetID))

        // The state a power cut leaves between the IM outcome's commit and the fallback's commit.
        try await first.database.transaction("drop fallback") { connection in
            try connection.query("DELETE FROM deliveries WHERE channel = 'sms'", operation: "test")
        }
        await first.database.close()

        let restarted = try await SchedulerFixture(path: first.path, clock: first.clock)
        defer { Task { await restarted.remove() } }
        _ = try await restarted.scheduler.resume()
        let sent = await restarted.drainSMS().sent
        #expect(sent == 3)
    }

    @Test func restartFallsBackInterruptedIM() async throws {
        let first = try await SchedulerFixture()
        let ward = try await first.addGroup("病区", count: 3, base: 30_000)
        let targetID = try await first.addTarget("病区群", serving: ward)
        let robot = ScriptedChannel(name: "wecom-ward")
        await first.scheduler.addIMChannel(robot, targetID: targetID, kind: "wecom")
        try await first.scheduler.submit(SchedulerFixture.alert("lockdown", priority: .urgent, audience: ["病区"]))
        let inFlight = try await first.startHungSend(.im(targetID: targetID), channel: robot)
        await first.database.close()
        inFlight.cancel()

        // Without a restart an unknown IM outcome of a P1 alert falls back to SMS at once.
        let restarted = try await SchedulerFixture(path: first.path, clock: first.clock)
        defer { Task { await restarted.remove() } }
        let report = try await restarted.scheduler.resume()
        #expect(report.interrupted == 1)
        let sent = await restarted.drainSMS().sent
        #expect(sent == 3)
    }

    @Test func restartKeepsIMForLaterChannel() async throws {
        let first = try await SchedulerFixture()
        let ward = try await first.addGroup("病区", count: 3, base: 30_000)
        let targetID = try await first.addTarget("病区群", serving: ward)
        try await first.scheduler.submit(SchedulerFixture.alert("rounds", priority: .reminder, audience: ["病区"]))
        await first.database.close()

        // The runtime resumes when the database opens and attaches the IM channels later.
        let restarted = try await SchedulerFixture(path: first.path, clock: first.clock)
        defer { Task { await restarted.remove() } }
        _ = try await restarted.scheduler.resume()
        #expect(try await restarted.rows("SELECT state FROM deliveries").first?["state"].string == "pending")
        let robot = ScriptedChannel(name: "wecom-ward")
        await restarted.scheduler.addIMChannel(robot, targetID: targetID, kind: "wecom")
        await restarted.scheduler.releaseParkedIM()
        _ = await restarted.scheduler.step(.im(targetID: targetID))
        #expect(robot.sent.count == 1)
        #expect(try await restarted.rows("SELECT state FROM deliveries").first?["state"].string == "sent")
    }

    @Test func restartFailsIMWithoutChannel() async throws {
        let first = try await SchedulerFixture()
        let ward = try await first.addGroup("病区", count: 3, base: 30_000)
        _ = try await first.addTarget("病区群", serving: ward)
        try await first.scheduler.submit(SchedulerFixture.alert("rounds", priority: .reminder, audience: ["病区"]))
        await first.database.close()

        // The robot was removed from the configuration: once started, its delivery fails.
        let restarted = try await SchedulerFixture(path: first.path, clock: first.clock)
        defer { Task { await restarted.remove() } }
        _ = try await restarted.scheduler.resume()
        await restarted.scheduler.releaseParkedIM()
        let row = try await restarted.rows("SELECT state, cause FROM deliveries").first
        #expect(row?["state"].string == "failed")
        #expect(row?["cause"].string?.contains("no channel configured") == true)
    }

    @Test func alertCacheStaysBounded() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("值班", count: 1, base: 50_000)
        let count = AlertScheduler.alertCacheLimit + 50
        for index in 0..<count {
            try await fixture.scheduler.submit(SchedulerFixture.alert("notice-\(index)", priority: .routine, audience: ["值班"]))
        }

        // A soak of many finished alerts must not keep every alert's texts in memory.
        #expect(await fixture.scheduler.alertCache.count <= AlertScheduler.alertCacheLimit)
        let first = try await fixture.rows("SELECT id FROM alerts ORDER BY id LIMIT 1").first?["id"].int64 ?? -1
        #expect(try await fixture.scheduler.cachedAlert(first).identifier == "notice-0")
    }

    // MARK: - Cancel and Update

    @Test func cancelDuringSendClearsInFlightRecipient() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        await fixture.scheduler.setUplink(.down)
        try await fixture.scheduler.submit(SchedulerFixture.alert("drill", priority: .routine, audience: ["应急"]))
        fixture.sms.holdNextSend()
        let inFlight = Task { await fixture.scheduler.step(.sms) }
        try await fixture.waitUntilHolding()

        try await fixture.scheduler.submit(
            SchedulerFixture.alert("drill-cancel", priority: .routine, audience: [], type: .cancel, references: ["drill"], text: "演练取消"))
        #expect(fixture.sms.release())
        _ = await inFlight.value
        _ = await fixture.drainSMS()
        // The SMS in flight reached the person, so the all-clear must reach them too.
        #expect(fixture.sms.sent.map(\.alertIdentifier) == ["drill", "drill-cancel"])
    }

    @Test func cancelOfUnknownAlertIsReported() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        let sink = CapturingLogSink()
        let scheduler = await fixture.scheduler(loggingTo: sink)
        let cancel = SchedulerFixture.alert("c-1", priority: .urgent, audience: [], type: .cancel, references: ["no-such-alert"], text: "解除")

        do {
            let result = try await scheduler.submit(cancel)
            #expect(result.disposition != .planned)
        } catch let error as SchedulerError {
            #expect(error.description.contains("no-such-alert"))
        }
        // A Cancel that matched nothing is not an alert that reaches no one.
        #expect(!sink.lines.contains { $0.contains("reaches no one") })
    }

    @Test func testCancelLeavesActualAlert() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 3, base: 90_000)
        try await fixture.addGroup("测试组", count: 1, base: 60_000)
        let fire = try await fixture.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["应急"]))
        await fixture.sendSMS(1)

        try await fixture.scheduler.submit(
            SchedulerFixture.alert("test-cancel", priority: .lifeSafety, audience: [], type: .cancel, status: .test, references: ["fire"], text: "测试解除"))
        let state = try await fixture.rows("SELECT state FROM alerts WHERE id = ?", [.integer(fire.alertID)]).first?["state"].string
        #expect(state == "active")
        #expect(try await fixture.counts(alertID: fire.alertID)["cancelled"] == nil)
    }

    @Test func cancelFromOtherSenderLeavesAlert() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 3, base: 90_000)
        let fire = try await fixture.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["应急"]))

        // The reference names the right sender, but the Cancel itself comes from someone else.
        var cancel = SchedulerFixture.alert("fire-cancel", priority: .lifeSafety, audience: [], type: .cancel, references: ["fire"], text: "解除")
        cancel.sender = "feed@elsewhere"
        try await fixture.scheduler.submit(cancel)
        #expect(try await fixture.counts(alertID: fire.alertID)["pending"] == 3)
    }

    // MARK: - Escalation

    @Test func escalationSkipsMemberWithoutPhone() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(escalationTimeout: .seconds(300)))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("值班", count: 3, base: 40_000, sequenced: true)
        try await fixture.database.transaction("drop phone") { connection in
            try connection.query("DELETE FROM contact_phones WHERE e164 = ?", [.text(SchedulerFixture.phone(40_000, 0))], operation: "test")
        }
        try await fixture.scheduler.submit(SchedulerFixture.alert("code-blue", priority: .urgent, audience: ["值班"]))
        // The first member cannot be reached, so the second is alerted at once.
        #expect(await fixture.sendSMS(5) == [SchedulerFixture.phone(40_000, 1)])
        // Without an acknowledgement the sequence goes on to the third after the timeout.
        fixture.clock.advance(by: .seconds(300))
        _ = await fixture.scheduler.escalate()
        #expect(await fixture.sendSMS(5) == [SchedulerFixture.phone(40_000, 2)])
    }

    // MARK: - Acknowledgements

    @Test(arguments: ["收到…", "收到；", "ok…"])
    func acknowledgementTrailingPunctuationIgnored(reply: String) {
        // The scheduler docs promise that replies are compared ignoring trailing punctuation.
        #expect(AlertScheduler.isAcknowledgement(reply, keywords: SchedulerSettings().acknowledgementKeywords))
    }

    // MARK: - Bad input and repeats

    @Test(arguments: [" ", "fire 1", "fire,1", "fire\n1", "fire\u{7}1"])
    func malformedIdentifierRejected(identifier: String) async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        // CAP 1.2 forbids spaces, commas and restricted characters in an identifier, and the
        // stored references are "sender,identifier,sent" entries separated by spaces.
        await #expect(throws: SchedulerError.self) {
            try await fixture.scheduler.submit(SchedulerFixture.alert(identifier, priority: .lifeSafety, audience: ["应急"]))
        }
    }

    @Test(arguments: ["", "   ", "\n"])
    func blankSMSTextRejected(text: String) async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        var alert = SchedulerFixture.alert("blank", priority: .lifeSafety, audience: ["应急"])
        alert.texts = [AlertText(language: .chinese, smsText: text, imText: text)]
        await #expect(throws: SchedulerError.self) {
            try await fixture.scheduler.submit(alert)
        }
        #expect(fixture.sms.sent.isEmpty)
    }

    @Test func textPastMaximumPartsRejected() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        // 256 UCS-2 parts of 67 characters: one more than a concatenated SMS can have.
        let huge = String(repeating: "火", count: 67 * 256)
        let error = await #expect(throws: SchedulerError.self) {
            try await fixture.scheduler.submit(SchedulerFixture.alert("huge", priority: .lifeSafety, audience: ["应急"], text: huge))
        }
        #expect(error?.description.contains("255") == true)
    }

    @Test(arguments: ["12345", "not-a-number"])
    func storedInvalidNumberNotPlanned(stored: String) async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 2, base: 90_000)
        try await fixture.database.transaction("corrupt phone") { connection in
            try connection.query(
                "UPDATE contact_phones SET e164 = ? WHERE e164 = ?", [.text(stored), .text(SchedulerFixture.phone(90_000, 1))], operation: "test")
        }
        let result = try await fixture.scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["应急"]))
        #expect(result.smsDeliveries == 1)
        _ = await fixture.drainSMS()
        #expect(fixture.sms.sent.allSatisfy { (try? PhoneNumber(parsing: $0.recipient ?? "")) != nil })
    }

    @Test func sameIdentifierOtherSenderPlanned() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        try await fixture.scheduler.submit(SchedulerFixture.alert("1", priority: .lifeSafety, audience: ["应急"]))

        // CAP identifiers are unique per sender only, so a second feed may use the same one.
        var weather = SchedulerFixture.alert("1", priority: .urgent, audience: ["应急"], text: "暴雨红色预警")
        weather.sender = "cma@weather.gov.cn"
        let result = try await fixture.scheduler.submit(weather)
        #expect(result.disposition == .planned)
    }

    @Test func triggerAfterCancelFiresAgain() async throws {
        let fixture = try await SchedulerFixture(settings: SchedulerSettings(triggerWindow: .seconds(60)))
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 1, base: 90_000)
        try await fixture.scheduler.submit(SchedulerFixture.alert("b1", priority: .lifeSafety, audience: ["应急"], triggerKey: "gpio:button-1"))
        await fixture.sendSMS(1)
        try await fixture.scheduler.submit(
            SchedulerFixture.alert("b1-cancel", priority: .lifeSafety, audience: [], type: .cancel, references: ["b1"], text: "误按，解除"))

        // The guard cancelled a false press, and ten seconds later the fire is real.
        fixture.clock.advance(by: .seconds(10))
        let again = try await fixture.scheduler.submit(
            SchedulerFixture.alert("b2", priority: .lifeSafety, audience: ["应急"], triggerKey: "gpio:button-1"))
        #expect(again.disposition == .planned)
    }
}

extension SchedulerFixture {
    /// Starts a send on `lane` that never returns, as a modem cut off mid-send does, and
    /// waits until its row is committed as `sending`.
    func startHungSend(_ lane: Lane, channel: ScriptedChannel) async throws -> Task<AlertScheduler.Step, Never> {
        channel.hangFromNowOn()
        let inFlight = Task { await scheduler.step(lane) }
        for _ in 0..<500 {
            if try await counts()["sending"] == 1 { return inFlight }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("no delivery reached sending")
        return inFlight
    }

    /// Waits until a send set up by `holdNextSend()` is waiting in the SMS channel.
    func waitUntilHolding() async throws {
        for _ in 0..<500 where !sms.isHolding {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(sms.isHolding)
    }

    /// Returns a second scheduler on this fixture's database and clock whose log lines go to
    /// `sink` from info level up, sending SMS through the fixture's channel.
    func scheduler(loggingTo sink: CapturingLogSink, settings: SchedulerSettings = SchedulerSettings()) async -> AlertScheduler {
        let scheduler = AlertScheduler(database: database, settings: settings, clock: clock, logger: Logger(label: "review", level: .info, sink: sink))
        await scheduler.addSMSChannel(sms)
        return scheduler
    }
}
