// A worker for the storage crash-safety test and the storage benchmark.
//
//   storage-torture write DB   writes batches until killed; prints "committed N" after each
//   storage-torture bench DB   prints the storage and scheduler benchmark figures
import Core
import Foundation
import Storage

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    FileHandle.standardError.write(Data("usage: storage-torture write|bench DATABASE\n".utf8))
    exit(64)
}
let logger = Logger(label: "storage-torture", level: .error)
let database = Database(path: arguments[2], logger: logger)

/// Each batch writes one alert with 50 deliveries and marks the previous batch's deliveries
/// sent, so a half-applied transaction would show as a batch with too few rows or a mix of
/// states.
func writeBatches() async throws {
    try await database.open(migrations: Schema.migrations)
    var batch = try await database.read { connection in
        try connection.query("SELECT count(*) FROM alerts", operation: "count alerts").first?[0].int ?? 0
    }
    while true {
        batch += 1
        let number = batch
        try await database.transaction("torture batch") { connection in
            try connection.query(
                "INSERT INTO alerts (identifier, sender, sent_at, status, message_type, priority, source, created_at) VALUES (?, 'torture', 0, 'Exercise', 'Alert', 2, 'test', ?)",
                [.text("batch-\(number)"), .integer(Int64(number))], operation: "alerts.insert")
            let alertID = connection.lastInsertRowID
            let deliveries = (0..<50).map { NewDelivery(channel: "sms", recipient: String(format: "+86138%08d", number * 100 + $0)) }
            try DeliveryStore.insert(deliveries, alertID: alertID, priority: 2, at: Int64(number), in: connection)
            try connection.query(
                "UPDATE deliveries SET state = 'sent', attempt = 1 WHERE alert_id = (SELECT id FROM alerts WHERE identifier = ?)",
                [.text("batch-\(number - 1)")], operation: "deliveries.markPrevious")
        }
        // One unbuffered write per line, so the parent reads each commit before a kill.
        FileHandle.standardOutput.write(Data("committed \(number)\n".utf8))
    }
}

/// Measures the two storage figures the scheduler depends on: writing a large plan, and
/// reading every pending delivery back when it resumes after a restart.
func benchmark() async throws {
    try? FileManager.default.removeItem(atPath: arguments[2])
    try await database.open(migrations: Schema.migrations)
    let clock = ContinuousClock()

    // The recipients exist before the clock starts: the planner has them in memory.
    let planned = (0..<100_000).map { NewDelivery(channel: "sms", recipient: "+86138" + String(10_000_000 + $0)) }
    let insertTime = try await clock.measure {
        try await database.transaction("bench insert") { connection in
            try connection.query(
                "INSERT INTO alerts (identifier, sender, sent_at, status, message_type, priority, source, created_at) VALUES ('bench', 'bench', 0, 'Actual', 'Alert', 2, 'bench', 0)",
                operation: "alerts.insert")
            try DeliveryStore.insert(planned, alertID: connection.lastInsertRowID, priority: 2, at: 0, in: connection)
        }
    }
    print("insert 100,000 deliveries in one transaction: \(insertTime)")

    // Fill to 1,000,000 pending rows over mixed priorities.
    try await database.transaction("bench fill") { connection in
        for chunk in 0..<9 {
            let priority = chunk % 4
            let deliveries = (0..<100_000).map { NewDelivery(channel: "sms", recipient: "+86139" + String(10_000_000 + chunk * 100_000 + $0)) }
            try DeliveryStore.insert(deliveries, alertID: 1, priority: priority, at: 0, in: connection)
        }
    }
    var count = 0
    let resumeTime = try await clock.measure {
        count = try await database.read { try DeliveryStore.pending(in: $0) }.count
    }
    print("read \(count) pending deliveries, as a resume does: \(resumeTime)")
}

do {
    switch arguments[1] {
    case "write": try await writeBatches()
    case "bench": try await benchmark()
    default:
        FileHandle.standardError.write(Data("unknown mode \(arguments[1]); use write or bench\n".utf8))
        exit(64)
    }
} catch {
    FileHandle.standardError.write(Data("storage-torture: \(error)\n".utf8))
    exit(1)
}
