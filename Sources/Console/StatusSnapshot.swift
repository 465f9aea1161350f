public import Core
public import Modem
public import Scheduler

/// What `status` shows, gathered by the runtime when the command runs.
public struct StatusSnapshot: Sendable {
    /// The IM uplink's health, nil when no uplink is configured.
    public var uplink: UplinkHealth?
    /// The modem, nil when the box has none or it is not started.
    public var modem: ModemStatus?
    /// Deliveries queued or waiting in the scheduler.
    public var queued: Int
    /// SMS parts the SIM sent in the last minute, hour and day, and the limits.
    public var smsUsedLastMinute: Int
    public var smsUsedLastHour: Int
    public var smsUsedLastDay: Int
    public var smsLimits: SMSBudget.Limits

    public init(
        uplink: UplinkHealth? = nil, modem: ModemStatus? = nil, queued: Int = 0, smsUsedLastMinute: Int = 0, smsUsedLastHour: Int = 0,
        smsUsedLastDay: Int = 0, smsLimits: SMSBudget.Limits = SMSBudget.Limits()
    ) {
        self.uplink = uplink
        self.modem = modem
        self.queued = queued
        self.smsUsedLastMinute = smsUsedLastMinute
        self.smsUsedLastHour = smsUsedLastHour
        self.smsUsedLastDay = smsUsedLastDay
        self.smsLimits = smsLimits
    }

    /// Gathers a snapshot from the components the box runs; any of them may be missing.
    /// - Parameter sim: the SIM id the scheduler counts the budget under.
    public static func gather(modem: ModemDriver?, scheduler: AlertScheduler?, sim: String, clock: any BoxClock) async -> StatusSnapshot {
        var snapshot = StatusSnapshot()
        snapshot.modem = await modem?.status
        if let scheduler {
            snapshot.uplink = await scheduler.uplinkHealth
            snapshot.queued = await scheduler.pendingCount
            let budget = await scheduler.budget(sim: sim)
            let now = clock.now
            snapshot.smsUsedLastMinute = budget.used(within: .seconds(60), at: now)
            snapshot.smsUsedLastHour = budget.used(within: .seconds(3600), at: now)
            snapshot.smsUsedLastDay = budget.used(within: .seconds(86_400), at: now)
            snapshot.smsLimits = budget.limits
        }
        return snapshot
    }
}
