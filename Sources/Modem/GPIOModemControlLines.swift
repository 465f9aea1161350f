public import Core
public import Hardware

/// The roles of a modem's control lines in the board profile.
public struct ModemControlRoles: Sendable, Equatable {
    /// The output that asserts the module's `PWRKEY`.
    public var powerKey: String
    /// The output that asserts the module's `RESET_N` (`RESET` on SIMCom modules).
    public var reset: String
    /// The input that reads the module's `STATUS`, high while the module runs.
    public var status: String
    /// The output that switches the module's supply on, on boards with a load switch.
    public var powerEnable: String?

    public init(
        powerKey: String = "modem_power_key", reset: String = "modem_reset", status: String = "modem_status", powerEnable: String? = nil
    ) {
        self.powerKey = powerKey
        self.reset = reset
        self.status = status
        self.powerEnable = powerEnable
    }
}

/// An error of a reset or power cycle that did not bring the modem back.
public enum ModemControlError: Error, Sendable, Equatable, CustomStringConvertible {
    /// STATUS did not reach `expected` within `timeout` after `step`.
    case statusTimeout(role: String, expected: Bool, timeout: Duration, step: String)

    public var description: String {
        switch self {
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
/// those requests. Waits use `Task.sleep`, so no thread blocks.
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

    /// Builds the requests for the control lines on `chip`, each line named by its role.
    public static func lineRequests(_ roles: ModemControlRoles, chip: String) -> [GPIOLineRequest] {
        var requests = [
            GPIOLineRequest(role: roles.powerKey, chip: chip, line: .name(roles.powerKey), direction: .output(initialActive: false)),
            GPIOLineRequest(role: roles.reset, chip: chip, line: .name(roles.reset), direction: .output(initialActive: false)),
            GPIOLineRequest(role: roles.status, chip: chip, line: .name(roles.status), direction: .input(bias: .asIs, edges: false)),
        ]
        if let enable = roles.powerEnable {
            requests.append(GPIOLineRequest(role: enable, chip: chip, line: .name(enable), direction: .output(initialActive: true)))
        }
        return requests
    }

    /// Pulses the reset pin for `timing.resetPulse`, then waits for STATUS to be high.
    /// - Throws: `ModemControlError.statusTimeout` when STATUS stays low, as when the module
    ///   is off (a reset does not turn it on); `GPIOError` when a line fails.
    public func pulseReset() async throws {
        logger.notice("modem reset pulse", ["gpio.role": .plain(roles.reset), "gpio.pulse": .plain("\(timing.resetPulse)")])
        try await pulse(roles.reset, for: timing.resetPulse)
        try await requireStatus(true, within: timing.statusOnTimeout, after: "the reset pulse")
        logger.notice("modem running after reset pulse")
    }

    /// Turns the module off with the power key and waits for STATUS to fall, cuts its supply
    /// for `timing.supplyOffTime` where the board has a load switch, then turns it on and waits
    /// for STATUS to rise. A module already off skips the power-off pulse.
    /// - Throws: `ModemControlError.statusTimeout` when STATUS does not follow, and
    ///   `GPIOError` when a line fails. A module that ignores the power-off pulse is cut off
    ///   by the load switch where the board has one.
    public func powerCycle() async throws {
        if try await lines.value(of: roles.status) {
            logger.notice("modem power-off pulse", ["gpio.role": .plain(roles.powerKey), "gpio.pulse": .plain("\(timing.powerOffPulse)")])
            try await pulse(roles.powerKey, for: timing.powerOffPulse)
            if !(try await waitForStatus(false, within: timing.statusOffTimeout)) {
                guard roles.powerEnable != nil else {
                    throw ModemControlError.statusTimeout(role: roles.status, expected: false, timeout: timing.statusOffTimeout, step: "the power-off pulse")
                }
                logger.warning("modem ignored the power-off pulse; cutting its supply")
            }
        }
        if let enable = roles.powerEnable {
            logger.notice("modem supply cut", ["gpio.role": .plain(enable), "gpio.off_for": .plain("\(timing.supplyOffTime)")])
            try await lines.set(enable, active: false)
            try? await Task.sleep(for: timing.supplyOffTime)
            try await lines.set(enable, active: true)
        }
        logger.notice("modem power-on pulse", ["gpio.role": .plain(roles.powerKey), "gpio.pulse": .plain("\(timing.powerOnPulse)")])
        try await pulse(roles.powerKey, for: timing.powerOnPulse)
        try await requireStatus(true, within: timing.statusOnTimeout, after: "the power-on pulse")
        logger.notice("modem running after power cycle")
    }

    /// Asserts `role` for `length`. A cancelled task ends the pulse early, which the module
    /// ignores as too short.
    private func pulse(_ role: String, for length: Duration) async throws {
        try await lines.set(role, active: true)
        try? await Task.sleep(for: length)
        try await lines.set(role, active: false)
    }

    private func requireStatus(_ expected: Bool, within timeout: Duration, after step: String) async throws {
        guard try await waitForStatus(expected, within: timeout) else {
            throw ModemControlError.statusTimeout(role: roles.status, expected: expected, timeout: timeout, step: step)
        }
    }

    /// Reads STATUS every `timing.statusPollInterval` until it is `expected` or `timeout`
    /// passes; returns whether it got there.
    private func waitForStatus(_ expected: Bool, within timeout: Duration) async throws -> Bool {
        let clock = SystemClock()
        let deadline = clock.now.advanced(by: timeout)
        while true {
            if try await lines.value(of: roles.status) == expected { return true }
            if clock.now >= deadline { return false }
            try await Task.sleep(for: timing.statusPollInterval)
        }
    }
}
