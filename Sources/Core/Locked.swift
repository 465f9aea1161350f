import Glibc

/// A value behind a `pthread_mutex_t`, with the `withLock` of the standard library's `Mutex`.
///
/// The standard library's `Mutex` waits on a futex from code that ThreadSanitizer does not
/// see, so under `scripts/sanitize thread` every access it guards looks unsynchronized and
/// is reported as a race. A pthread mutex is intercepted by ThreadSanitizer, so the races it
/// reports here are real ones. The lock is not recursive; the body must not lock again.
/// `pthread_mutex_lock(3)`.
public final class Locked<Value>: @unchecked Sendable {
    // @unchecked Sendable: `value` is read and written only while `mutex` is held.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        // A default mutex: pthread_mutex_init fails only for bad attributes or no memory.
        precondition(pthread_mutex_init(mutex, nil) == 0, "pthread_mutex_init failed")
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `body` with the value while the lock is held.
    public func withLock<Result, Failure: Error>(_ body: (inout Value) throws(Failure) -> Result) throws(Failure) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
