import Core
import Hardware
import Synchronization

/// Counts checks and prints one `PASS name` or `FAIL name: detail` line for each.
final class CheckRecorder: Sendable {
    private let counts = Mutex<(passed: Int, failed: Int)>((0, 0))

    var passed: Int { counts.withLock { $0.passed } }
    var failed: Int { counts.withLock { $0.failed } }

    /// Records one check; `detail` explains a failure.
    func check(_ name: String, _ condition: Bool, _ detail: @autoclosure () -> String = "") {
        if condition {
            counts.withLock { $0.passed += 1 }
            print("PASS \(name)")
        } else {
            counts.withLock { $0.failed += 1 }
            print("FAIL \(name): \(detail())")
        }
    }

    /// Records a failure for an error that ended a group of checks early.
    func fail(_ name: String, _ error: any Error) {
        check(name, false, "unexpected error: \(error)")
    }

    /// Runs `body` and checks that it throws a `GPIOError` that `matches` accepts.
    func expectError<Result>(
        _ name: String, _ matches: (GPIOError) -> Bool, _ body: () async throws -> Result
    ) async {
        do {
            let result = try await body()
            check(name, false, "expected an error, got \(result)")
        } catch let error as GPIOError {
            check(name, matches(error), "unexpected error: \(error)")
        } catch {
            check(name, false, "unexpected error: \(error)")
        }
    }
}

/// Collects the edges of a `LibgpiodLines` in the order the stream yields them.
actor EdgeCollector {
    private(set) var edges: [GPIOEdge] = []
    private(set) var finished = false

    /// Starts a task that reads the stream until it finishes.
    static func collecting(_ stream: AsyncStream<GPIOEdge>) -> EdgeCollector {
        let collector = EdgeCollector()
        Task {
            for await edge in stream {
                await collector.append(edge)
            }
            await collector.finish()
        }
        return collector
    }

    private func append(_ edge: GPIOEdge) {
        edges.append(edge)
    }

    private func finish() {
        finished = true
    }

    /// Waits until `condition` is true or `timeout` passes, and returns whether it became true.
    /// The condition receives the edges so far and whether the stream has finished.
    func wait(timeout: Duration, until condition: ([GPIOEdge], Bool) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while ContinuousClock.now < deadline {
            if condition(edges, finished) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition(edges, finished)
    }

    /// Returns the edges of one role, in the order they arrived.
    func edges(of role: String) -> [GPIOEdge] {
        edges.filter { $0.role == role }
    }
}
