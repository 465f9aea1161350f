import TestSupport
import Core
import Testing
import Uplink

/// Tests each check of the inbound verifier without a broker.
@Suite struct MQTTInboundVerifierTests {
    static let secret = Array("panel-secret".utf8)
    static let now = WallTime(secondsSinceEpoch: 1_796_350_500)
    static let topic = "site/inbound/panel-1"
    static let json = MQTTAlertPayload(identifier: "j-1", sent: 1, priority: 0, texts: [.init(language: "zh", text: "火警")]).encoded()
    static let cap = Array(
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
          <identifier>cap-1</identifier><sender>weather@example.cn</sender><sent>2026-12-04T10:15:00+08:00</sent>
          <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
          <info><category>Met</category><event>暴雨</event><urgency>Immediate</urgency><severity>Severe</severity><certainty>Observed</certainty></info>
        </alert>
        """.utf8)

    static func verifier(maxPayloadBytes: Int = 65_536) -> MQTTInboundVerifier {
        MQTTInboundVerifier(settings: .init(topicPrefix: "site", secrets: ["panel-1": secret], maxPayloadBytes: maxPayloadBytes))
    }

    static func signed(_ body: [UInt8], id: String = "m-1", time: WallTime = now, secret: [UInt8] = secret) -> [UInt8] {
        MQTTInboundVerifier.signedPayload(publisher: "panel-1", messageID: id, time: time, body: body, secret: secret)
    }

    static func reason(_ payload: [UInt8], topic: String = topic, verifier: inout MQTTInboundVerifier) -> MQTTInboundError.Reason? {
        do {
            _ = try verifier.verify(topic: topic, payload: payload, now: now)
            return nil
        } catch {
            return error.reason
        }
    }

    @Test func signedJSONAlertIsAccepted() throws {
        var verifier = Self.verifier()
        let alert = try verifier.verify(topic: Self.topic, payload: Self.signed(Self.json), now: Self.now)
        #expect(alert.publisher == "panel-1")
        #expect(alert.messageID == "m-1")
        #expect(alert.identifier == "j-1")
    }

    @Test func signedCAPAlertIsAccepted() throws {
        var verifier = Self.verifier()
        let alert = try verifier.verify(topic: Self.topic, payload: Self.signed(Self.cap), now: Self.now)
        guard case .cap(let cap) = alert.content else {
            Issue.record("expected CAP content, got \(alert.content)")
            return
        }
        #expect(cap.identifier == "cap-1")
    }

    @Test func unknownPublisherIsRejected() {
        var verifier = Self.verifier()
        #expect(Self.reason(Self.signed(Self.json), topic: "site/inbound/stranger", verifier: &verifier) == .unknownPublisher)
    }

    @Test func badSignatureIsRejected() {
        var verifier = Self.verifier()
        #expect(Self.reason(Self.signed(Self.json, secret: Array("wrong".utf8)), verifier: &verifier) == .badSignature)
    }

    @Test func tamperedBodyIsRejected() {
        var verifier = Self.verifier()
        var payload = Self.signed(Self.json)
        payload[payload.count - 3] ^= 0x01
        #expect(Self.reason(payload, verifier: &verifier) == .badSignature)
    }

    @Test func signatureForOtherPublisherIsRejected() {
        var verifier = MQTTInboundVerifier(
            settings: .init(topicPrefix: "site", secrets: ["panel-1": Self.secret, "panel-2": Self.secret]))
        #expect(Self.reason(Self.signed(Self.json), topic: "site/inbound/panel-2", verifier: &verifier) == .badSignature)
    }

    @Test(arguments: [Duration.seconds(-301), .seconds(301), .seconds(-86_400)])
    func staleTimestampIsRejected(offset: Duration) {
        var verifier = Self.verifier()
        #expect(Self.reason(Self.signed(Self.json, time: Self.now.advanced(by: offset)), verifier: &verifier) == .stale)
    }

    @Test func replayedMessageIDIsRejected() {
        var verifier = Self.verifier()
        #expect(Self.reason(Self.signed(Self.json), verifier: &verifier) == nil)
        #expect(Self.reason(Self.signed(Self.json), verifier: &verifier) == .replay)
    }

    @Test func invalidCAPIsRejected() {
        var verifier = Self.verifier()
        let body = Array("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><identifier>x</identifier></alert>".utf8)
        #expect(Self.reason(Self.signed(body), verifier: &verifier) == .invalidCAP)
    }

    @Test func entityDeclarationIsRejectedAsInvalidCAP() {
        var verifier = Self.verifier()
        let body = Array("<!DOCTYPE alert [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><alert>&x;</alert>".utf8)
        #expect(Self.reason(Self.signed(body), verifier: &verifier) == .invalidCAP)
    }

    @Test(arguments: [
        "{", "{\"identifier\":\"a\",\"priority\":9,\"texts\":[{\"text\":\"x\"}]}", "{\"identifier\":\"a b\",\"priority\":0,\"texts\":[{\"text\":\"x\"}]}",
        "{\"identifier\":\"a\",\"priority\":0,\"texts\":[]}", "{\"identifier\":\"a\",\"priority\":0,\"status\":\"Real\",\"texts\":[{\"text\":\"x\"}]}",
    ])
    func invalidJSONIsRejected(body: String) {
        var verifier = Self.verifier()
        #expect(Self.reason(Self.signed(Array(body.utf8)), verifier: &verifier) == .invalidJSON)
    }

    @Test func oversizePayloadIsRejected() {
        var verifier = Self.verifier(maxPayloadBytes: 100)
        #expect(Self.reason(Self.signed(Self.json), verifier: &verifier) == .oversize)
    }

    @Test(arguments: ["v2 m-1 1796350500 AAAA\n{}", "no signature line", "v1 m-1 soon AAAA\n{}", "v1  1796350500 AAAA\n{}"])
    func malformedEnvelopeIsRejected(payload: String) {
        var verifier = Self.verifier()
        #expect(Self.reason(Array(payload.utf8), verifier: &verifier) == .malformedEnvelope)
    }

    @Test(arguments: ["site/inbound/", "site/other/panel-1", "site/inbound/panel-1/extra"])
    func topicOutsideInboundIsRejected(topic: String) {
        var verifier = Self.verifier()
        #expect(Self.reason(Self.signed(Self.json), topic: topic, verifier: &verifier) == .invalidTopic)
    }

    @Test func errorNamesPublisherAndTopic() {
        var verifier = Self.verifier()
        do {
            _ = try verifier.verify(topic: Self.topic, payload: Self.signed(Self.json, secret: [1]), now: Self.now)
            Issue.record("expected a rejection")
        } catch {
            #expect(error.publisher == "panel-1")
            #expect(error.topic == Self.topic)
            #expect(!error.description.contains("火警"))
        }
    }
}
