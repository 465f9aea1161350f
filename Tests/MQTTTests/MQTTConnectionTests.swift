import TestSupport
import Alerting
import Core
import Foundation
import NetFaults
import Scheduler
import Storage
import Glibc
import IMFakes
import Testing
import Uplink

/// Tests a connection, its channel and its inbound side against a real mosquitto on loopback.
@Suite(.serialized) struct MQTTConnectionTests {
    static func message(identifier: String) -> ChannelMessage {
        ChannelMessage(deliveryID: 7, attempt: 1, alertID: 3, alertIdentifier: identifier, priority: 0, text: "3号楼火警，请立即撤离")
    }

    @Test func connectsWithPasswordOverTLS() async throws {
        let broker = try await MosquittoBroker.start()
        let box = try MQTTConnection(settings: try MQTTFixture.settings(broker: broker), logger: MQTTFixture.logger("box"))
        let events = Recorder(box.events)
        await box.start()

        let connected = await events.first { $0.isConnected }
        #expect(connected != nil)
        #expect(box.isConnected)
        await box.stop()
    }

    /// select(2) cannot take a descriptor at or above 1,024; the connection must still work in
    /// a process that holds more files than that, as the full test run does.
    @Test func connectsWithManyDescriptorsOpen() async throws {
        let spare = Self.openSpareDescriptors()
        defer { for descriptor in spare { close(descriptor) } }
        let broker = try await MosquittoBroker.start()
        let box = try MQTTConnection(settings: try MQTTFixture.settings(broker: broker), logger: MQTTFixture.logger("box"))
        await Self.expectConnectsAndPublishes(box, topic: "alertbox/test/fd")
    }

    /// `mosquitto_new` opens libmosquitto's wake-up socket pair. Made while many descriptors are
    /// open, the pair is above FD_SETSIZE although the socket of a later connect is below it,
    /// and `mosquitto_loop` then refuses every round with MOSQ_ERR_INVAL.
    @Test func connectsWhenTheWakeUpPairIsAboveFDSetSize() async throws {
        let spare = Self.openSpareDescriptors()
        let broker = try await MosquittoBroker.start()
        let box = try MQTTConnection(settings: try MQTTFixture.settings(broker: broker), logger: MQTTFixture.logger("box"))
        for descriptor in spare { close(descriptor) }
        await Self.expectConnectsAndPublishes(box, topic: "alertbox/test/pair")
    }

    /// Opens /dev/null until 1,100 descriptors are held, so that the next ones are above FD_SETSIZE.
    static func openSpareDescriptors() -> [Int32] {
        var spare: [Int32] = []
        while spare.count < 1100 {
            let descriptor = open("/dev/null", O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else { break }
            spare.append(descriptor)
        }
        #expect((spare.last ?? 0) >= 1024)
        return spare
    }

    /// Starts `box`, expects it to connect and the broker to acknowledge one publish, and stops it.
    static func expectConnectsAndPublishes(_ box: MQTTConnection, topic: String) async {
        let events = Recorder(box.events)
        await box.start()
        let connected = await events.first { $0.isConnected }
        #expect(connected != nil)
        let result = await box.publish(topic: topic, payload: Array("hello".utf8), timeout: .seconds(10))
        #expect(result == .acknowledged)
        await box.stop()
    }

    @Test func wrongCAIsRejectedAsBroken() async throws {
        let broker = try await MosquittoBroker.start()
        let settings = try MQTTFixture.settings(broker: broker, caFile: try broker.otherCAFile)
        let box = try MQTTConnection(settings: settings, logger: MQTTFixture.logger("box"))
        let events = Recorder(box.events)
        await box.start()

        let reason = await events.first { $0.disconnectReason != nil }?.element.disconnectReason
        #expect(reason?.kind == .tlsFailed)
        #expect(reason?.failureClass == .channelBroken)
        #expect(!events.elements.contains { $0.isConnected })
        await box.stop()
    }

    @Test func clientCertificateIsAccepted() async throws {
        let broker = try await MosquittoBroker.start()
        var settings = try MQTTFixture.settings(broker: broker)
        settings.port = Int(broker.clientCertificatePort)
        settings.tls = MQTTSettings.TLS(caFile: try broker.caFile, certificateFile: try broker.clientCertificate, keyFile: try broker.clientKey)
        let box = try MQTTConnection(settings: settings, logger: MQTTFixture.logger("box"))
        let events = Recorder(box.events)
        await box.start()

        let connected = await events.first { $0.isConnected }
        #expect(connected != nil)
        await box.stop()
    }

    /// The broker's alert gives the TLS failure at once; when its reset overtakes the alert,
    /// the third reset in a row does.
    @Test func missingClientCertificateIsRejected() async throws {
        let broker = try await MosquittoBroker.start()
        var settings = try MQTTFixture.settings(broker: broker)
        settings.port = Int(broker.clientCertificatePort)
        let box = try MQTTConnection(settings: settings, logger: MQTTFixture.logger("box"))
        let events = Recorder(box.events)
        await box.start()

        let reason = await events.first { $0.disconnectReason?.kind == .tlsFailed }?.element.disconnectReason
        #expect(reason?.kind == .tlsFailed)
        #expect(reason?.failureClass == .channelBroken)
        #expect(!events.elements.contains { $0.isConnected })
        await box.stop()
    }

    /// The `tls_reset` fault gives every time what a TLS 1.3 broker rejecting the client's
    /// certificate gives when its reset overtakes its alert: a reset after the handshake. The
    /// first two such ends are temporary, as a broker going down looks the same; the third in
    /// a row is a TLS failure.
    @Test func repeatedResetAfterHandshakeIsTLSFailure() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("alertbox-tls-reset-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let fakes = try await IMFakeHub.start(IMFakeConfiguration(tls: true), directory: directory, logger: MQTTFixture.logger("fakes"))
        _ = try fakes.perform(["op": "im_fault", "api": "webhook", "fault": "tls_reset", "count": 100])
        let port = try #require(URLComponents(string: fakes.baseURL(.webhook))?.port)
        let caFile = try #require(fakes.certificatePath)
        let settings = MQTTSettings(
            host: "127.0.0.1", port: port, clientID: "box-reset", boxID: "box-reset", topicPrefix: MQTTFixture.prefix,
            credentials: MQTTSettings.Credentials(username: MosquittoBroker.username, password: MosquittoBroker.password),
            tls: MQTTSettings.TLS(caFile: caFile), reconnectDelay: .milliseconds(200), maxReconnectDelay: .seconds(1), connectTimeout: .seconds(5))
        let box = try MQTTConnection(settings: settings, logger: MQTTFixture.logger("box"))
        let events = Recorder(box.events)
        await box.start()

        // A fourth reset shows that a repeated failure repeats its reason.
        _ = await events.waitForCount(4) { $0.disconnectReason.map { $0.kind != .stopped } ?? false }
        await box.stop()
        await fakes.stop()
        let reasons = events.elements.compactMap(\.disconnectReason).filter { $0.kind != .stopped }
        try #require(reasons.count >= 4)
        for early in reasons.prefix(2) {
            #expect(early.kind == .connectFailed)
            #expect(early.failureClass == .temporary)
            #expect(early.detail.contains("reset the connection after the TLS handshake and before CONNACK"))
            #expect(early.detail.contains("client certificate"))
        }
        #expect(reasons[2].kind == .tlsFailed)
        #expect(reasons[2].failureClass == .channelBroken)
        #expect(reasons[2].detail.contains("3 times in a row"))
        #expect(reasons[2].detail.contains("set certificate_file and key_file in [mqtt]"))
        #expect(reasons[3] == reasons[2], "the same reason again, so reportEnd's log throttle applies")
    }

    @Test func wrongPasswordIsChannelBroken() async throws {
        let broker = try await MosquittoBroker.start()
        let settings = try MQTTFixture.settings(broker: broker, password: "wrong-password")
        let box = try MQTTConnection(settings: settings, logger: MQTTFixture.logger("box"))
        let events = Recorder(box.events)
        await box.start()

        let reason = await events.first { $0.disconnectReason != nil }?.element.disconnectReason
        #expect(reason?.kind == .refused(connackCode: 5) || reason?.kind == .refused(connackCode: 4))
        #expect(reason?.failureClass == .channelBroken)
        let outcome = await MQTTChannel(connection: box, logger: MQTTFixture.logger("channel")).send(Self.message(identifier: "a-1"))
        guard case .failed(let failure, _) = outcome else {
            Issue.record("expected a failed outcome, got \(outcome)")
            return
        }
        #expect(failure == .channelBroken)
        await box.stop()
    }

    @Test func channelFailsTemporarilyWhenNeverConnected() async throws {
        let broker = try await MosquittoBroker.start()
        let box = try MQTTConnection(settings: try MQTTFixture.settings(broker: broker), logger: MQTTFixture.logger("box"))
        let outcome = await MQTTChannel(connection: box, logger: MQTTFixture.logger("channel")).send(Self.message(identifier: "a-2"))
        guard case .failed(let failure, _) = outcome else {
            Issue.record("expected a failed outcome, got \(outcome)")
            return
        }
        #expect(failure == .temporary)
    }

    @Test func publishedAlertReachesSubscriber() async throws {
        let broker = try await MosquittoBroker.start()
        let (observer, received) = try await MQTTFixture.observer(broker: broker)
        let box = try MQTTConnection(settings: try MQTTFixture.settings(broker: broker), logger: MQTTFixture.logger("box"))
        let events = Recorder(box.events)
        await box.start()
        _ = await events.first { $0.isConnected }

        let channel = MQTTChannel(connection: box, logger: MQTTFixture.logger("channel"))
        let outcome = await channel.send(Self.message(identifier: "fire-2026-001"))
        #expect(outcome == .accepted(references: []))

        let topic = channel.topic(priority: 0)
        let message = await received.first { $0.topic == topic }?.element
        #expect(message?.qos == 1)
        let payload = message.flatMap { try? JSONDecoder().decode(MQTTAlertPayload.self, from: Data($0.payload)) }
        #expect(payload?.identifier == "fire-2026-001")
        #expect(payload?.priority == 0)
        #expect(payload?.texts.first?.text == "3号楼火警，请立即撤离")
        await box.stop()
        await observer.stop()
    }

    @Test func retainedWillAppearsWhenLinkDies() async throws {
        let broker = try await MosquittoBroker.start()
        let proxy = try TCPProxy(targetPort: broker.port)
        defer { proxy.stop() }
        let (observer, received) = try await MQTTFixture.observer(broker: broker)
        let settings = try MQTTFixture.settings(broker: broker, plainPort: proxy.listenPort)
        let box = try MQTTConnection(settings: settings, logger: MQTTFixture.logger("box"))
        let events = Recorder(box.events)
        await box.start()
        _ = await events.first { $0.isConnected }
        _ = await received.first { $0.topic == settings.statusTopic && MQTTFixture.text($0).contains("online") }

        proxy.setMode(.refuse)
        let will = await received.first { $0.topic == settings.statusTopic && MQTTFixture.text($0).contains("offline") }?.element
        #expect(will != nil)

        let (late, lateReceived) = try await MQTTFixture.observer(broker: broker)
        let retained = await lateReceived.first { $0.topic == settings.statusTopic }?.element
        #expect(retained?.retained == true)
        #expect(retained.map(MQTTFixture.text)?.contains("offline") == true)
        await box.stop()
        await observer.stop()
        await late.stop()
    }

    @Test func persistentSessionDeliversQueuedMessages() async throws {
        let broker = try await MosquittoBroker.start()
        let settings = try MQTTFixture.settings(broker: broker)
        let topic = "\(MQTTFixture.prefix)/commands/\(settings.boxID)"
        let first = try MQTTConnection(settings: settings, logger: MQTTFixture.logger("box"))
        let firstEvents = Recorder(first.events)
        try await first.subscribe(topic)
        await first.start()
        _ = await firstEvents.first { $0.isConnected }
        await first.stop()

        let (observer, _) = try await MQTTFixture.observer(broker: broker)
        let published = await observer.publish(topic: topic, payload: Array("queued-1".utf8), timeout: .seconds(10))
        #expect(published == .acknowledged)

        let second = try MQTTConnection(settings: settings, logger: MQTTFixture.logger("box"))
        let secondEvents = Recorder(second.events)
        let messages = Recorder(second.messages)
        await second.start()
        let connected = await secondEvents.first { $0.isConnected }?.element
        #expect(connected == .connected(sessionPresent: true))
        let queued = await messages.first { $0.topic == topic }?.element
        #expect(queued.map(MQTTFixture.text) == "queued-1")
        await second.stop()
        await observer.stop()
    }

    @Test func inboundSignedAlertIsDeliveredAndBadOnesAreNot() async throws {
        let broker = try await MosquittoBroker.start()
        let box = try MQTTConnection(settings: try MQTTFixture.settings(broker: broker), logger: MQTTFixture.logger("box"))
        let verifierSettings = MQTTInboundVerifier.Settings(topicPrefix: MQTTFixture.prefix, secrets: ["fire-panel": MQTTFixture.secret])
        let receiver = MQTTInboundReceiver(connection: box, settings: verifierSettings, clock: SystemClock(), logger: MQTTFixture.logger("inbound"))
        let alerts = Recorder(receiver.alerts)
        let events = Recorder(box.events)
        try await receiver.start()
        await box.start()
        _ = await events.first { $0.isConnected }
        let (observer, received) = try await MQTTFixture.observer(broker: broker)

        let now = SystemClock().wallNow
        let body = MQTTAlertPayload(identifier: "in-1", sent: 1, priority: 1, texts: [.init(language: "zh", text: "封控解除")]).encoded()
        let good = MQTTInboundVerifier.signedPayload(publisher: "fire-panel", messageID: "m-1", time: now, body: body, secret: MQTTFixture.secret)
        let forged = MQTTInboundVerifier.signedPayload(publisher: "fire-panel", messageID: "m-2", time: now, body: body, secret: Array("guess".utf8))
        let topic = "\(MQTTFixture.prefix)/inbound/fire-panel"
        #expect(await observer.publish(topic: topic, payload: forged, timeout: .seconds(10)) == .acknowledged)
        #expect(await observer.publish(topic: "\(MQTTFixture.prefix)/inbound/stranger", payload: good, timeout: .seconds(10)) == .acknowledged)
        #expect(await observer.publish(topic: topic, payload: good, timeout: .seconds(10)) == .acknowledged)
        #expect(await observer.publish(topic: topic, payload: good, timeout: .seconds(10)) == .acknowledged)
        // The broker routes the four messages to the observer and the box in the same order.
        #expect(await received.waitForCount(4) { $0.topic.contains("/inbound/") })

        let alert = await alerts.first { _ in true }?.element
        #expect(alert?.identifier == "in-1")
        #expect(alert?.publisher == "fire-panel")
        var rejections = await receiver.rejections
        for _ in 0..<500 where rejections.values.reduce(0, +) < 3 {
            try await Task.sleep(for: .milliseconds(20))
            rejections = await receiver.rejections
        }
        #expect(rejections[.badSignature] == 1)
        #expect(rejections[.unknownPublisher] == 1)
        #expect(rejections[.replay] == 1)
        #expect(alerts.elements.count == 1)
        await box.stop()
        await observer.stop()
    }
}

/// An inbound CAP alert over a real broker, planned by the scheduler.
@Suite(.serialized) struct MQTTInboundSchedulingTests {
    @Test func signedCAPIsPlanned() async throws {
        let broker = try await MosquittoBroker.start()
        let box = try MQTTConnection(settings: try MQTTFixture.settings(broker: broker), logger: MQTTFixture.logger("box"))
        let verifierSettings = MQTTInboundVerifier.Settings(topicPrefix: MQTTFixture.prefix, secrets: ["cma": MQTTFixture.secret])
        let receiver = MQTTInboundReceiver(connection: box, settings: verifierSettings, clock: SystemClock(), logger: MQTTFixture.logger("inbound"))
        let alerts = Recorder(receiver.alerts)
        let events = Recorder(box.events)
        try await receiver.start()
        await box.start()
        _ = await events.first { $0.isConnected }
        let (observer, _) = try await MQTTFixture.observer(broker: broker)

        let cap = """
            <?xml version="1.0" encoding="UTF-8"?>
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
              <identifier>CMA-2026-1204-001</identifier><sender>cma@weather.example.cn</sender>
              <sent>2026-12-04T10:15:00+08:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
              <info><language>zh-CN</language><category>Met</category><event>暴雨</event><urgency>Immediate</urgency>
                <severity>Severe</severity><certainty>Likely</certainty><senderName>气象台</senderName>
                <headline>暴雨红色预警</headline><instruction>停止户外活动</instruction>
                <parameter><valueName>预警级别</valueName><value>红色</value></parameter>
                <area><areaDesc>本市</areaDesc></area></info>
            </alert>
            """
        let payload = MQTTInboundVerifier.signedPayload(
            publisher: "cma", messageID: "cap-1", time: SystemClock().wallNow, body: Array(cap.utf8), secret: MQTTFixture.secret)
        #expect(await observer.publish(topic: "\(MQTTFixture.prefix)/inbound/cma", payload: payload, timeout: .seconds(10)) == .acknowledged)
        let inbound = try #require(await alerts.first { _ in true }?.element)

        let path = FileManager.default.temporaryDirectory.appendingPathComponent("alertbox-inbound-\(UUID().uuidString.prefix(8)).sqlite").path
        let database = Database(path: path, logger: MQTTFixture.logger("db"))
        try await database.open(migrations: Schema.migrations)
        defer { try? FileManager.default.removeItem(atPath: path) }
        try await database.transaction("group") { connection in
            try connection.query("INSERT INTO groups (name, created_at) VALUES ('全员', 0)", operation: "test")
            try connection.query("INSERT INTO contacts (name, created_at, updated_at) VALUES ('值班员', 0, 0)", operation: "test")
            try connection.query("INSERT INTO contact_phones (contact_id, e164) VALUES (1, '+8613800000001')", operation: "test")
            try connection.query("INSERT INTO group_members (group_id, contact_id) VALUES (1, 1)", operation: "test")
        }
        let scheduler = AlertScheduler(database: database, clock: SystemClock(), logger: MQTTFixture.logger("scheduler"))
        let alert = inbound.alert(mapping: .standard, audience: ["全员"], composer: AlertComposer())
        #expect(alert.source == .mqtt)
        // A red warning is life safety, so it goes by SMS even while IM works.
        #expect(alert.priority == .lifeSafety)
        let result = try await scheduler.submit(alert)
        #expect(result.smsDeliveries == 1)

        await box.stop()
        await observer.stop()
        await database.close()
    }
}
