import Core
import Foundation
import Hardware
import TestSupport
import Testing

/// `GPIOBridgeLines` against a real `alertbox-sim` child process with `--gpio`.
@Suite(.serialized) struct GPIOBridgeTests {
    static let logger = Logger(label: "test", level: ProcessInfo.processInfo.environment["TEST_LOG"] != nil ? .debug : .critical)
    static let chip = "alertbox-sim"

    /// Collects edges in the background.
    final class EdgeLog: @unchecked Sendable {
        // @unchecked Sendable: `edges` and `finished` are guarded by `lock`.
        private let lock = NSLock()
        private var edges: [GPIOEdge] = []
        private var finished = false

        init(_ lines: GPIOBridgeLines) {
            Task {
                for await edge in lines.edges {
                    self.lock.withLock { self.edges.append(edge) }
                }
                self.lock.withLock { self.finished = true }
            }
        }

        var all: [GPIOEdge] {
            lock.withLock { edges }
        }

        var isFinished: Bool {
            lock.withLock { finished }
        }

        /// Waits until `count` edges arrived; the bound only catches a hang.
        func wait(for count: Int) async -> [GPIOEdge] {
            await waitUntil { self.all.count >= count }
            return all
        }

        func waitUntil(_ condition: () -> Bool) async {
            let deadline = ContinuousClock.now + .seconds(10)
            while !condition(), ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    static func input(_ role: String, bias: GPIOBias = .pullUp, activeLow: Bool) -> GPIOLineRequest {
        GPIOLineRequest(role: role, chip: chip, line: .name(role), direction: .input(bias: bias, edges: true), activeLow: activeLow)
    }

    static func output(_ role: String) -> GPIOLineRequest {
        GPIOLineRequest(role: role, chip: chip, line: .name(role), direction: .output(initialActive: false))
    }

    /// The board profile of the reference board: buttons active-low with pull-up, contacts
    /// active-high (open on alarm), two LEDs and the siren.
    static let boardRequests = [
        input("panic_1", activeLow: true), input("panic_2", activeLow: true), input("fire_panel", bias: .asIs, activeLow: false),
        output("led_status"), output("led_feedback"), output("siren"),
    ]

    static func open(_ simulator: SimulatorProcess, _ requests: [GPIOLineRequest] = boardRequests) async throws -> GPIOBridgeLines {
        try await GPIOBridgeLines.open(socketPath: simulator.gpioSocketPath, requests: requests, logger: logger)
    }

    /// Starts a simulator with the bridge, opens the reference board's lines and collects their edges.
    static func launchWithEdges() async throws -> (SimulatorProcess, GPIOBridgeLines, EdgeLog) {
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        do {
            let lines = try await open(simulator)
            return (simulator, lines, EdgeLog(lines))
        } catch {
            simulator.stop()
            throw error
        }
    }

    /// Opens `requests` and returns the rejection code, or nil when the bridge accepted them.
    static func rejection(_ simulator: SimulatorProcess, _ requests: [GPIOLineRequest]) async -> String? {
        do {
            let lines = try await open(simulator, requests)
            await lines.close()
            return nil
        } catch {
            guard case .bridgeRejected(_, let code, _) = error as? GPIOError else { return "\(error)" }
            return code
        }
    }

    @Test func requestedInputsReadIdle() async throws {
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        let lines = try await Self.open(simulator)
        #expect(try await lines.value(of: "panic_1") == false)
        #expect(try await lines.value(of: "fire_panel") == false)
        #expect(try await lines.value(of: "led_status") == false)
        await lines.close()
    }

    @Test func unknownRoleRejected() async throws {
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        #expect(await Self.rejection(simulator, [Self.input("panic_9", activeLow: true)]) == "unknown_role")
    }

    @Test func directionMismatchRejected() async throws {
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        #expect(await Self.rejection(simulator, [Self.input("led_status", activeLow: false)]) == "direction")
        #expect(await Self.rejection(simulator, [Self.output("panic_1")]) == "direction")
        #expect(await Self.rejection(simulator, [Self.output("modem_status")]) == "direction")
    }

    @Test func secondOwnerBusy() async throws {
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        let first = try await Self.open(simulator, [Self.input("panic_1", activeLow: true)])
        #expect(await Self.rejection(simulator, [Self.input("panic_1", activeLow: true)]) == "busy")

        // Closing the first owner releases the line for the next one.
        await first.close()
        var released = false
        for _ in 0..<100 where !released {
            released = await Self.rejection(simulator, [Self.input("panic_1", activeLow: true)]) == nil
            if !released { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(released)
    }

    @Test func unrequestedRoleThrows() async throws {
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        let lines = try await Self.open(simulator)
        await #expect(throws: GPIOError.unknownRole("test_key")) { try await lines.value(of: "test_key") }
        await #expect(throws: GPIOError.notAnOutput(role: "panic_1")) { try await lines.set("panic_1", active: true) }
        await lines.close()
    }

    @Test func pressAndReleaseGiveEdges() async throws {
        let (simulator, lines, log) = try await Self.launchWithEdges()
        defer { simulator.stop() }

        let pressed = try simulator.control(["op": "gpio_set", "role": "panic_1", "active": true])
        #expect(pressed["closed"] as? Bool == true)
        #expect(pressed["level"] as? Int == 0)
        #expect(try await lines.value(of: "panic_1"))
        try simulator.control(["op": "gpio_set", "role": "panic_1", "active": false])

        let edges = await log.wait(for: 2)
        #expect(edges.map(\.role) == ["panic_1", "panic_1"])
        #expect(edges.map(\.active) == [true, false])
        #expect(edges[0].timestamp < edges[1].timestamp)
        // The bridge stamps edges on CLOCK_MONOTONIC, the clock of MonotonicInstant.
        #expect(edges[1].timestamp <= SystemClock().now)
        await lines.close()
    }

    @Test func bounceSequenceHasExactIntervals() async throws {
        let (simulator, lines, log) = try await Self.launchWithEdges()
        defer { simulator.stop() }

        // A bouncing press: 5 ms closed, 3 ms open, 4 ms closed, 2 ms open, then held.
        let steps: [[Any]] = [[true, 5], [false, 3], [true, 4], [false, 2], [true, 300], [false, 0]]
        let reply = try simulator.control(["op": "gpio_sequence", "role": "panic_2", "steps": steps])
        let scheduled = (reply["at_ns"] as? [NSNumber] ?? []).map(\.int64Value)

        let edges = await log.wait(for: 6)
        #expect(edges.map(\.active) == [true, false, true, false, true, false])
        #expect(edges.map(\.timestamp.nanoseconds) == scheduled)
        let intervals = zip(edges.dropFirst(), edges).map { $0.timestamp.nanoseconds - $1.timestamp.nanoseconds }
        #expect(intervals == [5_000_000, 3_000_000, 4_000_000, 2_000_000, 300_000_000])
        await lines.close()
    }

    @Test func chatterKeepsEveryEdgeInOrder() async throws {
        let (simulator, lines, log) = try await Self.launchWithEdges()
        defer { simulator.stop() }

        // A chattering relay: 40 changes 1 ms apart.
        let steps: [[Any]] = (0..<40).map { [$0 % 2 == 0, 1] }
        try simulator.control(["op": "gpio_sequence", "role": "fire_panel", "steps": steps])

        let edges = await log.wait(for: 40)
        #expect(edges.count == 40)
        #expect(edges.map(\.active) == (0..<40).map { $0 % 2 == 0 })
        let intervals = zip(edges.dropFirst(), edges).map { $0.timestamp.nanoseconds - $1.timestamp.nanoseconds }
        #expect(intervals.allSatisfy { $0 == 1_000_000 })
        await lines.close()
    }

    @Test func stuckContactGivesOneEdge() async throws {
        let (simulator, lines, log) = try await Self.launchWithEdges()
        defer { simulator.stop() }

        // The fire panel's contact opens and stays open: one edge, and the alarm stays active.
        // A press of panic_1 afterwards marks the end, as edges arrive in order.
        try simulator.control(["op": "gpio_set", "role": "fire_panel", "active": true])
        try await Task.sleep(for: .milliseconds(200))
        try simulator.control(["op": "gpio_set", "role": "panic_1", "active": true])

        let edges = await log.wait(for: 2)
        #expect(edges.map(\.role) == ["fire_panel", "panic_1"])
        #expect(edges.first?.active == true)
        #expect(try await lines.value(of: "fire_panel"))
        let line = try simulator.control(["op": "gpio_get", "role": "fire_panel"])
        #expect(line["closed"] as? Bool == false)
        #expect(line["level"] as? Int == 1)
        await lines.close()
    }

    @Test func heldButtonStaysActive() async throws {
        let (simulator, lines, log) = try await Self.launchWithEdges()
        defer { simulator.stop() }

        let reply = try simulator.control(["op": "gpio_sequence", "role": "panic_1", "steps": [[true, 1500], [false, 0]]])
        let scheduled = (reply["at_ns"] as? [NSNumber] ?? []).map(\.int64Value)
        _ = await log.wait(for: 1)
        #expect(try await lines.value(of: "panic_1"))

        let edges = await log.wait(for: 2)
        #expect(edges.map(\.active) == [true, false])
        #expect(edges.map(\.timestamp.nanoseconds) == scheduled)
        #expect(edges[1].timestamp.nanoseconds - edges[0].timestamp.nanoseconds == 1_500_000_000)
        await lines.close()
    }

    @Test func outputsRecordedInHistory() async throws {
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        defer { simulator.stop() }
        let lines = try await Self.open(simulator)
        try simulator.control(["op": "gpio_history", "clear": true])

        // Three blinks of the status LED and one siren burst.
        for _ in 0..<3 {
            try await lines.set("led_status", active: true)
            try await lines.set("led_status", active: false)
        }
        try await lines.set("siren", active: true)
        #expect(try await lines.value(of: "siren"))
        try await lines.set("siren", active: false)

        let history = try simulator.control(["op": "gpio_history", "clear": true])["history"] as? [String: [[String: Any]]] ?? [:]
        let led = history["led_status"] ?? []
        #expect(led.map { $0["on"] as? Bool } == [true, false, true, false, true, false])
        let ledTimes = led.compactMap { ($0["ns"] as? NSNumber)?.int64Value }
        #expect(ledTimes == ledTimes.sorted())
        #expect(history["siren"]?.map { $0["on"] as? Bool } == [true, false])
        #expect(history["led_feedback"]?.isEmpty == true)

        let cleared = try simulator.control(["op": "gpio_history"])["history"] as? [String: [[String: Any]]] ?? [:]
        #expect(cleared["led_status"]?.isEmpty == true)
        await lines.close()
    }

    @Test func simulatorStopLosesBackend() async throws {
        let (simulator, lines, log) = try await Self.launchWithEdges()
        defer { simulator.stop() }

        await simulator.shutDown()
        await log.waitUntil { log.isFinished }
        #expect(log.isFinished)
        do {
            _ = try await lines.value(of: "panic_1")
            Issue.record("value(of:) succeeded after the simulator stopped")
        } catch GPIOError.backendLost {
        } catch {
            Issue.record("expected backendLost, got \(error)")
        }
        await lines.close()
    }
}
