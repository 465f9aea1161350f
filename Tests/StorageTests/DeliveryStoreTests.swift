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

    @Test func pendingInPlanOrder() async throws {
        let (database, path) = try await Self.seeded()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await database.transaction("send") { try DeliveryStore.markSending(2, attempt: 1, at: 10, in: $0) }
        let all = try await database.read { try DeliveryStore.pending(in: $0) }
        #expect(all.map(\.id) == [1, 3, 4, 5, 6, 7, 8, 9, 10])
        let second = try await database.read { try DeliveryStore.pending(alertIDs: [2], in: $0) }
        #expect(second.map(\.id) == [6, 7, 8, 9, 10])
        await database.close()
    }

    @Test func insertReturningMatchesStoredRows() async throws {
        let (database, path) = try await Self.seeded()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let planned = (0..<2500).map { (index: Int) -> NewDelivery in
            let language = index % 2 == 0 ? "zh" : "en"
            return NewDelivery(channel: "sms", recipient: "+86139" + String(10_000_000 + index), notBefore: Int64(index), language: language)
        }
        let returned = try await database.transaction("insert") { try DeliveryStore.insertReturning(planned, alertID: 1, priority: 2, at: 5, in: $0) }
        let stored = try await database.read { try DeliveryStore.pending(alertIDs: [1], in: $0) }.filter { $0.id > 10 }
        #expect(returned == stored)
        #expect(returned.count == 2500)
        await database.close()
    }

    /// Plans of every size reuse the same few insert statements, so a long-running box does not
    /// prepare a statement per alert.
    @Test func plansOfEverySizeShareFourInsertStatements() async throws {
        let (database, path) = try await Self.seeded()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let before = try await database.read { $0.base.cachedStatementCount }
        for size in [1, 7, 10, 99, 100, 537, 1000, 1234, 2001] {
            let planned = (0..<size).map { NewDelivery(channel: "sms", recipient: "+86137" + String(10_000_000 + $0)) }
            let returned = try await database.transaction("insert") { connection in
                try connection.query(
                    "INSERT INTO alerts (identifier, sender, sent_at, status, message_type, priority, source, created_at) VALUES (?, 'box', 0, 'Actual', 'Alert', 1, 'test', 0)",
                    [.text("plan-\(size)")], operation: "seed")
                return try DeliveryStore.insertReturning(planned, alertID: connection.lastInsertRowID, priority: 1, at: 9, in: connection)
            }
            #expect(returned.map(\.recipient) == planned.map(\.recipient))
        }
        let after = try await database.read { $0.base.cachedStatementCount }
        // Four insert sizes, the alert insert and the maximum-id query.
        #expect(after - before <= 6)
        await database.close()
    }

    @Test func closePendingLeavesOthers() async throws {
        let (database, path) = try await Self.seeded()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await database.transaction("send") { try DeliveryStore.markSending(1, attempt: 1, at: 10, in: $0) }
        let closed = try await database.transaction("cancel") {
            try DeliveryStore.closePending(alertID: 1, state: "cancelled", cause: "Cancel x", at: 20, in: $0)
        }
        #expect(closed == 4)
        let counts = try await database.read { try DeliveryStore.countsByState(alertID: 1, in: $0) }
        #expect(counts == ["cancelled": 4, "sending": 1])
        await database.close()
    }

    @Test func closedRowIsNotMarkedSending() async throws {
        let (database, path) = try await Self.seeded()
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await database.transaction("expire") {
            try DeliveryStore.closePending(alertID: 1, state: "expired", cause: "alert expired", at: 20, in: $0)
        }
        let marked = try await database.transaction("send") { try DeliveryStore.markSending(1, attempt: 1, at: 30, in: $0) }
        #expect(!marked)
        let state = try await database.read { try $0.query("SELECT state FROM deliveries WHERE id = 1", operation: "test").first?["state"].string }
        #expect(state == "expired")
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

    @Test func replyMatchUsesRecipientIndex() async throws {
        let (database, path) = try await Self.seeded()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let plan = try await database.read {
            try $0.query(
                """
                EXPLAIN QUERY PLAN SELECT alert_id FROM deliveries
                WHERE recipient_e164 = '+8613800000010' AND sent_at > 0 ORDER BY sent_at DESC, id DESC LIMIT 1
                """, operation: "plan"
            ).map { $0["detail"].string ?? "" }.joined(separator: "; ")
        }
        #expect(plan.contains("deliveries_by_recipient"))
        await database.close()
    }
}
