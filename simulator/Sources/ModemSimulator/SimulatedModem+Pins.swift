import Core

/// The shortest pulses on a module's power key and reset pin that the module acts on.
///
/// A shorter pulse does nothing, as on the real module. The simulator judges a pulse by its
/// length when it ends. A real module may act as soon as the pin has been held long enough,
/// but the outcome of a whole pulse is the same.
public struct ModemPinThresholds: Sendable, Equatable {
    /// The power key pulse that turns an off module on.
    public var powerOn: Duration
    /// The power key pulse that turns a running module off.
    public var powerOff: Duration
    /// The reset pulse that restarts a running module.
    public var reset: Duration

    public init(powerOn: Duration, powerOff: Duration, reset: Duration) {
        self.powerOn = powerOn
        self.powerOff = powerOff
        self.reset = reset
    }
}

extension ModemDialect {
    /// The minimum pulses of the module this dialect imitates.
    ///
    /// EC25: `PWRKEY` low for at least 500 ms turns it on, and at least 650 ms turns it off.
    /// `RESET_N` low for 150-460 ms resets it. The figures are the Quectel EC25 Hardware
    /// Design's, as the Atmark Techno `reset-ec25` Linux driver uses them. SIM7600: `PWRKEY`
    /// low for at least 100 ms turns it on, at least 2.5 s turns it off, and `RESET` low for at
    /// least 2 s resets it. NOTE: the SIM7600 figures are from SIMCom's SIM7600 Series Hardware Design as
    /// remembered, not checked against the manual here.
    public var pinThresholds: ModemPinThresholds {
        switch self {
        case .quectel: ModemPinThresholds(powerOn: .milliseconds(500), powerOff: .milliseconds(650), reset: .milliseconds(150))
        case .simcom: ModemPinThresholds(powerOn: .milliseconds(100), powerOff: .milliseconds(2500), reset: .milliseconds(2000))
        }
    }
}

extension SimulatedModem {
    /// Acts on a power key pulse of `held`. An off module with power turns on, a running or
    /// booting one powers down with its URC, and a short pulse does nothing.
    mutating func powerKeyPulsed(held: Duration, _ effects: inout ModemEffects) {
        let thresholds = dialect.pinThresholds
        guard supplied else { return }
        if power == .off {
            guard held >= thresholds.powerOn else { return }
            clearHang()
            powerOn(&effects)
        } else if held >= thresholds.powerOff {
            effects.urc(dialect.powerDownLine)
            powerOff()
        }
    }

    /// Acts on a reset pulse of `held`. A running module restarts and prints its boot lines
    /// again, which ends any hang. A short pulse does nothing.
    mutating func resetPulsed(held: Duration, _ effects: inout ModemEffects) {
        guard supplied, power != .off, held >= dialect.pinThresholds.reset else { return }
        clearHang()
        powerOn(&effects)
    }

    /// Cuts or restores the module's supply. Without supply the module is off at once, with no
    /// URC; with it back the module stays off until a power key pulse, as an EC25 or SIM7600
    /// whose `PWRKEY` is not tied low.
    mutating func setSupply(_ on: Bool) {
        supplied = on
        if !on {
            powerOff()
        }
    }

    /// Ends the silence and slow replies of a hung firmware, which a hardware restart clears.
    mutating func clearHang() {
        silentPrefix = nil
        silentUntil = nil
        replyDelay = .zero
        replyDelayUntil = nil
    }
}
