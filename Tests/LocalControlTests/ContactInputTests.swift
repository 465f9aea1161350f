import Core
import Hardware
import LocalControl
import Testing

/// Instants in milliseconds from an arbitrary origin, to keep the timelines readable.
func ms(_ value: Int64) -> MonotonicInstant {
    MonotonicInstant(nanoseconds: 1_000_000_000_000 + value * 1_000_000)
}

/// Feeds a contact a timeline of edges, ticking at every deadline up to each edge and after
/// the last one until `end`, and returns the actions with the instant they happened.
func play(_ contact: inout ContactInput, edges: [(Int64, Bool)], until end: Int64) -> [(Int64, ContactInput.Action)] {
    var result: [(Int64, ContactInput.Action)] = []
    func runDeadlines(before limit: MonotonicInstant) {
        while let deadline = contact.nextDeadline, deadline <= limit {
            let at = (deadline.nanoseconds - ms(0).nanoseconds) / 1_000_000
            let actions = contact.tick(at: deadline)
            result += actions.map { (at, $0) }
            if actions.isEmpty, contact.nextDeadline == deadline { break }
        }
    }
    for (time, level) in edges {
        runDeadlines(before: ms(time))
        result += contact.edge(active: level, at: ms(time)).map { (time, $0) }
    }
    runDeadlines(before: ms(end))
    return result
}

@Suite struct ContactInputTests {
    let timing = ContactTiming(
        debounce: .milliseconds(30), minimumHold: .milliseconds(100), cooldown: .seconds(10), rearmAfterRelease: .seconds(1),
        stuckAfter: .seconds(60), chatterEdges: 10, chatterWindow: .seconds(2))

    @Test func cleanPressFiresAfterTheHold() {
        var contact = ContactInput(timing: timing, active: false, at: ms(0))
        let actions = play(&contact, edges: [(1000, true), (1500, false)], until: 5000)
        #expect(actions.count == 1)
        #expect(actions.first?.0 == 1100)
        #expect(actions.first?.1 == .fired(activeSince: ms(1000)))
    }

    @Test func bounceCountsFromTheLastEdge() {
        var contact = ContactInput(timing: timing, active: false, at: ms(0))
        // Contact bounce of 6 ms when the button is pressed, then a steady hold.
        let actions = play(&contact, edges: [(1000, true), (1002, false), (1004, true), (1006, false), (1006, true), (2000, false)], until: 3000)
        #expect(actions.map(\.0) == [1106])
        #expect(actions.map(\.1) == [.fired(activeSince: ms(1006))])
    }

    @Test func shortPressDoesNotFire() {
        var contact = ContactInput(timing: timing, active: false, at: ms(0))
        let actions = play(&contact, edges: [(1000, true), (1080, false), (3000, true), (3099, false)], until: 6000)
        #expect(actions.isEmpty)
    }

    @Test func heldContactFiresOnceThenStuck() {
        var contact = ContactInput(timing: timing, active: false, at: ms(0))
        let actions = play(&contact, edges: [(1000, true), (70_000, false)], until: 80_000)
        #expect(actions.map(\.1) == [.fired(activeSince: ms(1000)), .stuck(since: ms(1000)), .unstuck])
        #expect(actions.map(\.0) == [1100, 61_000, 70_000])
    }

    @Test func cooldownThenReleaseRearms() {
        var contact = ContactInput(timing: timing, active: false, at: ms(0))
        // Second press 3 s after the first: inside the 10 s cooldown, ignored. Third press
        // after the cooldown and more than 1 s released: fires.
        let actions = play(&contact, edges: [(0, true), (500, false), (3000, true), (3500, false), (12_000, true), (12_500, false)], until: 20_000)
        #expect(actions.map(\.0) == [100, 12_100])
    }

    @Test func pressWithoutReleaseStaysDisarmed() {
        var contact = ContactInput(timing: timing, active: false, at: ms(0))
        // Released only 500 ms before the next press: the 1 s release is missing.
        let actions = play(&contact, edges: [(0, true), (11_000, false), (11_500, true), (11_800, false)], until: 20_000)
        #expect(actions.map(\.0) == [100])
    }

    @Test func chatterFiresOnceAndIsReported() {
        var contact = ContactInput(timing: timing, active: false, at: ms(0))
        var edges: [(Int64, Bool)] = []
        // A relay that chatters every 150 ms for 6 s: each active run is long enough to fire.
        for index in 0..<40 { edges.append((Int64(1000 + index * 150), index % 2 == 0)) }
        let actions = play(&contact, edges: edges, until: 20_000)
        let fired = actions.filter { if case .fired = $0.1 { true } else { false } }
        #expect(fired.count == 1)
        let chatter = actions.filter { if case .chattering = $0.1 { true } else { false } }
        #expect(chatter.count == 1)
        #expect(actions.last?.1 == .settled)
    }

    @Test func contactActiveAtStartFires() {
        var contact = ContactInput(timing: timing, active: true, at: ms(0))
        let actions = play(&contact, edges: [], until: 500)
        #expect(actions.map(\.1) == [.fired(activeSince: ms(0))])
    }

    @Test func badTimingsNameTheSetting() {
        var bad = timing
        bad.stuckAfter = .milliseconds(50)
        #expect(throws: LocalControlError.self) { try bad.validate() }
        do {
            try bad.validate()
        } catch {
            #expect(error.description.contains("stuck_after = 50 ms"))
        }
        bad = timing
        bad.chatterEdges = 2
        #expect(throws: LocalControlError.invalidCount(name: "chatter_edges", value: 2, fix: "use 3 or more edges")) { try bad.validate() }
        #expect(throws: Never.self) { try timing.validate() }
    }
}

@Suite struct InputPanelTests {
    let fire = ContactInputConfig(
        role: "fire_panel", kind: .normallyClosed,
        trigger: LocalTrigger(name: "fire-panel", template: "fire-alarm", audience: ["消防组"], event: "火警", location: "3号楼"),
        timing: ContactTiming(minimumHold: .milliseconds(500), cooldown: .seconds(60), stuckAfter: .seconds(120)))
    let panic = ContactInputConfig(
        role: "panic_1", kind: .normallyOpen, trigger: LocalTrigger(name: "panic-1", template: "active-threat", audience: ["保卫处"]))

    func panel(test: Bool = true) -> InputPanel {
        InputPanel(
            config: PanelConfig(
                inputs: [fire, panic], testKey: test ? "test_key" : nil,
                boxTest: LocalTrigger(name: "box-test", template: "drill-notice", audience: ["测试组"])),
            levels: [:], at: ms(0))
    }

    func run(_ panel: inout InputPanel, _ edges: [(Int64, String, Bool)], until end: Int64) -> [InputPanel.Action] {
        var actions: [InputPanel.Action] = []
        for (time, role, level) in edges {
            while let deadline = panel.nextDeadline, deadline <= ms(time) { actions += panel.tick(at: deadline) }
            actions += panel.edge(GPIOEdge(role: role, active: level, timestamp: ms(time)))
        }
        while let deadline = panel.nextDeadline, deadline <= ms(end) { actions += panel.tick(at: deadline) }
        return actions
    }

    @Test func testKeyHeldMakesATest() {
        var panel = panel()
        let actions = run(&panel, [(1000, "test_key", true), (1200, "panic_1", true), (1400, "panic_1", false), (1600, "test_key", false)], until: 10_000)
        #expect(actions == [.trigger(role: "panic_1", test: true, activeSince: ms(1200))])
    }

    @Test func triggerAloneIsReal() {
        var panel = panel()
        let actions = run(&panel, [(1000, "panic_1", true), (1400, "panic_1", false)], until: 10_000)
        #expect(actions == [.trigger(role: "panic_1", test: false, activeSince: ms(1000))])
    }

    @Test func testKeyLongPressIsBoxTest() {
        var panel = panel()
        let actions = run(&panel, [(1000, "test_key", true), (5000, "test_key", false)], until: 10_000)
        #expect(actions == [.boxTest])
        var short = self.panel()
        #expect(run(&short, [(1000, "test_key", true), (2000, "test_key", false)], until: 10_000).isEmpty)
    }

    @Test func usedTestKeySendsNoBoxTest() {
        var panel = panel()
        let actions = run(&panel, [(1000, "test_key", true), (1100, "panic_1", true), (1300, "panic_1", false), (6000, "test_key", false)], until: 10_000)
        #expect(actions == [.trigger(role: "panic_1", test: true, activeSince: ms(1100))])
    }

    @Test func jammedTestKeyLeavesAlarmsReal() {
        var panel = panel()
        // The test key sticks at 1 s; a real fire 60 s later must not go out as a test.
        let actions = run(&panel, [(1000, "test_key", true), (61_000, "panic_1", true), (61_400, "panic_1", false)], until: 70_000)
        #expect(
            actions == [
                .boxTest, .stuck(role: "test_key", kind: .normallyOpen, since: ms(1000)),
                .trigger(role: "panic_1", test: false, activeSince: ms(61_000)),
            ])
    }

    @Test func releasedTestKeyIsHealthyAgain() {
        var panel = panel()
        let actions = run(&panel, [(1000, "test_key", true), (40_000, "test_key", false)], until: 50_000)
        #expect(actions == [.boxTest, .stuck(role: "test_key", kind: .normallyOpen, since: ms(1000)), .unstuck(role: "test_key")])
    }

    @Test func testKeyLimitMustExceedLongPress() {
        let config = PanelConfig(inputs: [panic], testKey: "test_key", testLongPress: .seconds(5), testKeyStuckAfter: .seconds(5))
        #expect(throws: LocalControlError.self) { try config.validate() }
    }

    @Test func openLoopIsAWiringFault() {
        var panel = panel()
        let actions = run(&panel, [(1000, "fire_panel", true), (200_000, "fire_panel", false)], until: 210_000)
        #expect(
            actions == [
                .trigger(role: "fire_panel", test: false, activeSince: ms(1000)), .stuck(role: "fire_panel", kind: .normallyClosed, since: ms(1000)),
                .unstuck(role: "fire_panel"),
            ])
    }

    @Test func edgesOfUnknownLinesAreIgnored() {
        var panel = panel()
        #expect(panel.edge(GPIOEdge(role: "led_status", active: true, timestamp: ms(5))).isEmpty)
    }

    @Test func configErrorsNameTheLine() {
        let duplicate = PanelConfig(inputs: [panic, panic])
        #expect(throws: LocalControlError.duplicateInput(role: "panic_1")) { try duplicate.validate() }
        let testKeyTrigger = PanelConfig(inputs: [panic], testKey: "panic_1")
        #expect(throws: LocalControlError.testKeyIsATrigger(role: "panic_1")) { try testKeyTrigger.validate() }
        var noAudience = panic
        noAudience.trigger.audience = []
        #expect(throws: LocalControlError.emptyAudience(input: "panic_1")) { try PanelConfig(inputs: [noAudience]).validate() }
        #expect(throws: LocalControlError.self) { try PanelConfig(inputs: [panic], testLongPress: .milliseconds(200)).validate() }
    }
}
