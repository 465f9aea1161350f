public import Core

/// Which line on a chip: by the name the board's device tree gives it, or by offset.
public enum GPIOLineSelector: Sendable, Hashable, CustomStringConvertible {
    case name(String)
    case offset(UInt32)

    public var description: String {
        switch self {
        case .name(let name): "\"\(name)\""
        case .offset(let offset): "offset \(offset)"
        }
    }
}

/// The pull resistor asked for an input. Kernels before 5.5 and some chips cannot set one;
/// `asIs` leaves the line as the board wired it.
public enum GPIOBias: String, Sendable, Hashable, CaseIterable {
    case asIs = "as-is"
    case disabled
    case pullUp = "pull-up"
    case pullDown = "pull-down"
}

/// How a line is used.
public enum GPIODirection: Sendable, Hashable {
    /// An input; with `edges`, both rising and falling edges are reported with kernel timestamps.
    case input(bias: GPIOBias, edges: Bool)
    /// An output driven to `initialActive` the moment it is requested.
    case output(initialActive: Bool)
}

/// One line the box asks for, named by its role in the board profile ("panic_1", "led_status",
/// "modem_reset").
///
/// Values are logical: `active` means pressed, lit or asserted. With `activeLow` the
/// electrical level is the inverse, as on a button that pulls the line to ground.
public struct GPIOLineRequest: Sendable, Hashable {
    public var role: String
    /// A chip by name (`gpiochip0`), label (`pinctrl-bcm2711`), number or path (`/dev/gpiochip0`).
    public var chip: String
    public var line: GPIOLineSelector
    public var direction: GPIODirection
    public var activeLow: Bool

    public init(role: String, chip: String, line: GPIOLineSelector, direction: GPIODirection, activeLow: Bool = false) {
        self.role = role
        self.chip = chip
        self.line = line
        self.direction = direction
        self.activeLow = activeLow
    }

    public var isOutput: Bool {
        if case .output = direction { return true }
        return false
    }
}

/// An edge on an input line: its logical value after the edge and when the kernel (or the
/// simulator's bridge) saw it, on the monotonic clock.
public struct GPIOEdge: Sendable, Hashable {
    public var role: String
    public var active: Bool
    public var timestamp: MonotonicInstant

    public init(role: String, active: Bool, timestamp: MonotonicInstant) {
        self.role = role
        self.active = active
        self.timestamp = timestamp
    }
}

/// The lines the box holds, through libgpiod on a board or the simulator's bridge in CI.
///
/// One owner per request: the implementation runs its blocking waits on its own thread and
/// never on the shared concurrency pool.
public protocol GPIOLines: AnyObject, Sendable {
    /// The logical value of a line, input or output.
    func value(of role: String) async throws -> Bool
    /// Drives an output line to its logical value.
    func set(_ role: String, active: Bool) async throws
    /// Drives an output line active, and inactive again `length` later; returns once the line
    /// is inactive again. The backend times the pulse on its own thread, because a busy
    /// concurrency pool would stretch it, and a modem's power key and reset act only on pulses
    /// within a window.
    func pulse(_ role: String, for length: Duration) async throws
    /// Edges of every input requested with edges, in the order each line saw them. Finishes
    /// when the lines are closed or the backend is lost.
    var edges: AsyncStream<GPIOEdge> { get }
    /// Releases every line; outputs fall back to the kernel's default.
    func close() async
}

/// Why a GPIO operation failed; each case names the value and what to do about it.
public enum GPIOError: Error, Sendable, Equatable, CustomStringConvertible {
    case chipNotFound(chip: String, reason: String)
    case lineNotFound(role: String, chip: String, line: GPIOLineSelector)
    case lineBusy(role: String, chip: String, line: GPIOLineSelector, reason: String)
    case unknownRole(String)
    case notAnOutput(role: String)
    case duplicateRole(String)
    case biasUnsupported(role: String, bias: GPIOBias)
    case backendLost(reason: String)
    /// The process may not open the chip or request its lines (`EACCES`, `EPERM`).
    case permissionDenied(role: String, chip: String, reason: String)
    /// The lines were released by `close()` and are used again.
    case closed
    case failed(role: String, operation: String, reason: String)
    /// The simulator's GPIO bridge rejected a request. `code` is `unknown_role`, `busy`,
    /// `direction` or `not_requested`, and `reason` is the simulator's message, which names
    /// the fix.
    case bridgeRejected(role: String, code: String, reason: String)

    public var description: String {
        switch self {
        case .chipNotFound(let chip, let reason):
            "GPIO chip \"\(chip)\" not found (\(reason)); name a chip that `gpiodetect` lists in the board profile"
        case .lineNotFound(let role, let chip, let line):
            "GPIO line \(line) for \"\(role)\" not found on \(chip); check the name or offset with `gpioinfo \(chip)`"
        case .lineBusy(let role, let chip, let line, let reason):
            "GPIO line \(line) on \(chip) for \"\(role)\" is busy (\(reason)); stop the other user shown by `gpioinfo \(chip)`"
        case .unknownRole(let role):
            "no GPIO line has the role \"\(role)\"; add it to the board profile's gpio section"
        case .notAnOutput(let role):
            "GPIO line \"\(role)\" is an input and cannot be driven; declare it as an output in the board profile"
        case .duplicateRole(let role):
            "the role \"\(role)\" is given to two GPIO lines; give each line its own role"
        case .biasUnsupported(let role, let bias):
            "the kernel or chip cannot set bias \(bias.rawValue) on \"\(role)\"; use bias as-is and an external resistor"
        case .backendLost(let reason):
            "the GPIO backend was lost (\(reason)); the lines are released and must be requested again"
        case .permissionDenied(let role, let chip, let reason):
            "permission denied on GPIO chip \(chip) for \"\(role)\" (\(reason)); run alertbox as root or give its user read and write access to the chip's device"
        case .closed:
            "the GPIO lines were closed; request them again before using them"
        case .failed(let role, let operation, let reason):
            "GPIO \(operation) on \"\(role)\" failed: \(reason)"
        case .bridgeRejected(let role, let code, let reason):
            "the simulator's GPIO bridge rejected \"\(role)\" (\(code)): \(reason)"
        }
    }
}
