import Core
import Hardware
import LocalControl
import SMS
import Storage
import Testing

/// Tests the router against a real scheduler and SQLite file, with a manual clock.
@Suite struct SMSCommandRouterTests {
    static let officer = SMSCommandFixture.dutyOfficer

    @Test func statusIsAnsweredInSenderLanguage() async throws {
        let fixture = try await SMSCommandFixture()
        defer { Task { await fixture.remove() } }
        #expect(await fixture.send("2468 状态") == .executed(.status, alertID: nil))
        #expect(await fixture.send("2468 STATUS", from: SMSCommandFixture.englishOfficer.e164) == .executed(.status, alertID: nil))
        #expect(try await fixture.replies() == ["状态：网络中断；SIM就绪；已注册；信号3格(-95dBm)；待发12条；今日短信35/900"])
        #expect(
            try await fixture.replies(to: SMSCommandFixture.englishOfficer) == [
                "Status: uplink down; SIM ready; registered; signal 3/4(-95dBm); queued 12; SMS today 35/900"
            ])
    }

    @Test func alarmIsPlannedAndNumbered() async throws {
        let fixture = try await SMSCommandFixture()
        defer { Task { await fixture.remove() } }
        let outcome = await fixture.send("2468 报警 火警 东侧楼梯有烟")
        guard case .executed(.alarm, let alertID?) = outcome else {
            Issue.record("alarm not raised: \(outcome)")
            return
        }
        let alert = try await fixture.rows("SELECT priority, source, event, sender FROM alerts WHERE id = ?", [.integer(alertID)]).first
        #expect(alert?["priority"].int == 0)
        #expect(alert?["source"].string == "sms_command")
        #expect(alert?["sender"].string == "alertbox-sms")
        let texts = try await fixture.rows("SELECT sms_text FROM alert_texts WHERE alert_id = ? AND language = 'zh'", [.integer(alertID)])
        #expect(texts.first?["sms_text"].string?.contains("3号楼") == true)
        #expect(texts.first?["sms_text"].string?.contains("东侧楼梯有烟") == true)
        let sms = try await fixture.rows("SELECT count(*) AS n FROM deliveries WHERE alert_id = ?", [.integer(alertID)]).first?["n"].int
        #expect(sms == 3)
        #expect(try await fixture.replies() == ["已发出火警，编号\(alertID)，短信3人，群0个。撤销请发：PIN 取消 \(alertID)"])
    }

    @Test func cancelWithoutNumberStopsLatest() async throws {
        let fixture = try await SMSCommandFixture()
        defer { Task { await fixture.remove() } }
        guard case .executed(.alarm, let alertID?) = await fixture.send("2468 报警 火警") else {
            Issue.record("alarm not raised")
            return
        }
        #expect(await fixture.send("2468 取消") == .executed(.cancel, alertID: alertID))
        let state = try await fixture.rows("SELECT state FROM alerts WHERE id = ?", [.integer(alertID)]).first?["state"].string
        #expect(state == "cancelled")
        let pending = try await fixture.rows("SELECT count(*) AS n FROM deliveries WHERE alert_id = ? AND state = 'pending'", [.integer(alertID)])
        #expect(pending.first?["n"].int == 0)
        #expect(await fixture.send("2468 取消 \(alertID)", age: .seconds(4)) == .rejected(.cancel, .nothingToCancel))
    }

    @Test func routineAlarmWaitsForConfirmation() async throws {
        let fixture = try await SMSCommandFixture()
        defer { Task { await fixture.remove() } }
        guard case .awaitingConfirmation(.alarm, let code) = await fixture.send("2468 报警 演练") else {
            Issue.record("alarm not held")
            return
        }
        #expect(try await fixture.rows("SELECT id FROM alerts WHERE source = 'sms_command' AND status = 'Actual'").isEmpty)
        #expect(try await fixture.replies() == ["将发出演练。请在2分钟内回复：确认 \(code)"])
        guard case .executed(.alarm, _?) = await fixture.send("确认 \(code)", age: .seconds(1)) else {
            Issue.record("confirmed alarm not raised")
            return
        }
        #expect(await fixture.send("确认 \(code)", age: .zero) == .rejected(.confirm, .confirmationInvalid))
    }

    @Test func wrongCodeVoidsTheHeldCommand() async throws {
        let fixture = try await SMSCommandFixture()
        defer { Task { await fixture.remove() } }
        guard case .awaitingConfirmation(.alarm, let code) = await fixture.send("2468 报警 演练") else {
            Issue.record("alarm not held")
            return
        }
        let wrong = code == "1000" ? "1001" : "1000"
        #expect(await fixture.send("确认 \(wrong)", age: .seconds(2)) == .rejected(.confirm, .confirmationInvalid))
        // The right code no longer works: a guesser gets one try per command the operator sends.
        #expect(await fixture.send("确认 \(code)", age: .seconds(1)) == .rejected(.confirm, .confirmationInvalid))
        #expect(try await fixture.rows("SELECT id FROM alerts WHERE source = 'sms_command' AND status = 'Actual'").isEmpty)
    }

    @Test func confirmationExpires() async throws {
        let fixture = try await SMSCommandFixture()
        defer { Task { await fixture.remove() } }
        guard case .awaitingConfirmation(.alarm, let code) = await fixture.send("2468 报警 演练") else {
            Issue.record("alarm not held")
            return
        }
        fixture.clock.advance(by: .seconds(121))
        #expect(await fixture.send("确认 \(code)") == .rejected(.confirm, .confirmationInvalid))
    }

    @Test func unknownTriggerGetsKnownNames() async throws {
        let fixture = try await SMSCommandFixture()
        defer { Task { await fixture.remove() } }
        #expect(await fixture.send("2468 报警 地震") == .rejected(.alarm, .unknownTrigger))
        #expect(try await fixture.replies() == ["未知报警名称“地震”。可用：火警、演练"])
    }

    @Test func strangerGetsNoReplyAndIsAudited() async throws {
        let fixture = try await SMSCommandFixture()
        defer { Task { await fixture.remove() } }
        #expect(await fixture.send("2468 报警 火警", from: SMSCommandFixture.stranger) == .rejected(.alarm, .notAllowListed))
        #expect(try await fixture.rows("SELECT id FROM alerts").isEmpty)
        #expect(try await fixture.commandAudit() == ["sms.command.rejected sms:138****9999 alarm: sender not on the allow-list"])
    }

    @Test func thirdWrongPINLocksOutUntilLockoutEnds() async throws {
        let fixture = try await SMSCommandFixture()
        defer { Task { await fixture.remove() } }
        for seconds in [30, 20, 10] {
            #expect(await fixture.send("1357 状态", age: .seconds(seconds)) == .rejected(.status, .wrongPIN))
        }
        #expect(await fixture.send("2468 状态", age: .seconds(5)) == .rejected(.status, .lockedOut))
        #expect(
            try await fixture.replies() == [
                "PIN错误，未执行。再错2次将暂停此号码的指令", "PIN错误，未执行。再错1次将暂停此号码的指令", "PIN错误次数过多，此号码的指令将在30分钟内被忽略",
            ])
        let lockouts = try await fixture.rows("SELECT actor FROM audit_log WHERE action = 'sms.command.lockout'")
        #expect(lockouts.map { $0["actor"].string } == ["sms:138****0001"])

        fixture.clock.advance(by: .seconds(29 * 60))
        #expect(await fixture.send("2468 状态") == .rejected(.status, .lockedOut))
        fixture.clock.advance(by: .seconds(60))
        #expect(await fixture.send("2468 状态") == .executed(.status, alertID: nil))
    }

    @Test func lockoutSurvivesRestart() async throws {
        let first = try await SMSCommandFixture()
        defer { Task { await first.remove() } }
        for seconds in [30, 20, 10] {
            await first.send("1357 状态", age: .seconds(seconds))
        }
        let restarted = try await SMSCommandFixture(path: first.path, clock: first.clock)
        #expect(await restarted.send("2468 状态") == .rejected(.status, .lockedOut))
    }

    @Test func copyOfHandledCommandIsDropped() async throws {
        let fixture = try await SMSCommandFixture()
        defer { Task { await fixture.remove() } }
        let stamp = fixture.clock.wallNow.advanced(by: .seconds(-3))
        let message = InboundSMS(sender: Self.officer.e164, text: "2468 状态", serviceCentreTime: stamp)
        #expect(await fixture.router.receive(message) == .executed(.status, alertID: nil))
        #expect(await fixture.router.receive(message) == .rejected(.status, .duplicate))
        #expect(try await fixture.replies().count == 1)
    }

    @Test func staleCommandIsRejectedWithReply() async throws {
        let fixture = try await SMSCommandFixture()
        defer { Task { await fixture.remove() } }
        #expect(await fixture.send("2468 报警 火警", age: .seconds(11 * 60)) == .rejected(.alarm, .tooOld))
        #expect(await fixture.send("2468 状态", age: .seconds(-5 * 60)) == .rejected(.status, .inFuture))
        #expect(try await fixture.rows("SELECT id FROM alerts WHERE status = 'Actual'").isEmpty)
        #expect(try await fixture.replies().first == "指令发出已超过11分钟，未执行；如仍需要请重新发送")
    }

    @Test func untrustedClockJudgesByNetworkTime() async throws {
        // The box's own clock reads 2024 after a boot, while the network's time stamps are in 2026.
        let clock = ManualClock(wallStart: WallTime(secondsSinceEpoch: 1_704_412_800))
        let trust = ClockTrust(policy: .assumed, clock: clock)
        let fixture = try await SMSCommandFixture(clock: clock, clockTrust: trust)
        defer { Task { await fixture.remove() } }
        let network = SMSCommandFixture.start
        let first = InboundSMS(sender: Self.officer.e164, text: "2468 状态", serviceCentreTime: network)
        #expect(await fixture.router.receive(first) == .executed(.status, alertID: nil))
        clock.advance(by: .seconds(60))
        let stale = InboundSMS(sender: Self.officer.e164, text: "2468 报警 火警", serviceCentreTime: network.advanced(by: .seconds(-20 * 60)))
        #expect(await fixture.router.receive(stale) == .rejected(.alarm, .tooOld))
        let fresh = InboundSMS(sender: Self.officer.e164, text: "2468 STATUS", serviceCentreTime: network.advanced(by: .seconds(55)))
        #expect(await fixture.router.receive(fresh) == .executed(.status, alertID: nil))
    }

    @Test func permissionsPerNumberApply() async throws {
        let fixture = try await SMSCommandFixture()
        defer { Task { await fixture.remove() } }
        #expect(await fixture.send("2468 ALARM fire", from: SMSCommandFixture.englishOfficer.e164) == .rejected(.alarm, .notPermitted))
        #expect(try await fixture.replies(to: SMSCommandFixture.englishOfficer) == ["This number may not send ALARM commands"])
    }

    @Test func malformedCommandGetsUsage() async throws {
        let fixture = try await SMSCommandFixture()
        defer { Task { await fixture.remove() } }
        #expect(await fixture.send("报警 火警") == .rejected(.alarm, .malformed))
        #expect(await fixture.send("状态", from: SMSCommandFixture.stranger) == .rejected(.status, .notAllowListed))
        #expect(try await fixture.replies() == [SMSCommandReply.usage.text(.chinese)])
    }

    @Test func replyPassesOnAndStillAcknowledges() async throws {
        let fixture = try await SMSCommandFixture()
        defer { Task { await fixture.remove() } }
        #expect(await fixture.send("1", from: "+8613800080001") == .passedOn)
        let stored = try await fixture.rows("SELECT body FROM messages")
        #expect(stored.map { $0["body"].string } == ["1"])
    }

    @Test func bareConfirmIsAnAcknowledgementNotACommand() async throws {
        let fixture = try await SMSCommandFixture()
        defer { Task { await fixture.remove() } }
        #expect(await fixture.send("确认") == .passedOn)
        #expect(await fixture.send("确认", from: SMSCommandFixture.stranger, age: .seconds(1)) == .passedOn)
        #expect(try await fixture.replies().isEmpty)
        #expect(try await fixture.commandAudit().isEmpty)
        let stored = try await fixture.rows("SELECT body FROM messages")
        #expect(stored.map { $0["body"].string } == ["确认", "确认"])
    }

    @Test func pinIsNeverStored() async throws {
        let fixture = try await SMSCommandFixture()
        defer { Task { await fixture.remove() } }
        await fixture.send("2468 报警 火警 东侧")
        await fixture.send("1357 状态", age: .seconds(4))
        await fixture.send("2468 状态", from: SMSCommandFixture.stranger, age: .seconds(3))
        let bodies = try await fixture.rows("SELECT body FROM messages ORDER BY id").compactMap { $0["body"].string }
        #expect(bodies == ["**** 报警 火警 东侧", "**** 状态", "**** 状态"])
        for (table, column) in [("messages", "body"), ("sync_outbox", "payload"), ("audit_log", "detail"), ("alert_texts", "sms_text")] {
            let leaks = try await fixture.rows("SELECT count(*) AS n FROM \(table) WHERE \(column) LIKE '%2468%' OR \(column) LIKE '%1357%'")
            #expect(leaks.first?["n"].int == 0, "\(table).\(column) contains a PIN")
        }
    }
}
