import Alerting
import Core
import Testing

@testable import Scheduler

@Suite struct SMSBudgetTests {
    static func at(_ seconds: Int64) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: seconds * 1_000_000_000)
    }

    @Test func perMinuteLimit() {
        var budget = SMSBudget(limits: .init(perMinute: 3, perHour: 100, perDay: 1000, reservePerHour: 0, reservePerDay: 0))
        budget.record(3, at: Self.at(0))
        #expect(!budget.allows(1, priority: 2, at: Self.at(30)))
        #expect(budget.allows(1, priority: 2, at: Self.at(61)))
        #expect(budget.nextAllowed(1, priority: 2, at: Self.at(30)) == Self.at(60))
    }

    @Test func reserveOnlyForLifeSafety() {
        var budget = SMSBudget(limits: .init(perMinute: 1000, perHour: 10, perDay: 1000, reservePerHour: 3, reservePerDay: 0))
        budget.record(7, at: Self.at(0))
        #expect(!budget.allows(1, priority: 1, at: Self.at(100)))
        #expect(budget.allows(3, priority: 0, at: Self.at(100)))
        #expect(!budget.allows(4, priority: 0, at: Self.at(100)))
    }

    @Test func hourRefills() {
        var budget = SMSBudget(limits: .init(perMinute: 1000, perHour: 5, perDay: 1000, reservePerHour: 0, reservePerDay: 0))
        budget.record(5, at: Self.at(0))
        #expect(!budget.allows(1, priority: 2, at: Self.at(3599)))
        #expect(budget.allows(1, priority: 2, at: Self.at(3601)))
        #expect(budget.nextAllowed(1, priority: 2, at: Self.at(100)) == Self.at(3600))
    }

    @Test func dayForgetsOldParts() {
        var budget = SMSBudget()
        budget.record(10, at: Self.at(0))
        budget.record(1, at: Self.at(90_000))
        #expect(budget.sent.count == 1)
    }
}

@Suite struct TokenBucketTests {
    @Test func twentyPerMinute() {
        let start = MonotonicInstant(nanoseconds: 0)
        var bucket = TokenBucket(count: 20, per: .seconds(60), at: start)
        for _ in 0..<20 {
            let taken = bucket.take(at: start)
            #expect(taken)
        }
        let overLimit = bucket.take(at: start)
        #expect(!overLimit)
        let available = bucket.nextAvailable(at: start)
        #expect(available == start.advanced(by: .seconds(3)))
        let refilled = bucket.take(at: start.advanced(by: .seconds(3)))
        #expect(refilled)
    }

    @Test func dingTalkBlock() {
        let start = MonotonicInstant(nanoseconds: 0)
        var bucket = TokenBucket(count: 20, per: .seconds(60), at: start)
        bucket.block(for: .seconds(600), at: start)
        let duringBlock = bucket.take(at: start.advanced(by: .seconds(599)))
        #expect(!duringBlock)
        let available = bucket.nextAvailable(at: start)
        #expect(available == start.advanced(by: .seconds(600)))
        let afterBlock = bucket.take(at: start.advanced(by: .seconds(601)))
        #expect(afterBlock)
    }
}

@Suite struct PlannerTests {
    static let recipients = [
        PlanRecipient(contactID: 3, name: "王五", phones: ["+8613800000003"], roleRank: 50, quietStartMinute: 22 * 60, quietEndMinute: 7 * 60),
        PlanRecipient(contactID: 1, name: "张三", phones: ["+8613800000001", "+8613900000001"], roleRank: 1),
        PlanRecipient(contactID: 1, name: "张三", phones: ["+8613800000001"], roleRank: 1),
        PlanRecipient(contactID: 2, name: "李四", phones: ["+8613800000002"], roleRank: 10),
        PlanRecipient(contactID: 4, name: "赵六", phones: ["+8613800000002"], roleRank: 60),
    ]
    static let targets = [PlanTarget(targetID: 7, channel: "wecom"), PlanTarget(targetID: 8, channel: "dingtalk"), PlanTarget(targetID: 7, channel: "wecom")]

    @Test func lifeSafetyGoesEverywhereOnceInRankOrder() {
        let plan = Planner.plan(priority: .lifeSafety, recipients: Self.recipients, targets: Self.targets, uplink: .up, localMinute: 23 * 60)
        #expect(plan.filter { $0.channel != "sms" }.map(\.targetID) == [7, 8])
        #expect(plan.filter { $0.channel == "sms" }.map(\.recipient) == ["+8613800000001", "+8613800000002", "+8613800000003"])
        #expect(plan.allSatisfy { $0.delayMinutes == 0 })
    }

    @Test func urgentUsesSMSOnlyWhileUplinkDown() {
        let up = Planner.plan(priority: .urgent, recipients: Self.recipients, targets: Self.targets, uplink: .up, localMinute: 600)
        #expect(up.allSatisfy { $0.channel != "sms" })
        let down = Planner.plan(priority: .urgent, recipients: Self.recipients, targets: Self.targets, uplink: .down, localMinute: 600)
        #expect(down.filter { $0.channel == "sms" }.count == 3)
    }

    @Test func reminderNeverUsesSMS() {
        let plan = Planner.plan(priority: .reminder, recipients: Self.recipients, targets: Self.targets, uplink: .down, localMinute: 600)
        #expect(plan.allSatisfy { $0.channel != "sms" })
    }

    @Test func quietHoursHoldBackBelowLifeSafety() {
        let plan = Planner.plan(priority: .routine, recipients: Self.recipients, targets: [], uplink: .down, localMinute: 23 * 60)
        let quiet = plan.first { $0.contactID == 3 }
        #expect(quiet?.delayMinutes == 8 * 60)
        #expect(plan.first { $0.contactID == 1 }?.delayMinutes == 0)
    }

    @Test func hundredThousandRecipientsPlanned() {
        let many = (0..<100_000).map { PlanRecipient(contactID: Int64($0), name: "n\($0)", phones: ["+86138\(10_000_000 + $0)"], roleRank: $0 % 7) }
        let plan = Planner.plan(priority: .lifeSafety, recipients: many, targets: [], uplink: .up, localMinute: 0)
        #expect(plan.count == 100_000)
        #expect(plan.first?.contactID == 0)
    }
}

@Suite struct DeliveryQueueTests {
    @Test func lifeSafetyPreemptsBulkRun() {
        var queue = DeliveryQueue<Int>()
        for index in 0..<500 {
            queue.push(index, alertID: 1, priority: 2)
        }
        for _ in 0..<3 {
            #expect(queue.next()?.priority == 2)
        }
        queue.push(9000, alertID: 2, priority: 0)
        let next = queue.next()
        #expect(next?.item == 9000)
        #expect(next?.priority == 0)
        #expect(queue.next()?.item == 3)
        #expect(queue.count == 496)
    }

    @Test func roundRobinBetweenAlertsOfOnePriority() {
        var queue = DeliveryQueue<String>()
        for index in 0..<100 {
            queue.push("a\(index)", alertID: 1, priority: 2)
        }
        for index in 0..<3 {
            queue.push("b\(index)", alertID: 2, priority: 2)
        }
        let order = (0..<8).compactMap { _ in queue.next()?.item }
        #expect(order == ["a0", "b0", "a1", "b1", "a2", "b2", "a3", "a4"])
    }

    @Test func cancelRemovesPending() {
        var queue = DeliveryQueue<Int>()
        for index in 0..<10 {
            queue.push(index, alertID: 1, priority: 1)
            queue.push(100 + index, alertID: 2, priority: 1)
        }
        _ = queue.next()
        let removed = queue.removeAlert(2)
        #expect(removed.count == 10)
        #expect(queue.count == 9)
        var rest: [Int] = []
        while let next = queue.next() {
            rest.append(next.item)
        }
        #expect(rest == Array(1..<10))
    }

    @Test func millionPendingDrainsInOrder() {
        var queue = DeliveryQueue<Int32>()
        for index in 0..<1_000_000 {
            queue.push(Int32(index), alertID: Int64(index % 10), priority: 2 + index % 2)
        }
        var previousPriority = 0
        var taken = 0
        while let next = queue.next() {
            #expect(next.priority >= previousPriority)
            previousPriority = next.priority
            taken += 1
            if taken > 1000 { break }
        }
        #expect(queue.count == 1_000_000 - taken)
    }
}
