import Foundation

/// An electrical level on a GPIO line.
public enum GPIOLevel: Int, Sendable, Equatable {
    case low = 0
    case high = 1

    var inverted: GPIOLevel {
        self == .low ? .high : .low
    }
}

/// The modem signal a bridge line is wired to, or none for buttons, contacts, LEDs and the siren.
public enum ModemPin: String, Sendable, Equatable, CaseIterable {
    /// The module's power key (`PWRKEY`): a long enough pulse turns it on or off.
    case powerKey = "power_key"
    /// The module's reset input (`RESET_N`): a pulse within the module's window restarts it.
    case reset
    /// The module's `STATUS` output: high while the module runs.
    case status
    /// The load switch in the module's supply: cutting it turns the module off at once.
    case powerEnable = "power_enable"
}

/// One line of the simulated board, as the bridge offers it to the box.
///
/// Directions are the box's: an input is read by the box (a button, a relay contact, the
/// modem's `STATUS`), an output is driven by the box (an LED, the siren, the modem's power
/// key). A closed contact drives its input to `closedLevel`. An open contact leaves the line
/// to a pull resistor: the bias the box requested, else the board's `externalPull`.
public struct GPIOLineDefinition: Sendable, Equatable {
    public enum Direction: String, Sendable {
        case input
        case output
    }

    /// The contact's state at rest: a button is normally open, a fire panel's alarm relay
    /// is normally closed and opens on alarm, as a broken wire must also raise the alarm.
    public enum Contact: String, Sendable {
        case normallyOpen = "normally_open"
        case normallyClosed = "normally_closed"
    }

    public var role: String
    public var direction: Direction
    /// The contact of an input line; nil for the modem's `STATUS`.
    public var contact: Contact?
    /// The level a closed contact drives the line to: `low` for a contact to ground.
    public var closedLevel: GPIOLevel
    /// The board's own pull resistor on an input, used when the box requests no bias.
    public var externalPull: GPIOLevel?
    /// The level at which an output lights its LED, sounds the siren or asserts a modem pin.
    public var onLevel: GPIOLevel
    /// The level an output rests at while no client owns it, as the board's resistors set it.
    public var defaultLevel: GPIOLevel
    public var modemPin: ModemPin?
    /// The modem a `modemPin` line belongs to.
    public var modem: Int

    public init(
        role: String, direction: Direction, contact: Contact? = nil, closedLevel: GPIOLevel = .low, externalPull: GPIOLevel? = nil,
        onLevel: GPIOLevel = .high, defaultLevel: GPIOLevel = .low, modemPin: ModemPin? = nil, modem: Int = 0
    ) {
        self.role = role
        self.direction = direction
        self.contact = contact
        self.closedLevel = closedLevel
        self.externalPull = externalPull
        self.onLevel = onLevel
        self.defaultLevel = defaultLevel
        self.modemPin = modemPin
        self.modem = modem
    }
}

/// The lines of a simulated board: a default one like the reference alert box, or one read
/// from a JSON file.
public struct GPIOBoard: Sendable, Equatable {
    public var lines: [GPIOLineDefinition]

    public init(lines: [GPIOLineDefinition]) {
        self.lines = lines
    }

    /// The reference board.
    ///
    /// Buttons (`panic_1`, `panic_2`, `test_key`) are normally open contacts to ground with a
    /// 10 kΩ pull-up on the board, so the box reads them active-low. `fire_panel` and
    /// `nurse_call` are normally closed dry contacts to ground with a pull-up: low at rest,
    /// high on alarm or on a cut wire. `led_status` and `led_feedback` are two separate LEDs,
    /// lit when high. `siren` drives the buzzer's transistor, on when high. The modem's power
    /// key and reset go through NPN transistors that pull the module's pins low, so a high
    /// GPIO asserts them. `modem_status` is high while the module runs. `modem_power_enable`
    /// drives the module supply's load switch and rests high, so the module has power while
    /// no client owns the line.
    public static let standard = GPIOBoard(lines: [
        GPIOLineDefinition(role: "panic_1", direction: .input, contact: .normallyOpen, externalPull: .high),
        GPIOLineDefinition(role: "panic_2", direction: .input, contact: .normallyOpen, externalPull: .high),
        GPIOLineDefinition(role: "test_key", direction: .input, contact: .normallyOpen, externalPull: .high),
        GPIOLineDefinition(role: "fire_panel", direction: .input, contact: .normallyClosed, externalPull: .high),
        GPIOLineDefinition(role: "nurse_call", direction: .input, contact: .normallyClosed, externalPull: .high),
        GPIOLineDefinition(role: "led_status", direction: .output),
        GPIOLineDefinition(role: "led_feedback", direction: .output),
        GPIOLineDefinition(role: "siren", direction: .output),
        GPIOLineDefinition(role: "modem_power_key", direction: .output, modemPin: .powerKey),
        GPIOLineDefinition(role: "modem_reset", direction: .output, modemPin: .reset),
        GPIOLineDefinition(role: "modem_status", direction: .input, modemPin: .status),
        GPIOLineDefinition(role: "modem_power_enable", direction: .output, defaultLevel: .high, modemPin: .powerEnable),
    ])

    public func line(_ role: String) -> GPIOLineDefinition? {
        lines.first { $0.role == role }
    }

    /// Reads a board from a JSON file: `{"lines": [{"role": "panic_1", "direction": "input",
    /// "contact": "normally_open", ...}]}` with the fields `docs/simulator.md` lists.
    /// - Throws: `ControlError` naming the file, the line and the invalid field.
    public static func load(path: String) throws -> GPIOBoard {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ControlError("cannot read the GPIO board \(path): no such readable file")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let entries = object["lines"] as? [[String: Any]] else {
            throw ControlError("\(path) is not a GPIO board: give a JSON object with a \"lines\" array; see docs/simulator.md")
        }
        var lines: [GPIOLineDefinition] = []
        for (index, entry) in entries.enumerated() {
            do {
                let line = try Self.decodeLine(entry)
                guard !lines.contains(where: { $0.role == line.role }) else {
                    throw ControlError("the role \"\(line.role)\" is given twice; give each line its own role")
                }
                lines.append(line)
            } catch {
                throw ControlError("\(path): line \(index + 1): \(error)")
            }
        }
        return GPIOBoard(lines: lines)
    }

    private static func decodeLine(_ entry: [String: Any]) throws(ControlError) -> GPIOLineDefinition {
        let request = ControlRequest(fields: entry)
        guard let role = request.string("role"), !role.isEmpty else {
            throw ControlError("missing \"role\": name the line as the board profile does, such as \"panic_1\"")
        }
        guard let directionName = request.string("direction"), let direction = GPIOLineDefinition.Direction(rawValue: directionName) else {
            throw ControlError("missing or invalid \"direction\" of \"\(role)\": give \"input\" (read by the box) or \"output\" (driven by the box)")
        }
        var line = GPIOLineDefinition(role: role, direction: direction)
        if let pinName = request.string("modem_pin") {
            guard let pin = ModemPin(rawValue: pinName) else {
                throw ControlError("invalid \"modem_pin\" \"\(pinName)\"; give power_key, reset, status or power_enable")
            }
            guard (pin == .status) == (direction == .input) else {
                throw ControlError("\"\(role)\": modem pin \(pinName) must be an \(pin == .status ? "input" : "output")")
            }
            line.modemPin = pin
            line.modem = request.int("modem") ?? 0
        }
        if direction == .input, line.modemPin == nil {
            let contactName = request.string("contact") ?? "normally_open"
            guard let contact = GPIOLineDefinition.Contact(rawValue: contactName) else {
                throw ControlError("invalid \"contact\" \"\(contactName)\" of \"\(role)\"; give normally_open or normally_closed")
            }
            line.contact = contact
        }
        line.closedLevel = try level(request, "closed_level") ?? .low
        line.externalPull = try level(request, "external_pull")
        line.onLevel = try level(request, "on_level") ?? .high
        line.defaultLevel = try level(request, "default_level") ?? .low
        return line
    }

    private static func level(_ request: ControlRequest, _ key: String) throws(ControlError) -> GPIOLevel? {
        guard let text = request.string(key) else { return nil }
        switch text {
        case "low": return .low
        case "high": return .high
        default: throw ControlError("invalid \"\(key)\" \"\(text)\"; give \"low\" or \"high\"")
        }
    }
}
