public import Core
public import Hardware

/// The roles of a modem's control lines in the board profile. A board wires only some of
/// them: the Sixfab Base HAT has a load switch and nothing else, the Waveshare SIM7600 HAT a
/// power key only.
public struct ModemControlRoles: Sendable, Equatable {
    /// The output that asserts the module's `PWRKEY`.
    public var powerKey: String?
    /// The output that asserts the module's `RESET_N` (`RESET` on SIMCom modules).
    public var reset: String?
    /// The input that reads the module's `STATUS`, high while the module runs.
    public var status: String?
    /// The output that switches the module's supply on, on boards with a load switch.
    public var powerEnable: String?

    public init(
        powerKey: String? = "modem_power_key", reset: String? = "modem_reset", status: String? = "modem_status", powerEnable: String? = nil
    ) {
        self.powerKey = powerKey
        self.reset = reset
        self.status = status
        self.powerEnable = powerEnable
    }

    /// The roles among `available` (a board profile's lines) that have their standard names.
    public init(available: Set<String>) {
        let defaults = ModemControlRoles(powerEnable: "modem_power_enable")
        self.init(
            powerKey: defaults.powerKey.flatMap { available.contains($0) ? $0 : nil },
            reset: defaults.reset.flatMap { available.contains($0) ? $0 : nil },
            status: defaults.status.flatMap { available.contains($0) ? $0 : nil },
            powerEnable: defaults.powerEnable.flatMap { available.contains($0) ? $0 : nil })
    }

    /// Whether any control line is wired.
    public var isEmpty: Bool {
        powerKey == nil && reset == nil && status == nil && powerEnable == nil
    }
}

/// An error of a reset or power cycle that did not bring the modem back.
public enum ModemControlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// STATUS did not reach `expected` within `timeout` after `step`.
    case statusTimeout(role: String, expected: Bool, timeout: Duration, step: String)
    /// The board wires no line for `step`.
    case noLine(step: String)

    public var description: String {
        switch self {
        case .noLine(let step):
            "the board has no GPIO line for the modem's \(step); add modem_reset, modem_power_key or modem_power_enable to the board profile"
        case .statusTimeout(let role, let expected, let timeout, let step):
            "modem STATUS (\"\(role)\") did not go \(expected ? "high" : "low") within \(timeout) after \(step); "
                + (expected
                    ? "check the module's supply and the power key wiring, or power-cycle the box"
                    : "the module ignored the power key; a board with a load switch can cut its supply (set its power enable role)")
        }
    }
}

/// The modem's reset and power lines over GPIO, with a module's pulse timings.
///
/// The lines must already be requested: the power key and reset as outputs resting inactive,
/// STATUS as an input, the power enable as an output resting active. `lineRequests` builds
/// those requests. The GPIO backend times each pulse on its own thread, so a busy concurrency
/// pool cannot stretch a reset past the module's maximum; the longer waits use `Task.sleep`.
public struct GPIOModemControlLines: ModemControlLines {
    public let lines: any GPIOLines
    public let roles: ModemControlRoles
    public let timing: ModemPinTiming
    let logger: Logger

    public init(lines: any GPIOLines, roles: ModemControlRoles = ModemControlRoles(), timing: ModemPinTiming, logger: Logger) {
        self.lines = lines
        self.roles = roles
        self.timing = timing
        self.logger = logger
    }

    public var canReset: Bool { roles.reset != nil }
    public var canPowerCycle: Bool { roles.powerKey != nil || roles.powerEnable != nil }

    /// Builds the requests for the control lines on `chip`, each line named by its role.
    public static func lineRequests(_ roles: ModemControlRoles, chip: String) -> [GPIOLineRequest] {
        var requests: [GPIOLineRequest] = []
        for role in [roles.powerKey, roles.reset].compactMap({ $0 }) {
            requests.append(GPIOLineRequest(role: role, chip: chip, line: .name(role), direction: .output(initialActive: false)))
        }
        if let status = roles.status {
            requests.append(GPIOLineRequest(role: status, chip: chip, line: .name(status), direction: .input(bias: .asIs, edges: false)))
        }
        if let enable = roles.powerEnable {
            requests.append(GPIOLineRequest(role: enable, chip: chip, line: .name(enable), direction: .output(initialActive: true)))
        }
        return requests
    }

    /// Pulses the reset pin for `timing.resetPulse`, then waits for STATUS to be high where the
    /// board wires STATUS.
    /// - Throws: `ModemControlError.statusTimeout` when STATUS stays low, as when the module
    ///   is off (a reset does not turn it on); `ModemControlError.noLine` without a reset line;
    ///   `GPIOError` when a line fails.
    public func pulseReset() async throws {
        guard let reset = roles.reset else { throw ModemControlError.noLine(step: "reset") }
        logger.notice("modem reset pulse", ["gpio.role": .plain(reset), "gpio.pulse": .plain("\(timing.resetPulse)")])
        try await lines.pulse(reset, for: timing.resetPulse)
        try await requireStatus(true, within: timing.statusOnTimeout, after: "the reset pulse")
        logger.notice("modem running after reset pulse")
    }

    /// Turns the module off with the power key and waits for STATUS to fall, cuts its supply
    /// for `timing.supplyOffTime` where the board has a load switch, then turns it on and waits
    /// for STATUS to rise. A module already off skips the power-off pulse.
    ///
    /// Without STATUS the box cannot see whether the module is off, so it waits
    /// `timing.statusOffTimeout` after the power-off pulse (or cuts the supply at once where it
    /// can). A power-off pulse to a module that was off turns it on, and the shorter power-on
    /// pulse after it then does nothing, so the module ends up running either way.
    /// - Throws: `ModemControlError.statusTimeout` when STATUS does not follow,
    ///   `ModemControlError.noLine` without a power key or load switch, and `GPIOError` when a
    ///   line fails. A module that ignores the power-off pulse is cut off by the load switch
    ///   where the board has one.
    public func powerCycle() async throws {
        guard canPowerCycle else { throw ModemControlError.noLine(step: "power cycle") }
        if let powerKey = roles.powerKey, try await isRunning() != false {
            logger.notice("modem power-off pulse", ["gpio.role": .plain(powerKey), "gpio.pulse": .plain("\(timing.powerOffPulse)")])
            try await lines.pulse(powerKey, for: timing.powerOffPulse)
            if let status = roles.status {
                if !(try await waitForStatus(false, within: timing.statusOffTimeout)) {
                    guard roles.powerEnable != nil else {
                        throw ModemControlError.statusTimeout(role: status, expected: false, timeout: timing.statusOffTimeout, step: "the power-off pulse")
                    }
                    logger.warning("modem ignored the power-off pulse; cutting its supply")
                }
            } else if roles.powerEnable == nil {
                try? await Task.sleep(for: timing.statusOffTimeout)
            }
        }
        if let enable = roles.powerEnable {
            logger.notice("modem supply cut", ["gpio.role": .plain(enable), "gpio.off_for": .plain("\(timing.supplyOffTime)")])
            try await lines.set(enable, active: false)
            try? await Task.sleep(for: timing.supplyOffTime)
            try await lines.set(enable, active: true)
        }
        if let powerKey = roles.powerKey {
            logger.notice("modem power-on pulse", ["gpio.role": .plain(powerKey), "gpio.pulse": .plain("\(timing.powerOnPulse)")])
            try await lines.pulse(powerKey, for: timing.powerOnPulse)
        }
        try await requireStatus(true, within: timing.statusOnTimeout, after: "the power-on pulse")
        logger.notice("modem powered on after power cycle")
    }

    /// Whether STATUS says the module runs, or nil without a STATUS line.
    private func isRunning() async throws -> Bool? {
        guard let status = roles.status else { return nil }
        return try await lines.value(of: status)
    }

    /// Waits for STATUS; without a STATUS line it returns at once, and the driver's own
    /// startup timeout tells whether the module came back.
    private func requireStatus(_ expected: Bool, within timeout: Duration, after step: String) async throws {
        guard let status = roles.status else { return }
        guard try await waitForStatus(expected, within: timeout) else {
            throw ModemControlError.statusTimeout(role: status, expected: expected, timeout: timeout, step: step)
        }
    }

    /// Reads STATUS every `timing.statusPollInterval` until it is `expected` or `timeout`
    /// passes; returns whether it got there.
    private func waitForStatus(_ expected: Bool, within timeout: Duration) async throws -> Bool {
        let clock = SystemClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if try await isRunning() == expected { return true }
            if clock.now >= deadline { return false }
            try await Task.sleep(for: timing.statusPollInterval)
        }
    }
}
