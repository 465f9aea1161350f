public import Core

/// Events due at instants, released in time order and, for equal instants, in the order they
/// were scheduled.
public struct TimerQueue<Event: Sendable>: Sendable {
    private struct Entry: Sendable {
        let due: MonotonicInstant
        let sequence: UInt64
        let event: Event
    }

    private var entries: [Entry] = []
    private var counter: UInt64 = 0

    public init() {}

    public var isEmpty: Bool {
        entries.isEmpty
    }

    public var count: Int {
        entries.count
    }

    /// The instant of the earliest event.
    public var nextDue: MonotonicInstant? {
        entries.first?.due
    }

    public mutating func schedule(_ event: Event, at due: MonotonicInstant) {
        counter += 1
        let entry = Entry(due: due, sequence: counter, event: event)
        // Binary search keeps the queue sorted; equal instants keep their scheduling order.
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            if entries[middle].due <= due {
                low = middle + 1
            } else {
                high = middle
            }
        }
        entries.insert(entry, at: low)
    }

    /// Removes and returns every event due at or before `now`.
    public mutating func popDue(at now: MonotonicInstant) -> [Event] {
        let count = entries.prefix { $0.due <= now }.count
        let due = entries.prefix(count).map(\.event)
        entries.removeFirst(count)
        return due
    }

    /// Removes the events for which `predicate` is true.
    public mutating func removeAll(where predicate: (Event) -> Bool) {
        entries.removeAll { predicate($0.event) }
    }
}
