public import Alerting
public import Core
public import Hardware
public import Scheduler
public import Storage

/// The box's panel: reads the buttons and contacts, raises their alerts through the scheduler,
/// and tells people on site what happens through the LEDs and the siren.
///
/// It needs no network: an alert raised here is planned from the local database and goes out
/// by SMS when the uplink is gone. Every trigger, test, stuck or chattering contact is audited.
public actor LocalPanel {
    public struct Settings: Sendable {
        public var panel: PanelConfig
        /// The box's CAP sender, such as `alertbox-building3`.
        public var sender: String
        /// The alert raised when a contact is stuck (a normally closed loop open for long, a
        /// jammed button); nil only logs, audits and shows the fault.
        public var faultTrigger: LocalTrigger?
        /// Which alerts sound the siren: P0 ones that are real, not tests or exercises.
        public var sirenPriority: AlertPriority

        public init(panel: PanelConfig, sender: String, faultTrigger: LocalTrigger? = nil, sirenPriority: AlertPriority = .lifeSafety) {
            self.panel = panel
            self.sender = sender
            self.faultTrigger = faultTrigger
            self.sirenPriority = sirenPriority
        }
    }

    private let lines: any GPIOLines
    private let settings: Settings
    private let scheduler: AlertScheduler
    private let database: Database
    private let annunciator: Annunciator?
    private let composer: AlertComposer
    private let clock: any BoxClock
    private let logger: Logger

    private var panel: InputPanel?
    private var tasks: [Task<Void, Never>] = []
    private var timer: Task<Void, Never>?
    private var sequence = 0
    /// The alert last raised at the panel, whose progress the feedback LED shows.
    public private(set) var feedbackAlert: Int64?
    /// Alerts with deliveries still open, for the status LED's `sending`.
    private var openAlerts: Set<Int64> = []
    private var progressDirty: Set<Int64> = []
    private var progressRefresh: Task<Void, Never>?

    public init(
        lines: any GPIOLines, settings: Settings, scheduler: AlertScheduler, database: Database, annunciator: Annunciator?,
        composer: AlertComposer, clock: any BoxClock, logger: Logger
    ) {
        self.lines = lines
        self.settings = settings
        self.scheduler = scheduler
        self.database = database
        self.annunciator = annunciator
        self.composer = composer
        self.clock = clock
        self.logger = logger.labeled("panel")
    }

    /// Reads every input's level, then follows edges and the scheduler's events.
    /// - Throws: `LocalControlError` for a bad configuration, `GPIOError` when a line cannot be read.
    public func start() async throws {
        try settings.panel.validate()
        let now = clock.now
        var levels: [String: Bool] = [:]
        for role in settings.panel.inputs.map(\.role) + [settings.panel.testKey].compactMap({ $0 }) {
            levels[role] = try await lines.value(of: role)
        }
        panel = InputPanel(config: settings.panel, levels: levels, at: now)
        for (role, active) in levels where active {
            logger.warning("input active at start", ["gpio.role": .plain(role)])
        }
        await annunciator?.start()
        let edges = lines.edges
        let events = await scheduler.events()
        tasks.append(
            Task { [weak self] in
                for await edge in edges { await self?.handle(edge) }
                // A stop cancels this task; only a stream that ended by itself means lost inputs.
                if !Task.isCancelled { await self?.edgesEnded() }
            })
        tasks.append(
            Task { [weak self] in
                for await event in events { await self?.handle(event) }
            })
        await perform(panel?.tick(at: now) ?? [])
        rearmTimer()
    }

    /// Stops reading inputs and following events; the annunciator is stopped by its owner.
    public func stop() {
        for task in tasks { task.cancel() }
        tasks.removeAll()
        timer?.cancel()
        progressRefresh?.cancel()
    }

    // MARK: Inputs

    private func handle(_ edge: GPIOEdge) async {
        guard var current = panel else { return }
        logger.debug("edge", ["gpio.role": .plain(edge.role), "active": .plain(String(edge.active))])
        let actions = current.edge(edge)
        panel = current
        await perform(actions)
        rearmTimer()
    }

    private func edgesEnded() async {
        logger.critical("GPIO inputs lost: buttons and contacts no longer raise alerts", [:])
        await annunciator?.update { $0.faults.insert("gpio: inputs lost") }
    }

    private func tick() async {
        guard var current = panel else { return }
        let actions = current.tick(at: clock.now)
        panel = current
        await perform(actions)
        rearmTimer()
    }

    private func rearmTimer() {
        timer?.cancel()
        guard let deadline = panel?.nextDeadline else { return }
        let clock = self.clock
        timer = Task { [weak self] in
            do {
                try await clock.sleep(until: deadline, tolerance: nil)
            } catch {
                return
            }
            await self?.tick()
        }
    }

    private func perform(_ actions: [InputPanel.Action]) async {
        for action in actions {
            switch action {
            case .trigger(let role, let test, _):
                guard let input = settings.panel.inputs.first(where: { $0.role == role }) else { continue }
                await raise(input.trigger, role: role, test: test)
            case .boxTest:
                guard let trigger = settings.panel.boxTest else {
                    logger.notice("test key held, but no box test is configured", [:])
                    continue
                }
                await raise(trigger, role: settings.panel.testKey ?? "test", test: true)
            case .stuck(let role, let kind, let since):
                await stuck(role: role, kind: kind, since: since)
            case .unstuck(let role):
                logger.notice("contact released and healthy again", ["gpio.role": .plain(role)])
                await audit(actor: "gpio:\(role)", action: "contact.restored", detail: "released")
                await annunciator?.update { $0.faults.remove("contact:\(role) stuck") }
            case .chattering(let role, let edges):
                logger.error("contact chattering: check the wiring and the relay", ["gpio.role": .plain(role), "edges": .plain(String(edges))])
                await audit(actor: "gpio:\(role)", action: "contact.chattering", detail: "\(edges) edges")
                await annunciator?.update { $0.faults.insert("contact:\(role) chattering") }
            case .settled(let role):
                logger.notice("chattering contact settled", ["gpio.role": .plain(role)])
                await annunciator?.update { $0.faults.remove("contact:\(role) chattering") }
            }
        }
    }

    /// Renders and submits a trigger's alert, and points the feedback LED at it.
    private func raise(_ trigger: LocalTrigger, role: String, test: Bool) async {
        sequence += 1
        let sequence = self.sequence
        let composer = self.composer
        let sender = settings.sender
        let time = clock.wallNow
        do {
            let templates = try await database.read { try TemplateStore.templates(named: trigger.template, in: $0) }
            let alert = try trigger.alert(
                templates: templates, composer: composer, sender: sender, at: time, source: .gpio, test: test, sequence: sequence)
            logger.notice(
                test ? "test raised by input" : "alarm raised by input",
                ["gpio.role": .plain(role), "trigger": .plain(trigger.name), "alert.priority": .plain(alert.priority.description)])
            let result = try await scheduler.submit(alert)
            feedbackAlert = result.alertID
            await annunciator?.showFeedback(.raised, final: false)
            if result.disposition == .duplicateTrigger {
                await refreshFeedback()
            }
        } catch {
            logger.critical(
                "alert from input not raised", ["gpio.role": .plain(role), "trigger": .plain(trigger.name), "error": .plain(String(describing: error))])
            await annunciator?.showFeedback(.failed, final: true)
            await audit(actor: "gpio:\(role)", action: "alert.notRaised", detail: String(describing: error))
        }
    }

    private func stuck(role: String, kind: ContactKind, since: MonotonicInstant) async {
        let seconds = since.duration(to: clock.now).components.seconds
        let explanation =
            kind == .normallyClosed
            ? "normally closed loop open for \(seconds) s: a cut wire or a loose terminal looks the same as an alarm"
            : "contact active for \(seconds) s: a jammed button or a shorted wire"
        logger.error("contact stuck: \(explanation)", ["gpio.role": .plain(role)])
        await audit(actor: "gpio:\(role)", action: "contact.stuck", detail: explanation)
        await annunciator?.update { $0.faults.insert("contact:\(role) stuck") }
        guard let fault = settings.faultTrigger else { return }
        let input = settings.panel.inputs.first { $0.role == role }
        var trigger = fault
        trigger.name = "\(fault.name)-\(role)"
        trigger.location = input?.trigger.location ?? ""
        trigger.event =
            kind == .normallyClosed
            ? "\(input?.trigger.event ?? role)常闭触点持续断开，可能线路故障（\(role)）"
            : "\(input?.trigger.event ?? role)触点持续动作，可能按钮卡住或短路（\(role)）"
        await raise(trigger, role: role, test: false)
    }

    // MARK: Scheduler events

    private func handle(_ event: SchedulerEvent) async {
        switch event {
        case .planned(let alertID, let priority, let status, _, let deliveries):
            if deliveries > 0 {
                openAlerts.insert(alertID)
                await annunciator?.update { $0.sending = true }
            }
            if priority <= settings.sirenPriority, status == .actual {
                await annunciator?.soundSiren(for: alertID)
            }
        case .outcome(let alertID, _, _):
            progressDirty.insert(alertID)
            scheduleProgressRefresh()
        case .acknowledged(let alertID):
            await annunciator?.acknowledged()
            if alertID == feedbackAlert {
                await annunciator?.showFeedback(.acknowledged, final: true)
            }
        case .uplink(let health):
            await annunciator?.update { $0.uplinkUp = health == .up }
        case .closed(let alertIDs, let state):
            await annunciator?.silenceSiren(for: alertIDs, reason: "alert \(state)")
            openAlerts.subtract(alertIDs)
            let sending = !openAlerts.isEmpty
            await annunciator?.update { $0.sending = sending }
        }
    }

    /// Reads the progress of alerts with new outcomes at most twice a second, so a broadcast
    /// to thousands does not run a query per delivery.
    private func scheduleProgressRefresh() {
        guard progressRefresh == nil else { return }
        let clock = self.clock
        progressRefresh = Task { [weak self] in
            try? await clock.sleep(for: .milliseconds(500))
            await self?.refreshProgress()
        }
    }

    private func refreshProgress() async {
        progressRefresh = nil
        let dirty = progressDirty
        progressDirty.removeAll()
        for alertID in dirty {
            guard let progress = try? await scheduler.progress(of: alertID) else { continue }
            if progress.isFinished { openAlerts.remove(alertID) }
            if alertID == feedbackAlert { await showFeedback(progress) }
        }
        let sending = !openAlerts.isEmpty
        await annunciator?.update { $0.sending = sending }
    }

    private func refreshFeedback() async {
        guard let alertID = feedbackAlert, let progress = try? await scheduler.progress(of: alertID) else { return }
        await showFeedback(progress)
    }

    private func showFeedback(_ progress: AlertProgress) async {
        let summary = AlertProgressSummary(
            imSent: progress.imSent > 0, smsSent: progress.smsSent > 0, acknowledged: progress.acknowledgements > 0,
            finished: progress.isFinished)
        let indication = FeedbackIndication(progress: summary)
        await annunciator?.showFeedback(indication, final: progress.isFinished || summary.acknowledged)
    }

    private func audit(actor: String, action: String, detail: String) async {
        let time = clock.wallNow.nanosecondsSinceEpoch / 1_000_000
        do {
            try await database.transaction("audit \(action)") { connection in
                try AuditLog.append(actor: actor, action: action, channel: "gpio", detail: detail, at: time, in: connection)
            }
        } catch {
            logger.error("audit not written", ["action": .plain(action), "error": .plain(String(describing: error))])
        }
    }
}
