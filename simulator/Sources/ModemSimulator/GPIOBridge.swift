/// The lines of a simulated board with their owners, levels and output history, as one value.
///
/// Clients (connections to the bridge socket) request lines by role, read and drive them; tests
/// open and close contacts. Each method returns the effects the runtime carries out: edges for
/// the client that owns an input, and changes of the modem pins. Timestamps are
/// `CLOCK_MONOTONIC` nanoseconds, the clock of Core's `MonotonicInstant`, so the box debounces on
/// the simulator's own instants.
public struct GPIOBridge: Sendable {
    /// The pull resistor a client asks for, as libgpiod names the biases.
    public enum Bias: String, Sendable, CaseIterable {
        case asIs = "as-is"
        case disabled
        case pullUp = "pull-up"
        case pullDown = "pull-down"
    }

    /// One change of an output's level.
    public struct Transition: Sendable, Equatable {
        /// Whether the LED is lit, the siren sounds or the modem pin is asserted after the change.
        public var on: Bool
        public var level: GPIOLevel
        public var nanoseconds: Int64
    }

    public enum Effect: Sendable, Equatable {
        /// An input that `client` requested with edges changed its level.
        case edge(client: Int, role: String, active: Bool, nanoseconds: Int64)
        /// A modem pin was asserted or released.
        case modemPin(ModemPin, modem: Int, asserted: Bool, nanoseconds: Int64)
    }

    /// A request the bridge rejects; `code` is `unknown_role`, `busy`, `direction` or
    /// `not_requested`, and `message` names the value and the fix.
    public struct Rejection: Error, Sendable, CustomStringConvertible {
        public let code: String
        public let message: String

        public var description: String { message }
    }

    struct Line: Sendable {
        let definition: GPIOLineDefinition
        var owner: Int?
        var activeLow = false
        var bias = Bias.asIs
        var edges = false
        /// Whether the contact of an input is closed; a normally closed contact starts closed.
        var contactClosed: Bool
        /// The level the owner drives an output to, or nil while no client owns it.
        var driven: GPIOLevel?
        /// Whether the modem behind a `STATUS` line runs.
        var modemRunning = false
        var history: [Transition] = []
    }

    private(set) var lines: [Line]
    public let board: GPIOBoard

    public init(board: GPIOBoard) {
        self.board = board
        lines = board.lines.map { Line(definition: $0, contactClosed: $0.contact == .normallyClosed) }
    }

    public var roles: [String] {
        lines.map(\.definition.role)
    }

    // MARK: Client requests

    /// Gives a line to a client and returns its logical value.
    ///
    /// An output goes to `initialActive` at once. An input's bias applies from now until the
    /// client releases it.
    public mutating func request(
        _ role: String, client: Int, output: Bool, activeLow: Bool, bias: Bias, edges: Bool, initialActive: Bool, at nanoseconds: Int64
    ) throws(Rejection) -> (active: Bool, effects: [Effect]) {
        let index = try lineIndex(role)
        let definition = lines[index].definition
        guard (definition.direction == .output) == output else {
            let wired = definition.direction == .output ? "an output the box drives" : "an input the box reads"
            let fix = definition.direction == .output ? "request it as an output" : "request it as an input"
            throw Rejection(
                code: "direction",
                message: "\"\(role)\" is \(wired) on this board, not an \(output ? "output" : "input"); \(fix) in the board profile")
        }
        if let owner = lines[index].owner {
            let who = owner == client ? "this connection" : "another bridge client"
            throw Rejection(code: "busy", message: "\"\(role)\" is busy: \(who) already owns it; release it or stop the other client")
        }
        lines[index].owner = client
        lines[index].activeLow = activeLow
        lines[index].edges = edges && !output
        var effects: [Effect] = []
        if output {
            effects = drive(index, to: level(active: initialActive, activeLow: activeLow), at: nanoseconds)
        } else {
            lines[index].bias = bias
        }
        return (logicalValue(index), effects)
    }

    /// Drives an output the client owns to a logical value.
    public mutating func set(_ role: String, client: Int, active: Bool, at nanoseconds: Int64) throws(Rejection) -> [Effect] {
        let index = try ownedIndex(role, client: client)
        guard lines[index].definition.direction == .output else {
            throw Rejection(code: "direction", message: "\"\(role)\" is an input and cannot be driven; request it as an output in the board profile")
        }
        return drive(index, to: level(active: active, activeLow: lines[index].activeLow), at: nanoseconds)
    }

    /// Returns the logical value of a line the client owns.
    public func value(_ role: String, client: Int) throws(Rejection) -> Bool {
        logicalValue(try ownedIndex(role, client: client))
    }

    /// Releases a line; an output returns to its board default and an input loses its bias.
    public mutating func release(_ role: String, client: Int, at nanoseconds: Int64) throws(Rejection) -> [Effect] {
        releaseLine(try ownedIndex(role, client: client), at: nanoseconds)
    }

    /// Releases every line of a client, as when its connection closes.
    public mutating func releaseAll(client: Int, at nanoseconds: Int64) -> [Effect] {
        var effects: [Effect] = []
        for index in lines.indices where lines[index].owner == client {
            effects += releaseLine(index, at: nanoseconds)
        }
        return effects
    }

    // MARK: Test and modem side

    /// Opens or closes the contact of an input, as a person pressing a button or a relay
    /// switching. Returns an edge when the level changed and the holder asked for edges.
    public mutating func setContact(_ role: String, closed: Bool, at nanoseconds: Int64) throws(Rejection) -> [Effect] {
        let index = try contactIndex(role)
        return changeInput(index, at: nanoseconds) { $0.contactClosed = closed }
    }

    /// Returns whether `active` (pressed, alarm) means a closed contact on this line.
    public func contactClosed(_ role: String, active: Bool) throws(Rejection) -> Bool {
        let index = try contactIndex(role)
        return lines[index].definition.contact == .normallyClosed ? !active : active
    }

    /// Sets the `STATUS` lines of a modem to its power state.
    public mutating func setModemRunning(_ running: Bool, modem: Int, at nanoseconds: Int64) -> [Effect] {
        var effects: [Effect] = []
        for index in lines.indices where lines[index].definition.modemPin == .status && lines[index].definition.modem == modem {
            effects += changeInput(index, at: nanoseconds) { $0.modemRunning = running }
        }
        return effects
    }

    /// Describes the current state of a line for the control socket.
    public func describe(_ role: String) throws(Rejection) -> [String: Any] {
        let index = try lineIndex(role)
        let line = lines[index]
        var fields: [String: Any] = [
            "role": role, "direction": line.definition.direction.rawValue, "level": electricalLevel(index).rawValue,
            "requested": line.owner != nil,
        ]
        if line.owner != nil {
            fields["active"] = logicalValue(index)
        }
        if line.definition.contact != nil {
            fields["closed"] = line.contactClosed
        }
        if line.definition.direction == .output {
            fields["on"] = electricalLevel(index) == line.definition.onLevel
        }
        return fields
    }

    /// Returns the transitions of an output since start or since the last `clearHistory`.
    public func history(_ role: String) throws(Rejection) -> [Transition] {
        lines[try lineIndex(role)].history
    }

    public mutating func clearHistory() {
        for index in lines.indices {
            lines[index].history = []
        }
    }

    // MARK: Levels

    private func lineIndex(_ role: String) throws(Rejection) -> Int {
        guard let index = lines.firstIndex(where: { $0.definition.role == role }) else {
            throw Rejection(
                code: "unknown_role",
                message: "the bridge has no line \"\(role)\"; it has \(roles.joined(separator: ", ")); fix the role or add the line to the --gpio-board file")
        }
        return index
    }

    /// Finds the input with a contact, which a test may open and close.
    private func contactIndex(_ role: String) throws(Rejection) -> Int {
        let index = try lineIndex(role)
        guard lines[index].definition.contact == nil else { return index }
        let what = lines[index].definition.direction == .output ? "an output the box drives" : "the modem's STATUS, which follows the modem's power"
        throw Rejection(code: "direction", message: "\"\(role)\" is \(what); drive a button or contact input instead")
    }

    private func ownedIndex(_ role: String, client: Int) throws(Rejection) -> Int {
        let index = try lineIndex(role)
        guard lines[index].owner == client else {
            throw Rejection(code: "not_requested", message: "\"\(role)\" is not requested on this connection; request it first")
        }
        return index
    }

    private func level(active: Bool, activeLow: Bool) -> GPIOLevel {
        active != activeLow ? .high : .low
    }

    func electricalLevel(_ index: Int) -> GPIOLevel {
        let line = lines[index]
        let definition = line.definition
        if definition.direction == .output {
            return line.driven ?? definition.defaultLevel
        }
        if definition.modemPin == .status {
            return line.modemRunning ? .high : .low
        }
        if line.contactClosed {
            return definition.closedLevel
        }
        switch line.bias {
        case .pullUp: return .high
        case .pullDown: return .low
        // NOTE: an input with no pull at all reads low here; a real floating input reads noise.
        case .asIs, .disabled: return definition.externalPull ?? .low
        }
    }

    private func logicalValue(_ index: Int) -> Bool {
        (electricalLevel(index) == .high) != lines[index].activeLow
    }

    private mutating func drive(_ index: Int, to level: GPIOLevel, at nanoseconds: Int64) -> [Effect] {
        let before = electricalLevel(index)
        lines[index].driven = level
        return outputChanged(index, from: before, at: nanoseconds)
    }

    private mutating func releaseLine(_ index: Int, at nanoseconds: Int64) -> [Effect] {
        if lines[index].definition.direction == .output {
            let before = electricalLevel(index)
            lines[index].owner = nil
            lines[index].driven = nil
            return outputChanged(index, from: before, at: nanoseconds)
        }
        lines[index].owner = nil
        lines[index].bias = .asIs
        lines[index].edges = false
        lines[index].activeLow = false
        return []
    }

    private mutating func outputChanged(_ index: Int, from before: GPIOLevel, at nanoseconds: Int64) -> [Effect] {
        let after = electricalLevel(index)
        guard after != before else { return [] }
        let definition = lines[index].definition
        let on = after == definition.onLevel
        lines[index].history.append(Transition(on: on, level: after, nanoseconds: nanoseconds))
        guard let pin = definition.modemPin else { return [] }
        return [.modemPin(pin, modem: definition.modem, asserted: on, nanoseconds: nanoseconds)]
    }

    private mutating func changeInput(_ index: Int, at nanoseconds: Int64, _ change: (inout Line) -> Void) -> [Effect] {
        let before = electricalLevel(index)
        change(&lines[index])
        guard electricalLevel(index) != before, let owner = lines[index].owner, lines[index].edges else { return [] }
        return [.edge(client: owner, role: lines[index].definition.role, active: logicalValue(index), nanoseconds: nanoseconds)]
    }
}
