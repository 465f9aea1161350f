public import Core
public import Hardware

/// A button or dry contact on a GPIO input, and what it raises.
///
/// The line's active-low setting in the board profile must make "active" mean the alarm
/// condition: pressed for a normally open button, open for a normally closed loop.
public struct ContactInputConfig: Sendable, Hashable {
    public var role: String
    public var kind: ContactKind
    public var trigger: LocalTrigger
    public var timing: ContactTiming

    public init(role: String, kind: ContactKind, trigger: LocalTrigger, timing: ContactTiming = ContactTiming()) {
        self.role = role
        self.kind = kind
        self.trigger = trigger
        self.timing = timing
    }
}

/// The inputs of a box and its test key.
///
/// Holding the test key while a trigger fires sends that trigger as a labelled test to the test
/// audience. Holding the test key alone for `testLongPress` sends `boxTest`, a test of the whole
/// chain. A long press of a trigger itself never means test: that would delay a real alarm
/// from a person who holds the button in a panic.
public struct PanelConfig: Sendable, Hashable {
    public var inputs: [ContactInputConfig]
    public var testKey: String?
    public var testLongPress: Duration
    /// The time after which an active test key counts as jammed or shorted. It is then
    /// reported stuck, and triggers that fire while it stays active go out as real alarms.
    public var testKeyStuckAfter: Duration
    public var boxTest: LocalTrigger?

    public init(
        inputs: [ContactInputConfig], testKey: String? = nil, testLongPress: Duration = .seconds(3), testKeyStuckAfter: Duration = .seconds(30),
        boxTest: LocalTrigger? = nil
    ) {
        self.inputs = inputs
        self.testKey = testKey
        self.testLongPress = testLongPress
        self.testKeyStuckAfter = testKeyStuckAfter
        self.boxTest = boxTest
    }

    /// Checks the panel and names the first problem.
    public func validate() throws(LocalControlError) {
        var seen: Set<String> = []
        for input in inputs {
            guard seen.insert(input.role).inserted else { throw .duplicateInput(role: input.role) }
            if input.trigger.audience.isEmpty { throw .emptyAudience(input: input.role) }
            try input.timing.validate()
        }
        if let testKey, seen.contains(testKey) { throw .testKeyIsATrigger(role: testKey) }
        if testLongPress <= .milliseconds(500) {
            throw .invalidTiming(name: "test_long_press", value: testLongPress, fix: "use more than 500 ms so a brush does not send a test")
        }
        if testKeyStuckAfter <= testLongPress {
            throw .invalidTiming(name: "test_key_stuck_after", value: testKeyStuckAfter, fix: "make it longer than test_long_press; 30 s is the default")
        }
    }

    /// The timing of the test key: a long press fires, and a key held past `testKeyStuckAfter` is stuck.
    var testKeyTiming: ContactTiming {
        ContactTiming(minimumHold: testLongPress, cooldown: .zero, rearmAfterRelease: .milliseconds(500), stuckAfter: testKeyStuckAfter)
    }
}

/// All inputs of the panel and the test key. Pure: edges and ticks in, actions out.
public struct InputPanel: Sendable {
    public enum Action: Sendable, Hashable {
        /// A trigger fired; `test` when the test key was held.
        case trigger(role: String, test: Bool, activeSince: MonotonicInstant)
        /// The test key was held alone for the long press.
        case boxTest
        case stuck(role: String, kind: ContactKind, since: MonotonicInstant)
        case unstuck(role: String)
        case chattering(role: String, edges: Int)
        case settled(role: String)
    }

    public let config: PanelConfig
    private var contacts: [String: ContactInput] = [:]
    private var testKey: ContactInput?
    /// Whether the current press of the test key already labelled a trigger, so releasing it
    /// late does not also send the box test.
    private var testKeyUsed = false

    /// - Parameter levels: each line's logical level when it was requested; a missing one is inactive.
    public init(config: PanelConfig, levels: [String: Bool], at now: MonotonicInstant) {
        self.config = config
        for input in config.inputs {
            contacts[input.role] = ContactInput(timing: input.timing, active: levels[input.role] ?? false, at: now)
        }
        if let role = config.testKey {
            testKey = ContactInput(timing: config.testKeyTiming, active: levels[role] ?? false, at: now)
        }
    }

    /// The roles of every line the panel reads.
    public var roles: [String] {
        config.inputs.map(\.role) + (config.testKey.map { [$0] } ?? [])
    }

    public mutating func edge(_ edge: GPIOEdge) -> [Action] {
        if edge.role == config.testKey, var key = testKey {
            if edge.active, !key.active { testKeyUsed = false }
            let actions = key.edge(active: edge.active, at: edge.timestamp)
            testKey = key
            return map(actions, role: edge.role, at: edge.timestamp) + tick(at: edge.timestamp)
        }
        guard var contact = contacts[edge.role] else { return [] }
        let actions = contact.edge(active: edge.active, at: edge.timestamp)
        contacts[edge.role] = contact
        return map(actions, role: edge.role, at: edge.timestamp) + tick(at: edge.timestamp)
    }

    public mutating func tick(at now: MonotonicInstant) -> [Action] {
        var result: [Action] = []
        // Inputs in configuration order, so two contacts due at once act in a fixed order.
        for input in config.inputs {
            guard var contact = contacts[input.role] else { continue }
            let actions = contact.tick(at: now)
            contacts[input.role] = contact
            result += map(actions, role: input.role, at: now)
        }
        if var key = testKey, let role = config.testKey {
            for action in key.tick(at: now) {
                if case .fired = action {
                    if !testKeyUsed { result.append(.boxTest) }
                } else {
                    result += map([action], role: role, at: now)
                }
            }
            testKey = key
        }
        return result
    }

    public var nextDeadline: MonotonicInstant? {
        (contacts.values.compactMap(\.nextDeadline) + [testKey?.nextDeadline].compactMap { $0 }).min()
    }

    /// Whether the test key is held at `time`, for its debounce and for less than the time
    /// after which it counts as stuck. A jammed key must not turn real alarms into tests.
    private func testKeyHeld(at time: MonotonicInstant) -> Bool {
        guard let key = testKey, key.active else { return false }
        return key.changedAt.advanced(by: key.timing.debounce) <= time && time < key.changedAt.advanced(by: config.testKeyStuckAfter)
    }

    /// Names the contact's actions; a trigger that fires while the test key is held is a test.
    private mutating func map(_ actions: [ContactInput.Action], role: String, at now: MonotonicInstant) -> [Action] {
        let kind = config.inputs.first { $0.role == role }?.kind ?? .normallyOpen
        return actions.map { action in
            switch action {
            case .fired(let since):
                let test = testKeyHeld(at: now)
                if test { testKeyUsed = true }
                return .trigger(role: role, test: test, activeSince: since)
            case .stuck(let since): return .stuck(role: role, kind: kind, since: since)
            case .unstuck: return .unstuck(role: role)
            case .chattering(let edges): return .chattering(role: role, edges: edges)
            case .settled: return .settled(role: role)
            }
        }
    }
}
