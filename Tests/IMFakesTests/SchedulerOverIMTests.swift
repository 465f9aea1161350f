import Alerting
import Core
import Foundation
import Hardware
import Modem
import Scheduler
import Storage
import Testing

@testable import Uplink

/// The scheduler sending through real robot channels to the fake IM servers of `alertbox-sim`,
/// falling back to SMS through the real modem driver on the same simulator, and taking its
/// events upstream to the fake signed webhook.
@Suite(.serialized) struct SchedulerOverIMTests {
    static let logger = Logger(label: "test", level: ProcessInfo.processInfo.environment["TEST_LOG"] != nil ? .debug : .critical)
    static var robots: [[String: Any]] {
        [
        ["name": "ward", "api": "wecom", "key": "5b1c8e0a-4d2f-4a6b-9c3d-7e8f9a0b1c2d"],
        ["name": "campus", "api": "dingtalk", "access_token": "c0ffee", "secret": "SECb1e7c0de", "keywords": ["告警"]],
        ["name": "upstream", "api": "webhook", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
        ]
    }

    /// Everything one test needs: fakes and modem in one simulator, a database, a scheduler.
    struct Setup {
        let fakes: IMFakeSimulator
        let driver: ModemDriver
        let database: Database
        let path: String
        let scheduler: AlertScheduler
        let client: HTTPClient
        let clockTrust: ClockTrust

        /// - Parameter tls: serves the fakes over HTTPS, with a client that trusts their CA.
        static func make(tls: Bool = false) async throws -> Setup {
            let fakes = try await IMFakeSimulator.start(robots: robots, tls: tls)
            let driver = ModemDriver(
                settings: ModemSettings(
                    devicePath: fakes.simulator.portPath, stateDirectory: fakes.simulator.stateDirectory, openRetryInterval: .milliseconds(100),
                    startupTimeout: .seconds(10), signalPollFast: .milliseconds(500), signalPollSlow: .seconds(5),
                    registrationPoll: .seconds(5), registrationHoldDown: .milliseconds(300), storageSweep: .seconds(30),
                    reassemblyTimeout: .seconds(2), smsReadyTimeout: .seconds(10),
                    timeouts: ["quick": .seconds(2), "smsStorage": .seconds(3), "smsSend": .seconds(10)]),
                logger: logger)
            await driver.start()
            guard await driver.waitUntilReady(timeout: .seconds(45)) else { throw IMFakeTestError("the simulated modem did not get ready") }

            let path = FileManager.default.temporaryDirectory.appendingPathComponent("alertbox-im-\(UUID().uuidString.prefix(8)).sqlite").path
            let database = Database(path: path, logger: logger)
            try await database.open(migrations: Schema.migrations)
            let scheduler = AlertScheduler(database: database, clock: SystemClock(), logger: logger)
            await scheduler.addSMSChannel(ModemSMSChannel(name: "modem0", driver: driver))
            let client = try HTTPClient(
                settings: .init(connectTimeout: .seconds(2), totalTimeout: .seconds(3), caFile: tls ? try fakes.caFile() : nil), logger: logger)
            return Setup(
                fakes: fakes, driver: driver, database: database, path: path, scheduler: scheduler, client: client,
                clockTrust: ClockTrust(policy: .assumed, clock: SystemClock()))
        }

        /// Adds a ward group of `count` people served by an IM target; returns the target id.
        func addWard(channel: String, count: Int) async throws -> Int64 {
            try await database.transaction("ward") { connection in
                try connection.query("INSERT INTO groups (name, created_at) VALUES ('病区', 0)", operation: "test")
                let groupID = connection.lastInsertRowID
                for index in 0..<count {
                    try connection.query(
                        "INSERT INTO contacts (name, created_at, updated_at) VALUES (?, 0, 0)", [.text("护士\(index)")], operation: "test")
                    let contactID = connection.lastInsertRowID
                    try connection.query(
                        "INSERT INTO contact_phones (contact_id, e164) VALUES (?, ?)", [.integer(contactID), .text("+86138000300\(10 + index)")],
                        operation: "test")
                    try connection.query(
                        "INSERT INTO group_members (group_id, contact_id, position) VALUES (?, ?, ?)",
                        [.integer(groupID), .integer(contactID), .integer(Int64(index))], operation: "test")
                }
                try connection.query("INSERT INTO im_targets (name, channel) VALUES ('病区群', ?)", [.text(channel)], operation: "test")
                let targetID = connection.lastInsertRowID
                try connection.query(
                    "INSERT INTO im_target_groups (target_id, group_id) VALUES (?, ?)", [.integer(targetID), .integer(groupID)], operation: "test")
                return targetID
            }
        }

        func tearDown() async {
            await driver.stop()
            await client.close()
            await database.close()
            try? FileManager.default.removeItem(atPath: path)
        }
    }

    static func alert(_ identifier: String, priority: AlertPriority) -> Alert {
        let text = "告警：5号楼封锁，请留在室内"
        return Alert(
            identifier: identifier, sender: "box@campus", sentAt: 0, priority: priority, source: .console, audience: ["病区"],
            texts: [AlertText(language: .chinese, headline: "封锁", smsText: text, imText: text)])
    }

    /// Steps a lane until it has nothing to send now.
    static func drain(_ scheduler: AlertScheduler, _ lane: Lane) async -> Int {
        var sent = 0
        while case .sent = await scheduler.step(lane) {
            sent += 1
        }
        return sent
    }

    @Test func imDeliveryReachesTheRobot() async throws {
        let setup = try await Setup.make()
        let targetID = try await setup.addWard(channel: "wecom", count: 2)
        let channel = RobotChannel(
            name: "ward", robot: .weCom(try setup.fakes.weComRobot("ward")), client: setup.client, clock: SystemClock(),
            clockTrust: setup.clockTrust, logger: Self.logger)
        await setup.scheduler.addIMChannel(channel, targetID: targetID, kind: "wecom")

        try await setup.scheduler.submit(Self.alert("lockdown-1", priority: .urgent))
        #expect(await Self.drain(setup.scheduler, .im(targetID: targetID)) == 1)
        let received = try setup.fakes.received(robot: "ward")
        #expect(received.count == 1)
        #expect(received.first?["accepted"] as? Bool == true)
        #expect((received.first?["text"] as? String)?.contains("5号楼封锁") == true)
        // IM worked, so no SMS went.
        #expect(await setup.scheduler.step(.sms) == .idle)
        await setup.tearDown()
    }

    @Test func robotFailureFallsBackToHandsets() async throws {
        let setup = try await Setup.make()
        let targetID = try await setup.addWard(channel: "wecom", count: 2)
        let channel = RobotChannel(
            name: "ward", robot: .weCom(try setup.fakes.weComRobot("ward")), client: setup.client, clock: SystemClock(),
            clockTrust: setup.clockTrust, logger: Self.logger)
        await setup.scheduler.addIMChannel(channel, targetID: targetID, kind: "wecom")
        try setup.fakes.control(["op": "im_fault", "robot": "ward", "fault": "http_status", "status": 503, "count": 5])

        try await setup.scheduler.submit(Self.alert("lockdown-2", priority: .urgent))
        _ = await setup.scheduler.step(.im(targetID: targetID))
        #expect(await Self.drain(setup.scheduler, .sms) == 2)
        let handset = try await setup.fakes.simulator.waitForTexts(to: "+8613800030010", ["告警：5号楼封锁，请留在室内"])
        #expect(handset == ["告警：5号楼封锁，请留在室内"])
        await setup.tearDown()
    }

    @Test func brokenRobotKeyFallsBackOnce() async throws {
        let setup = try await Setup.make()
        let targetID = try await setup.addWard(channel: "wecom", count: 1)
        var robot = try setup.fakes.weComRobot("ward")
        robot.key = "00000000-0000-0000-0000-000000000000"
        let channel = RobotChannel(
            name: "ward", robot: .weCom(robot), client: setup.client, clock: SystemClock(), clockTrust: setup.clockTrust, logger: Self.logger)
        await setup.scheduler.addIMChannel(channel, targetID: targetID, kind: "wecom")

        try await setup.scheduler.submit(Self.alert("lockdown-3", priority: .urgent))
        try await setup.scheduler.submit(Self.alert("lockdown-4", priority: .urgent))
        _ = await setup.scheduler.step(.im(targetID: targetID))
        // The second delivery fails with the first, without another request to the robot.
        let requests = try setup.fakes.control(["op": "im_received", "api": "wecom", "since": 0])["requests"] as? [[String: Any]] ?? []
        #expect(requests.count == 1)
        #expect(requests.first?["code"] as? Int == 93000)
        #expect(await setup.scheduler.step(.im(targetID: targetID)) == .idle)
        #expect(await Self.drain(setup.scheduler, .sms) == 2)
        await setup.tearDown()
    }

    @Test func dingTalkKeywordAndSignatureAccepted() async throws {
        let setup = try await Setup.make()
        let targetID = try await setup.addWard(channel: "dingtalk", count: 1)
        let channel = RobotChannel(
            name: "campus", robot: .dingTalk(try setup.fakes.dingTalkRobot("campus", keywords: ["告警"])), client: setup.client,
            clock: SystemClock(), clockTrust: setup.clockTrust, logger: Self.logger)
        await setup.scheduler.addIMChannel(channel, targetID: targetID, kind: "dingtalk")

        try await setup.scheduler.submit(Self.alert("lockdown-5", priority: .routine))
        #expect(await Self.drain(setup.scheduler, .im(targetID: targetID)) == 1)
        #expect(try setup.fakes.received(robot: "campus").first?["accepted"] as? Bool == true)
        await setup.tearDown()
    }

    @Test func eventsGoUpstreamInOrderOnce() async throws {
        let setup = try await Setup.make()
        _ = try await setup.addWard(channel: "wecom", count: 2)
        await setup.scheduler.setUplink(.down)
        try await setup.scheduler.submit(Self.alert("lockdown-6", priority: .urgent))
        #expect(await Self.drain(setup.scheduler, .sms) == 2)

        let upstream = WebhookUpstream(
            name: "upstream", webhook: try setup.fakes.signedWebhook("upstream"), client: setup.client, clock: SystemClock(),
            clockTrust: setup.clockTrust)
        let worker = SyncWorker(database: setup.database, upstream: upstream, scheduler: setup.scheduler, clock: SystemClock(), logger: Self.logger)
        // Nothing goes while the uplink is down.
        #expect(await worker.runOnce() == .deferred)

        await setup.scheduler.setUplink(.up)
        try setup.fakes.control(["op": "im_fault", "robot": "upstream", "fault": "http_status", "status": 500, "count": 1])
        #expect(await worker.runOnce() == .failed)
        #expect(await worker.runOnce() == .sent(2))
        #expect(await worker.runOnce() == .empty)

        let received = try setup.fakes.received(robot: "upstream").filter { $0["accepted"] as? Bool == true }
        let keys = received.compactMap { ($0["headers"] as? [String: String])?["webhook-id"] }
        #expect(keys.count == 2)
        #expect(keys.first?.hasPrefix("delivery:") == true)
        await setup.tearDown()
    }

    @Test func upstreamWithRejectedCertificateKeepsEvents() async throws {
        let setup = try await Setup.make(tls: true)
        defer { Task { await setup.tearDown() } }
        _ = try await setup.addWard(channel: "wecom", count: 2)
        await setup.scheduler.setUplink(.down)
        try await setup.scheduler.submit(Self.alert("lockdown-7", priority: .urgent))
        #expect(await Self.drain(setup.scheduler, .sms) == 2)
        await setup.scheduler.setUplink(.up)

        // A box whose CA file did not sign the receiver's certificate, as with a wrong ca_file.
        // Long limits, so a slow handshake on a loaded machine still ends in the certificate check.
        let untrusting = try HTTPClient(settings: .init(connectTimeout: .seconds(20), totalTimeout: .seconds(30)), logger: Self.logger)
        defer { Task { await untrusting.close() } }
        let webhook = try setup.fakes.signedWebhook("upstream")
        #expect(webhook.url.hasPrefix("https://"))
        let rejected = WebhookUpstream(name: "upstream", webhook: webhook, client: untrusting, clock: SystemClock(), clockTrust: setup.clockTrust)
        let entry = try #require(try await setup.database.read { try SyncOutbox.unsynced(limit: 1, in: $0) }.first)
        let outcome = await rejected.publish(entry)
        guard case .notAcknowledged(let reason) = outcome else {
            Issue.record("an event went upstream over a certificate the box does not trust")
            return
        }
        #expect(reason.hasPrefix("the server's TLS certificate was rejected; check the CA file and the server name"), "\(reason)")
        #expect(!reason.contains(webhook.url), "the reason names no URL: \(reason)")
        let worker = SyncWorker(database: setup.database, upstream: rejected, scheduler: setup.scheduler, clock: SystemClock(), logger: Self.logger)
        #expect(await worker.runOnce() == .failed)
        #expect(try setup.fakes.received(robot: "upstream").isEmpty, "no request reached the receiver")

        // The events waited: once the box trusts the receiver, both go, in order.
        let trusted = WebhookUpstream(name: "upstream", webhook: webhook, client: setup.client, clock: SystemClock(), clockTrust: setup.clockTrust)
        let retry = SyncWorker(database: setup.database, upstream: trusted, scheduler: setup.scheduler, clock: SystemClock(), logger: Self.logger)
        #expect(await retry.runOnce() == .sent(2))
        let keys = try setup.fakes.received(robot: "upstream").compactMap { ($0["headers"] as? [String: String])?["webhook-id"] }
        #expect(keys.count == 2)
        #expect(keys.first == entry.key)
    }
}
