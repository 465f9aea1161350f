public import Core

/// Failed logins counted per user name and per door, and the lockouts they cause.
///
/// Five failures within five minutes lock the user name, and five on one door lock that door
/// for every user name, so that a brute force on the serial line cannot cycle through names.
/// A lockout lasts five minutes from the failure that caused it. The guard is shared by every
/// session of the box.
/// The counts live in memory; `Authenticator.restoreFailures()` replays them from the audit
/// log at start, so a restart does not clear them.
public struct LoginGuard: Sendable {
    public static let maximumFailures = 5
    public static let lockoutDuration = Duration.seconds(300)

    private var failures: [String: [MonotonicInstant]] = [:]
    private var lockedUntil: [String: MonotonicInstant] = [:]

    public init() {}

    static func userKey(_ user: String) -> String { "user:\(user)" }
    static func doorKey(_ door: String) -> String { "door:\(door)" }

    /// Returns when the later of the two lockouts (user name, door) ends, or nil when neither is locked.
    public func lockout(user: String, door: String, at now: MonotonicInstant) -> MonotonicInstant? {
        [Self.userKey(user), Self.doorKey(door)].compactMap { lockedUntil[$0] }.filter { $0 > now }.max()
    }

    /// Records a failed login; returns the keys (`user:NAME`, `door:NAME`) that it locked.
    public mutating func recordFailure(user: String, door: String, at now: MonotonicInstant) -> [String] {
        var locked: [String] = []
        for key in [Self.userKey(user), Self.doorKey(door)] {
            let windowStart = now.advanced(by: .zero - Self.lockoutDuration)
            var recent = failures[key, default: []].filter { $0 > windowStart }
            recent.append(now)
            if recent.count >= Self.maximumFailures {
                lockedUntil[key] = now.advanced(by: Self.lockoutDuration)
                recent = []
                locked.append(key)
            }
            failures[key] = recent
        }
        return locked
    }

    /// Returns how many failures the user name may still have before it is locked.
    public func remainingAttempts(user: String, door: String, at now: MonotonicInstant) -> Int {
        let windowStart = now.advanced(by: .zero - Self.lockoutDuration)
        let counts = [Self.userKey(user), Self.doorKey(door)].map { failures[$0, default: []].filter { $0 > windowStart }.count }
        return Self.maximumFailures - (counts.max() ?? 0)
    }

    /// Clears the user's and the door's failures after a successful login.
    public mutating func recordSuccess(user: String, door: String) {
        failures[Self.userKey(user)] = nil
        failures[Self.doorKey(door)] = nil
    }
}
