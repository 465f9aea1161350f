import Alerting
public import Core
import SMS
public import Storage

/// The scheduler: plans alerts into deliveries, sends them through the channel workers in
/// priority order, and acts on what comes back.
///
/// The database is the truth. A plan is written whole before anything is sent. A delivery is
/// committed as `sending` with its attempt number before the channel gets it, and its outcome
/// is committed after. The decisions (which delivery next, whether the SIM's budget or a
/// robot's rate allows it, when to retry) come from the pure `DispatchCore`. This actor does
/// the database work and the sends.
///
/// Workers call `step(_:channel:)` in a loop; tests call it directly with a manual clock, so
/// every path runs without sleeping.
public actor AlertScheduler {
    let database: Database
    let settings: SchedulerSettings
    let clock: any BoxClock
    let logger: Logger
    var core: DispatchCore

    var smsChannels: [any DeliveryChannel] = []
    var imChannels: [Int64: any DeliveryChannel] = [:]
    /// The channel name (`wecom`, `dingtalk`, ...) of each IM target, for its rendering.
    var targetKinds: [Int64: String] = [:]
    /// Texts and identity of alerts with pending work, read once per alert.
    var alertCache: [Int64: CachedAlert] = [:]
    /// Rate-limit waits per delivery, which do not count as attempts.
    var rateLimitWaits: [Int64: Int] = [:]
    /// IM deliveries read before `start()` whose target had no channel yet, by target.
    var parkedIM: [Int64: [QueuedDelivery]] = [:]
    /// Status reports that arrived before the record of their send, oldest first.
    var parkedReports: [ParkedReport] = []
    static let parkedReportLimit = 256
    static let parkedReportAge: Duration = .seconds(60)

    struct ParkedReport {
        let sim: String
        let reference: Int
        let recipient: String
        let status: DeliveryStatus
        let at: SchedulerTime
    }
    /// Whether `start()` ran, so every IM channel of the configuration is attached.
    var isStarted = false

    private var workers: [Task<Void, Never>] = []
    private var wakeups: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWakeupID = 0
    var uplink: UplinkHealth = .up
    /// Streams handed out by `events()`.
    var observers: [Int: AsyncStream<SchedulerEvent>.Continuation] = [:]
    var nextObserverID = 0

    struct CachedAlert: Sendable {
        var identifier: String
        var priority: Int
        var texts: [AlertText]
    }

    public init(database: Database, settings: SchedulerSettings = SchedulerSettings(), clock: any BoxClock, logger: Logger) {
        self.database = database
        self.settings = settings
        self.clock = clock
        self.logger = logger.labeled("scheduler")
        core = DispatchCore(smsLimits: settings.smsLimits, imRates: settings.imRates)
    }

    var now: SchedulerTime {
        SchedulerTime(clock: clock)
    }

    /// Adds a modem's SIM as an SMS worker; several SIMs share the SMS queue, each within its own budget.
    public func addSMSChannel(_ channel: any DeliveryChannel) {
        smsChannels.append(channel)
    }

    /// Adds the channel that sends to one IM target, and its rate limit.
    public func addIMChannel(_ channel: any DeliveryChannel, targetID: Int64, kind: String) {
        imChannels[targetID] = channel
        targetKinds[targetID] = kind
        core.addTarget(targetID, channel: kind, at: now)
    }

    /// Deliveries queued or waiting in memory, in every lane.
    public var pendingCount: Int {
        core.pendingCount
    }

    /// IM deliveries queued or waiting: live alerts that upstream sync must not delay.
    public var pendingIMCount: Int {
        core.pendingIMCount
    }

    /// The uplink's health as last set.
    public var uplinkHealth: UplinkHealth {
        uplink
    }

    /// Returns the budget one SIM has used, as the dispatcher counts it.
    public func budget(sim: String) -> SMSBudget {
        core.budget(sim: sim)
    }

    // MARK: - Sending

    /// The result of one step of a worker.
    public enum Step: Sendable, Equatable {
        /// A delivery was sent, with the outcome of the attempt.
        case sent(deliveryID: Int64, outcome: ChannelOutcome)
        /// A delivery's alert had expired, or was closed while the worker prepared the send;
        /// the delivery was not sent.
        case expired(deliveryID: Int64)
        /// Nothing may go before this much time has passed, unless new work arrives.
        case wait(Duration)
        case idle
    }

    /// Sends the next delivery of `lane` through channel `index` (the SIM, for SMS), if one may go now.
    public func step(_ lane: Lane, channel index: Int = 0) async -> Step {
        let channel: (any DeliveryChannel)?
        switch lane {
        case .sms: channel = smsChannels.indices.contains(index) ? smsChannels[index] : nil
        case .im(let targetID): channel = imChannels[targetID]
        }
        guard let channel else { return .idle }

        let start = now
        switch core.next(lane, sim: channel.name, at: start) {
        case .idle:
            return .idle
        case .wait(let duration):
            return .wait(duration)
        case .expire(let delivery):
            await record(expired: delivery, at: start)
            return .expired(deliveryID: delivery.id)
        case .send(let delivery):
            return await send(delivery, through: channel, at: start)
        }
    }

    private func send(_ delivery: QueuedDelivery, through channel: any DeliveryChannel, at start: SchedulerTime) async -> Step {
        let attempt = delivery.attempt + 1
        let message: ChannelMessage
        let marked: Bool
        do {
            message = try await self.message(for: delivery, attempt: attempt)
            // The row is `sending`, with its attempt, before the first byte leaves.
            marked = try await database.transaction("mark sending") { connection -> Bool in
                guard try DeliveryStore.markSending(delivery.id, attempt: attempt, at: start.wallMillis, in: connection) else { return false }
                try AuditLog.append(
                    actor: "scheduler", action: "delivery.sending", channel: delivery.lane.auditChannel, subject: "delivery:\(delivery.id)",
                    detail: "attempt \(attempt)", at: start.wallMillis, in: connection)
                return true
            }
        } catch {
            // The delivery stays pending in the database; try it again after a pause.
            logger.error(
                "delivery not started", ["delivery.id": .plain(String(delivery.id)), "error": .plain(String(describing: error))])
            core.enqueue(QueuedDelivery(copying: delivery, notBefore: start.wallMillis + 5000), at: start)
            return .wait(.seconds(5))
        }
        guard marked else {
            // A cancel, an update or the expiry closed the row while the worker prepared it.
            logger.notice(
                "delivery closed before sending; not sent", ["delivery.id": .plain(String(delivery.id)), "alert.id": .plain(String(delivery.alertID))])
            return .expired(deliveryID: delivery.id)
        }

        if case .sms = delivery.lane {
            logger.info(
                "sending SMS",
                [
                    "delivery.id": .plain(String(delivery.id)), "alert.id": .plain(String(delivery.alertID)),
                    "sms.to": .phone(delivery.recipient ?? ""), "sms.parts": .plain(String(delivery.parts)),
                    "attempt": .plain(String(attempt)), "sms.text": .body(message.text),
                ])
        } else {
            logger.info(
                "sending IM",
                [
                    "delivery.id": .plain(String(delivery.id)), "alert.id": .plain(String(delivery.alertID)),
                    "im.target": .plain(delivery.lane.description), "attempt": .plain(String(attempt)),
                ])
        }
        let outcome = await channel.send(message)
        await record(outcome, of: delivery, attempt: attempt, channel: channel.name)
        return .sent(deliveryID: delivery.id, outcome: outcome)
    }

    private func message(for delivery: QueuedDelivery, attempt: Int) async throws -> ChannelMessage {
        let alert = try await cachedAlert(delivery.alertID)
        let text = alert.texts.first { $0.language == delivery.language } ?? alert.texts.first
        var targetID: Int64?
        if case .im(let id) = delivery.lane { targetID = id }
        return ChannelMessage(
            deliveryID: delivery.id, attempt: attempt, alertID: delivery.alertID, alertIdentifier: alert.identifier,
            priority: delivery.priority, recipient: delivery.recipient, targetID: targetID, headline: text?.headline,
            text: (targetID == nil ? text?.smsText : text?.imText) ?? "",
            imMessage: targetID.flatMap { targetKinds[$0] }.flatMap { text?.imMessage(for: $0) })
    }

    func cachedAlert(_ alertID: Int64) async throws -> CachedAlert {
        if let cached = alertCache[alertID] { return cached }
        let loaded = try await database.read { connection in
            guard let stored = try SchedulerStore.alert(id: alertID, in: connection) else {
                throw StorageError(operation: "alerts.byID", code: 0, message: "alert \(alertID) not found")
            }
            return CachedAlert(identifier: stored.identifier, priority: stored.priority, texts: try SchedulerStore.texts(alertID: alertID, in: connection))
        }
        cacheAlert(alertID, loaded)
        return loaded
    }

    /// The maximum number of alerts `alertCache` keeps before it starts over.
    static let alertCacheLimit = 256

    /// Stores an alert's texts in `alertCache`. Finished alerts are not removed one by one, so
    /// the cache starts over when it is full; a later miss reads the alert from the database.
    func cacheAlert(_ alertID: Int64, _ alert: CachedAlert) {
        if alertCache.count >= Self.alertCacheLimit, alertCache[alertID] == nil {
            alertCache.removeAll()
        }
        alertCache[alertID] = alert
    }

    private func record(expired delivery: QueuedDelivery, at time: SchedulerTime) async {
        logger.notice("alert expired; delivery not sent", ["delivery.id": .plain(String(delivery.id)), "alert.id": .plain(String(delivery.alertID))])
        do {
            try await database.transaction("mark expired") { connection in
                try DeliveryStore.markOutcome(delivery.id, state: "expired", cause: "alert expired before sending", at: time.wallMillis, in: connection)
                try AuditLog.append(
                    actor: "scheduler", action: "delivery.expired", channel: delivery.lane.auditChannel, subject: "delivery:\(delivery.id)",
                    at: time.wallMillis, in: connection)
            }
        } catch {
            logger.error("expiry not recorded", ["delivery.id": .plain(String(delivery.id)), "error": .plain(String(describing: error))])
        }
    }

    /// Closes every active alert whose expiry has passed, as a restart would, and removes it
    /// from the dispatch core. Later retries and escalations of the alert find it closed.
    /// - Returns: how long until the next recorded expiry, if one is recorded, or 60 s after
    ///   a database error.
    func expireDue() async -> Duration? {
        let time = now
        let due = core.expiredAlerts(at: time.wallMillis)
        if !due.isEmpty {
            do {
                let expired = try await database.transaction("expire alerts") { connection -> [Int64] in
                    var expired: [Int64] = []
                    for alertID in due where try SchedulerStore.alert(id: alertID, in: connection)?.state == "active" {
                        try SchedulerStore.expire(alertID, cause: "alert expired", at: time.wallMillis, in: connection)
                        expired.append(alertID)
                    }
                    return expired
                }
                for alertID in due {
                    _ = core.removeAlert(alertID)
                }
                if !expired.isEmpty {
                    let ids = expired.sorted()
                    logger.notice("alerts expired", ["alert.ids": .plain(ids.map(String.init).joined(separator: ","))])
                    publish(.closed(alertIDs: ids, state: "expired"))
                }
            } catch {
                logger.error("expiry not recorded; retrying in a minute", ["error": .plain(String(describing: error))])
                return .seconds(60)
            }
        }
        return core.nextExpiry.map { .milliseconds(max($0 - time.wallMillis, 0)) }
    }

    // MARK: - Workers

    /// Starts one worker per SMS channel and per IM channel, each looping over `step`.
    public func start() async {
        guard workers.isEmpty else { return }
        isStarted = true
        await releaseParkedIM()
        for index in smsChannels.indices {
            workers.append(Task { await self.runWorker(.sms, channel: index) })
        }
        for targetID in imChannels.keys.sorted() {
            workers.append(Task { await self.runWorker(.im(targetID: targetID), channel: 0) })
        }
        workers.append(Task { await self.runEscalations() })
        logger.notice("scheduler started", ["sms.channels": .plain(String(smsChannels.count)), "im.channels": .plain(String(imChannels.count))])
    }

    /// Stops the workers after their current send; a send already handed to a channel finishes.
    public func stop() async {
        let running = workers
        workers = []
        for worker in running { worker.cancel() }
        wakeAll()
        for worker in running { await worker.value }
        logger.notice("scheduler stopped")
    }

    private func runWorker(_ lane: Lane, channel index: Int) async {
        while !Task.isCancelled {
            switch await step(lane, channel: index) {
            case .sent, .expired:
                continue
            case .wait(let duration):
                await sleep(upTo: duration)
            case .idle:
                await sleep(upTo: .seconds(3600))
            }
        }
    }

    /// Runs expiries and escalations as they fall due, expiries first so that no escalation
    /// of an alert that has just expired goes out.
    private func runEscalations() async {
        while !Task.isCancelled {
            // Expiry instants come from the sender's wall clock, and this sleep runs on the
            // monotonic clock. Waking at least once a minute while one is recorded catches a
            // step of the wall clock, such as the first NTP sync after boot.
            let nextExpiry = await expireDue().map { min($0, .seconds(60)) }
            let nextEscalation = await escalate()
            await sleep(upTo: [nextEscalation, nextExpiry].compactMap { $0 }.min() ?? .seconds(3600))
        }
    }

    /// Sleeps for `duration` on the scheduler's clock, or until new work wakes every worker.
    private func sleep(upTo duration: Duration) async {
        let id = nextWakeupID
        nextWakeupID += 1
        let deadline = clock.now.advanced(by: max(duration, .milliseconds(1)))
        let timer = Task { [clock] in
            try? await clock.sleep(until: deadline, tolerance: nil)
            self.wake(id)
        }
        await withCheckedContinuation { continuation in
            if Task.isCancelled {
                continuation.resume()
            } else {
                wakeups[id] = continuation
            }
        }
        timer.cancel()
    }

    private func wake(_ id: Int) {
        wakeups.removeValue(forKey: id)?.resume()
    }

    /// Wakes every sleeping worker, because new work may be theirs.
    func wakeAll() {
        let sleeping = wakeups
        wakeups = [:]
        for continuation in sleeping.values { continuation.resume() }
    }
}

extension Lane {
    /// The channel name audit rows carry.
    var auditChannel: String {
        switch self {
        case .sms: "sms"
        case .im: "im"
        }
    }
}

extension QueuedDelivery {
    init(copying other: QueuedDelivery, notBefore: Int64, attempt: Int? = nil) {
        self = other
        self.notBefore = notBefore
        if let attempt { self.attempt = attempt }
    }
}
