public import Core
public import Modem
public import Scheduler

/// The box's status as the `状态` command reports it. A field is nil when its source is unknown or not wired.
public struct BoxStatus: Sendable, Equatable {
    public var uplink: UplinkHealth?
    /// Whether the SIM reports `READY`.
    public var simReady: Bool?
    /// Whether the modem is registered on the network for SMS.
    public var registered: Bool?
    /// Signal bars from 0 to 4.
    public var signalBars: Int?
    /// RSRP on LTE, else RSSI, in dBm.
    public var signalDBm: Int?
    /// Deliveries queued or waiting, in every lane.
    public var queuedDeliveries: Int?
    /// SMS parts the SIM sent in the last 24 hours.
    public var smsUsedToday: Int?
    /// The SIM's daily SMS limit, in parts.
    public var smsDailyLimit: Int?

    public init(
        uplink: UplinkHealth? = nil, simReady: Bool? = nil, registered: Bool? = nil, signalBars: Int? = nil, signalDBm: Int? = nil,
        queuedDeliveries: Int? = nil, smsUsedToday: Int? = nil, smsDailyLimit: Int? = nil
    ) {
        self.uplink = uplink
        self.simReady = simReady
        self.registered = registered
        self.signalBars = signalBars
        self.signalDBm = signalDBm
        self.queuedDeliveries = queuedDeliveries
        self.smsUsedToday = smsUsedToday
        self.smsDailyLimit = smsDailyLimit
    }
}

/// A source of the box's status for the `状态` command; the runtime wires the real sources.
public protocol BoxStatusProvider: Sendable {
    func currentStatus() async -> BoxStatus
}

/// The status from the scheduler (uplink, queue, SMS budget) and one modem driver (SIM,
/// registration, signal).
public struct SchedulerModemStatus: BoxStatusProvider {
    let scheduler: AlertScheduler
    let driver: ModemDriver
    let simName: String
    let clock: any BoxClock

    /// - Parameter simName: the SMS channel name the scheduler counts the budget under, such as `modem0`.
    public init(scheduler: AlertScheduler, driver: ModemDriver, simName: String, clock: any BoxClock) {
        self.scheduler = scheduler
        self.driver = driver
        self.simName = simName
        self.clock = clock
    }

    public func currentStatus() async -> BoxStatus {
        let modem = await driver.status
        let registered = await driver.isRegistered
        let budget = await scheduler.budget(sim: simName)
        let signal = modem.signal
        return BoxStatus(
            uplink: await scheduler.uplinkHealth, simReady: modem.simState.map { $0 == "READY" }, registered: registered,
            signalBars: signal?.bars, signalDBm: signal?.rsrpDBm ?? signal?.rssiDBm, queuedDeliveries: await scheduler.pendingCount,
            smsUsedToday: budget.used(within: .seconds(86_400), at: clock.now), smsDailyLimit: budget.limits.perDay)
    }
}
