import TestSupport
import Core
import Foundation
import NetFaults
import Scheduler
import Storage
import Testing
import Uplink

/// Tests the uplink monitor judging an MQTT connection through a `TCPProxy` and reporting to
/// a scheduler on a real database.
///
/// Bounds only stop a hung test; the detection times are measured by `uplink-bench`.
@Suite(.serialized) struct MQTTHealthTests {
    static func eventually(timeout: Duration, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }

    @Test func heartbeatFindsBlackholeAndRecovery() async throws {
        let setup = try await MQTTFaultTests.Setup.make()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alertbox-mqtt-\(UUID().uuidString.prefix(8)).sqlite").path
        let database = Database(path: path, logger: MQTTFixture.logger("db"))
        try await database.open(migrations: Schema.migrations)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let scheduler = AlertScheduler(database: database, clock: SystemClock(), logger: MQTTFixture.logger("scheduler"))
        let settings = UplinkMonitor.Settings(tracker: .init(failuresToDown: 2, successesToUp: 2, holdDown: .seconds(1)))
        let monitor = UplinkMonitor(settings: settings, scheduler: scheduler, clock: SystemClock(), logger: MQTTFixture.logger("monitor"))
        await monitor.addMQTT(name: "broker", connection: setup.box, targetIDs: [1])
        await monitor.start()

        setup.proxy.setMode(.blackhole)
        #expect(await Self.eventually(timeout: .seconds(30)) { await scheduler.uplinkHealth == .down })
        setup.proxy.setMode(.pass)
        #expect(await Self.eventually(timeout: .seconds(30)) { await scheduler.uplinkHealth == .up })

        await monitor.stop()
        await setup.tearDown()
        await database.close()
    }

    @Test func refusedBrokerIsDown() async throws {
        let setup = try await MQTTFaultTests.Setup.make()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alertbox-mqtt-\(UUID().uuidString.prefix(8)).sqlite").path
        let database = Database(path: path, logger: MQTTFixture.logger("db"))
        try await database.open(migrations: Schema.migrations)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let scheduler = AlertScheduler(database: database, clock: SystemClock(), logger: MQTTFixture.logger("scheduler"))
        let monitor = UplinkMonitor(scheduler: scheduler, clock: SystemClock(), logger: MQTTFixture.logger("monitor"))
        await monitor.addMQTT(name: "broker", connection: setup.box, targetIDs: [1])
        await monitor.start()

        setup.proxy.setMode(.refuse)
        #expect(await Self.eventually(timeout: .seconds(30)) { await scheduler.uplinkHealth == .down })
        #expect(await monitor.health["broker"] == .down)

        await monitor.stop()
        await setup.tearDown()
        await database.close()
    }
}

/// Events kept while the uplink was down go out over MQTT once it is up.
@Suite(.serialized) struct MQTTUpstreamTests {
    @Test func outboxGoesToEventsTopicInOrder() async throws {
        let broker = try await MosquittoBroker.start()
        let settings = try MQTTFixture.settings(broker: broker)
        let box = try MQTTConnection(settings: settings, logger: MQTTFixture.logger("box"))
        let events = Recorder(box.events)
        await box.start()
        _ = await events.first { $0.isConnected }
        let (observer, received) = try await MQTTFixture.observer(broker: broker)

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alertbox-upstream-\(UUID().uuidString.prefix(8)).sqlite").path
        let database = Database(path: path, logger: MQTTFixture.logger("db"))
        try await database.open(migrations: Schema.migrations)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await database.transaction("events") { connection in
            for index in 1...3 {
                try SyncOutbox.append(kind: "sms.sent", key: "event-\(index)", payload: "{\"key\":\"event-\(index)\"}", at: Int64(index), in: connection)
            }
        }
        let scheduler = AlertScheduler(database: database, clock: SystemClock(), logger: MQTTFixture.logger("scheduler"))
        let upstream = MQTTUpstream(connection: box)
        let worker = SyncWorker(database: database, upstream: upstream, scheduler: scheduler, clock: SystemClock(), logger: MQTTFixture.logger("sync"))

        #expect(await worker.runOnce() == .sent(3))
        #expect(await worker.runOnce() == .empty)
        #expect(await received.waitForCount(3) { $0.topic == upstream.topic })
        let payloads = received.elements.filter { $0.topic == upstream.topic }.map(MQTTFixture.text)
        #expect(payloads == ["{\"key\":\"event-1\"}", "{\"key\":\"event-2\"}", "{\"key\":\"event-3\"}"])
        let backlog = try await database.read { try SyncOutbox.backlog(in: $0) }
        #expect(backlog == 0)

        await box.stop()
        await observer.stop()
        await database.close()
        broker.stop()
    }
}
