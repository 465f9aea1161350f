import Alerting
import Core
import Testing

@testable import Uplink

/// Expected values were computed with Python's `hmac` module and checked with
/// `openssl dgst -sha256 -hmac`, except where a row names a published source.
@Suite struct SigningTests {
    static let trustedTime = WallTime(secondsSinceEpoch: 1_700_000_000)

    struct HMACCase: Sendable, CustomTestStringConvertible {
        let key: String
        let message: String
        let hex: String
        var testDescription: String { "key \(key.debugDescription)" }
    }

    @Test(arguments: [
        // RFC 4231 test case 2.
        HMACCase(key: "Jefe", message: "what do ya want for nothing?", hex: "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        HMACCase(key: "", message: "", hex: "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"),
    ])
    func hmacKnownAnswer(_ row: HMACCase) throws {
        let digest = try Signing.hmacSHA256(key: Array(row.key.utf8), message: Array(row.message.utf8))
        let hex = digest.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(hex == row.hex)
    }

    struct DingTalkCase: Sendable {
        let secret: String
        let milliseconds: Int64
        let sign: String
        let encoded: String
    }

    @Test(arguments: [
        // The vector given with the API notes, which Python and openssl agree on.
        DingTalkCase(
            secret: "SECtestsecret", milliseconds: 1_700_000_000_000, sign: "7LVwF0dAF3/+MRRulbpE4y72Ogzykc6bS2nG4I99T4s=",
            encoded: "7LVwF0dAF3%2F%2BMRRulbpE4y72Ogzykc6bS2nG4I99T4s%3D"),
        DingTalkCase(
            secret: "SEC0123456789abcdef", milliseconds: 1_733_350_000_123, sign: "DYuBolv/y7rNwHQ7KYlEzqZ4XZvQXViAnDf5Mo8OA/I=",
            encoded: "DYuBolv%2Fy7rNwHQ7KYlEzqZ4XZvQXViAnDf5Mo8OA%2FI%3D"),
    ])
    func dingTalkKnownAnswer(_ row: DingTalkCase) throws {
        let time = WallTime(nanosecondsSinceEpoch: row.milliseconds * 1_000_000)
        let signature = try Signing.dingTalk(secret: row.secret, time: time, clockTrusted: true)
        #expect(signature.timestamp == String(row.milliseconds))
        #expect(signature.sign == row.sign)
        #expect(signature.queryItems == "timestamp=\(row.milliseconds)&sign=\(row.encoded)")
    }

    struct FeishuCase: Sendable {
        let secret: String
        let seconds: Int64
        let sign: String
    }

    @Test(arguments: [
        // The vector given with the API notes, which Python and openssl agree on.
        FeishuCase(secret: "testsecret", seconds: 1_700_000_000, sign: "AOc8oJ7//5OlQlfWC3nRL0R+IkuzcD1FKcAyibRK9Q8="),
        FeishuCase(secret: "飞书密钥", seconds: 1_733_350_000, sign: "P4WvKXJ6XI69+JhYb54DQ+gglw4q2XPjMdtc49qulNI="),
    ])
    func feishuKnownAnswer(_ row: FeishuCase) throws {
        // Nanoseconds within the second must not change the timestamp.
        let time = WallTime(nanosecondsSinceEpoch: row.seconds * 1_000_000_000 + 999_000_000)
        let signature = try Signing.feishu(secret: row.secret, time: time, clockTrusted: true)
        #expect(signature.timestamp == String(row.seconds))
        #expect(signature.sign == row.sign)
    }

    @Test func standardWebhookPublishedVector() throws {
        // The example that the Standard Webhooks reference libraries test against.
        let secret = try WebhookSecret(whsec: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let signature = try Signing.standardWebhook(
            secret: secret, id: "msg_p5jXN8AQM9LWM0D4loKWxJek", time: WallTime(secondsSinceEpoch: 1_614_265_330),
            body: Array(#"{"test": 2432232314}"#.utf8), clockTrusted: true)
        #expect(signature.signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        #expect(signature.timestamp == "1614265330")
    }

    @Test func standardWebhookRawKeyVector() throws {
        let secret = WebhookSecret(rawKey: Array("whsec-test-key-0123456789".utf8))
        let signature = try Signing.standardWebhook(
            secret: secret, id: "msg_1", time: Self.trustedTime, body: Array(#"{"alert":"fire","box":"box7"}"#.utf8),
            clockTrusted: true)
        #expect(signature.signature == "v1,927oFyT+5pf2l9qzrHJ2bt2Sn+QRWxb7JjX4MnqF0kU=")
    }

    @Test func standardWebhookHeaders() throws {
        let secret = WebhookSecret(rawKey: Array("whsec-test-key-0123456789".utf8))
        let signature = try Signing.standardWebhook(
            secret: secret, id: "msg_1", time: Self.trustedTime, body: Array(#"{"alert":"fire","box":"box7"}"#.utf8),
            clockTrusted: true)
        #expect(
            signature.headers == [
                HTTPHeader("webhook-id", "msg_1"),
                HTTPHeader("webhook-timestamp", "1700000000"),
                HTTPHeader("webhook-signature", "v1,927oFyT+5pf2l9qzrHJ2bt2Sn+QRWxb7JjX4MnqF0kU="),
            ])
    }

    @Test(arguments: [IMChannel.dingTalk, .feishu, .webhook])
    func untrustedClockRejectsEverySigner(_ channel: IMChannel) {
        let error = signingError(channel: channel, clockTrusted: false)
        #expect(error?.kind == .clockNotTrusted)
        #expect(error?.channel == channel)
    }

    @Test func emptySecretRejected() {
        do {
            _ = try Signing.feishu(secret: "", time: Self.trustedTime, clockTrusted: true)
            Issue.record("an empty secret was accepted")
        } catch {
            #expect(error.kind == .invalidSecret)
        }
    }

    @Test(arguments: ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_not base64!", "whsec_"])
    func malformedWhsecRejected(_ text: String) {
        do {
            _ = try WebhookSecret(whsec: text)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.kind == .invalidSecret)
        }
    }

    @Test func webhookSecretDescriptionHidesKey() throws {
        let secret = try WebhookSecret(whsec: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        #expect(String(describing: secret) == "WebhookSecret(24 bytes)")
    }

    @Test(arguments: ["", "a.b", "line\nbreak"])
    func invalidWebhookIDRejected(_ id: String) {
        do {
            _ = try Signing.standardWebhook(secret: WebhookSecret(rawKey: [1]), id: id, time: Self.trustedTime, body: [], clockTrusted: true)
            Issue.record("webhook-id \(id.debugDescription) was accepted")
        } catch {
            #expect(error.kind == .invalidMessage)
        }
    }

    @Test(arguments: [
        ("abc-._~XYZ09", "abc-._~XYZ09"),
        ("a+b/c=", "a%2Bb%2Fc%3D"),
        ("a b\n", "a%20b%0A"),
        ("钉", "%E9%92%89"),
    ])
    func percentEncoding(_ input: String, _ expected: String) {
        #expect(Signing.percentEncoded(input) == expected)
    }

    private func signingError(channel: IMChannel, clockTrusted: Bool) -> UplinkError? {
        do {
            switch channel {
            case .dingTalk:
                _ = try Signing.dingTalk(secret: "SECtestsecret", time: Self.trustedTime, clockTrusted: clockTrusted)
            case .feishu:
                _ = try Signing.feishu(secret: "testsecret", time: Self.trustedTime, clockTrusted: clockTrusted)
            case .webhook:
                _ = try Signing.standardWebhook(
                    secret: WebhookSecret(rawKey: [1, 2, 3]), id: "msg_1", time: Self.trustedTime, body: [], clockTrusted: clockTrusted)
            case .weCom, .mqtt:
                Issue.record("\(channel) requests are not signed")
            }
            return nil
        } catch {
            return error
        }
    }
}
