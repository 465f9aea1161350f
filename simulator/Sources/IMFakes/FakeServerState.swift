import Core

/// The mutable state of one fake server: its robots, their rate limiters, the faults
/// waiting to fire, the `webhook-id`s seen and the recording.
///
/// `FakeIMServer` keeps it behind a mutex, because the server's thread and the control
/// socket both use it.
struct FakeServerState {
    private(set) var robots: [String: FakeRobot] = [:]
    private var limiters: [String: RateLimiter] = [:]
    private var seenWebhookIDs: [String: Set<String>] = [:]
    var faults: [FakeFault] = []
    var records: [IMRecord] = []

    /// Adds or replaces a robot; a changed robot starts with a fresh rate limiter.
    mutating func put(_ robot: FakeRobot) {
        robots[robot.name] = robot
        limiters[robot.name] = RateLimiter(rules: robot.rateRules, block: robot.block)
    }

    func robot(credential: String) -> FakeRobot? {
        robots.values.first { $0.credential == credential }
    }

    /// Returns whether `robot` may post at `now`, and counts the post when it may.
    mutating func admit(robot: FakeRobot, at now: MonotonicInstant) -> Bool {
        var limiter = limiters[robot.name] ?? RateLimiter(rules: robot.rateRules, block: robot.block)
        let admitted = limiter.admit(at: now)
        limiters[robot.name] = limiter
        return admitted
    }

    /// Returns whether `robot` has accepted a request with this `webhook-id`.
    func hasSeen(_ id: String, robot: String) -> Bool {
        seenWebhookIDs[robot]?.contains(id) ?? false
    }

    /// Stores the `webhook-id` of an accepted request.
    mutating func remember(_ id: String, robot: String) {
        seenWebhookIDs[robot, default: []].insert(id)
    }

    /// Removes and returns the first fault that applies now, counting down its uses.
    /// - Parameters:
    ///   - robot: the robot the request names; faults aimed at another robot are skipped.
    ///   - connectionLevel: whether to look for a TLS fault on a new connection, or for a
    ///     fault on a request.
    mutating func takeFault(robot: String?, connectionLevel: Bool, at now: MonotonicInstant) -> FakeFault? {
        faults.removeAll { $0.isExpired(at: now) }
        guard
            let index = faults.firstIndex(where: { fault in
                fault.kind.isConnectionLevel == connectionLevel && (fault.robot == nil || fault.robot == robot || connectionLevel)
            })
        else { return nil }
        let fault = faults[index]
        if let remaining = fault.remaining {
            if remaining <= 1 {
                faults.remove(at: index)
            } else {
                faults[index].remaining = remaining - 1
            }
        }
        return fault
    }
}
