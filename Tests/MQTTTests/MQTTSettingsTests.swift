import TestSupport
import Alerting
import Core
import Foundation
import Testing
import Uplink

/// Tests settings validation, their printing and the alert payload's JSON, without a broker.
@Suite struct MQTTSettingsTests {
    static func settings() -> MQTTSettings {
        MQTTSettings(
            host: "broker.example.cn", clientID: "box-1", boxID: "box-1", topicPrefix: "campus-a",
            credentials: .init(username: "box", password: "hunter2-secret"), tls: .init(caFile: "/etc/alertbox/ca.pem"))
    }

    static func invalidDetail(_ change: (inout MQTTSettings) -> Void) -> String? {
        var settings = settings()
        change(&settings)
        do {
            try settings.validate()
            return nil
        } catch {
            return error.detail
        }
    }

    @Test func defaultsAreValid() throws {
        try Self.settings().validate()
        #expect(Self.settings().cleanSession == false)
        #expect(Self.settings().statusTopic == "campus-a/status/box-1")
    }

    @Test func shortKeepaliveIsRejected() {
        #expect(Self.invalidDetail { $0.keepalive = .seconds(4) }?.contains("keepalive") == true)
    }

    @Test func wildcardInPrefixIsRejected() {
        #expect(Self.invalidDetail { $0.topicPrefix = "campus/#" }?.contains("topic prefix") == true)
    }

    @Test func certificateWithoutKeyIsRejected() {
        #expect(Self.invalidDetail { $0.tls?.certificateFile = "/etc/alertbox/box.pem" }?.contains("together") == true)
    }

    @Test func badPortIsRejected() {
        #expect(Self.invalidDetail { $0.port = 0 }?.contains("port 0") == true)
    }

    @Test func printedSettingsHidePassword() {
        let text = "\(Self.settings())"
        #expect(!text.contains("hunter2-secret"))
        #expect(text.contains("<redacted>"))
    }

    @Test func unreadableCAFileFailsSetup() {
        var settings = Self.settings()
        settings.tls = .init(caFile: "/nonexistent/ca.pem")
        #expect(throws: MQTTError.self) {
            _ = try MQTTConnection(settings: settings, logger: Logger(label: "test", level: .critical))
        }
    }

    @Test(arguments: [#""sent":-1"#, #""sent":9223372036854775807"#, #""expires":7258118400001"#])
    func payloadTimeOutOfRangeIsRejected(field: String) {
        let body = Array(#"{"identifier":"x-1","priority":2,\#(field),"texts":[{"text":"Drill"}]}"#.utf8)
        #expect(throws: MQTTInboundError.self) { try MQTTAlertPayload.decode(body) }
    }

    @Test func alertPayloadCarriesAlertFields() throws {
        let alert = Alert(
            identifier: "fire-1", sender: "panel", sentAt: 1_796_350_500_000, status: .exercise, priority: .lifeSafety, source: .gpio,
            audience: ["all"], texts: [AlertText(language: .chinese, headline: "火警", smsText: "短信", imText: "3号楼火警")])
        let decoded = try JSONDecoder().decode(MQTTAlertPayload.self, from: Data(MQTTAlertPayload(alert: alert).encoded()))
        #expect(decoded.identifier == "fire-1")
        #expect(decoded.priority == 0)
        #expect(decoded.status == "Exercise")
        #expect(decoded.sent == 1_796_350_500_000)
        #expect(decoded.texts == [.init(language: "zh", headline: "火警", text: "3号楼火警")])
    }

    @Test func decodedPayloadBecomesAlert() throws {
        let body = Array(#"{"identifier":"x-1","priority":2,"status":"Test","texts":[{"language":"en","text":"Drill at 3pm"}]}"#.utf8)
        let alert = try MQTTAlertPayload.decode(body).alert(defaultSender: "publisher-a")
        #expect(alert.priority == .routine)
        #expect(alert.status == .test)
        #expect(alert.sender == "publisher-a")
        #expect(alert.texts.first?.language == .english)
        #expect(alert.source == .mqtt)
    }
}
