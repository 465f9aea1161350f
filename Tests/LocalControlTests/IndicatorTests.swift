import Alerting
import Modem
import Core
import LocalControl
import Testing

@Suite struct LightPatternTests {
    @Test func cycleWalksItsSteps() {
        let double = LightPattern.cycle([.milliseconds(150), .milliseconds(150), .milliseconds(150), .milliseconds(1550)])
        #expect(double.level(after: .zero) == (true, .milliseconds(150)))
        #expect(double.level(after: .milliseconds(200)) == (false, .milliseconds(100)))
        #expect(double.level(after: .milliseconds(300)) == (true, .milliseconds(150)))
        #expect(double.level(after: .milliseconds(460)) == (false, .milliseconds(1540)))
        // The next period starts again with on.
        #expect(double.level(after: .milliseconds(2000)) == (true, .milliseconds(150)))
        #expect(LightPattern.on.level(after: .seconds(99)) == (true, nil))
        #expect(LightPattern.off.level(after: .seconds(99)) == (false, nil))
    }

    @Test func badPatternsAreNamed() {
        #expect(throws: LocalControlError.self) { try LightPattern.cycle([.milliseconds(100)]).validate(name: "status.idle") }
        #expect(throws: LocalControlError.self) { try LightPattern.cycle([.milliseconds(5), .milliseconds(5)]).validate(name: "siren") }
        do {
            try LightPattern.cycle([]).validate(name: "feedback.raised")
        } catch {
            #expect(error.description.contains("feedback.raised"))
        }
        #expect(throws: Never.self) { try IndicatorPatterns().validate() }
    }

    @Test func defaultPatternsAreDistinct() {
        let status = BoxIndication.allCases.compactMap { IndicatorPatterns.defaultStatus[$0] }
        #expect(status.count == BoxIndication.allCases.count)
        #expect(Set(status).count == status.count)
        let feedback = FeedbackIndication.allCases.compactMap { IndicatorPatterns.defaultFeedback[$0] }
        #expect(feedback.count == FeedbackIndication.allCases.count)
        #expect(Set(feedback).count == feedback.count)
    }
}

@Suite struct IndicationTests {
    @Test func worstConditionWins() {
        var condition = BoxCondition()
        #expect(condition.indication == .idle)
        condition.uplinkUp = false
        #expect(condition.indication == .smsMode)
        condition.cellularReady = false
        #expect(condition.indication == .uplinkDown)
        condition.acknowledged = true
        #expect(condition.indication == .acknowledged)
        condition.sending = true
        #expect(condition.indication == .sending)
        condition.faults.insert("sim: PIN locked")
        #expect(condition.indication == .fault)
    }

    @Test func feedbackFollowsProgress() {
        #expect(FeedbackIndication(progress: AlertProgressSummary()) == .raised)
        #expect(FeedbackIndication(progress: AlertProgressSummary(imSent: true)) == .sentIM)
        #expect(FeedbackIndication(progress: AlertProgressSummary(smsSent: true)) == .sentSMS)
        #expect(FeedbackIndication(progress: AlertProgressSummary(imSent: true, smsSent: true)) == .sentBoth)
        #expect(FeedbackIndication(progress: AlertProgressSummary(smsSent: true, acknowledged: true)) == .acknowledged)
        #expect(FeedbackIndication(progress: AlertProgressSummary(finished: true)) == .failed)
    }
}

@Suite struct LocalTriggerTests {
    let trigger = LocalTrigger(
        name: "fire panel 1", template: "fire-alarm", audience: ["消防组"], event: "火警", location: "3号楼2层", instruction: "请从东侧楼梯疏散")
    let time = WallTime(secondsSinceEpoch: 1_796_350_500)

    @Test func rendersTriggerValues() throws {
        let templates = Language.allCases.map { BuiltInTemplates.template(.fireAlarm, language: $0) }
        let alert = try trigger.alert(templates: templates, composer: AlertComposer(), sender: "alertbox-b3", at: time, source: .gpio, test: false)
        #expect(alert.priority == .lifeSafety)
        #expect(alert.status == .actual)
        #expect(alert.identifier == "alertbox-b3-gpio-fire_panel_1-1796350500000")
        #expect(alert.triggerKey == "gpio:fire panel 1")
        #expect(alert.audience == ["消防组"])
        let chinese = try #require(alert.text(for: .chinese))
        #expect(chinese.smsText.contains("3号楼2层"))
        #expect(chinese.smsText.contains("请从东侧楼梯疏散"))
    }

    @Test func testIsLabelledAndKeyedApart() throws {
        let templates = Language.allCases.map { BuiltInTemplates.template(.fireAlarm, language: $0) }
        let alert = try trigger.alert(
            templates: templates, composer: AlertComposer(), sender: "alertbox-b3", at: time, source: .smsCommand, test: true, note: "演练",
            sequence: 2)
        #expect(alert.status == .test)
        #expect(alert.triggerKey == "sms_command-test:fire panel 1")
        #expect(alert.identifier.hasSuffix("-2"))
        #expect(alert.text(for: .chinese)?.smsText.contains("【测试】") == true)
    }

    @Test func missingTemplateIsNamed() {
        #expect(throws: LocalControlError.missingTemplate(input: "fire panel 1", template: "fire-alarm")) {
            try trigger.alert(templates: [], composer: AlertComposer(), sender: "b", at: time, source: .gpio, test: false)
        }
    }
}

@Suite struct ModemConditionTests {
    @Test func modemStateSetsCellularAndFault() {
        var condition = BoxCondition()
        condition.uplinkUp = false
        condition.apply(modemState: .recovering(step: .reopenPort))
        #expect(condition.indication == .uplinkDown)
        condition.apply(modemState: .unavailable(reason: "SIM PIN rejected"))
        #expect(condition.indication == .fault)
        condition.apply(modemState: .ready)
        #expect(condition.indication == .smsMode)
    }
}
