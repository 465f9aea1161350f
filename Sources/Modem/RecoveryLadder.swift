import Core

/// A step of the recovery ladder, from the gentlest to the hardest.
public enum RecoveryStep: String, Sendable, Equatable, CaseIterable {
    /// Send the failed command once more.
    case resend
    /// Close and reopen the port, then initialise again.
    case reopenPort
    /// Pulse the module's reset line.
    case pulseReset
    /// Cut and restore the module's power.
    case powerCycle
}

/// Chooses the next recovery step after consecutive failures, with counts and back-off.
///
/// Each failure without a success in between climbs one step; a success returns to the
/// bottom. Steps the board cannot do (no GPIO lines) are skipped. Past the top the ladder
/// is exhausted: it raises an alarm once and retries from the reopen step after a long
/// back-off, because a modem may come back by itself (a loose USB cable, a power glitch).
public struct RecoveryLadder: Sendable {
    public private(set) var level = 0
    public private(set) var counts: [RecoveryStep: Int] = [:]
    public private(set) var exhaustedCount = 0
    let steps: [RecoveryStep]
    let exhaustedBackOff: Duration

    public init(hasResetLine: Bool, hasPowerControl: Bool, exhaustedBackOff: Duration = .seconds(60)) {
        var steps: [RecoveryStep] = [.resend, .reopenPort]
        if hasResetLine { steps.append(.pulseReset) }
        if hasPowerControl { steps.append(.powerCycle) }
        self.steps = steps
        self.exhaustedBackOff = exhaustedBackOff
    }

    /// Climbs one step after a failure and returns it, the wait before it, and whether the
    /// ladder has just been exhausted.
    public mutating func failed() -> (step: RecoveryStep, wait: Duration, exhausted: Bool) {
        if level >= steps.count {
            level = 1
            exhaustedCount += 1
            counts[.reopenPort, default: 0] += 1
            return (.reopenPort, exhaustedBackOff, true)
        }
        let step = steps[level]
        level += 1
        counts[step, default: 0] += 1
        // Back-off grows with the step, so a modem that is booting gets time to finish.
        let wait: Duration = step == .resend ? .zero : .seconds(Int64(1 << min(level, 5)))
        return (step, wait, false)
    }

    /// Returns to the bottom after a success.
    public mutating func succeeded() {
        level = 0
    }
}
