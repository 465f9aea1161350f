import Core
import Foundation
import Hardware

extension SimulatorRuntime {
    /// Opens the GPIO bridge socket at `path` with the lines of `board`.
    ///
    /// Lines wired to a modem must name a modem this simulator has.
    public func enableGPIOBridge(board: GPIOBoard, path: String) throws {
        for line in board.lines where line.modemPin != nil && !simulation.modems.indices.contains(line.modem) {
            throw ControlError("GPIO line \"\(line.role)\" is wired to modem \(line.modem), but this simulator has \(simulation.modems.count); fix \"modem\" in the board file")
        }
        gpio = try GPIOBridgeEndpoint(board: board, path: path)
        log.info("GPIO bridge ready", ["sim.gpio": .plain(path), "gpio.lines": .plain(String(board.lines.count))])
    }

    /// The current `CLOCK_MONOTONIC` reading, which the bridge stamps edges and history with.
    private var monotonicNanoseconds: Int64 {
        clock.now.nanoseconds
    }

    /// Accepts bridge clients or serves one client's requests.
    func serveGPIO(_ gpio: GPIOBridgeEndpoint, _ descriptor: FileDescriptor) {
        if descriptor == gpio.listener {
            gpio.acceptClients()
            return
        }
        let (client, lines, gone) = gpio.readRequests(from: descriptor)
        for line in lines {
            let (reply, effects) = gpio.handle(line, client: client, at: monotonicNanoseconds)
            // The modem acts on a pin before the reply, so STATUS already shows the result.
            apply(effects, gpio)
            updateGPIO()
            gpio.respond(reply, to: descriptor)
        }
        if gone {
            log.info("GPIO bridge client left", ["gpio.client": .plain(String(client))])
            apply(gpio.clientGone(client, at: monotonicNanoseconds), gpio)
            updateGPIO()
        }
    }

    /// Runs the scripted contact changes that are due and shows each modem's power on its
    /// `STATUS` line.
    func updateGPIO() {
        guard let gpio else { return }
        apply(gpio.runDueSteps(at: monotonicNanoseconds), gpio)
        apply(gpio.syncModems(simulation.modems.map(\.isPoweredOn), at: monotonicNanoseconds), gpio)
    }

    private func apply(_ effects: [GPIOBridge.Effect], _ gpio: GPIOBridgeEndpoint) {
        for effect in effects {
            switch effect {
            case .edge:
                gpio.send(effect)
            case .modemPin(let pin, let modem, let asserted, let nanoseconds):
                log.info("modem pin changed", ["sim.modem": .plain(String(modem)), "gpio.pin": .plain(pin.rawValue), "gpio.asserted": .plain(String(asserted))])
                let instant = MonotonicInstant(nanoseconds: nanoseconds - origin.nanoseconds)
                process(simulation.modemPin(pin, asserted: asserted, modem: modem, at: instant))
            }
        }
    }

    // MARK: Control ops

    /// Performs a `gpio_` control op: `gpio_lines`, `gpio_set`, `gpio_sequence`, `gpio_get` or
    /// `gpio_history`.
    func performGPIO(_ request: ControlRequest) throws -> [String: Any] {
        guard let gpio else {
            throw ControlError("op \"\(request.op)\" needs the GPIO bridge; start alertbox-sim run with --gpio, --gpio-socket PATH or --gpio-board FILE")
        }
        let nanoseconds = monotonicNanoseconds
        switch request.op {
        case "gpio_lines":
            return ["socket": gpio.path, "lines": try gpio.bridge.roles.map { try gpio.bridge.describe($0) }, "ns": nanoseconds]
        case "gpio_get":
            let role = try request.require(request.string("role"), "role", "the line's role, such as \"panic_1\"")
            return try gpio.bridge.describe(role).merging(["ns": nanoseconds]) { $1 }
        case "gpio_set":
            let role = try request.require(request.string("role"), "role", "the input's role, such as \"panic_1\"")
            let closed = try contactClosed(request, role: role, gpio)
            apply(try gpio.setContact(role, closed: closed, at: nanoseconds), gpio)
            return try gpio.bridge.describe(role).merging(["ns": nanoseconds]) { $1 }
        case "gpio_sequence":
            return try queueSequence(request, gpio, start: nanoseconds)
        case "gpio_history":
            return try history(request, gpio)
        default:
            throw ControlError("unknown op \"\(request.op)\"; use gpio_lines, gpio_get, gpio_set, gpio_sequence or gpio_history")
        }
    }

    /// Returns the contact state a `gpio_set` requests: `closed` as given, or `active` (pressed, alarm)
    /// turned into the contact state of that line.
    private func contactClosed(_ request: ControlRequest, role: String, _ gpio: GPIOBridgeEndpoint) throws -> Bool {
        if let closed = request.bool("closed") {
            return closed
        }
        let active = try request.require(request.bool("active"), "active", "true for pressed or alarm, or give \"closed\" for the contact itself")
        return try gpio.bridge.contactClosed(role, active: active)
    }

    /// Queues `steps`, a list of `[active, hold_ms]` pairs, from `start`: each step's level
    /// holds for its time before the next one, and the last one stays.
    private func queueSequence(_ request: ControlRequest, _ gpio: GPIOBridgeEndpoint, start: Int64) throws -> [String: Any] {
        let role = try request.require(request.string("role"), "role", "the input's role, such as \"panic_1\"")
        guard let pairs = request.fields["steps"] as? [[Any]], !pairs.isEmpty else {
            throw ControlError("missing or invalid \"steps\": give a list of [active, hold_ms] pairs, such as [[true,5],[false,3],[true,200]]")
        }
        // Checks the role and its kind before anything is queued.
        _ = try gpio.bridge.contactClosed(role, active: true)
        var steps: [GPIOBridgeEndpoint.Step] = []
        var instant = start
        for (index, pair) in pairs.enumerated() {
            guard pair.count == 2, let active = (pair[0] as? NSNumber)?.boolValue, let hold = (pair[1] as? NSNumber)?.doubleValue, hold >= 0 else {
                throw ControlError("invalid step \(index + 1) of \"steps\": give [active, hold_ms] with active true or false and hold_ms 0 or more")
            }
            steps.append(GPIOBridgeEndpoint.Step(role: role, nanoseconds: instant, closed: try gpio.bridge.contactClosed(role, active: active)))
            instant += Int64(hold * 1_000_000)
        }
        gpio.queue(steps)
        apply(gpio.runDueSteps(at: start), gpio)
        return ["role": role, "start_ns": start, "at_ns": steps.map(\.nanoseconds)]
    }

    /// Returns the transitions of one output (`role`) or of all, cleared afterwards with `"clear": true`.
    private func history(_ request: ControlRequest, _ gpio: GPIOBridgeEndpoint) throws -> [String: Any] {
        let roles = request.string("role").map { [$0] } ?? gpio.bridge.board.lines.filter { $0.direction == .output }.map(\.role)
        var history: [String: Any] = [:]
        for role in roles {
            history[role] = try gpio.bridge.history(role).map { ["on": $0.on, "level": $0.level.rawValue, "ns": $0.nanoseconds] as [String: Any] }
        }
        if request.bool("clear") == true {
            gpio.clearHistory()
        }
        return ["history": history, "ns": monotonicNanoseconds]
    }
}
