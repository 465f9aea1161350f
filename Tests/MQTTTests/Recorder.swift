import Core
import TestSupport

/// Collects the elements of a stream with the instants they arrived, so that a test can wait
/// for one element without consuming the stream or cancelling it.
final class Recorder<Element: Sendable>: Sendable {
    private let storage = Locked<[(element: Element, at: ContinuousClock.Instant)]>([])

    init(_ stream: AsyncStream<Element>) {
        Task {
            for await element in stream {
                self.append(element)
            }
        }
    }

    private func append(_ element: Element) {
        storage.withLock { $0.append((element, ContinuousClock.now)) }
    }

    var elements: [Element] {
        storage.withLock { $0.map(\.element) }
    }

    /// Waits until an element recorded at or after `since` matches, checking every 20 ms, and
    /// returns it with its arrival instant; nil after `timeout`. The timeout only stops a
    /// hung test: no test asserts on how long the wait took.
    func first(
        since: ContinuousClock.Instant? = nil, timeout: Duration = .seconds(20), where predicate: (Element) -> Bool
    ) async -> (element: Element, at: ContinuousClock.Instant)? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let match = storage.withLock { entries in
                entries.first { entry in (since.map { entry.at >= $0 } ?? true) && predicate(entry.element) }
            }
            if let match { return match }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    /// Waits until `count` elements match, checking every 20 ms; returns false after `timeout`.
    func waitForCount(_ count: Int, timeout: Duration = .seconds(20), where predicate: (Element) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if elements.filter(predicate).count >= count { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}
