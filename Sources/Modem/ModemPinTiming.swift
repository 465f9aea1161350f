/// The pulse lengths and waits with which the box drives a module's power key and reset pin.
///
/// Pulses sit above each manual's minimum, with room for the scheduling delay of a Linux
/// board, and below any maximum. The waits bound how long STATUS may take to follow.
public struct ModemPinTiming: Sendable, Equatable {
    /// How long the power key is asserted to turn an off module on.
    public var powerOnPulse: Duration
    /// How long the power key is asserted to turn a running module off.
    public var powerOffPulse: Duration
    /// How long the reset pin is asserted.
    public var resetPulse: Duration
    /// The maximum wait for STATUS to rise after power-on or reset.
    public var statusOnTimeout: Duration
    /// The maximum wait for STATUS to fall after the power-off pulse.
    public var statusOffTimeout: Duration
    /// How long the load switch stays off in a power cycle, so the module's rails discharge.
    public var supplyOffTime: Duration
    /// How often STATUS is read while waiting for it.
    public var statusPollInterval: Duration

    public init(
        powerOnPulse: Duration, powerOffPulse: Duration, resetPulse: Duration, statusOnTimeout: Duration, statusOffTimeout: Duration,
        supplyOffTime: Duration = .seconds(1), statusPollInterval: Duration = .milliseconds(50)
    ) {
        self.powerOnPulse = powerOnPulse
        self.powerOffPulse = powerOffPulse
        self.resetPulse = resetPulse
        self.statusOnTimeout = statusOnTimeout
        self.statusOffTimeout = statusOffTimeout
        self.supplyOffTime = supplyOffTime
        self.statusPollInterval = statusPollInterval
    }

    /// Quectel EC25, after the EC25 Hardware Design manual's figures as the Atmark Techno
    /// `reset-ec25` Linux driver uses them. `PWRKEY` low for at least 500 ms turns the module
    /// on, and for at least 650 ms turns it off. `RESET_N` low for 150-460 ms resets it.
    /// STATUS rises at the earliest 2.5 s after power-on. It falls up to 29.5 s after the
    /// power-off pulse, because the module first logs off the network.
    public static let quectelEC25 = ModemPinTiming(
        powerOnPulse: .milliseconds(600), powerOffPulse: .milliseconds(800), resetPulse: .milliseconds(300),
        statusOnTimeout: .seconds(15), statusOffTimeout: .seconds(35))

    /// SIMCom SIM7600. `PWRKEY` low for at least 100 ms (typically 500 ms) turns the module on,
    /// and for at least 2.5 s turns it off. `RESET` low for at least 2 s (typically 2.5 s)
    /// resets it. STATUS falls about 26 s after the power-off pulse.
    /// NOTE: these figures are from SIMCom's SIM7600 Series Hardware Design as remembered and
    /// were not checked against the manual here; check them before relying on them on a board.
    public static let simcomSIM7600 = ModemPinTiming(
        powerOnPulse: .milliseconds(600), powerOffPulse: .seconds(3), resetPulse: .milliseconds(2500),
        statusOnTimeout: .seconds(25), statusOffTimeout: .seconds(35))
}
