// Measures how fast the box notices a broken uplink. The cases are a blackholed and a refused
// MQTT broker (through a TCP proxy in front of a real mosquitto on 127.0.0.1) and a refused
// HTTP endpoint, each judged by the UplinkMonitor with its default settings. The aims are down
// within 5 s of a blackhole and within 1 s of refused connections. `make bench` runs it.

import Core
import Foundation
import NetFaults
import Scheduler
import Storage
import TestSupport
import Uplink

let logger = Logger(label: "bench", level: .error)

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func report(_ what: String, _ elapsed: Duration?, aim: Duration) {
    guard let elapsed else {
        print("\(what): not detected within 60 s")
        return
    }
    print(String(format: "%@: %.2f s, %.2f of the %.0f s aim", what, seconds(elapsed), seconds(elapsed) / seconds(aim), seconds(aim)))
}

/// Waits until the scheduler's uplink health is `health`; returns the time it took.
func timeUntil(_ health: UplinkHealth, _ scheduler: AlertScheduler, from start: ContinuousClock.Instant) async -> Duration? {
    while ContinuousClock.now - start < .seconds(60) {
        if await scheduler.uplinkHealth == health { return ContinuousClock.now - start }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return nil
}

func scheduler() async throws -> (AlertScheduler, Database, String) {
    let path = NSTemporaryDirectory() + "alertbox-uplink-bench-\(UUID().uuidString.prefix(8)).sqlite"
    let database = Database(path: path, logger: logger)
    try await database.open(migrations: Schema.migrations)
    return (AlertScheduler(database: database, clock: SystemClock(), logger: logger), database, path)
}

func mqttBenchmark() async throws {
    let broker = try await MosquittoBroker.start()
    defer { broker.stop() }
    for fault in [TCPProxy.Mode.blackhole, .refuse] {
        let proxy = try TCPProxy(targetPort: broker.port)
        let settings = MQTTSettings(
            host: "127.0.0.1", port: Int(proxy.listenPort), clientID: "bench-\(UUID().uuidString.prefix(8))", boxID: "bench",
            topicPrefix: "bench", credentials: MQTTSettings.Credentials(username: MosquittoBroker.username, password: MosquittoBroker.password),
            tls: nil, reconnectDelay: .milliseconds(200), maxReconnectDelay: .seconds(1))
        let connection = try MQTTConnection(settings: settings, logger: logger)
        await connection.start()
        let (scheduler, database, path) = try await scheduler()
        let monitor = UplinkMonitor(scheduler: scheduler, clock: SystemClock(), logger: logger)
        await monitor.addMQTT(name: "broker", connection: connection, targetIDs: [1])
        await monitor.start()
        // Let the connection settle and a few heartbeats succeed.
        try await Task.sleep(for: .seconds(3))

        let start = ContinuousClock.now
        proxy.setMode(fault)
        let down = await timeUntil(.down, scheduler, from: start)
        report("MQTT broker \(fault == .blackhole ? "blackholed" : "refusing"): uplink down after", down, aim: fault == .blackhole ? .seconds(5) : .seconds(1))

        let restored = ContinuousClock.now
        proxy.setMode(.pass)
        let up = await timeUntil(.up, scheduler, from: restored)
        print(up.map { String(format: "MQTT broker restored: uplink up after %.2f s (the hold-down is 10 s)", seconds($0)) } ?? "MQTT broker restored: not up within 60 s")

        await monitor.stop()
        await connection.stop()
        proxy.stop()
        await database.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}

func httpBenchmark() async throws {
    // A listener the probe connects to, closed to make the endpoint refuse.
    let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) == 0 && getsockname(listener, $0, &length) == 0 }
    }
    listen(listener, 1024)
    let port = UInt16(bigEndian: address.sin_port)

    let (scheduler, database, path) = try await scheduler()
    let monitor = UplinkMonitor(scheduler: scheduler, clock: SystemClock(), logger: logger)
    await monitor.add(.init(name: "wecom", address: "127.0.0.1", port: port, targetIDs: [1]))
    await monitor.start()
    try await Task.sleep(for: .seconds(2))

    let start = ContinuousClock.now
    close(listener)
    report("HTTP endpoint refusing: uplink down after", await timeUntil(.down, scheduler, from: start), aim: .seconds(1))
    await monitor.stop()
    await database.close()
    try? FileManager.default.removeItem(atPath: path)
}

do {
    try await mqttBenchmark()
    try await httpBenchmark()
} catch {
    FileHandle.standardError.write(Data("uplink-bench: \(error)\n".utf8))
    exit(1)
}
