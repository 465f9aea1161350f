import Alerting
import Core
import Hardware
import Scheduler
import Storage
import Uplink

/// What the runtime built for the uplink, to stop it and to probe it from the console.
struct UplinkParts {
    var monitor: UplinkMonitor?
    var mqtt: MQTTConnection?
    var receiver: MQTTInboundReceiver?
    var sync: SyncWorker?
    var clockTrust: ClockTrust?
    var probes: [(name: String, host: String, port: UInt16)] = []
    var tasks: [Task<Void, Never>] = []

    /// Whether any IM channel exists; without one the box is in SMS mode.
    var hasChannels = false
}

extension BoxRuntime {
    /// Builds the robots, the MQTT connection, the health monitor and the upstream, and adds
    /// each IM target to the scheduler before its workers start.
    func startUplink() async throws {
        let uplink = configuration.uplink
        let clockTrust = ClockTrust(policy: uplink.clockPolicy == "assumed" ? .assumed : .synchronized, clock: clock)
        uplinkParts.clockTrust = clockTrust
        var tracker = HealthTracker.Settings()
        if let failures = overrides["uplink.failures_to_down"].flatMap({ Int($0) }) { tracker.failuresToDown = failures }
        if let seconds = overrides["uplink.hold_down_seconds"].flatMap({ Int($0) }) { tracker.holdDown = .seconds(seconds) }
        let monitor = UplinkMonitor(
            settings: UplinkMonitor.Settings(tracker: tracker), scheduler: scheduler, clock: clock, clockTrust: clockTrust, logger: logger)
        uplinkParts.monitor = monitor

        for robot in uplink.robots {
            let targetID = try await storeTarget(name: robot.name, channel: robot.kind.rawValue, groups: robot.groups)
            let client = try HTTPClient(settings: HTTPClient.Settings(caFile: uplink.caFile), logger: logger)
            let channel = RobotChannel(
                name: robot.name, robot: try makeRobot(robot), client: client, clock: clock, clockTrust: clockTrust, logger: logger,
                healthReport: { [monitor, name = robot.name] failure in await monitor.record(name, failure: failure) })
            await scheduler.addIMChannel(channel, targetID: targetID, kind: robot.kind.rawValue)
            let (host, port) = try Self.endpoint(of: robot)
            await monitor.add(
                UplinkMonitor.Endpoint(name: robot.name, address: host, port: port, targetIDs: [targetID], requiresTrustedClock: robot.kind != .wecom))
            uplinkParts.probes.append((robot.name, host, port))
            uplinkParts.hasChannels = true
        }

        if let settings = uplink.mqtt {
            try await startMQTT(settings, monitor: monitor, clockTrust: clockTrust)
        }

        switch uplink.upstream {
        case .webhook(let url, let secretFile)?:
            let secret = try WebhookSecret(whsec: Self.readSecret(secretFile, name: "upstream.secret_file"))
            let client = try HTTPClient(settings: HTTPClient.Settings(caFile: uplink.caFile), logger: logger)
            let upstream = WebhookUpstream(name: "upstream", webhook: SignedWebhook(url: url, secret: secret), client: client, clock: clock, clockTrust: clockTrust)
            let worker = SyncWorker(database: database, upstream: upstream, scheduler: scheduler, clock: clock, logger: logger)
            await worker.start()
            uplinkParts.sync = worker
        case .mqtt?:
            if let connection = uplinkParts.mqtt {
                let worker = SyncWorker(database: database, upstream: MQTTUpstream(connection: connection), scheduler: scheduler, clock: clock, logger: logger)
                await worker.start()
                uplinkParts.sync = worker
            }
        case nil:
            break
        }

        if uplinkParts.hasChannels {
            await monitor.start()
        } else {
            // No IM at all: every alert goes by SMS, whatever its priority.
            await scheduler.setUplink(.down)
            logger.notice("no IM channel configured: the box works in SMS mode", [:])
        }
    }

    func stopUplink() async {
        await uplinkParts.sync?.stop()
        await uplinkParts.receiver?.stop()
        await uplinkParts.monitor?.stop()
        await uplinkParts.mqtt?.stop()
        for task in uplinkParts.tasks { task.cancel() }
    }

    private func startMQTT(_ settings: UplinkConfiguration.MQTT, monitor: UplinkMonitor, clockTrust: ClockTrust) async throws {
        var credentials: MQTTSettings.Credentials?
        if let username = settings.username, let file = settings.passwordFile {
            credentials = MQTTSettings.Credentials(username: username, password: try Self.readSecret(file, name: "mqtt.password_file"))
        }
        if let certificate = settings.certificateFile, readFile(certificate) == nil {
            throw ConfigError(file: certificate, issues: [Self.unreadableFileIssue(key: "mqtt.certificate_file")])
        }
        if let key = settings.keyFile {
            _ = try Self.readSecret(key, name: "mqtt.key_file")
        }
        let tls = settings.caFile.map { MQTTSettings.TLS(caFile: $0, certificateFile: settings.certificateFile, keyFile: settings.keyFile) }
        let connection = try MQTTConnection(
            settings: MQTTSettings(
                host: settings.host, port: settings.port, clientID: "alertbox-\(configuration.boxID)", boxID: configuration.boxID,
                topicPrefix: settings.topicPrefix, credentials: credentials, tls: tls),
            logger: logger)
        uplinkParts.mqtt = connection
        await connection.start()
        if !settings.groups.isEmpty {
            let targetID = try await storeTarget(name: "mqtt", channel: "mqtt", groups: settings.groups)
            await scheduler.addIMChannel(MQTTChannel(connection: connection, logger: logger), targetID: targetID, kind: "mqtt")
            await monitor.addMQTT(name: "mqtt", connection: connection, targetIDs: [targetID])
            uplinkParts.hasChannels = true
        }
        guard !settings.publishers.isEmpty else { return }
        var secrets: [String: [UInt8]] = [:]
        var audiences: [String: [String]] = [:]
        for publisher in settings.publishers {
            secrets[publisher.name] = Array(try Self.readSecret(publisher.secretFile, name: "mqtt.publisher.secret_file").utf8)
            audiences[publisher.name] = publisher.audience
        }
        let receiver = MQTTInboundReceiver(
            connection: connection, settings: MQTTInboundVerifier.Settings(topicPrefix: settings.topicPrefix, secrets: secrets), clock: clock, logger: logger)
        uplinkParts.receiver = receiver
        try await receiver.start()
        let scheduler = self.scheduler
        let composer = self.settings.composer
        let logger = self.logger
        uplinkParts.tasks.append(
            Task {
                for await inbound in receiver.alerts {
                    let alert = inbound.alert(mapping: .standard, audience: audiences[inbound.publisher] ?? [], composer: composer)
                    do {
                        _ = try await scheduler.submit(alert)
                    } catch {
                        logger.error(
                            "inbound MQTT alert rejected", ["mqtt.publisher": .plain(inbound.publisher), "error": .plain(String(describing: error))])
                    }
                }
            })
    }

    /// Stores an IM target and links it to its groups; returns its id. The name is the key,
    /// so a restart finds the same target and its deliveries.
    private func storeTarget(name: String, channel: String, groups: [String]) async throws -> Int64 {
        let now = clock.wallNow.nanosecondsSinceEpoch / 1_000_000
        return try await database.transaction("store IM target") { connection -> Int64 in
            try connection.query(
                "INSERT INTO im_targets (name, channel) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET channel = excluded.channel",
                [.text(name), .text(channel)], operation: "im_targets.upsert")
            let id = try connection.query("SELECT id FROM im_targets WHERE name = ?", [.text(name)], operation: "im_targets.find").first?["id"].int64 ?? 0
            try connection.query("DELETE FROM im_target_groups WHERE target_id = ?", [.integer(id)], operation: "im_target_groups.clear")
            for group in groups {
                try connection.query("INSERT OR IGNORE INTO groups (name, created_at) VALUES (?, ?)", [.text(group), .integer(now)], operation: "groups.insert")
                try connection.query(
                    "INSERT OR IGNORE INTO im_target_groups (target_id, group_id) SELECT ?, id FROM groups WHERE name = ?", [.integer(id), .text(group)],
                    operation: "im_target_groups.insert")
            }
            return id
        }
    }

    private func makeRobot(_ robot: UplinkConfiguration.Robot) throws -> RobotChannel.Robot {
        let key = try robot.keyFile.map { try Self.readSecret($0, name: "im.robot.key_file") }
        let secret = try robot.secretFile.map { try Self.readSecret($0, name: "im.robot.secret_file") }
        switch robot.kind {
        case .wecom:
            return .weCom(WeComRobot(key: key ?? "", baseURL: robot.url ?? "https://qyapi.weixin.qq.com"))
        case .dingtalk:
            return .dingTalk(DingTalkRobot(accessToken: key ?? "", secret: secret, keywords: robot.keywords, baseURL: robot.url ?? "https://oapi.dingtalk.com"))
        case .feishu:
            return .feishu(FeishuBot(token: key ?? "", secret: secret, keywords: robot.keywords, baseURL: robot.url ?? "https://open.feishu.cn"))
        case .webhook:
            return .webhook(SignedWebhook(url: robot.url ?? "", secret: try WebhookSecret(whsec: secret ?? "")))
        }
    }

    /// The host and port a robot's requests go to, for the TCP probe.
    static func endpoint(of robot: UplinkConfiguration.Robot) throws -> (String, UInt16) {
        let fallback: String
        switch robot.kind {
        case .wecom: fallback = "https://qyapi.weixin.qq.com"
        case .dingtalk: fallback = "https://oapi.dingtalk.com"
        case .feishu: fallback = "https://open.feishu.cn"
        case .webhook: fallback = robot.url ?? ""
        }
        let url = robot.url ?? fallback
        let https = url.hasPrefix("https://")
        let rest = url.dropFirst(https ? 8 : (url.hasPrefix("http://") ? 7 : 0))
        let authority = rest.prefix { $0 != "/" }
        let parts = authority.split(separator: ":", maxSplits: 1)
        guard let host = parts.first.map(String.init), !host.isEmpty else {
            let text = LocalizedText(zh: "\"\(url)\" 中没有主机名；请写成 \"https://HOST\" 的形式", en: "\"\(url)\" has no host; write it as \"https://HOST\"")
            throw ConfigError(file: "im.robot", issues: [ConfigIssue(key: "im.robot.url", line: nil, text: text)])
        }
        let port = parts.count == 2 ? UInt16(parts[1]) : (https ? 443 : 80)
        guard let port else {
            let text = LocalizedText(zh: "\"\(url)\" 中的端口无效；请用 1 到 65535", en: "\"\(url)\" has an invalid port; use 1 to 65535")
            throw ConfigError(file: "im.robot", issues: [ConfigIssue(key: "im.robot.url", line: nil, text: text)])
        }
        return (host, port)
    }

    /// Probes each IM endpoint once for the console's `uplink test`.
    func testUplink() async -> [(name: String, reachable: Bool, detail: String)] {
        var results: [(name: String, reachable: Bool, detail: String)] = []
        for probe in uplinkParts.probes {
            let tester = TCPProbe(name: "console \(probe.name)")
            let outcome = await tester.connect(address: probe.host, port: probe.port, timeout: .seconds(3))
            await tester.shutdown()
            results.append((probe.name, outcome == .connected, "\(probe.host):\(probe.port) \(outcome)"))
        }
        if let mqtt = uplinkParts.mqtt {
            results.append(("mqtt", mqtt.isConnected, mqtt.isConnected ? "connected" : "disconnected"))
        }
        return results
    }
}
