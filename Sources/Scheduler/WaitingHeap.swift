/// Deliveries waiting for an instant (a retry back-off, the end of quiet hours), earliest first.
///
/// A binary min-heap: adding and taking cost O(log n), so a million waiting rows cost no
/// more to serve than a few.
struct WaitingHeap: Sendable {
    private var items: [QueuedDelivery] = []

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }

    /// The earliest `notBefore`, if any delivery waits.
    var earliest: Int64? { items.first?.notBefore }

    private static func precedes(_ a: QueuedDelivery, _ b: QueuedDelivery) -> Bool {
        (a.notBefore, a.id) < (b.notBefore, b.id)
    }

    mutating func push(_ item: QueuedDelivery) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.precedes(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    /// Takes the earliest delivery if it is due at `wallMillis`.
    mutating func popDue(at wallMillis: Int64) -> QueuedDelivery? {
        guard let first = items.first, first.notBefore <= wallMillis else { return nil }
        let last = items.removeLast()
        guard !items.isEmpty else { return first }
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count, Self.precedes(items[left], items[smallest]) { smallest = left }
            if right < items.count, Self.precedes(items[right], items[smallest]) { smallest = right }
            guard smallest != parent else { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return first
    }

    /// Removes every delivery that matches, and returns them.
    mutating func removeAll(where matches: (QueuedDelivery) -> Bool) -> [QueuedDelivery] {
        let removed = items.filter(matches)
        guard !removed.isEmpty else { return [] }
        let kept = items.filter { !matches($0) }
        items = []
        for item in kept { push(item) }
        return removed
    }
}
