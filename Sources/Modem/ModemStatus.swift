public import ATProtocol

/// A snapshot of the modem's identity, SIM, network and the driver's counters, for status displays.
public struct ModemStatus: Sendable, Equatable {
    public var state: ModemState
    public var manufacturer: String?
    public var model: String?
    public var revision: String?
    public var imei: String?
    /// The last `+CPIN` state: `READY`, `SIM PIN`, `SIM PUK`, `NOT INSERTED` or another code.
    public var simState: String?
    /// The SIM's IMSI in clear; displays mask it.
    public var imsi: String?
    /// The SIM's ICCID in clear; displays mask it.
    public var iccid: String?
    /// The debounced registration per domain; a domain is missing until the modem reported it.
    public var registrations: [NetworkRegistration.Domain: RegistrationState]
    public var signal: SignalReading?
    /// The time since `signal` was taken, when there is a reading.
    public var signalAge: Duration?
    public var operatorName: String?
    /// The SMS service centre number set on the SIM (`AT+CSCA?`).
    public var smscAddress: String?
    public var counters: [String: Int]
}

extension ModemDriver {
    /// The current status of the modem and the driver's counters.
    public var status: ModemStatus {
        ModemStatus(
            state: state, manufacturer: identity?.manufacturer, model: identity?.model, revision: identity?.revision,
            imei: identity?.imei, simState: simState, imsi: imsi, iccid: iccid, registrations: registrations.stable,
            signal: signal, signalAge: signal.map { $0.takenAt.duration(to: clock.now) }, operatorName: operatorName,
            smscAddress: smscAddress, counters: counters)
    }
}
