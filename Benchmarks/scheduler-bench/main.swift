// Measures the scheduler against its aims: planning a 100,000-recipient alert under 1 s, and
// choosing the next send with 1,000,000 pending deliveries under 100 µs. Prints figures and
// the ratio to each aim; `make bench` runs it on a release build.

import Alerting
import Core
import Foundation
import Scheduler
import Storage

let path = CommandLine.arguments.count > 1 ? CommandLine.arguments[1] : NSTemporaryDirectory() + "alertbox-scheduler-bench.sqlite"
let clock = ContinuousClock()
let logger = Logger(label: "bench", level: .error)

func ratio(_ measured: Duration, aim: Duration) -> String {
    let value = Double(measured.components.seconds) + Double(measured.components.attoseconds) / 1e18
    let target = Double(aim.components.seconds) + Double(aim.components.attoseconds) / 1e18
    return String(format: "%.3f of the aim", value / target)
}

/// Writes one group of `count` contacts with one phone each.
func seed(_ database: Database, count: Int) async throws {
    try await database.transaction("seed") { connection in
        try connection.query("INSERT INTO groups (name, created_at) VALUES ('全员', 0)", operation: "seed")
        try connection.query(
            """
            WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
            INSERT INTO contacts (id, name, role_rank, created_at, updated_at) SELECT i + 1, 'c' || i, i % 7, 0, 0 FROM n
            """, [.integer(Int64(count))], operation: "seed contacts")
        try connection.query(
            "INSERT INTO contact_phones (contact_id, e164) SELECT id, '+86138' || (10000000 + id) FROM contacts", operation: "seed phones")
        try connection.query("INSERT INTO group_members (group_id, contact_id, position) SELECT 1, id, id FROM contacts", operation: "seed members")
    }
}

func planningBenchmark() async throws {
    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    let database = Database(path: path, logger: logger)
    try await database.open(migrations: Schema.migrations)
    try await seed(database, count: 100_000)

    let scheduler = AlertScheduler(database: database, clock: SystemClock(), logger: logger)
    await scheduler.setUplink(.down)
    let alert = Alert(
        identifier: "bench-1", sender: "bench", sentAt: 0, priority: .lifeSafety, source: .console, audience: ["全员"],
        texts: [AlertText(language: .chinese, smsText: "3号楼火警，请立即疏散", imText: "3号楼火警，请立即疏散")])
    var result: SubmitResult?
    let elapsed = try await clock.measure {
        result = try await scheduler.submit(alert)
    }
    print("submit a 100,000-recipient alert (resolve, plan, write, queue; \(result?.smsDeliveries ?? 0) SMS): \(elapsed), \(ratio(elapsed, aim: .seconds(1)))")

    let recipients = (0..<100_000).map {
        PlanRecipient(contactID: Int64($0), name: "n\($0)", phones: ["+86138" + String(10_000_000 + $0)], roleRank: $0 % 7)
    }
    var planned = 0
    let pure = clock.measure {
        planned = Planner.plan(priority: .lifeSafety, recipients: recipients, targets: [], uplink: .up, localMinute: 0).count
    }
    print("plan 100,000 recipients in memory (\(planned) deliveries): \(pure), \(ratio(pure, aim: .seconds(1)))")
    await database.close()
    if ProcessInfo.processInfo.environment["KEEP_DB"] == nil {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

func choiceBenchmark() {
    var core = DispatchCore(smsLimits: SMSBudget.Limits(perMinute: .max / 2, perHour: .max / 2, perDay: .max / 2), imRates: [:])
    let now = SchedulerTime(wallMillis: 1_000_000, monotonic: MonotonicInstant(nanoseconds: 0))
    // 1,000,000 pending over 50 alerts and four priorities, a tenth of them waiting out a back-off.
    for index in 0..<1_000_000 {
        let waiting = index % 10 == 0
        core.enqueue(
            QueuedDelivery(
                id: Int64(index), alertID: Int64(index % 50), priority: index % 4, lane: .sms, recipient: "+8613800000000",
                notBefore: waiting ? now.wallMillis + Int64(index) : 0), at: now)
    }
    var samples: [Duration] = []
    samples.reserveCapacity(10_000)
    var sent = 0
    for round in 0..<10_000 {
        let at = SchedulerTime(wallMillis: now.wallMillis + Int64(round) * 10, monotonic: now.monotonic.advanced(by: .milliseconds(round * 10)))
        let elapsed = clock.measure {
            if case .send = core.next(.sms, sim: "sim0", at: at) { sent += 1 }
        }
        core.recordSMS(parts: 1, sim: "sim0", at: at)
        samples.append(elapsed)
    }
    samples.sort()
    let median = samples[samples.count / 2]
    let p99 = samples[samples.count * 99 / 100]
    print("choose the next send with 1,000,000 pending (\(sent) chosen): median \(median), p99 \(p99), \(ratio(p99, aim: .microseconds(100))) at p99")
}

do {
    try await planningBenchmark()
    choiceBenchmark()
} catch {
    FileHandle.standardError.write(Data("scheduler-bench: \(error)\n".utf8))
    exit(1)
}
