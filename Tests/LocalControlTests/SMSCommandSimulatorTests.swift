import Alerting
import Core
import Foundation
import LocalControl
import Modem
import SMS
import Scheduler
import Storage
import TestSupport
import Testing

/// A clock that agrees with the simulator's SMSC. The simulator stamps PDUs from
/// 2024-01-05 08:00:00 +08:00 at its start, so this clock's wall time starts there too.
struct SimulatorWallClock: BoxClock {
    static let simulatorEpoch = WallTime(secondsSinceEpoch: 1_704_412_800)
    let system = SystemClock()
    let started: MonotonicInstant

    init() {
        started = system.now
    }

    var now: MonotonicInstant { system.now }
    var wallNow: WallTime { Self.simulatorEpoch.advanced(by: started.duration(to: system.now)) }
    var minimumResolution: Duration { system.minimumResolution }

    func sleep(until deadline: MonotonicInstant, tolerance: Duration?) async throws {
        try await system.sleep(until: deadline, tolerance: tolerance)
    }
}

/// Runs SMS commands end to end: handsets of `alertbox-sim` send commands to the modem, the
/// real driver receives them, the router runs them, and the scheduler sends alerts and
/// replies back through the same modem. No uplink is involved.
@Suite(.serialized) struct SMSCommandSimulatorTests {
    static let officer = SMSCommandFixture.dutyOfficer
    static let secondOfficer = try! PhoneNumber(parsing: "+8613800070003")  // A valid constant number.
    static let responders = (1...6).map { "+86138000900\(String(format: "%02d", $0))" }

    /// One simulator, driver, scheduler and router, wired as the runtime wires them.
    final class Rig: Sendable {
        let simulator: SimulatorProcess
        let driver: ModemDriver
        let database: Database
        let scheduler: AlertScheduler
        let clock: SimulatorWallClock
        let path: String
        let router: RouterBox
        let forwarding: Task<Void, Never>

        init(latencyMilliseconds: Int) async throws {
            simulator = try await SimulatorProcess.launch(["--latency", String(latencyMilliseconds)])
            clock = SimulatorWallClock()
            driver = ModemDriver(settings: Self.modemSettings(simulator), logger: SMSCommandFixture.logger)
            await driver.start()
            path = FileManager.default.temporaryDirectory.appendingPathComponent("alertbox-smscmd-e2e-\(UUID().uuidString.prefix(8)).sqlite").path
            database = Database(path: path, logger: SMSCommandFixture.logger)
            try await database.open(migrations: Schema.migrations)
            scheduler = AlertScheduler(database: database, clock: SystemClock(), logger: SMSCommandFixture.logger)
            await scheduler.addSMSChannel(ModemSMSChannel(name: "modem0", driver: driver))
            router = RouterBox()
            let (scheduler, driver, router) = (scheduler, driver, router)
            forwarding = Task {
                for await event in driver.events {
                    switch event {
                    case .received(let message):
                        await router.current?.receive(message)
                    case .statusReport(let reference, let recipient, let status):
                        await scheduler.handleStatusReport(sim: "modem0", reference: Int(reference), recipient: recipient, status: status)
                    default:
                        break
                    }
                }
            }
            try await SMSCommandFixture.addGroup("应急", numbers: SMSCommandSimulatorTests.responders, in: database)
            try await restartRouter()
            await scheduler.start()
        }

        static func modemSettings(_ simulator: SimulatorProcess) -> ModemSettings {
            ModemSettings(
                devicePath: simulator.portPath, stateDirectory: simulator.stateDirectory, openRetryInterval: .milliseconds(100),
                startupTimeout: .seconds(10), signalPollFast: .milliseconds(500), signalPollSlow: .seconds(5), registrationPoll: .seconds(5),
                registrationHoldDown: .milliseconds(300), storageSweep: .seconds(30), reassemblyTimeout: .seconds(2),
                smsReadyTimeout: .seconds(10), timeouts: ["quick": .seconds(2), "smsStorage": .seconds(3), "smsSend": .seconds(10)])
        }

        /// Replaces the router with a new one on the same database, as a restart of the box does.
        func restartRouter() async throws {
            var settings = SMSCommandFixture.settings()
            settings.operators.append(SMSCommandOperator(name: "second", number: SMSCommandSimulatorTests.secondOfficer))
            let router = try SMSCommandRouter(
                settings: settings, scheduler: scheduler, database: database,
                status: SchedulerModemStatus(scheduler: scheduler, driver: driver, simName: "modem0", clock: clock), clock: clock,
                logger: SMSCommandFixture.logger)
            await self.router.set(router)
        }

        /// Makes handset `from` send `text` to the box.
        func send(_ text: String, from: String) throws {
            try simulator.control(["op": "send", "from": from, "text": text])
        }

        /// Hands the modem an SMS-DELIVER from `from` stamped `age` before the box's clock.
        func deliver(_ text: String, from: PhoneNumber, age: Duration) throws {
            let stamp = SMSTimestamp(secondsSinceEpoch: clock.wallNow.advanced(by: .zero - age).secondsSinceEpoch, utcOffsetMinutes: 480)
            let pdus = try NetworkPDUEncoder.deliver(text, from: from.smsAddress, smsc: .international("+8613800000000"), timestamp: stamp)
            for pdu in pdus {
                try simulator.control(["op": "deliver_pdu", "pdu": Hex.encode(pdu)])
            }
        }

        func rows(_ sql: String, _ values: [SQLValue] = []) async throws -> [Row] {
            try await database.read { try $0.query(sql, values, operation: "test") }
        }

        func commandAudit() async throws -> [String] {
            try await rows("SELECT action, detail FROM audit_log WHERE action LIKE 'sms.command.%' ORDER BY id").map {
                "\($0["action"].string ?? "") \($0["detail"].string ?? "")"
            }
        }

        func shutDown() async {
            forwarding.cancel()
            await scheduler.stop()
            await driver.stop()
            await database.close()
            await simulator.shutDown()
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
        }
    }

    /// The router the forwarding task hands messages to, replaceable for a restart.
    actor RouterBox {
        var current: SMSCommandRouter?

        func set(_ router: SMSCommandRouter) {
            current = router
        }
    }

    /// Polls `condition` every 100 ms until it is true or `timeout` passes. The bound only catches a hang.
    static func eventually(timeout: Duration = .seconds(120), _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return try await condition()
    }

    @Test func alarmStatusAndCancelOverModem() async throws {
        // Each part takes 2 s at the SMSC, so the alarm is still going out when the cancel comes.
        let rig = try await Rig(latencyMilliseconds: 2000)
        #expect(await rig.driver.waitUntilReady(timeout: .seconds(45)))

        try rig.send("2468 报警 火警 东侧楼梯", from: Self.officer.e164)
        let reached = try await Self.eventually {
            try rig.simulator.receivedTexts().contains { $0.hasPrefix("火警！3号楼") }
        }
        #expect(reached)
        let alertID = try await rig.rows("SELECT id FROM alerts WHERE source = 'sms_command' AND status = 'Actual'").first?["id"].int64
        #expect(alertID != nil)
        let fireText = try rig.simulator.receivedTexts().first { $0.hasPrefix("火警！") } ?? ""
        #expect(fireText.contains("东侧楼梯"))

        try rig.send("2468 取消", from: Self.officer.e164)
        let cancelled = try await Self.eventually {
            try await rig.rows("SELECT state FROM alerts WHERE id = ?", [.integer(alertID ?? 0)]).first?["state"].string == "cancelled"
        }
        #expect(cancelled)
        let stopped = try await rig.rows("SELECT count(*) AS n FROM deliveries WHERE alert_id = ? AND state = 'cancelled'", [.integer(alertID ?? 0)])
        #expect((stopped.first?["n"].int ?? 0) > 0)

        try rig.send("2468 状态", from: Self.officer.e164)
        let answered = try await Self.eventually {
            try rig.simulator.receivedTexts(to: Self.officer.e164).contains { $0.hasPrefix("状态：") }
        }
        #expect(answered)
        let replies = try rig.simulator.receivedTexts(to: Self.officer.e164)
        #expect(replies.contains("已发出火警，编号\(alertID ?? 0)，短信6人，群0个。撤销请发：PIN 取消 \(alertID ?? 0)"))
        #expect(replies.contains("已取消编号\(alertID ?? 0)（火警），未发出的通知已停止"))
        let status = replies.first { $0.hasPrefix("状态：") } ?? ""
        #expect(status.contains("SIM就绪；已注册"))
        let fireCount = try rig.simulator.receivedTexts().filter { $0.hasPrefix("火警！") }.count
        #expect(fireCount < Self.responders.count)
        await rig.shutDown()
    }

    @Test func strangerLockoutAndReplayOverModem() async throws {
        let rig = try await Rig(latencyMilliseconds: 0)
        #expect(await rig.driver.waitUntilReady(timeout: .seconds(45)))

        try rig.send("2468 报警 火警", from: SMSCommandFixture.stranger)
        // The texts differ because the SCTS has whole seconds, so two identical texts sent
        // within one second are copies of one message.
        for (count, text) in ["1357 状态", "1357 STATUS", "1357 status"].enumerated() {
            try rig.send(text, from: Self.officer.e164)
            let replied = try await Self.eventually { try rig.simulator.receivedTexts(to: Self.officer.e164).count > count }
            #expect(replied)
        }
        #expect(try rig.simulator.receivedTexts(to: Self.officer.e164).last?.hasPrefix("PIN错误次数过多") == true)
        let audit = try await rig.commandAudit()
        #expect(audit.contains("sms.command.rejected alarm: sender not on the allow-list"))
        #expect(try await rig.rows("SELECT id FROM alerts WHERE status = 'Actual'").isEmpty)

        // A restart keeps the lockout, because it lives in SQLite.
        try await rig.restartRouter()
        try rig.send("2468 状态", from: Self.officer.e164)
        let ignored = try await Self.eventually {
            try await rig.commandAudit().contains("sms.command.rejected status: sender locked out")
        }
        #expect(ignored)

        // A command the SMSC stamped 20 minutes ago, and two copies of a fresh one.
        try rig.deliver("2468 状态", from: Self.secondOfficer, age: .seconds(20 * 60))
        try rig.deliver("2468 STATUS", from: Self.secondOfficer, age: .seconds(2))
        try rig.deliver("2468 STATUS", from: Self.secondOfficer, age: .seconds(2))
        let duplicate = try await Self.eventually {
            try await rig.commandAudit().contains("sms.command.rejected status: copy of a command already handled")
        }
        #expect(duplicate)
        let repliedToSecond = try await Self.eventually {
            try rig.simulator.receivedTexts(to: Self.secondOfficer.e164).count >= 2
        }
        #expect(repliedToSecond)
        let second = try rig.simulator.receivedTexts(to: Self.secondOfficer.e164)
        #expect(second.first == "指令发出已超过20分钟，未执行；如仍需要请重新发送")
        #expect(second.filter { $0.hasPrefix("状态：") }.count == 1)
        #expect(try rig.simulator.receivedTexts(to: SMSCommandFixture.stranger) == [])
        await rig.shutDown()
    }
}
