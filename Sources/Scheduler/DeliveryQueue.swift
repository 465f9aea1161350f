/// The order in which one channel's deliveries go: highest priority first, and round-robin
/// between the alerts of one priority, so a big alert cannot starve another.
///
/// The caller takes one delivery at a time, so a P0 that arrives during a long P2 run goes
/// next: preemption happens between sends. Taking the next delivery costs O(1) amortized,
/// whatever the number pending.
public struct DeliveryQueue<Item: Sendable>: Sendable {
    private struct Lane: Sendable {
        let alertID: Int64
        var items: [Item]
        var head = 0

        var isEmpty: Bool { head >= items.count }

        mutating func pop() -> Item? {
            guard head < items.count else { return nil }
            let item = items[head]
            head += 1
            // Drop the consumed prefix now and then, so memory follows the pending count.
            if head > 1024, head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            return item
        }
    }

    /// Lanes per priority (index 0 is P0), each in round-robin order.
    private var lanes: [[Lane]] = Array(repeating: [], count: 4)
    private var cursors = [0, 0, 0, 0]
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool {
        count == 0
    }

    /// Queues a delivery of `alertID` at `priority` (0 to 3).
    public mutating func push(_ item: Item, alertID: Int64, priority: Int) {
        precondition((0...3).contains(priority), "priorities are 0 to 3")
        if let index = lanes[priority].firstIndex(where: { $0.alertID == alertID }) {
            lanes[priority][index].items.append(item)
        } else {
            lanes[priority].append(Lane(alertID: alertID, items: [item]))
        }
        count += 1
    }

    /// Returns the delivery `next()` would take, without taking it.
    public func peek() -> (item: Item, alertID: Int64, priority: Int)? {
        for priority in 0..<4 where !lanes[priority].isEmpty {
            let lane = lanes[priority][cursors[priority] % lanes[priority].count]
            return (lane.items[lane.head], lane.alertID, priority)
        }
        return nil
    }

    /// Takes the next delivery: the highest priority, then the next alert in turn.
    public mutating func next() -> (item: Item, alertID: Int64, priority: Int)? {
        for priority in 0..<4 where !lanes[priority].isEmpty {
            var cursor = cursors[priority] % lanes[priority].count
            let lane = cursor
            // The lane at the cursor is never empty: empty lanes are removed below.
            let item = lanes[priority][lane].pop()!
            let alertID = lanes[priority][lane].alertID
            if lanes[priority][lane].isEmpty {
                lanes[priority].remove(at: lane)
            } else {
                cursor += 1
            }
            cursors[priority] = lanes[priority].isEmpty ? 0 : cursor % lanes[priority].count
            count -= 1
            return (item, alertID, priority)
        }
        return nil
    }

    /// Removes and returns every pending delivery of an alert, as a cancel or an update does.
    public mutating func removeAlert(_ alertID: Int64) -> [Item] {
        var removed: [Item] = []
        for priority in 0..<4 {
            guard let index = lanes[priority].firstIndex(where: { $0.alertID == alertID }) else { continue }
            let lane = lanes[priority].remove(at: index)
            removed += lane.items[lane.head...]
            if index < cursors[priority] {
                cursors[priority] -= 1
            }
            cursors[priority] = lanes[priority].isEmpty ? 0 : cursors[priority] % lanes[priority].count
        }
        count -= removed.count
        return removed
    }
}
