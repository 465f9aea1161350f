public import Core
public import Hardware

/// The output lines the annunciator drives; a board without one of them leaves it nil.
public struct AnnunciatorRoles: Sendable, Hashable {
    public var status: String?
    public var feedback: String?
    public var siren: String?

    public init(status: String? = nil, feedback: String? = nil, siren: String? = nil) {
        self.status = status
        self.feedback = feedback
        self.siren = siren
    }
}

/// How long the timed indications last.
public struct AnnunciatorTiming: Sendable, Hashable {
    /// The status LED shows `acknowledged` this long after an acknowledgement.
    public var acknowledgedHold: Duration
    /// The feedback LED keeps its last indication this long after the alert finished or was
    /// acknowledged, then goes dark.
    public var feedbackHold: Duration
    /// The siren stops by itself after this long, whatever happens (noise rules, and a
    /// forgotten siren helps no one). An operator silences it earlier.
    public var sirenLimit: Duration

    public init(acknowledgedHold: Duration = .seconds(120), feedbackHold: Duration = .seconds(300), sirenLimit: Duration = .seconds(180)) {
        self.acknowledgedHold = acknowledgedHold
        self.feedbackHold = feedbackHold
        self.sirenLimit = sirenLimit
    }
}

/// Drives the status LED, the feedback LED and the siren relay from the box's state.
///
/// Each output plays a `LightPattern` from the moment its indication changed; the actor sets a
/// line only when its level changes and sleeps until the next change, so an idle box does not
/// poll. A failed write is logged once per line until a write succeeds again.
public actor Annunciator {
    private let lines: any GPIOLines
    private let roles: AnnunciatorRoles
    private let patterns: IndicatorPatterns
    private let timing: AnnunciatorTiming
    private let clock: any BoxClock
    private let logger: Logger

    public private(set) var condition = BoxCondition()
    public private(set) var feedback: FeedbackIndication = .none
    /// The alerts the siren sounds for; it stops when the last one stops.
    public private(set) var sirenAlerts: Set<Int64> = []
    private var acknowledgedUntil: MonotonicInstant?
    private var feedbackUntil: MonotonicInstant?
    private var sirenUntil: MonotonicInstant?

    private struct Track {
        var pattern: LightPattern
        var since: MonotonicInstant
        var level: Bool?
        var failing = false
    }
    private var tracks: [String: Track] = [:]
    private var driver: Task<Void, Never>?
    private var running = false
    /// Set while `apply` writes lines, so that calls arriving meanwhile rerun it once after,
    /// instead of interleaving writes.
    private var applying = false
    private var changedWhileApplying = false

    public init(
        lines: any GPIOLines, roles: AnnunciatorRoles, patterns: IndicatorPatterns = IndicatorPatterns(),
        timing: AnnunciatorTiming = AnnunciatorTiming(), clock: any BoxClock, logger: Logger
    ) {
        self.lines = lines
        self.roles = roles
        self.patterns = patterns
        self.timing = timing
        self.clock = clock
        self.logger = logger.labeled("annunciator")
    }

    /// Sets the outputs to the current state and keeps them playing.
    public func start() async {
        running = true
        await apply()
    }

    /// Stops playing and turns every output off.
    public func stop() async {
        running = false
        driver?.cancel()
        driver = nil
        for role in [roles.status, roles.feedback, roles.siren].compactMap({ $0 }) {
            try? await lines.set(role, active: false)
        }
    }

    /// Changes the box's condition; the status LED follows.
    public func update(_ change: @Sendable (inout BoxCondition) -> Void) async {
        change(&condition)
        await apply()
    }

    /// Shows that an alert was acknowledged, for `acknowledgedHold`.
    public func acknowledged() async {
        acknowledgedUntil = clock.now.advanced(by: timing.acknowledgedHold)
        condition.acknowledged = true
        await apply()
    }

    /// Shows the progress of the alert raised at the panel. A final indication (acknowledged,
    /// or sent and finished, or failed) goes dark after `feedbackHold`.
    public func showFeedback(_ indication: FeedbackIndication, final: Bool) async {
        feedback = indication
        feedbackUntil = final ? clock.now.advanced(by: timing.feedbackHold) : nil
        await apply()
    }

    /// Sounds the siren for a P0 alert, up to `sirenLimit`.
    public func soundSiren(for alertID: Int64) async {
        if sirenAlerts.isEmpty {
            sirenUntil = clock.now.advanced(by: timing.sirenLimit)
            logger.notice("siren on", ["alert.id": .plain(String(alertID))])
        }
        sirenAlerts.insert(alertID)
        await apply()
    }

    /// Stops the siren for the alerts given, or for all when `alertIDs` is nil (an operator
    /// silenced it).
    /// - Returns: whether the siren was sounding.
    @discardableResult
    public func silenceSiren(for alertIDs: [Int64]? = nil, reason: String) async -> Bool {
        guard !sirenAlerts.isEmpty else { return false }
        if let alertIDs { sirenAlerts.subtract(alertIDs) } else { sirenAlerts.removeAll() }
        if sirenAlerts.isEmpty {
            sirenUntil = nil
            logger.notice("siren off", ["reason": .plain(reason)])
        }
        await apply()
        return true
    }

    /// The status LED's indication now.
    public var indication: BoxIndication { condition.indication }

    // MARK: Playing

    /// Expires timed indications, sets each line to its level now and sleeps until the next change.
    private func apply() async {
        guard running else { return }
        guard !applying else {
            changedWhileApplying = true
            return
        }
        applying = true
        repeat {
            changedWhileApplying = false
            await applyOnce()
        } while changedWhileApplying && running
        applying = false
    }

    private func applyOnce() async {
        let now = clock.now
        expire(at: now)
        var desired: [(String, LightPattern)] = []
        if let role = roles.status { desired.append((role, patterns.status[condition.indication] ?? .off)) }
        if let role = roles.feedback { desired.append((role, patterns.feedback[feedback] ?? .off)) }
        if let role = roles.siren { desired.append((role, sirenAlerts.isEmpty ? .off : patterns.siren)) }

        var wake = [acknowledgedUntil, feedbackUntil, sirenUntil].compactMap { $0 }.min()
        for (role, pattern) in desired {
            var track = tracks[role] ?? Track(pattern: pattern, since: now)
            if track.pattern != pattern {
                track = Track(pattern: pattern, since: now, level: track.level, failing: track.failing)
            }
            let (level, remaining) = pattern.level(after: track.since.duration(to: now))
            if track.level != level {
                do {
                    try await lines.set(role, active: level)
                    track.level = level
                    track.failing = false
                } catch {
                    if !track.failing {
                        logger.error("output not set", ["gpio.role": .plain(role), "error": .plain(String(describing: error))])
                    }
                    track.failing = true
                }
            }
            tracks[role] = track
            if let remaining {
                let change = now.advanced(by: remaining)
                wake = min(wake ?? change, change)
            }
        }
        schedule(wake)
    }

    private func expire(at now: MonotonicInstant) {
        if let until = acknowledgedUntil, until <= now {
            acknowledgedUntil = nil
            condition.acknowledged = false
        }
        if let until = feedbackUntil, until <= now {
            feedbackUntil = nil
            feedback = .none
        }
        if let until = sirenUntil, until <= now {
            sirenUntil = nil
            sirenAlerts.removeAll()
            logger.notice("siren off", ["reason": .plain("time limit")])
        }
    }

    private func schedule(_ wake: MonotonicInstant?) {
        driver?.cancel()
        driver = nil
        guard let wake else { return }
        let clock = self.clock
        driver = Task { [weak self] in
            do {
                try await clock.sleep(until: wake, tolerance: nil)
            } catch {
                return
            }
            await self?.apply()
        }
    }
}
