
/// A clock that moves only when a test advances it.
///
/// Sleepers wake, in deadline order, when `advance(by:)` or `advance(to:)` passes their
/// deadline, so a test of timeouts and rate windows runs in microseconds and never depends on
/// the machine's load. Wall time moves together with monotonic time unless set apart with
/// `setWallTime(_:)`, which models an NTP or network time jump.
public final class ManualClock: BoxClock {
    private struct Sleeper {
        let id: UInt64
        let deadline: MonotonicInstant
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = MonotonicInstant(nanoseconds: 0)
        var wallOffset: Int64
        var sleepers: [Sleeper] = []
        var nextID: UInt64 = 0
        var cancelled: Set<UInt64> = []
    }

    private let state: Locked<State>

    /// Creates a clock at monotonic zero whose wall time starts at `wallStart`.
    public init(wallStart: WallTime = WallTime(secondsSinceEpoch: 1_704_412_800)) {
        state = Locked(State(wallOffset: wallStart.nanosecondsSinceEpoch))
    }

    public var now: MonotonicInstant {
        state.withLock { $0.now }
    }

    public var wallNow: WallTime {
        state.withLock { WallTime(nanosecondsSinceEpoch: $0.now.nanoseconds + $0.wallOffset) }
    }

    public var minimumResolution: Duration {
        .nanoseconds(1)
    }

    /// The number of tasks sleeping on this clock, so tests can wait until a sleeper is parked.
    public var sleeperCount: Int {
        state.withLock { $0.sleepers.count }
    }

    /// Sets the wall time without moving monotonic time.
    public func setWallTime(_ time: WallTime) {
        state.withLock { $0.wallOffset = time.nanosecondsSinceEpoch - $0.now.nanoseconds }
    }

    /// Moves time forward and resumes every sleeper whose deadline has passed.
    public func advance(by duration: Duration) {
        advance(to: now.advanced(by: duration))
    }

    /// Moves time forward to `instant`; an instant in the past leaves the clock where it is.
    public func advance(to instant: MonotonicInstant) {
        let due: [Sleeper] = state.withLock { state in
            if instant > state.now { state.now = instant }
            let now = state.now
            let due = state.sleepers.filter { $0.deadline <= now }.sorted { $0.deadline < $1.deadline }
            state.sleepers.removeAll { $0.deadline <= now }
            return due
        }
        for sleeper in due {
            sleeper.continuation.resume()
        }
    }

    public func sleep(until deadline: MonotonicInstant, tolerance: Duration? = nil) async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow: (any Error)?? = state.withLock { state in
                    if state.cancelled.remove(id) != nil { return .some(CancellationError()) }
                    if deadline <= state.now { return .some(nil) }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return .none
                }
                switch resumeNow {
                case .some(.some(let error)): continuation.resume(throwing: error)
                case .some(.none): continuation.resume()
                case .none: break
                }
            }
        } onCancel: {
            let sleeper: Sleeper? = state.withLock { state in
                if let index = state.sleepers.firstIndex(where: { $0.id == id }) {
                    return state.sleepers.remove(at: index)
                }
                state.cancelled.insert(id)
                return nil
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }
}
