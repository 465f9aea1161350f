import Alerting
import Core
import Foundation
import Modem
import SMS
import Storage
import TestSupport
import Testing

@testable import Scheduler

/// Tests the scheduler's worker sending through the real modem driver to `alertbox-sim`,
/// with status reports and handset replies fed back.
@Suite(.serialized) struct SchedulerSimulatorTests {
    static func modemSettings(_ simulator: SimulatorProcess) -> ModemSettings {
        ModemSettings(
            devicePath: simulator.portPath, stateDirectory: simulator.stateDirectory, openRetryInterval: .milliseconds(100),
            startupTimeout: .seconds(10), signalPollFast: .milliseconds(500), signalPollSlow: .seconds(5), registrationPoll: .seconds(5),
            registrationHoldDown: .milliseconds(300), storageSweep: .seconds(30), reassemblyTimeout: .seconds(2), smsReadyTimeout: .seconds(10),
            timeouts: ["quick": .seconds(2), "smsStorage": .seconds(3), "smsSend": .seconds(10)])
    }

    /// Polls `condition` every 50 ms until it is true or `timeout` passes. The bound only
    /// catches a hang: under the full parallel suite a send and its report took over 20 s.
    static func eventually(timeout: Duration = .seconds(90), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }

    @Test func deliversEscalatesAndTakesAcknowledgement() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        // The first doctor never replies, and the second replies 收到 to the alert.
        _ = try simulator.control(["op": "handset", "number": SchedulerFixture.phone(40_000, 1), "replies": [["text": "收到", "delay_ms": 300]]])

        let driver = ModemDriver(settings: Self.modemSettings(simulator), logger: SchedulerFixture.logger)
        await driver.start()
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))

        let settings = SchedulerSettings(escalationTimeout: .seconds(2))
        let fixture = try await SchedulerFixture(settings: settings, clock: nil, systemClock: true)
        defer { Task { await fixture.remove() } }
        try await fixture.addGroup("应急", count: 3, base: 90_000)
        try await fixture.addGroup("值班医生", count: 3, base: 40_000, sequenced: true)
        await fixture.scheduler.addSMSChannel(ModemSMSChannel(name: "modem0", driver: driver))

        let scheduler = fixture.scheduler
        let forwarding = Task {
            for await event in driver.events {
                switch event {
                case .statusReport(let reference, let recipient, let status):
                    await scheduler.handleStatusReport(sim: "modem0", reference: Int(reference), recipient: recipient, status: status)
                case .received(let message):
                    _ = await scheduler.handleReply(from: message.sender, text: message.text)
                default:
                    break
                }
            }
        }
        defer { forwarding.cancel() }

        // The fixture's scripted SIM is channel 0; workers run channel 1, the modem.
        let fire = try await scheduler.submit(SchedulerFixture.alert("fire", priority: .lifeSafety, audience: ["应急"]))
        let blue = try await scheduler.submit(SchedulerFixture.alert("blue", priority: .urgent, audience: ["值班医生"], text: "急救：5号楼3层，请回复1确认"))
        let worker = Task {
            while !Task.isCancelled {
                switch await scheduler.step(.sms, channel: 1) {
                case .sent, .expired: continue
                case .wait, .idle: try? await Task.sleep(for: .milliseconds(100))
                }
                _ = await scheduler.escalate()
            }
        }
        defer { worker.cancel() }

        let delivered = try await Self.eventually {
            try await fixture.counts(alertID: fire.alertID)["delivered"] == 3
        }
        #expect(delivered)
        let acknowledged = try await Self.eventually {
            try await fixture.rows("SELECT state FROM escalations WHERE alert_id = ?", [.integer(blue.alertID)]).first?["state"].string == "acknowledged"
        }
        #expect(acknowledged)
        #expect(try simulator.receivedTexts(to: SchedulerFixture.phone(40_000, 0)) == ["急救：5号楼3层，请回复1确认"])
        #expect(try simulator.receivedTexts(to: SchedulerFixture.phone(40_000, 1)) == ["急救：5号楼3层，请回复1确认"])
        #expect(try simulator.receivedTexts(to: SchedulerFixture.phone(40_000, 2)) == [])
        let acknowledgements = try await fixture.rows("SELECT contact_id, keyword FROM acknowledgements")
        #expect(acknowledgements.map { $0["keyword"].string } == ["收到"])
        await driver.stop()
    }
}
