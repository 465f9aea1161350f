import Core
import Foundation
import Glibc
import Hardware
import Scheduler
import Storage
import Testing

@testable import Uplink

/// The monitor probing real sockets on 127.0.0.1 and telling a scheduler on a real database.
@Suite(.serialized) struct UplinkMonitorTests {
    static let logger = Logger(label: "test", level: .critical)

    static func scheduler() async throws -> (AlertScheduler, Database, String) {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alertbox-uplink-\(UUID().uuidString.prefix(8)).sqlite").path
        let database = Database(path: path, logger: logger)
        try await database.open(migrations: Schema.migrations)
        return (AlertScheduler(database: database, clock: SystemClock(), logger: logger), database, path)
    }

    /// Removes the database file with the `-wal` and `-shm` files beside it, then closes
    /// `database` in the background. Removing first means a test process that ends before
    /// the close leaves no file behind.
    static func discard(_ database: Database, at path: String) {
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
        Task { await database.close() }
    }

    /// Polls `condition` every 20 ms until it is true or `timeout` passes; the bound only
    /// catches a hang.
    static func eventually(timeout: Duration = .seconds(20), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }

    @Test func refusedEndpointGoesDownAndRecovers() async throws {
        let (scheduler, database, path) = try await Self.scheduler()
        defer { UplinkMonitorTests.discard(database, at: path) }
        let port = try UInt16(LoopbackServer.closedPort())
        let settings = UplinkMonitor.Settings(
            interval: .milliseconds(100), retryInterval: .milliseconds(50), probeTimeout: .milliseconds(500),
            tracker: .init(failuresToDown: 2, successesToUp: 2, holdDown: .milliseconds(300)))
        let monitor = UplinkMonitor(settings: settings, scheduler: scheduler, clock: SystemClock(), logger: Self.logger)
        await monitor.add(.init(name: "wecom", address: "127.0.0.1", port: port, targetIDs: [1]))
        await monitor.start()

        #expect(await Self.eventually { await scheduler.uplinkHealth == .down })

        // A listener on the same port brings it back after the hold-down.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var reuse: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = port.bigEndian
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        #expect(bound)
        listen(listener, 64)
        #expect(await Self.eventually { await scheduler.uplinkHealth == .up })
        #expect(await monitor.health["wecom"] == .up)
        await monitor.stop()
    }
}

/// Signing waits for a trusted clock, and the SMS path takes over meanwhile.
@Suite struct ClockTrustTests {
    @Test func clockBeforeBuildIsNeverTrusted() {
        let clock = ManualClock(wallStart: WallTime(secondsSinceEpoch: 0))
        #expect(!ClockTrust(policy: .assumed, clock: clock).isTrusted)
    }

    @Test func networkTimeTrustsSynchronizedPolicy() {
        let clock = ManualClock(wallStart: WallTime(secondsSinceEpoch: 1_796_349_600))
        let trust = ClockTrust(policy: .synchronized, clock: clock)
        trust.networkTimeReceived()
        #expect(trust.isTrusted)
    }

    @Test func untrustedClockRetriesNotBroken() throws {
        let clock = ManualClock(wallStart: WallTime(secondsSinceEpoch: 0))
        let robot = DingTalkRobot(accessToken: "token", secret: "SECsecret", baseURL: "http://127.0.0.1:9")
        let error = #expect(throws: UplinkError.self) {
            try robot.request(.text("告警"), time: clock.wallNow, clockTrusted: ClockTrust(policy: .assumed, clock: clock).isTrusted)
        }
        let outcome = error.map { ResponseClassifier().classify($0) }
        #expect(outcome == .retryLater(after: .seconds(60)))
    }

    @Test func signedEndpointDownWhileClockUntrusted() async throws {
        let (scheduler, database, path) = try await UplinkMonitorTests.scheduler()
        defer { UplinkMonitorTests.discard(database, at: path) }
        let untrusted = ClockTrust(policy: .assumed, clock: ManualClock(wallStart: WallTime(secondsSinceEpoch: 0)))
        let monitor = UplinkMonitor(
            settings: .init(interval: .milliseconds(50), retryInterval: .milliseconds(50)), scheduler: scheduler, clock: SystemClock(),
            clockTrust: untrusted, logger: UplinkMonitorTests.logger)
        await monitor.add(.init(name: "dingtalk", address: "127.0.0.1", port: 9, targetIDs: [1], requiresTrustedClock: true))
        await monitor.start()
        #expect(await UplinkMonitorTests.eventually { await scheduler.uplinkHealth == .down })
        await monitor.stop()
    }
}
