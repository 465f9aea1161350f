public import ATProtocol
public import Core

/// Debounces registration per domain: a new state counts only after it held for the
/// hold-down time, so a modem flapping between searching and registered does not switch
/// the box's channels every few seconds.
///
/// Denied (state 3) counts at once and stays until a person acts, because the network will
/// not let the SIM in until the subscription changes.
public struct RegistrationFilter: Sendable {
    public let holdDown: Duration
    /// The debounced state per domain.
    public private(set) var stable: [NetworkRegistration.Domain: RegistrationState] = [:]
    private var candidate: [NetworkRegistration.Domain: (state: RegistrationState, since: MonotonicInstant)] = [:]

    public init(holdDown: Duration) {
        self.holdDown = holdDown
    }

    /// Takes a raw observation; returns the domain's new stable state when it changed.
    public mutating func observe(_ domain: NetworkRegistration.Domain, _ state: RegistrationState, at now: MonotonicInstant) -> RegistrationState? {
        if stable[domain] == .denied, state != .denied, !state.isRegistered {
            return nil
        }
        // The first report and a denial count at once.
        if stable[domain] == nil || state == .denied {
            candidate[domain] = nil
            guard stable[domain] != state else { return nil }
            stable[domain] = state
            return state
        }
        if stable[domain] == state {
            candidate[domain] = nil
            return nil
        }
        if candidate[domain]?.state != state {
            candidate[domain] = (state, now)
        }
        return tick(domain, at: now)
    }

    /// Promotes candidates that held long enough; returns the changes.
    public mutating func tick(at now: MonotonicInstant) -> [(NetworkRegistration.Domain, RegistrationState)] {
        candidate.keys.compactMap { domain in tick(domain, at: now).map { (domain, $0) } }
    }

    /// The earliest instant a candidate may be promoted.
    public var nextDeadline: MonotonicInstant? {
        candidate.values.map { $0.since.advanced(by: holdDown) }.min()
    }

    private mutating func tick(_ domain: NetworkRegistration.Domain, at now: MonotonicInstant) -> RegistrationState? {
        guard let pending = candidate[domain], pending.since.advanced(by: holdDown) <= now else { return nil }
        candidate[domain] = nil
        stable[domain] = pending.state
        return pending.state
    }

    /// Forgets everything, as after a modem reset.
    public mutating func reset() {
        stable = [:]
        candidate = [:]
    }
}
