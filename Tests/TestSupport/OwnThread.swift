import Foundation

/// Runs `body` on a thread of its own and returns its result, so that a blocking wait (a
/// child process's exit, a pipe's end) holds no thread of the concurrency pool. On a 2-core
/// machine the pool has two threads, and one blocked for long stalls half the test run.
public func onOwnThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}
