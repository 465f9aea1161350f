import ATProtocol
import Core
import Foundation
import TestSupport
import SMS
import Hardware
import Testing

@testable import Modem

/// The driver against `alertbox-sim` through a real pseudo-terminal.
@Suite(.serialized) struct ModemDriverTests {
    static let logger = Logger(label: "test", level: ProcessInfo.processInfo.environment["TEST_LOG"] != nil ? .debug : .critical)

    static func settings(_ simulator: SimulatorProcess, pin: String? = nil) -> ModemSettings {
        ModemSettings(
            devicePath: simulator.portPath, pin: pin, stateDirectory: simulator.stateDirectory,
            openRetryInterval: .milliseconds(100), startupTimeout: .seconds(10), signalPollFast: .milliseconds(500),
            signalPollSlow: .seconds(5), registrationPoll: .seconds(5), registrationHoldDown: .milliseconds(300),
            storageSweep: .seconds(30), reassemblyTimeout: .seconds(2), smsReadyTimeout: .seconds(10),
            timeouts: ["quick": .seconds(2), "smsStorage": .seconds(3), "smsSend": .seconds(10)])
    }

    /// Collects the driver's events in the background.
    final class EventLog: @unchecked Sendable {
        // @unchecked Sendable: `events` is guarded by `lock`.
        private let lock = NSLock()
        private var events: [ModemEvent] = []

        init(_ driver: ModemDriver) {
            Task {
                for await event in driver.events {
                    self.lock.withLock { self.events.append(event) }
                }
            }
        }

        var all: [ModemEvent] {
            lock.withLock { events }
        }

        /// Waits until `predicate` holds for the events, or `timeout` passes.
        func wait(timeout: Duration = .seconds(10), _ predicate: ([ModemEvent]) -> Bool) async -> Bool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if predicate(all) { return true }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return predicate(all)
        }
    }

    static func start(_ simulator: SimulatorProcess, pin: String? = nil) async -> (ModemDriver, EventLog) {
        let driver = ModemDriver(settings: settings(simulator, pin: pin), logger: logger)
        let log = EventLog(driver)
        await driver.start()
        return (driver, log)
    }

    static func number(_ text: String) -> PhoneNumber {
        // The test numbers are valid Chinese mobile numbers.
        try! PhoneNumber(parsing: text)
    }

    @Test func becomesReadyAndIdentifies() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let (driver, log) = await Self.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        #expect(log.all.contains(.identity(manufacturer: "Quectel", model: "EC25", imei: "867160040000001")))
        #expect(await driver.isRegistered)
        await driver.stop()
    }

    @Test func sendsChineseMultipart() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let (driver, _) = await Self.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        let text = String(repeating: "火警：三号楼二层起火，请立即撤离。", count: 8)
        let result = await driver.send(OutgoingSMS(id: "m1", recipient: Self.number("13800000001"), text: text))
        guard case .accepted(let references) = result else {
            Issue.record("expected accepted, got \(result)")
            return
        }
        #expect(references.count == 3)
        #expect(try await simulator.waitForTexts(to: "+8613800000001", [text]) == [text])
        await driver.stop()
    }

    @Test func statusReportsPairPerPart() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let (driver, log) = await Self.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        let result = await driver.send(OutgoingSMS(id: "m1", recipient: Self.number("13800000002"), text: String(repeating: "测", count: 150)))
        guard case .accepted(let references) = result else {
            Issue.record("expected accepted, got \(result)")
            return
        }
        let reported = await log.wait { events in
            events.filter { if case .statusReport = $0 { true } else { false } }.count == references.count
        }
        #expect(reported)
        // The events, not the driver's matcher: a report read before its part's +CMGS reply is
        // processed does not pair there, and the scheduler pairs it later from these events.
        let statuses = log.all.compactMap { if case .statusReport(_, _, let status) = $0 { status } else { nil } }
        #expect(statuses.count == references.count)
        #expect(statuses.allSatisfy { $0.category == .delivered })
        await driver.stop()
    }

    @Test func receivesMultipartFromHandset() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let (driver, log) = await Self.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        let text = String(repeating: "收到，已撤离到集合点。", count: 10)
        try simulator.control(["op": "send", "from": "+8613800000001", "text": text])
        let received = await log.wait { events in
            events.contains { if case .received(let message) = $0 { message.text == text && message.kind == .complete } else { false } }
        }
        #expect(received)
        await driver.stop()
    }

    @Test func badDestinationDoesNotBlockOthers() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let (driver, _) = await Self.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        try simulator.control(["op": "fault", "fault": "cms_error", "cause": 500, "destinations": ["+8613800000009"]])
        let bad = await driver.send(OutgoingSMS(id: "bad", recipient: Self.number("13800000009"), text: "Test"))
        #expect(bad == .failed(kind: .unknown, cause: 500, acceptedParts: 0, reason: "+CMS ERROR: 500"))
        let good = await driver.send(OutgoingSMS(id: "good", recipient: Self.number("13800000001"), text: "Test"))
        #expect(good == .accepted(references: [1]))
        await driver.stop()
    }

    @Test(arguments: [(21, CMSError.SendFailureKind.permanent), (42, .temporary), (1, .permanent), (38, .temporary)])
    func cmsCausesClassified(cause: Int, kind: CMSError.SendFailureKind) async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let (driver, _) = await Self.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        try simulator.control(["op": "fault", "fault": "cms_error", "cause": cause])
        let result = await driver.send(OutgoingSMS(id: "x", recipient: Self.number("13800000001"), text: "Test"))
        guard case .failed(let got, let code, _, _) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(got == kind)
        #expect(code == cause)
        await driver.stop()
    }

    @Test func wrongPINNeverSentTwice() async throws {
        let simulator = try await SimulatorProcess.launch(["--pin", "1234"])
        defer { simulator.stop() }
        let (driver, log) = await Self.start(simulator, pin: "0000")
        let alarmed = await log.wait { $0.contains { if case .alarm = $0 { true } else { false } } }
        #expect(alarmed)
        await driver.stop()
        let attemptsAfterFirst = (try simulator.control(["op": "status"])["modems"] as? [[String: Any]])?.first?["pin_attempts"] as? Int
        #expect(attemptsAfterFirst == 2)

        // A restarted driver with the same PIN must not try it again.
        let (second, secondLog) = await Self.start(simulator, pin: "0000")
        let unavailable = await secondLog.wait { $0.contains { if case .state(.unavailable) = $0 { true } else { false } } }
        #expect(unavailable)
        await second.stop()
        let attemptsAfterSecond = (try simulator.control(["op": "status"])["modems"] as? [[String: Any]])?.first?["pin_attempts"] as? Int
        #expect(attemptsAfterSecond == 2)
    }

    @Test func correctPINUnlocks() async throws {
        let simulator = try await SimulatorProcess.launch(["--pin", "1234"])
        defer { simulator.stop() }
        let (driver, _) = await Self.start(simulator, pin: "1234")
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        await driver.stop()
    }

    @Test func recoversFromReenumeration() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let (driver, log) = await Self.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        try simulator.control(["op": "fault", "fault": "reenumerate", "down_for_ms": 1500])
        let left = await log.wait { $0.contains { if case .state(.connecting) = $0 { true } else if case .state(.recovering) = $0 { true } else { false } } }
        #expect(left)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        let result = await driver.send(OutgoingSMS(id: "after", recipient: Self.number("13800000001"), text: "Test"))
        guard case .accepted = result else {
            Issue.record("expected accepted after recovery, got \(result)")
            return
        }
        await driver.stop()
    }

    @Test func recoversFromHungModem() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let (driver, log) = await Self.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        try simulator.control(["op": "fault", "fault": "vendor_noise", "interval_ms": 300, "duration": 8])
        try simulator.control(["op": "fault", "fault": "no_answer", "duration": 4])
        // A send during the hang times out by its own deadline, and the driver recovers.
        let result = await driver.send(OutgoingSMS(id: "hung", recipient: Self.number("13800000001"), text: "Test"))
        #expect(result != .accepted(references: [0]))
        let recovering = await log.wait { $0.contains { if case .state(.recovering) = $0 { true } else { false } } }
        #expect(recovering)
        #expect(await driver.waitUntilReady(timeout: .seconds(30)))
        await driver.stop()
    }

    @Test func rebootMidSendIsUnknownOutcome() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let (driver, _) = await Self.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        try simulator.control(["op": "fault", "fault": "reboot_during_send", "reached_network": true])
        let result = await driver.send(OutgoingSMS(id: "cut", recipient: Self.number("13800000001"), text: "Test"))
        guard case .outcomeUnknown = result else {
            Issue.record("expected an unknown outcome, got \(result)")
            return
        }
        #expect(await driver.waitUntilReady(timeout: .seconds(30)))
        await driver.stop()
    }

    @Test func partialThenCorrection() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let (driver, log) = await Self.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        let stamp = SMSTimestamp(year: 2024, month: 1, day: 5, hour: 8, minute: 0, second: 0, utcOffsetMinutes: 480)
        let parts = try NetworkPDUEncoder.deliver(
            String(repeating: "第一部分", count: 40), from: .international("+8613800000001"),
            smsc: .international("+8613800000000"), timestamp: stamp, reference: .eightBit(0xA7))
        #expect(parts.count == 3)
        for part in parts.prefix(2) {
            try simulator.control(["op": "deliver_pdu", "pdu": Hex.encode(part)])
        }
        let partial = await log.wait { $0.contains { if case .received(let message) = $0 { message.kind == .partial } else { false } } }
        #expect(partial)
        try simulator.control(["op": "deliver_pdu", "pdu": Hex.encode(parts[2])])
        let corrected = await log.wait { events in
            events.contains { if case .received(let message) = $0 { message.kind == .correction && message.missingParts.isEmpty } else { false } }
        }
        #expect(corrected)
        await driver.stop()
    }

    @Test func stuckAndDoubledEchoTolerated() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        try simulator.control(["op": "fault", "fault": "doubled_echo"])
        try simulator.control(["op": "fault", "fault": "stuck_echo"])
        let (driver, _) = await Self.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        let result = await driver.send(OutgoingSMS(id: "echo", recipient: Self.number("13800000001"), text: "测试"))
        #expect(result == .accepted(references: [0]))
        await driver.stop()
    }
}

/// The retry rules and the outbound queue (field case F06).
@Suite(.serialized) struct OutboundQueueTests {
    @Test func badDestinationRetriedWithoutBlocking() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let (driver, _) = await ModemDriverTests.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        try simulator.control(["op": "fault", "fault": "cms_error", "cause": 500, "destinations": ["+8613800000009"]])

        var queue = OutboundQueue(policy: SendRetryPolicy(unknownAttempts: 3, baseBackOff: .milliseconds(300)))
        let start = SystemClock().now
        queue.add(OutgoingSMS(id: "bad", recipient: ModemDriverTests.number("13800000009"), text: "Test"), at: start)
        for index in 1...3 {
            queue.add(OutgoingSMS(id: "good\(index)", recipient: ModemDriverTests.number("1380000000\(index)"), text: "Test"), at: start)
        }
        let drained = await driver.drain(queue)
        let outcomes = Dictionary(uniqueKeysWithValues: drained.outcomes.map { ($0.id, $0) })

        #expect(outcomes["bad"]?.attempts == 3)
        #expect(outcomes["bad"]?.result == .failed(kind: .unknown, cause: 500, acceptedParts: 0, reason: "+CMS ERROR: 500"))
        for index in 1...3 {
            let good = try #require(outcomes["good\(index)"])
            #expect(good.attempts == 1)
            // Every good message finished before the bad one gave up.
            #expect(good.finishedAt < outcomes["bad"]!.finishedAt)
        }
        #expect(try simulator.receivedTexts().count == 3)
        await driver.stop()
    }

    @Test(arguments: [
        (SendResult.failed(kind: .permanent, cause: 1, acceptedParts: 0, reason: ""), 1, SendRetryPolicy.Decision.giveUp),
        (.failed(kind: .temporary, cause: 42, acceptedParts: 0, reason: ""), 1, .retry(after: .seconds(30))),
        (.failed(kind: .temporary, cause: 42, acceptedParts: 0, reason: ""), 3, .retry(after: .seconds(120))),
        (.failed(kind: .temporary, cause: 42, acceptedParts: 0, reason: ""), 5, .giveUp),
        (.failed(kind: .unknown, cause: 500, acceptedParts: 0, reason: ""), 2, .retry(after: .seconds(60))),
        (.failed(kind: .unknown, cause: 500, acceptedParts: 0, reason: ""), 3, .giveUp),
        (.outcomeUnknown(acceptedParts: 0, reason: ""), 1, .giveUp),
        (.accepted(references: [1]), 1, .done),
    ])
    func retryDecisions(result: SendResult, attempt: Int, decision: SendRetryPolicy.Decision) {
        #expect(SendRetryPolicy().decide(result, attempt: attempt) == decision)
    }

    @Test func unknownOutcomeResentWhenAllowed() {
        let policy = SendRetryPolicy(resendUnknownOutcome: true)
        #expect(policy.decide(.outcomeUnknown(acceptedParts: 0, reason: ""), attempt: 1) == .retry(after: .seconds(30)))
    }
}

/// Signal and registration monitoring against the simulator (F08, F11).
@Suite(.serialized) struct ModemMonitoringTests {
    @Test func unknownSignalKeepsLastReading() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let (driver, log) = await ModemDriverTests.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        let before = await driver.signal
        #expect(before?.rssiDBm == -69)
        try simulator.control(["op": "fault", "fault": "signal", "rssi": 99])
        // The slow poll runs every 5 s; a loaded machine may stretch that, so wait for it.
        let deadline = ContinuousClock.now + .seconds(30)
        while await driver.counters["signal.unknown", default: 0] == 0, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(await driver.counters["signal.unknown", default: 0] >= 1)
        let after = await driver.signal
        // 99 means "not known": the last good value stays, with the instant it was taken.
        #expect(after?.rssiDBm == -69)
        #expect(after?.takenAt == before?.takenAt)
        #expect(!log.all.contains { if case .signal(let reading) = $0 { reading.rssiDBm == nil && reading.rsrpDBm == nil } else { false } })
        await driver.stop()
    }

    @Test func flappingRegistrationDebounced() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let (driver, log) = await ModemDriverTests.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        let before = log.all.count
        // Registration drops for 100 ms every 100 ms, much shorter than the 300 ms hold-down.
        try simulator.control(["op": "fault", "fault": "registration_flap", "state": 2, "interval_ms": 100, "duration": 3])
        try await Task.sleep(for: .seconds(4))
        let changes = log.all.dropFirst(before).filter { if case .registration = $0 { true } else { false } }
        #expect(changes.isEmpty)
        #expect(await driver.isRegistered)
        #expect(await driver.state == .ready)
        await driver.stop()
    }

    @Test func deniedRegistrationRaisesAlarm() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let (driver, log) = await ModemDriverTests.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        try simulator.control(["op": "fault", "fault": "registration", "domain": "eps", "state": 3])
        try simulator.control(["op": "fault", "fault": "registration", "domain": "cs", "state": 3])
        let alarmed = await log.wait { $0.contains { if case .alarm(let text) = $0 { text.contains("denied") } else { false } } }
        #expect(alarmed)
        #expect(await driver.isRegistered == false)
        await driver.stop()
    }
}

/// Messages stored before the driver connected, in any memory.
@Suite(.serialized) struct StorageSweepTests {
    @Test func sweepFindsMessageOnSIM() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        // Wait until the simulated modem can take messages, then deliver one while no host is attached.
        for _ in 0..<100 {
            let modems = try simulator.control(["op": "status"])["modems"] as? [[String: Any]]
            if modems?.first?["sms_ready"] as? Bool == true { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        try simulator.control(["op": "send", "from": "+8613800000001", "text": "断电期间收到"])
        let memories = try await simulator.waitForStoredMessages(1)
        #expect(memories["SM"] == 1)

        let (driver, log) = await ModemDriverTests.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        let received = await log.wait { events in
            events.contains { if case .received(let message) = $0 { message.text == "断电期间收到" } else { false } }
        }
        #expect(received)
        let after = (try simulator.control(["op": "status"])["modems"] as? [[String: Any]])?.first?["memories"] as? [String: Int]
        #expect(after?["SM"] == 0)
        await driver.stop()
    }

    @Test func secondOpenOfPortIsBusy() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let (driver, _) = await ModemDriverTests.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        #expect(throws: Errno.busy) { try SerialPort.open(path: simulator.portPath) }
        await driver.stop()
    }
}
