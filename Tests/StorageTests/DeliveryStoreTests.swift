import Core
import Foundation
import Testing

@testable import Storage

@Suite struct DeliveryStoreTests {
    static func seeded() async throws -> (Database, String) {
        let path = DatabaseTests.temporaryPath()
        let database = Database(path: path, logger: DatabaseTests.logger)
        try await database.open(migrations: Schema.migrations)
        try await database.transaction("seed") { connection in
            for (index, priority) in [2, 0].enumerated() {
                try connection.query(
                    "INSERT INTO alerts (identifier, sender, sent_at, status, message_type, priority, source, created_at) VALUES (?, 'box', 0, 'Actual', 'Alert', ?, 'test', 0)",
                    [.text("a\(index)"), .integer(Int64(priority))], operation: "seed")
                let alertID = connection.lastInsertRowID
                let deliveries = (0..<5).map { NewDelivery(channel: "sms", recipient: "+86138000000\(10 + $0 + index * 5)") }
                try DeliveryStore.insert(deliveries, alertID: alertID, priority: priority, at: 0, in: connection)
            }
        }
        return (database, path)
    }

    @Test func nextByPriorityThenAge() async throws {
        let (database, path) = try await Self.seeded()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let next = try await database.read { try DeliveryStore.next(channel: "sms", limit: 7, at: 0, in: $0) }
        #expect(next.map(\.priority) == [0, 0, 0, 0, 0, 2, 2])
        #expect(next.first?.id == 6)
        await database.close()
    }

    @Test func notBeforeHoldsBack() async throws {
        let (database, path) = try await Self.seeded()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await database.transaction("retry") { try DeliveryStore.markOutcome(6, state: "pending", cause: "CMS 42", notBefore: 5000, at: 0, in: $0) }
        let early = try await database.read { try DeliveryStore.next(channel: "sms", limit: 1, at: 1000, in: $0) }
        #expect(early.first?.id == 7)
        // Once ready, the retried row queues behind the rows of its priority that were ready before it.
        let later = try await database.read { try DeliveryStore.next(channel: "sms", limit: 5, at: 5000, in: $0) }
        #expect(later.map(\.id) == [7, 8, 9, 10, 6])
        await database.close()
    }

    @Test func interruptedSendsBecomeUnknown() async throws {
        let (database, path) = try await Self.seeded()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await database.transaction("send") { try DeliveryStore.markSending(6, attempt: 1, at: 10, in: $0) }
        let interrupted = try await database.transaction("restart") { try DeliveryStore.markInterruptedUnknown(at: 20, in: $0) }
        #expect(interrupted.map(\.id) == [6])
        let counts = try await database.read { try DeliveryStore.countsByState(in: $0) }
        #expect(counts == ["pending": 9, "unknown": 1])
        await database.close()
    }

    @Test func budgetCountsWindows() async throws {
        let (database, path) = try await Self.seeded()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let now: Int64 = 100_000_000
        try await database.transaction("parts") { connection in
            let times: [Int64] = [now - 10_000, now - 50_000, now - 600_000, now - 7_200_000, now - 90_000_000]
            for (index, time) in times.enumerated() {
                try DeliveryStore.recordPart(deliveryID: Int64(index + 1), attempt: 1, part: 1, total: 1, sim: "sim0", reference: index, at: time, in: connection)
            }
        }
        let use = try await database.read { try DeliveryStore.budgetUse(sim: "sim0", at: now, in: $0) }
        #expect(use == SMSBudgetUse(lastMinute: 2, lastHour: 3, lastDay: 4))
        await database.close()
    }

    @Test func nextUsesIndex() async throws {
        let (database, path) = try await Self.seeded()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let plan = try await database.read {
            try $0.query(
                "EXPLAIN QUERY PLAN SELECT id FROM deliveries WHERE state = 'pending' AND channel = 'sms' AND not_before <= 0 ORDER BY priority, not_before, id LIMIT 100",
                operation: "plan"
            ).map { $0["detail"].string ?? "" }.joined(separator: "; ")
        }
        #expect(plan.contains("deliveries_next"))
        #expect(!plan.contains("TEMP B-TREE"))
        await database.close()
    }
}
