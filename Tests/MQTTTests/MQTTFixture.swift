import TestSupport
import Core
import Foundation
import Uplink

/// Settings and connections for the MQTT tests, against a `MosquittoBroker`.
enum MQTTFixture {
    static let prefix = "test-site"
    static let secret = Array("publisher-secret-1".utf8)

    static func logger(_ label: String) -> Logger {
        Logger(label: label, level: ProcessInfo.processInfo.environment["MQTT_TEST_DEBUG"] == nil ? .warning : .debug)
    }

    /// Settings for a box over TLS on the broker's TLS port, or over plain TCP on `plainPort`.
    static func settings(
        broker: MosquittoBroker, clientID: String = "box-\(UUID().uuidString.prefix(8))", plainPort: UInt16? = nil,
        caFile: String? = nil, password: String = MosquittoBroker.password, cleanSession: Bool = false
    ) throws -> MQTTSettings {
        let tls = plainPort == nil ? MQTTSettings.TLS(caFile: try caFile ?? broker.caFile) : nil
        return MQTTSettings(
            host: "127.0.0.1", port: Int(plainPort ?? broker.tlsPort), clientID: clientID, boxID: clientID, topicPrefix: prefix,
            keepalive: .seconds(5), cleanSession: cleanSession,
            credentials: MQTTSettings.Credentials(username: MosquittoBroker.username, password: password), tls: tls,
            reconnectDelay: .milliseconds(200), maxReconnectDelay: .seconds(1), connectTimeout: .seconds(5))
    }

    /// Starts an observer, a second client on the plain listener subscribed to `<prefix>/#`.
    /// It returns once the subscription is active, which the observer's own retained `online` status proves.
    static func observer(broker: MosquittoBroker) async throws -> (MQTTConnection, Recorder<MQTTMessage>) {
        let settings = try settings(broker: broker, clientID: "observer-\(UUID().uuidString.prefix(8))", plainPort: broker.port, cleanSession: true)
        let connection = try MQTTConnection(settings: settings, logger: logger("observer"))
        let recorder = Recorder(connection.messages)
        try await connection.subscribe("\(prefix)/#")
        await connection.start()
        guard await recorder.first(where: { $0.topic == settings.statusTopic }) != nil else {
            throw HarnessError(detail: "the observer's subscription did not become active")
        }
        return (connection, recorder)
    }

    static func text(_ message: MQTTMessage) -> String {
        String(decoding: message.payload, as: UTF8.self)
    }
}

extension MQTTConnectionEvent {
    var isConnected: Bool {
        if case .connected = self { return true }
        return false
    }

    var disconnectReason: MQTTDisconnectReason? {
        if case .disconnected(let reason) = self { return reason }
        return nil
    }
}
