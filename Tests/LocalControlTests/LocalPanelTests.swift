import Alerting
import Core
import LocalControl
import Scheduler
import Testing

/// The panel end to end through the simulator's GPIO bridge and modem. Bounds are hang
/// bounds; pattern checks allow 100 ms of scheduling jitter on a busy machine.
@Suite(.serialized) struct LocalPanelTests {
    @Test func bouncyPressRaisesOneAlarmWithSiren() async throws {
        let rig = try await PanelRig.start()
        // Contact bounce, then a 400 ms press.
        try rig.play("panic_1", [(true, 3), (false, 2), (true, 4), (false, 2), (true, 400), (false, 0)])
        #expect(try await rig.eventually { try await rig.alerts().count == 1 })
        let alert = try #require(try await rig.alerts().first)
        #expect(alert.source == "gpio")
        #expect(alert.status == "Actual")
        #expect(alert.priority == 0)
        #expect(alert.audience.contains("保卫处"))

        // P0: the siren sounds, and the guards' handsets get the SMS.
        #expect(try await rig.eventually { try rig.history("siren").contains { $0.on } })
        #expect(try await rig.eventually { try PanelRig.guards.allSatisfy { try !rig.simulator.receivedTexts(to: $0).isEmpty } })
        let text = try #require(try rig.simulator.receivedTexts(to: PanelRig.guards[0]).first)
        #expect(text.contains("1号楼大厅"))

        // The feedback LED shows that SMS went out: double blinks.
        #expect(try await rig.eventually { await rig.annunciator.feedback == .sentSMS })
        _ = try rig.history("led_feedback", clear: true)
        #expect(try await rig.eventually { steps(try rig.history("led_feedback")).on.count >= 4 })
        let blinks = steps(try rig.history("led_feedback"))
        // Medians, so one late wake-up on a busy machine does not decide the pattern.
        #expect(abs(median(blinks.on) - 150) <= 100, "\(blinks)")
        #expect(blinks.off.contains { $0 >= 1000 }, "the long gap between double blinks: \(blinks)")
        #expect(blinks.off.contains { $0 <= 400 }, "the short gap inside a double blink: \(blinks)")

        // Nothing more from the same button: it is disarmed by the cooldown.
        try rig.play("panic_1", [(true, 300), (false, 0)])
        try await Task.sleep(for: .seconds(1))
        #expect(try await rig.alerts().count == 1)
        await rig.stop()
    }

    @Test func acknowledgementLightsTheFeedbackSteady() async throws {
        let rig = try await PanelRig.start()
        _ = try rig.simulator.control(["op": "handset", "number": PanelRig.guards[1], "replies": [["text": "1", "delay_ms": 200]]])
        try rig.play("panic_1", [(true, 300), (false, 0)])
        #expect(try await rig.eventually { await rig.annunciator.feedback == .acknowledged })
        let indication = await rig.annunciator.indication
        #expect(indication == .acknowledged || indication == .sending)
        #expect(try await rig.eventually { try rig.history("led_feedback").last?.on == true })
        // Steady: no edge follows the one that lit it.
        let edges = try rig.history("led_feedback").count
        try await Task.sleep(for: .milliseconds(600))
        let later = try rig.history("led_feedback")
        #expect(later.count == edges)
        #expect(later.last?.on == true)
        await rig.stop()
    }

    @Test func testKeyMakesALabelledTestWithoutSiren() async throws {
        let rig = try await PanelRig.start()
        try rig.set("test_key", active: true)
        try await Task.sleep(for: .milliseconds(100))
        try rig.play("panic_1", [(true, 300), (false, 0)])
        #expect(try await rig.eventually { try await rig.alerts().count == 1 })
        try rig.set("test_key", active: false)
        let alert = try #require(try await rig.alerts().first)
        #expect(alert.status == "Test")
        #expect(alert.audience.contains("测试组"))
        #expect(try await rig.eventually { try !rig.simulator.receivedTexts(to: PanelRig.testers[0]).isEmpty })
        #expect(try rig.simulator.receivedTexts(to: PanelRig.testers[0]).first?.contains("【测试】") == true)
        #expect(try rig.simulator.receivedTexts(to: PanelRig.guards[0]).isEmpty)
        #expect(try !rig.history("siren").contains { $0.on })
        await rig.stop()
    }

    @Test func longTestKeyPressSendsTheBoxTest() async throws {
        let rig = try await PanelRig.start()
        try rig.play("test_key", [(true, 2500), (false, 0)])
        #expect(try await rig.eventually { try await rig.alerts().count == 1 })
        let alert = try #require(try await rig.alerts().first)
        #expect(alert.status == "Test")
        #expect(try !rig.history("siren").contains { $0.on })
        await rig.stop()
    }

    @Test func routineInputSoundsNoSiren() async throws {
        let rig = try await PanelRig.start()
        try rig.play("nurse_call", [(true, 300), (false, 0)])
        #expect(try await rig.eventually { try await rig.alerts().count == 1 })
        #expect(try await rig.alerts().first?.priority == 2)
        #expect(try await rig.eventually { try PanelRig.guards.allSatisfy { try !rig.simulator.receivedTexts(to: $0).isEmpty } })
        #expect(try !rig.history("siren").contains { $0.on })
        await rig.stop()
    }

    @Test func brushShorterThanTheHoldIsIgnored() async throws {
        let rig = try await PanelRig.start()
        try rig.play("panic_1", [(true, 40), (false, 500), (true, 60), (false, 0)])
        try await Task.sleep(for: .seconds(1))
        #expect(try await rig.alerts().isEmpty)
        await rig.stop()
    }

    @Test func chatterFiresOnceAndShowsAFault() async throws {
        let rig = try await PanelRig.start()
        // A loose wire: 150 ms on, 150 ms off, for 6 s.
        try rig.play("panic_1", Array(repeating: [(true, 150), (false, 150)], count: 20).flatMap { $0 })
        #expect(try await rig.eventually { await rig.annunciator.condition.faults.contains("contact:panic_1 chattering") })
        #expect(await rig.annunciator.indication == .fault)
        try await Task.sleep(for: .seconds(6))
        #expect(try await rig.alerts().count == 1)
        // Quiet for the chatter window: the fault clears.
        #expect(try await rig.eventually { await !rig.annunciator.condition.faults.contains("contact:panic_1 chattering") })
        await rig.stop()
    }

    @Test func stuckOpenLoopIsAWiringFault() async throws {
        let rig = try await PanelRig.start()
        try rig.set("fire_panel", active: true)
        // The fire alarm first, then after 2 s the wiring fault to maintenance.
        #expect(try await rig.eventually { try await rig.alerts().count == 2 })
        let alerts = try await rig.alerts()
        #expect(alerts[0].priority == 0)
        #expect(alerts[0].audience.contains("消防组"))
        #expect(alerts[1].audience.contains("维护组"))
        #expect(alerts[1].priority == 2)
        #expect(await rig.annunciator.indication == .fault)
        #expect(try await rig.eventually { try !rig.simulator.receivedTexts(to: PanelRig.maintainers[0]).isEmpty })
        #expect(try rig.simulator.receivedTexts(to: PanelRig.maintainers[0]).first?.contains("设备故障") == true)

        // The status LED flickers at 5 Hz while the fault lasts.
        _ = try rig.history("led_status", clear: true)
        #expect(try await rig.eventually { steps(try rig.history("led_status")).on.count >= 4 })
        let flicker = steps(try rig.history("led_status"))
        #expect(abs(median(flicker.on) - 100) <= 100, "\(flicker)")
        #expect(abs(median(flicker.off) - 100) <= 100, "\(flicker)")

        try rig.set("fire_panel", active: false)
        #expect(try await rig.eventually { await !rig.annunciator.condition.faults.contains("contact:fire_panel stuck") })
        await rig.stop()
    }

    @Test func cancelStopsTheSiren() async throws {
        let rig = try await PanelRig.start(timing: AnnunciatorTiming(sirenLimit: .seconds(60)))
        try rig.play("panic_1", [(true, 300), (false, 0)])
        #expect(try await rig.eventually { await !rig.annunciator.sirenAlerts.isEmpty })
        let identifier = try await rig.database.read { connection in
            try connection.query("SELECT identifier FROM alerts", operation: "test").first?["identifier"].string ?? ""
        }
        let cancel = Alert(
            identifier: "cancel-1", sender: "alertbox-test", sentAt: SystemClock().wallNow.nanosecondsSinceEpoch / 1_000_000, messageType: .cancel,
            references: [CAPReference(sender: "alertbox-test", identifier: identifier, sent: "")], priority: .urgent, source: .console,
            audience: [], texts: [])
        _ = try await rig.scheduler.submit(cancel)
        #expect(try await rig.eventually { await rig.annunciator.sirenAlerts.isEmpty })
        #expect(try await rig.eventually { try rig.history("siren").last?.on == false })
        // It stays off: no edge follows the one that stopped it.
        let edges = try rig.history("siren").count
        try await Task.sleep(for: .milliseconds(600))
        let later = try rig.history("siren")
        #expect(later.count == edges)
        #expect(later.last?.on == false)
        await rig.stop()
    }
}
