public import Core

/// An instant in both of the box's clocks: wall time for what is stored, monotonic time for
/// rate windows, which must not jump when NTP or the network sets the wall clock.
public struct SchedulerTime: Sendable, Equatable {
    /// Milliseconds since the Unix epoch.
    public var wallMillis: Int64
    public var monotonic: MonotonicInstant

    public init(wallMillis: Int64, monotonic: MonotonicInstant) {
        self.wallMillis = wallMillis
        self.monotonic = monotonic
    }

    /// Reads both clocks now.
    public init(clock: some BoxClock) {
        self.init(wallMillis: clock.wallNow.nanosecondsSinceEpoch / 1_000_000, monotonic: clock.now)
    }
}

/// The queue one worker pulls from: the SMS queue shared by every SIM, or one IM target's.
public enum Lane: Hashable, Sendable, CustomStringConvertible {
    case sms
    case im(targetID: Int64)

    public var description: String {
        switch self {
        case .sms: "sms"
        case .im(let targetID): "im:\(targetID)"
        }
    }
}

/// A pending delivery as the dispatcher keeps it in memory.
public struct QueuedDelivery: Sendable, Equatable {
    public var id: Int64
    public var alertID: Int64
    public var priority: Int
    public var lane: Lane
    public var recipient: String?
    public var contactID: Int64?
    /// Attempts made so far; the next one is `attempt + 1`.
    public var attempt: Int
    /// Milliseconds since the epoch before which the delivery waits.
    public var notBefore: Int64
    /// SMS parts the text takes, for the SIM budget; 1 for IM.
    public var parts: Int
    public var language: Language

    public init(
        id: Int64, alertID: Int64, priority: Int, lane: Lane, recipient: String? = nil, contactID: Int64? = nil, attempt: Int = 0,
        notBefore: Int64 = 0, parts: Int = 1, language: Language = .chinese
    ) {
        self.id = id
        self.alertID = alertID
        self.priority = priority
        self.lane = lane
        self.recipient = recipient
        self.contactID = contactID
        self.attempt = attempt
        self.notBefore = notBefore
        self.parts = parts
        self.language = language
    }
}

/// Decides which delivery each worker sends next, and when a worker must wait.
///
/// A pure value: the scheduler actor feeds it deliveries and outcomes and performs what it
/// returns. Each lane keeps ready deliveries in a `DeliveryQueue` (priority first, alerts of
/// one priority in turn) and waiting ones in a heap by the instant they become ready. An SMS
/// goes only within the SIM's budget and an IM message only within the target's token
/// bucket. IM lanes send nothing while the uplink is down.
public struct DispatchCore: Sendable {
    /// The next action of a worker.
    public enum Choice: Sendable, Equatable {
        /// Send this delivery now; the caller commits it as `sending` first.
        case send(QueuedDelivery)
        /// The alert has expired: record the delivery as `expired` and ask again.
        case expire(QueuedDelivery)
        /// Nothing may go before this much time has passed, or before new work arrives.
        case wait(Duration)
        /// Nothing is queued for this lane.
        case idle
    }

    private var ready: [Lane: DeliveryQueue<QueuedDelivery>] = [:]
    private var waiting: [Lane: WaitingHeap] = [:]
    private var budgets: [String: SMSBudget] = [:]
    /// Every limit of each IM target, such as Feishu's 100 a minute and 5 a second.
    private var buckets: [Int64: [TokenBucket]] = [:]
    /// Expiry per alert in milliseconds since the epoch, for alerts that have one.
    private var expiries: [Int64: Int64] = [:]

    public var smsLimits: SMSBudget.Limits
    /// Messages per period each IM target may take, by channel name.
    public var imRates: [String: [IMRate]]
    public private(set) var uplink: UplinkHealth = .up
    /// IM targets whose own channel is down; their lanes wait until it is up again.
    public private(set) var targetsDown: Set<Int64> = []
    /// SIMs whose modem cannot send now (starting, restarting, locked); their workers wait.
    public private(set) var simsUnavailable: Set<String> = []

    public init(smsLimits: SMSBudget.Limits, imRates: [String: [IMRate]]) {
        self.smsLimits = smsLimits
        self.imRates = imRates
    }

    /// Deliveries queued or waiting in every lane.
    public var pendingCount: Int {
        ready.values.reduce(0) { $0 + $1.count } + waiting.values.reduce(0) { $0 + $1.count }
    }

    /// Deliveries queued or waiting in one lane.
    public func pendingCount(in lane: Lane) -> Int {
        (ready[lane]?.count ?? 0) + (waiting[lane]?.count ?? 0)
    }

    /// Deliveries queued or waiting in IM lanes.
    public var pendingIMCount: Int {
        ready.filter { $0.key != .sms }.values.reduce(0) { $0 + $1.count }
            + waiting.filter { $0.key != .sms }.values.reduce(0) { $0 + $1.count }
    }

    /// The lanes that have work.
    public var busyLanes: [Lane] {
        Set(ready.filter { !$0.value.isEmpty }.keys).union(waiting.filter { !$0.value.isEmpty }.keys).sorted { $0.description < $1.description }
    }

    /// Records an alert's expiry, so its deliveries stop once it passes.
    public mutating func setExpiry(_ wallMillis: Int64?, alertID: Int64) {
        expiries[alertID] = wallMillis
    }

    /// Returns the alerts whose expiry has passed at `wallMillis`, in no particular order.
    public func expiredAlerts(at wallMillis: Int64) -> [Int64] {
        expiries.filter { $0.value <= wallMillis }.map(\.key)
    }

    /// The earliest recorded expiry, in milliseconds since the epoch. It may have passed
    /// already, until `removeAlert` drops it.
    public var nextExpiry: Int64? {
        expiries.values.min()
    }

    /// Number of alerts with a recorded expiry. `removeAlert` drops an alert's entry.
    public var expiryCount: Int {
        expiries.count
    }

    /// Queues a delivery: ready now, or waiting until its `notBefore`.
    public mutating func enqueue(_ delivery: QueuedDelivery, at now: SchedulerTime) {
        if delivery.notBefore > now.wallMillis {
            waiting[delivery.lane, default: WaitingHeap()].push(delivery)
        } else {
            ready[delivery.lane, default: DeliveryQueue()].push(delivery, alertID: delivery.alertID, priority: delivery.priority)
        }
    }

    /// Removes every queued delivery of an alert, as a cancel or an update does; returns their ids.
    public mutating func removeAlert(_ alertID: Int64) -> [Int64] {
        var removed: [Int64] = []
        for lane in Array(ready.keys) {
            removed += ready[lane]!.removeAlert(alertID).map(\.id)  // The key was just read from `ready`.
        }
        for lane in Array(waiting.keys) {
            removed += waiting[lane]!.removeAll { $0.alertID == alertID }.map(\.id)  // The key was just read from `waiting`.
        }
        expiries[alertID] = nil
        return removed
    }

    /// Removes the queued deliveries that match, such as those to one contact after they
    /// acknowledged; returns their ids.
    public mutating func remove(alertID: Int64, where matches: (QueuedDelivery) -> Bool) -> [Int64] {
        var removed: [Int64] = []
        for lane in Array(ready.keys) {
            let all = ready[lane]!.removeAlert(alertID)  // The key was just read from `ready`.
            for item in all {
                if matches(item) {
                    removed.append(item.id)
                } else {
                    ready[lane]!.push(item, alertID: item.alertID, priority: item.priority)
                }
            }
        }
        for lane in Array(waiting.keys) {
            removed += waiting[lane]!.removeAll { $0.alertID == alertID && matches($0) }.map(\.id)
        }
        return removed
    }

    /// Removes every queued delivery of an IM target whose channel needs a person; returns them.
    public mutating func drain(_ lane: Lane) -> [QueuedDelivery] {
        var removed: [QueuedDelivery] = []
        if var queue = ready[lane] {
            while let next = queue.next() { removed.append(next.item) }
        }
        ready[lane] = nil
        removed += waiting[lane]?.removeAll { _ in true } ?? []
        waiting[lane] = nil
        return removed
    }

    /// Sets the uplink's health; IM lanes hold their deliveries while it is down.
    public mutating func setUplink(_ health: UplinkHealth) {
        uplink = health
    }

    /// Sets one IM target's health. Its lane keeps its deliveries waiting while it is down.
    public mutating func setTarget(_ targetID: Int64, health: UplinkHealth) {
        if health == .down {
            targetsDown.insert(targetID)
        } else {
            targetsDown.remove(targetID)
        }
    }

    /// Sets whether a SIM's modem can send. A worker whose SIM cannot waits instead of taking
    /// deliveries that would fail at once and spend an attempt each.
    public mutating func setSIM(_ sim: String, available: Bool) {
        if available {
            simsUnavailable.remove(sim)
        } else {
            simsUnavailable.insert(sim)
        }
    }

    /// Chooses what the worker of `lane` does next; `sim` names the SIM for the SMS lane.
    public mutating func next(_ lane: Lane, sim: String? = nil, at now: SchedulerTime) -> Choice {
        while let due = waiting[lane]?.popDue(at: now.wallMillis) {
            ready[lane, default: DeliveryQueue()].push(due, alertID: due.alertID, priority: due.priority)
        }
        let waitForQueued = waiting[lane]?.earliest.map { Duration.milliseconds($0 - now.wallMillis) }

        guard let head = ready[lane]?.peek() else {
            return waitForQueued.map(Choice.wait) ?? .idle
        }
        if let expiry = expiries[head.alertID], now.wallMillis >= expiry {
            _ = ready[lane]!.next()  // `peek` just returned an item of this lane.
            return .expire(head.item)
        }

        switch lane {
        case .sms:
            guard !simsUnavailable.contains(sim ?? "") else { return .wait(Self.sooner(.seconds(60), waitForQueued)) }
            let budget = budgets[sim ?? "", default: SMSBudget(limits: smsLimits)]
            guard budget.allows(head.item.parts, priority: head.priority, at: now.monotonic) else {
                let until = budget.nextAllowed(head.item.parts, priority: head.priority, at: now.monotonic)
                return .wait(Self.sooner(until.map { now.monotonic.duration(to: $0) } ?? .seconds(3600), waitForQueued))
            }
        case .im(let targetID):
            guard uplink != .down, !targetsDown.contains(targetID) else { return .wait(Self.sooner(.seconds(60), waitForQueued)) }
            if var limits = buckets[targetID] {
                // A message goes only when every limit has a token, and then takes one from each.
                let ready = limits.indices.map { limits[$0].nextAvailable(at: now.monotonic) }.max() ?? now.monotonic
                guard ready <= now.monotonic else {
                    buckets[targetID] = limits
                    return .wait(Self.sooner(now.monotonic.duration(to: ready), waitForQueued))
                }
                for index in limits.indices {
                    _ = limits[index].take(at: now.monotonic)
                }
                buckets[targetID] = limits
            }
        }
        _ = ready[lane]!.next()  // `peek` just returned an item of this lane.
        return .send(head.item)
    }

    /// Returns the shorter wait, because a waiting delivery may become ready before the head
    /// of the queue may go, and a higher priority one would then go first.
    private static func sooner(_ wait: Duration, _ other: Duration?) -> Duration {
        guard let other else { return wait }
        return min(wait, other)
    }

    /// Registers an IM target's rate limit, by its channel's published limit.
    public mutating func addTarget(_ targetID: Int64, channel: String, at now: SchedulerTime) {
        guard buckets[targetID] == nil, let rates = imRates[channel], !rates.isEmpty else { return }
        buckets[targetID] = rates.map { TokenBucket(count: $0.count, per: $0.period, at: now.monotonic) }
    }

    /// Records a block an IM API reported, such as DingTalk's 10 minutes after its limit.
    public mutating func blockTarget(_ targetID: Int64, for duration: Duration, at now: SchedulerTime) {
        guard var limits = buckets[targetID] else { return }
        for index in limits.indices {
            limits[index].block(for: duration, at: now.monotonic)
        }
        buckets[targetID] = limits
    }

    /// Records SMS parts a SIM handed to the network, against its budget.
    public mutating func recordSMS(parts: Int, sim: String, at now: SchedulerTime) {
        budgets[sim, default: SMSBudget(limits: smsLimits)].record(parts, at: now.monotonic)
    }

    /// Returns the budget of a SIM now.
    public func budget(sim: String) -> SMSBudget {
        budgets[sim, default: SMSBudget(limits: smsLimits)]
    }
}
