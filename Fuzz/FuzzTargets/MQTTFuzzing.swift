import Alerting
import Core
import Uplink

/// Checks payloads from the MQTT inbound topic: the signed envelope, then the body.
///
/// The input goes in twice: as the whole payload, which reaches only the envelope checks
/// because a fuzzer cannot forge the HMAC, and as the body of a payload signed here with the
/// publisher's secret, which reaches the CAP and JSON parsers and the conversion to an alert.
enum MQTTFuzzing {
    private static let publisher = "campus-feed"
    private static let secret = Array("fuzzing-secret".utf8)
    private static let now = WallTime(secondsSinceEpoch: 1_704_412_800)

    static func run(_ bytes: [UInt8], _ result: inout FuzzResult) {
        let settings = MQTTInboundVerifier.Settings(topicPrefix: "alertbox/site1", secrets: [publisher: secret])
        var verifier = MQTTInboundVerifier(settings: settings)
        let topic = "alertbox/site1/inbound/\(publisher)"

        do {
            _ = try verifier.verify(topic: topic, payload: bytes, now: now)
            result.accept()
        } catch {
            result.reject(error, by: "MQTTInboundVerifier.verify")
        }

        let signed = MQTTInboundVerifier.signedPayload(publisher: publisher, messageID: "m1", time: now, body: bytes, secret: secret)
        do {
            let inbound = try verifier.verify(topic: topic, payload: signed, now: now)
            result.accept()
            let alert = inbound.alert(mapping: .standard, audience: ["all"], composer: AlertComposer())
            result.expect(!alert.identifier.isEmpty, "an inbound alert converted with an empty identifier")
        } catch {
            result.reject(error, by: "MQTTInboundVerifier.verify of a signed body")
        }

        do {
            let payload = try MQTTAlertPayload.decode(bytes)
            result.accept()
            let encoded = payload.encoded()
            do {
                let again = try MQTTAlertPayload.decode(encoded)
                result.expect(again == payload, "a JSON alert payload changes when encoded and decoded again")
            } catch {
                result.expect(false, "a JSON alert payload encodes into JSON that does not decode: \(error)")
            }
        } catch {
            result.reject(error, by: "MQTTAlertPayload.decode")
        }
    }
}
