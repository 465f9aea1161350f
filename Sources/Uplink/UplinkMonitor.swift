public import Core
public import Hardware
public import Scheduler

/// Judges the health of each uplink endpoint and of the uplink as a whole, and reports to
/// the scheduler when either changes.
///
/// An HTTP endpoint is probed with a TCP connect every `interval` (sooner after a failure),
/// and the sends of its channels feed the same `HealthTracker`. An MQTT connection reports
/// its own state changes, and a QoS 1 heartbeat every `interval` must be acknowledged
/// within the probe timeout, because the keepalive alone notices a blackhole only after
/// about two keepalive periods. With the defaults (one-second interval, 1.5-second
/// timeout, two timeouts to go down) a blackholed path is down within about 5 s, and a
/// refused one at the first probe or reconnect after the refusal starts.
public actor UplinkMonitor {
    /// An endpoint to probe, and the IM targets whose traffic goes to it.
    public struct Endpoint: Sendable {
        public var name: String
        public var address: String
        public var port: UInt16
        public var targetIDs: [Int64]
        /// Whether the endpoint's requests are signed with the time (DingTalk, Feishu,
        /// webhooks): it counts as down while the wall clock is not trusted, so SMS takes over.
        public var requiresTrustedClock: Bool

        public init(name: String, address: String, port: UInt16, targetIDs: [Int64], requiresTrustedClock: Bool = false) {
            self.name = name
            self.address = address
            self.port = port
            self.targetIDs = targetIDs
            self.requiresTrustedClock = requiresTrustedClock
        }
    }

    public struct Settings: Sendable {
        public var interval: Duration
        /// The interval after a failure, to confirm or clear it quickly.
        public var retryInterval: Duration
        public var probeTimeout: Duration
        public var tracker: HealthTracker.Settings

        public init(
            interval: Duration = .seconds(1), retryInterval: Duration = .milliseconds(500), probeTimeout: Duration = .milliseconds(1500),
            tracker: HealthTracker.Settings = HealthTracker.Settings()
        ) {
            self.interval = interval
            self.retryInterval = retryInterval
            self.probeTimeout = probeTimeout
            self.tracker = tracker
        }
    }

    let settings: Settings
    let clock: any BoxClock
    let logger: Logger
    let scheduler: AlertScheduler
    let clockTrust: ClockTrust?
    private var endpoints: [String: Endpoint] = [:]
    private var trackers: [String: HealthTracker] = [:]
    private var tasks: [Task<Void, Never>] = []
    private var probes: [TCPProbe] = []
    private var mqttConnections: [String: MQTTConnection] = [:]

    public init(settings: Settings = Settings(), scheduler: AlertScheduler, clock: any BoxClock, clockTrust: ClockTrust? = nil, logger: Logger) {
        self.settings = settings
        self.scheduler = scheduler
        self.clockTrust = clockTrust
        self.clock = clock
        self.logger = logger.labeled("uplink")
    }

    /// The health of each endpoint, by name.
    public var health: [String: UplinkHealth] {
        trackers.mapValues(\.health)
    }

    /// Adds an endpoint; `start` begins probing it.
    public func add(_ endpoint: Endpoint) {
        endpoints[endpoint.name] = endpoint
        trackers[endpoint.name] = HealthTracker(settings: settings.tracker)
    }

    /// Watches an MQTT connection: its state changes, and a heartbeat published by `start`.
    public func addMQTT(name: String, connection: MQTTConnection, targetIDs: [Int64]) {
        endpoints[name] = Endpoint(name: name, address: connection.settings.host, port: UInt16(clamping: connection.settings.port), targetIDs: targetIDs)
        trackers[name] = HealthTracker(settings: settings.tracker)
        mqttConnections[name] = connection
    }

    /// Starts one probing loop per endpoint.
    public func start() {
        for (name, connection) in mqttConnections.sorted(by: { $0.key < $1.key }) {
            tasks.append(Task { await self.watchEvents(name, connection) })
            tasks.append(Task { await self.heartbeatLoop(name, connection) })
        }
        for endpoint in endpoints.values.sorted(by: { $0.name < $1.name }) where mqttConnections[endpoint.name] == nil {
            let probe = TCPProbe(name: endpoint.name)
            probes.append(probe)
            tasks.append(Task { await self.probeLoop(endpoint, probe) })
        }
        logger.notice("uplink monitor started", ["uplink.endpoints": .plain(String(endpoints.count))])
    }

    /// Stops probing.
    public func stop() async {
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        for probe in probes { await probe.shutdown() }
        tasks = []
        probes = []
    }

    private func probeLoop(_ endpoint: Endpoint, _ probe: TCPProbe) async {
        while !Task.isCancelled {
            if endpoint.requiresTrustedClock, let clockTrust, !clockTrust.isTrusted {
                await record(endpoint.name, failure: .other)
                try? await clock.sleep(for: settings.interval)
                continue
            }
            let result = await probe.connect(address: endpoint.address, port: endpoint.port, timeout: settings.probeTimeout)
            switch result {
            case .connected: await record(endpoint.name, failure: nil)
            case .refused: await record(endpoint.name, failure: .refused)
            case .timedOut: await record(endpoint.name, failure: .timedOut)
            case .failed: await record(endpoint.name, failure: .other)
            }
            let pause = result == .connected ? settings.interval : settings.retryInterval
            try? await clock.sleep(for: pause)
        }
    }

    private func watchEvents(_ name: String, _ connection: MQTTConnection) async {
        for await event in connection.events {
            guard !Task.isCancelled else { return }
            switch event {
            case .connecting:
                continue
            case .connected:
                await record(name, failure: nil)
            case .disconnected(let reason):
                switch reason.kind {
                case .stopped: continue
                case .connectFailed, .refused: await record(name, failure: .refused)
                case .keepaliveTimedOut, .connectTimedOut: await record(name, failure: .timedOut)
                case .tlsFailed, .connectionLost, .protocolError: await record(name, failure: .other)
                }
            }
        }
    }

    private func heartbeatLoop(_ name: String, _ connection: MQTTConnection) async {
        let topic = connection.settings.statusTopic + "/heartbeat"
        while !Task.isCancelled {
            let time = clock.wallNow.secondsSinceEpoch
            let result = await connection.publish(topic: topic, payload: Array("{\"at\":\(time)}".utf8), qos: 1, timeout: settings.probeTimeout)
            let failure: HealthTracker.Failure?
            switch result {
            case .acknowledged: failure = nil
            case .timedOut: failure = .timedOut
            case .notConnected, .rejected: failure = .other
            case .stopped: return
            }
            await record(name, failure: failure)
            try? await clock.sleep(for: failure == nil ? settings.interval : settings.retryInterval)
        }
    }

    /// Records the result of a probe or a send for an endpoint; nil is a success.
    public func record(_ name: String, failure: HealthTracker.Failure?) async {
        guard var tracker = trackers[name], let endpoint = endpoints[name] else { return }
        let now = clock.now
        let change = failure.map { tracker.recordFailure($0, at: now) } ?? tracker.recordSuccess(at: now)
        trackers[name] = tracker
        guard let change else { return }

        logger.notice("uplink endpoint health changed", ["uplink.endpoint": .plain(name), "health": .plain("\(change)")])
        for targetID in endpoint.targetIDs {
            await scheduler.setTargetHealth(targetID, change)
        }
        await scheduler.setUplink(HealthTracker.combined(trackers.values.map(\.health)))
    }
}
