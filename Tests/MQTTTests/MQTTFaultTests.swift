import TestSupport
import Core
import NetFaults
import Scheduler
import Testing
import Uplink

/// Network faults between the box and the broker, made by a `TCPProxy`.
///
/// The bounds only stop a hung test. The measured detection times are printed, not asserted,
/// because the machines that run the tests are shared.
@Suite(.serialized) struct MQTTFaultTests {
    /// A broker, a proxy in front of its plain listener, and a connected box behind the proxy.
    struct Setup {
        let broker: MosquittoBroker
        let proxy: TCPProxy
        let box: MQTTConnection
        let events: Recorder<MQTTConnectionEvent>

        static func make() async throws -> Setup {
            let broker = try await MosquittoBroker.start()
            let proxy = try TCPProxy(targetPort: broker.port)
            let settings = try MQTTFixture.settings(broker: broker, plainPort: proxy.listenPort)
            let box = try MQTTConnection(settings: settings, logger: MQTTFixture.logger("box"))
            let events = Recorder(box.events)
            await box.start()
            guard await events.first(where: { $0.isConnected }) != nil else {
                throw HarnessError(detail: "the box did not connect through the proxy")
            }
            return Setup(broker: broker, proxy: proxy, box: box, events: events)
        }

        func tearDown() async {
            await box.stop()
            proxy.stop()
        }
    }

    @Test func refuseDisconnectsPromptly() async throws {
        let setup = try await Setup.make()
        let start = ContinuousClock.now
        setup.proxy.setMode(.refuse)

        let end = await setup.events.first(since: start, timeout: .seconds(10)) { $0.disconnectReason != nil }
        #expect(end?.element.disconnectReason?.kind == .connectionLost)
        #expect(end?.element.disconnectReason?.failureClass == .temporary)
        if let end { print("MQTT refuse detected after \(end.at - start)") }
        await setup.tearDown()
    }

    @Test func blackholeIsDetectedByKeepalive() async throws {
        let setup = try await Setup.make()
        let start = ContinuousClock.now
        setup.proxy.setMode(.blackhole)

        let end = await setup.events.first(since: start, timeout: .seconds(20)) { $0.disconnectReason != nil }
        #expect(end?.element.disconnectReason?.kind == .keepaliveTimedOut)
        if let end { print("MQTT blackhole detected after \(end.at - start) with keepalive 5 s") }

        let restored = ContinuousClock.now
        setup.proxy.setMode(.pass)
        let reconnected = await setup.events.first(since: restored, timeout: .seconds(30)) { $0.isConnected }
        #expect(reconnected != nil)
        if let reconnected { print("MQTT reconnected \(reconnected.at - restored) after pass") }
        await setup.tearDown()
    }

    @Test func reconnectsAfterRefuseEnds() async throws {
        let setup = try await Setup.make()
        let start = ContinuousClock.now
        setup.proxy.setMode(.refuse)
        _ = await setup.events.first(since: start, timeout: .seconds(10)) { $0.disconnectReason != nil }
        let refusedAttempt = await setup.events.first(since: start) { $0.disconnectReason?.kind == .connectFailed }
        #expect(refusedAttempt != nil)

        let restored = ContinuousClock.now
        setup.proxy.setMode(.pass)
        let reconnected = await setup.events.first(since: restored, timeout: .seconds(30)) { $0.isConnected }
        #expect(reconnected?.element == .connected(sessionPresent: true))
        await setup.tearDown()
    }

    @Test func publishWithoutPubackIsOutcomeUnknown() async throws {
        let setup = try await Setup.make()
        setup.proxy.setMode(.blackhole)
        let channel = MQTTChannel(connection: setup.box, acknowledgementTimeout: .milliseconds(500), logger: MQTTFixture.logger("channel"))

        let message = ChannelMessage(deliveryID: 9, attempt: 1, alertID: 4, alertIdentifier: "lost-1", priority: 1, text: "测试")
        let outcome = await channel.send(message)
        guard case .outcomeUnknown = outcome else {
            Issue.record("expected outcomeUnknown, got \(outcome)")
            await setup.tearDown()
            return
        }
        await setup.tearDown()
    }
}
