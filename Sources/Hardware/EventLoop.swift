import Glibc
import Core

/// A thread that waits in `poll(2)` on file descriptors and timers, and runs actor jobs.
///
/// An actor whose `unownedExecutor` is this loop runs only on the loop's thread, so its
/// blocking resource (a serial port, a socket) is read and written there without ever
/// occupying Swift's shared concurrency pool. Descriptor callbacks and timers run on the
/// same thread, between jobs, where the actor may use `assumeIsolated`.
/// `poll(2)`, `pipe2(2)`.
public final class EventLoop: SerialExecutor, @unchecked Sendable {
    // @unchecked Sendable: `pending` is guarded by its lock; `watchers`, `timers` and
    // `nextTimerID` are touched only on the loop thread, which `isOnLoop` checks.

    private struct Watcher {
        let descriptor: Int32
        let callback: () -> Void
    }

    private struct Timer {
        let id: UInt64
        let deadline: Int64
        let callback: () -> Void
    }

    private let pending = Locked<(jobs: [UnownedJob], stopped: Bool)>(([], false))
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private var watchers: [Int32: Watcher] = [:]
    private var timers: [Timer] = []
    private var nextTimerID: UInt64 = 0
    private let threadID = Locked<pthread_t?>(nil)
    public let name: String

    /// Starts the loop's thread.
    public init(name: String) {
        self.name = name
        var ends: [Int32] = [0, 0]
        // The loop cannot work without its wake-up pipe.
        precondition(pipe(&ends) == 0, "pipe(2) failed for the event loop")
        wakeRead = ends[0]
        wakeWrite = ends[1]
        for descriptor in ends {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        let unmanaged = Unmanaged.passRetained(self)
        var handle = pthread_t()
        let status = pthread_create(&handle, nil, { argument in
            // The argument is the retained loop passed just above.
            let loop = Unmanaged<EventLoop>.fromOpaque(argument!).takeRetainedValue()
            loop.run()
            return nil
        }, unmanaged.toOpaque())
        precondition(status == 0, "pthread_create failed for the event loop")
        // Nobody joins the thread: detached, it gives its stack back when the loop ends.
        pthread_detach(handle)
    }

    // MARK: SerialExecutor

    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        pending.withLock { $0.jobs.append(unowned) }
        wake()
    }

    public func asUnownedSerialExecutor() -> UnownedSerialExecutor {
        UnownedSerialExecutor(ordinary: self)
    }

    public func checkIsolated() {
        precondition(isOnLoop, "\(name): not on the event loop thread")
    }

    /// Whether the caller runs on the loop's thread.
    public var isOnLoop: Bool {
        threadID.withLock { id in id.map { pthread_equal($0, pthread_self()) != 0 } ?? false }
    }

    // MARK: Loop-thread API

    /// Calls `callback` on the loop thread whenever `descriptor` is readable or hung up.
    /// Call only on the loop thread.
    public func watch(_ descriptor: FileDescriptor, _ callback: @escaping () -> Void) {
        checkIsolated()
        watchers[descriptor.rawValue] = Watcher(descriptor: descriptor.rawValue, callback: callback)
    }

    /// Stops watching a descriptor. Call only on the loop thread.
    public func unwatch(_ descriptor: FileDescriptor) {
        checkIsolated()
        watchers[descriptor.rawValue] = nil
    }

    /// Calls `callback` on the loop thread at the monotonic instant `deadline` (nanoseconds of
    /// `CLOCK_MONOTONIC`); returns an id for `cancelTimer`. Call only on the loop thread.
    @discardableResult
    public func schedule(atNanoseconds deadline: Int64, _ callback: @escaping () -> Void) -> UInt64 {
        checkIsolated()
        nextTimerID += 1
        timers.append(Timer(id: nextTimerID, deadline: deadline, callback: callback))
        return nextTimerID
    }

    /// Cancels a timer that has not fired. Call only on the loop thread.
    public func cancelTimer(_ id: UInt64) {
        checkIsolated()
        timers.removeAll { $0.id == id }
    }

    /// Ends the loop after the jobs already queued.
    public func shutdown() {
        pending.withLock { $0.stopped = true }
        wake()
    }

    // MARK: Loop

    private func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)
    }

    private static func monotonicNanoseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec)
    }

    private func run() {
        threadID.withLock { $0 = pthread_self() }
        while true {
            let (jobs, stopped) = pending.withLock { state -> ([UnownedJob], Bool) in
                let jobs = state.jobs
                state.jobs = []
                return (jobs, state.stopped)
            }
            for job in jobs {
                job.runSynchronously(on: asUnownedSerialExecutor())
            }
            if stopped, jobs.isEmpty { break }
            if !jobs.isEmpty { continue }

            var timeout: Int32 = -1
            if let next = timers.map(\.deadline).min() {
                let remaining = (next - Self.monotonicNanoseconds() + 999_999) / 1_000_000
                timeout = Int32(max(0, min(Int64(Int32.max), remaining)))
            }
            var entries = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            entries += watchers.keys.sorted().map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&entries, nfds_t(entries.count), timeout)
            if ready < 0 && errno != EINTR { continue }

            if entries[0].revents != 0 {
                var buffer = [UInt8](repeating: 0, count: 256)
                while Glibc.read(wakeRead, &buffer, buffer.count) > 0 {}
            }
            for entry in entries.dropFirst() where entry.revents != 0 {
                watchers[entry.fd]?.callback()
            }
            let now = Self.monotonicNanoseconds()
            let due = timers.filter { $0.deadline <= now }
            timers.removeAll { $0.deadline <= now }
            for timer in due.sorted(by: { $0.deadline < $1.deadline }) {
                timer.callback()
            }
        }
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
    }
}
