public import Core

/// The timings that turn a bouncing, chattering contact into one clean trigger.
public struct ContactTiming: Sendable, Hashable {
    /// How long a level must stay unchanged to count. Mechanical buttons bounce for 1 to 20 ms.
    public var debounce: Duration
    /// How long the contact must stay active before it fires. Filters brushes and relay
    /// glitches; a fire panel's relay is given longer than a panic button.
    public var minimumHold: Duration
    /// After firing, the contact stays disarmed at least this long, so a held or chattering
    /// contact fires once.
    public var cooldown: Duration
    /// After the cooldown, the contact re-arms only once it has been released this long.
    public var rearmAfterRelease: Duration
    /// A contact active this long is reported stuck: a jammed button, or for a normally closed
    /// loop an open circuit (a cut wire looks the same as an alarm). Nil turns the check off.
    public var stuckAfter: Duration?
    /// This many edges within `chatterWindow` report the contact as chattering (a loose wire or
    /// a failing relay), once until it settles.
    public var chatterEdges: Int
    public var chatterWindow: Duration

    public init(
        debounce: Duration = .milliseconds(30), minimumHold: Duration = .milliseconds(100), cooldown: Duration = .seconds(60),
        rearmAfterRelease: Duration = .seconds(2), stuckAfter: Duration? = .seconds(120), chatterEdges: Int = 20,
        chatterWindow: Duration = .seconds(5)
    ) {
        self.debounce = debounce
        self.minimumHold = minimumHold
        self.cooldown = cooldown
        self.rearmAfterRelease = rearmAfterRelease
        self.stuckAfter = stuckAfter
        self.chatterEdges = chatterEdges
        self.chatterWindow = chatterWindow
    }

    /// Checks the timings and names the first that makes no sense.
    public func validate() throws(LocalControlError) {
        if debounce < .zero { throw .invalidTiming(name: "debounce", value: debounce, fix: "use 0 ms or more, 30 ms suits most buttons") }
        if minimumHold < .zero { throw .invalidTiming(name: "minimum_hold", value: minimumHold, fix: "use 0 ms or more") }
        if cooldown < .zero { throw .invalidTiming(name: "cooldown", value: cooldown, fix: "use 0 s or more, 60 s by default") }
        if rearmAfterRelease < .zero { throw .invalidTiming(name: "rearm_after_release", value: rearmAfterRelease, fix: "use 0 s or more") }
        if let stuckAfter, stuckAfter <= max(debounce, minimumHold) {
            throw .invalidTiming(name: "stuck_after", value: stuckAfter, fix: "make it longer than debounce and minimum_hold, or leave it out")
        }
        if chatterEdges < 3 { throw .invalidCount(name: "chatter_edges", value: chatterEdges, fix: "use 3 or more edges") }
        if chatterWindow <= .zero { throw .invalidTiming(name: "chatter_window", value: chatterWindow, fix: "use a window above 0 s") }
    }
}

/// One contact's debounce, hold, cooldown, stuck and chatter logic. Pure: edges and clock ticks
/// go in, actions come out, and `nextDeadline` says when to tick next.
///
/// Times are the edges' own timestamps (the kernel's, or the simulator bridge's), so a busy
/// process that reads an edge late still measures the hold from when the contact moved.
public struct ContactInput: Sendable {
    public enum Action: Sendable, Hashable {
        /// The contact fired: active since `activeSince`, held long enough, and armed.
        case fired(activeSince: MonotonicInstant)
        /// Active without a break since `since` for longer than `stuckAfter`.
        case stuck(since: MonotonicInstant)
        /// A stuck contact was released and is healthy again.
        case unstuck
        /// Too many edges in the chatter window.
        case chattering(edges: Int)
        /// A chattering contact has been quiet for a whole window.
        case settled
    }

    public let timing: ContactTiming
    /// The raw logical level and when it last changed.
    public private(set) var active: Bool
    public private(set) var changedAt: MonotonicInstant
    public private(set) var armed = true
    public private(set) var firedAt: MonotonicInstant?
    public private(set) var isStuck = false
    public private(set) var isChattering = false
    private var recentEdges: [MonotonicInstant] = []

    /// Starts from the level read when the line was requested. A contact already active (a fire
    /// panel in alarm while the box boots) is treated as if it had just moved, so it fires.
    public init(timing: ContactTiming, active: Bool, at now: MonotonicInstant) {
        self.timing = timing
        self.active = active
        self.changedAt = now
    }

    /// Records an edge. An edge that repeats the current level (a missed edge in between) only
    /// restarts the hold.
    public mutating func edge(active newLevel: Bool, at time: MonotonicInstant) -> [Action] {
        // Edges come in order per line; clamp a timestamp that goes backwards across a
        // backend restart so durations never turn negative.
        let time = max(time, changedAt)
        var actions: [Action] = []
        recentEdges.append(time)
        let windowStart = time.advanced(by: .zero - timing.chatterWindow)
        recentEdges.removeAll { $0 < windowStart }
        if !isChattering, recentEdges.count >= timing.chatterEdges {
            isChattering = true
            actions.append(.chattering(edges: recentEdges.count))
        }
        if isStuck, !newLevel {
            isStuck = false
            actions.append(.unstuck)
        }
        active = newLevel
        changedAt = time
        return actions
    }

    /// Checks the deadlines at `now` and returns what became due.
    public mutating func tick(at now: MonotonicInstant) -> [Action] {
        var actions: [Action] = []
        let stableFor = changedAt.duration(to: now)
        if isChattering, let last = recentEdges.last, last.duration(to: now) >= timing.chatterWindow {
            isChattering = false
            recentEdges.removeAll()
            actions.append(.settled)
        }
        if active {
            if armed, stableFor >= holdBeforeFiring {
                armed = false
                firedAt = now
                actions.append(.fired(activeSince: changedAt))
            }
            if let stuckAfter = timing.stuckAfter, !isStuck, stableFor >= stuckAfter {
                isStuck = true
                actions.append(.stuck(since: changedAt))
            }
        } else if !armed, let firedAt, firedAt.duration(to: now) >= timing.cooldown, stableFor >= timing.rearmAfterRelease {
            armed = true
        }
        return actions
    }

    /// When `tick` has something to do next, or nil when nothing is pending.
    public var nextDeadline: MonotonicInstant? {
        var deadlines: [MonotonicInstant] = []
        if active {
            if armed { deadlines.append(changedAt.advanced(by: holdBeforeFiring)) }
            if let stuckAfter = timing.stuckAfter, !isStuck { deadlines.append(changedAt.advanced(by: stuckAfter)) }
        } else if !armed, let firedAt {
            deadlines.append(max(firedAt.advanced(by: timing.cooldown), changedAt.advanced(by: timing.rearmAfterRelease)))
        }
        if isChattering, let last = recentEdges.last { deadlines.append(last.advanced(by: timing.chatterWindow)) }
        return deadlines.min()
    }

    private var holdBeforeFiring: Duration { max(timing.debounce, timing.minimumHold) }
}
