import Core
import Foundation
import Hardware
import TestSupport
import Testing

@testable import Modem

/// The modem's power key, reset and STATUS lines through the simulator's GPIO bridge, against
/// the simulated modem they are wired to.
@Suite(.serialized) struct GPIOModemControlTests {
    static let roles = ModemControlRoles()

    static func openLines(_ simulator: SimulatorProcess, statusEdges: Bool = false) async throws -> GPIOBridgeLines {
        var requests = GPIOModemControlLines.lineRequests(roles, chip: "alertbox-sim")
        if statusEdges, let index = requests.firstIndex(where: { $0.role == roles.status }) {
            requests[index].direction = .input(bias: .asIs, edges: true)
        }
        return try await GPIOBridgeLines.open(socketPath: simulator.gpioSocketPath, requests: requests, logger: ModemDriverTests.logger)
    }

    static func modemPower(_ simulator: SimulatorProcess) throws -> String? {
        (try simulator.control(["op": "status"])["modems"] as? [[String: Any]])?.first?["power"] as? String
    }

    /// Returns the lengths of the pulses on an output, from its history, in milliseconds.
    static func pulseLengths(_ simulator: SimulatorProcess, _ role: String) throws -> [Int64] {
        let history = (try simulator.control(["op": "gpio_history", "role": role])["history"] as? [String: [[String: Any]]])?[role] ?? []
        let times = history.compactMap { ($0["ns"] as? NSNumber)?.int64Value }
        return stride(from: 1, to: times.count, by: 2).map { (times[$0] - times[$0 - 1]) / 1_000_000 }
    }

    @Test func ladderResetRecoversHungModem() async throws {
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        let lines = try await Self.openLines(simulator)
        let control = GPIOModemControlLines(lines: lines, roles: Self.roles, timing: .quectelEC25, logger: ModemDriverTests.logger)

        // A modem that hangs for good: only a hardware restart brings it back.
        try simulator.control(["op": "fault", "fault": "no_answer", "duration": 600])
        var settings = ModemDriverTests.settings(simulator)
        settings.startupTimeout = .seconds(2)
        let driver = ModemDriver(settings: settings, logger: ModemDriverTests.logger, controlLines: control)
        let log = ModemDriverTests.EventLog(driver)
        await driver.start()

        // resend, reopen, then the reset pulse: 2 s per failed start plus 4 s and 8 s of back-off.
        #expect(await driver.waitUntilReady(timeout: .seconds(60)))
        let counters = await driver.counters
        #expect(counters["recovery.pulseReset"] == 1)
        #expect(counters["recovery.powerCycle"] == nil)
        #expect(log.all.contains { if case .state(.recovering(step: .pulseReset)) = $0 { true } else { false } })
        let resets = try Self.pulseLengths(simulator, "modem_reset")
        #expect(resets.count == 1)
        #expect(resets.allSatisfy { (150...460).contains($0) })
        await driver.stop()
        await lines.close()
    }

    @Test func powerCycleRecoversHungModem() async throws {
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        let lines = try await Self.openLines(simulator)
        let control = GPIOModemControlLines(lines: lines, roles: Self.roles, timing: .quectelEC25, logger: ModemDriverTests.logger)
        try await Self.waitForStatus(lines)
        try simulator.control(["op": "fault", "fault": "no_answer", "duration": 600])

        try await control.powerCycle()
        #expect(try Self.modemPower(simulator) == "on")
        #expect(try await lines.value(of: "modem_status"))
        // The off pulse, then the on pulse, each longer than the EC25's minimum.
        let pulses = try Self.pulseLengths(simulator, "modem_power_key")
        #expect(pulses.count == 2)
        #expect(pulses.first.map { $0 >= 650 } == true)
        #expect(pulses.last.map { $0 >= 500 } == true)

        // The hang is gone: the driver initialises without any recovery step.
        let (driver, _) = await ModemDriverTests.start(simulator)
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        #expect(await driver.counters["recovery.resend"] == nil)
        await driver.stop()
        await lines.close()
    }

    @Test func powerCycleWithLoadSwitch() async throws {
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        let roles = ModemControlRoles(powerEnable: "modem_power_enable")
        let lines = try await GPIOBridgeLines.open(
            socketPath: simulator.gpioSocketPath, requests: GPIOModemControlLines.lineRequests(roles, chip: "alertbox-sim"),
            logger: ModemDriverTests.logger)
        var timing = ModemPinTiming.quectelEC25
        timing.supplyOffTime = .milliseconds(200)
        let control = GPIOModemControlLines(lines: lines, roles: roles, timing: timing, logger: ModemDriverTests.logger)
        try await Self.waitForStatus(lines)

        try await control.powerCycle()
        #expect(try Self.modemPower(simulator) == "on")
        let history = (try simulator.control(["op": "gpio_history", "role": "modem_power_enable"])["history"] as? [String: [[String: Any]]])?["modem_power_enable"]
        #expect(history?.map { $0["on"] as? Bool } == [false, true])
        await lines.close()
    }

    /// The EC25 takes a reset between 150 and 460 ms. The backend times the pulse on its own
    /// thread, so tasks that hold every thread of the shared pool cannot stretch it.
    @Test func resetPulseKeepsItsLengthWhileThePoolIsBusy() async throws {
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        let lines = try await Self.openLines(simulator)
        let control = GPIOModemControlLines(lines: lines, roles: Self.roles, timing: .quectelEC25, logger: ModemDriverTests.logger)
        let hogs = (0..<ProcessInfo.processInfo.activeProcessorCount * 2).map { _ in
            Task.detached {
                // Starts once the pulse has begun and blocks its pool thread for 1.5 s.
                try? await Task.sleep(for: .milliseconds(100))
                let end = SystemClock().now.advanced(by: .milliseconds(1500))
                while SystemClock().now < end {}
            }
        }
        try await control.pulseReset()
        for hog in hogs { await hog.value }
        let resets = try Self.pulseLengths(simulator, "modem_reset")
        #expect(resets.count == 1)
        #expect(resets.allSatisfy { (250...460).contains($0) }, "reset pulses of \(resets) ms")
        await lines.close()
    }

    @Test func resetOfPoweredOffModemFails() async throws {
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        let lines = try await Self.openLines(simulator)
        var timing = ModemPinTiming.quectelEC25
        timing.statusOnTimeout = .seconds(1)
        let control = GPIOModemControlLines(lines: lines, roles: Self.roles, timing: timing, logger: ModemDriverTests.logger)
        try simulator.control(["op": "power", "on": false])

        await #expect(throws: ModemControlError.statusTimeout(role: "modem_status", expected: true, timeout: .seconds(1), step: "the reset pulse")) {
            try await control.pulseReset()
        }
        #expect(try Self.modemPower(simulator) == "off")
        await lines.close()
    }

    /// Pulses shorter than the module acts on: (dialect, line, milliseconds).
    static let shortPulses: [(String, String, Int)] = [
        ("quectel", "modem_reset", 60), ("quectel", "modem_power_key", 300), ("simcom", "modem_power_key", 800),
        ("simcom", "modem_reset", 1000),
    ]

    @Test(arguments: shortPulses)
    func tooShortPulseDoesNothing(dialect: String, role: String, milliseconds: Int) async throws {
        let simulator = try await SimulatorProcess.launch(["--gpio", "--dialect", dialect])
        defer { simulator.stop() }
        let lines = try await Self.openLines(simulator, statusEdges: true)
        let collector = Task {
            var active: [Bool] = []
            for await edge in lines.edges { active.append(edge.active) }
            return active
        }
        // The bridge sends an edge before any later reply, so once STATUS reads high, the edges
        // of the boot are in the stream and `before` counts them.
        var timing = dialect == "simcom" ? ModemPinTiming.simcomSIM7600 : ModemPinTiming.quectelEC25
        timing.statusOnTimeout = .seconds(10)
        let control = GPIOModemControlLines(lines: lines, roles: Self.roles, timing: timing, logger: ModemDriverTests.logger)
        try await Self.waitForStatus(lines)

        // Timed on the bridge's own thread, as the product's pulses are: a sleep in the test's
        // task stretched a 60 ms pulse into a real reset on a loaded CI machine.
        try await lines.pulse(role, for: .milliseconds(milliseconds))
        #expect(try Self.modemPower(simulator) == "on")

        // A full reset afterwards shows one drop and one rise of STATUS; a short pulse that had
        // acted would have added its own edges before them.
        try await control.pulseReset()
        await lines.close()
        let edges = await collector.value
        #expect(edges.suffix(2) == [false, true])
        #expect(edges.filter { !$0 }.count == 1)
    }

    @Test func powerKeyAloneCyclesWithoutStatus() async throws {
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        // A Waveshare SIM7600-like board: the power key and nothing else.
        let roles = ModemControlRoles(available: ["modem_power_key", "panic_1"])
        #expect(roles == ModemControlRoles(powerKey: "modem_power_key", reset: nil, status: nil, powerEnable: nil))
        let requests = GPIOModemControlLines.lineRequests(roles, chip: "alertbox-sim")
        let lines = try await GPIOBridgeLines.open(socketPath: simulator.gpioSocketPath, requests: requests, logger: ModemDriverTests.logger)
        var timing = ModemPinTiming.quectelEC25
        timing.statusOffTimeout = .seconds(1)
        let control = GPIOModemControlLines(lines: lines, roles: roles, timing: timing, logger: ModemDriverTests.logger)
        #expect(!control.canReset)
        #expect(control.canPowerCycle)
        await #expect(throws: ModemControlError.noLine(step: "reset")) { try await control.pulseReset() }
        try simulator.control(["op": "fault", "fault": "no_answer", "duration": 600])

        try await control.powerCycle()
        // Off, then on again once the module had time to boot.
        #expect(try Self.pulseLengths(simulator, "modem_power_key").count == 2)
        var power = try Self.modemPower(simulator)
        for _ in 0..<100 where power != "on" {
            try await Task.sleep(for: .milliseconds(50))
            power = try Self.modemPower(simulator)
        }
        #expect(power == "on")
        await lines.close()
    }

    @Test func noLinesMeansNoLadderSteps() {
        let roles = ModemControlRoles(available: ["panic_1", "led_status"])
        #expect(roles.isEmpty)
        var ladder = RecoveryLadder(hasResetLine: false, hasPowerControl: false)
        #expect(ladder.failed().step == .resend)
        #expect(ladder.failed().step == .reopenPort)
        // Past the reopen step the ladder is exhausted: no reset or power step to climb to.
        #expect(ladder.failed().exhausted)
    }

    static func waitForStatus(_ lines: GPIOBridgeLines) async throws {
        for _ in 0..<200 {
            if try await lines.value(of: "modem_status") { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("modem STATUS never went high")
    }
}
