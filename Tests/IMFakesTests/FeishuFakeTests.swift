import Core
import Foundation
import Testing

@testable import Uplink

/// The Feishu fake driven by the real uplink client: the body signature, keywords, size and
/// the 5-a-second and 100-a-minute limits.
@Suite struct FeishuFakeTests {
    static let secret = "feishu-test-secret"
    static var robots: [[String: Any]] {
        [
            ["name": "feishu", "api": "feishu", "token": "hook-token-1", "secret": secret, "keywords": ["告警"]],
            ["name": "feishu-open", "api": "feishu", "legacy_success_fields": true],
            ["name": "feishu-slow", "api": "feishu", "rate_limits": [["count": 2, "window_ms": 3_600_000]]],
        ]
    }

    @Test(arguments: ["告警：三号楼三层火警 <at user_id=\"all\">所有人</at>", "告警 [ALERT #A123] 3F fire"])
    func signedTextAccepted(_ text: String) async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let request = try fakes.feishuBot("feishu", keywords: ["告警"]).request(text: text, time: now, clockTrusted: true)
        let response = try await UplinkDriver().client.post(request.http)

        #expect(response.status == 200)
        #expect(UplinkDriver.code(response, key: "code") == 0)
        #expect(ResponseClassifier().classify(response, channel: .feishu) == .sent)
        #expect(try fakes.received(robot: "feishu").first?["text"] as? String == text)
    }

    @Test func legacySuccessFieldsStillSent() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let request = try fakes.feishuBot("feishu-open").request(text: "fire drill", time: now, clockTrusted: false)
        let response = try await UplinkDriver().client.post(request.http)

        #expect(UplinkDriver.code(response, key: "StatusCode") == 0)
        #expect(ResponseClassifier().classify(response, channel: .feishu) == .sent)
    }

    @Test(arguments: [
        ("wrong secret", 19021),
        ("stale timestamp", 19021),
        ("missing keyword", 19024),
    ])
    func securityFailureBreaksChannel(_ mistake: String, _ code: Int) async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        var bot = try fakes.feishuBot("feishu")
        var time = now
        var text = "告警 3F fire"
        switch mistake {
        case "wrong secret": bot.secret = "not-the-bots-secret"
        case "stale timestamp": time = time.advanced(by: .seconds(-3601))
        default: text = "3F fire"
        }
        let request = try bot.request(text: text, time: time, clockTrusted: true)
        let response = try await UplinkDriver().client.post(request.http)

        #expect(UplinkDriver.code(response, key: "code") == code)
        guard case .channelBroken = ResponseClassifier().classify(response, channel: .feishu) else {
            Issue.record("code \(code) was not classified as channelBroken")
            return
        }
    }

    @Test func signatureErrorHasExactMessage() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        var bot = try fakes.feishuBot("feishu")
        bot.secret = "not-the-bots-secret"
        let response = try await UplinkDriver().client.post(try bot.request(text: "告警", time: now, clockTrusted: true).http)
        #expect(UplinkDriver.message(response, key: "msg") == "sign match fail or timestamp is not within one hour from current time")
    }

    @Test func oversizeBodyGets9499() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        var bot = try fakes.feishuBot("feishu-open")
        bot.bodyLimit = 100_000
        let request = try bot.request(text: String(repeating: "火", count: 7000), time: now, clockTrusted: false)
        let response = try await UplinkDriver().client.post(request.http)

        #expect(response.status == 200)
        #expect(UplinkDriver.code(response, key: "code") == 9499)
        guard case .rejected = ResponseClassifier().classify(response, channel: .feishu) else {
            Issue.record("an oversize body was not classified as rejected")
            return
        }
    }

    @Test(arguments: [(11232, 200), (9499, 400)])
    func overRateLimitRetriedLater(_ code: Int, _ status: Int) async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        try fakes.control(["op": "im_robot", "name": "feishu-slow", "rate_limit_code": code])
        let bot = try fakes.feishuBot("feishu-slow")
        let driver = try UplinkDriver()
        var responses: [HTTPResponse] = []
        for index in 0..<3 {
            responses.append(try await driver.client.post(try bot.request(text: "[ALERT #A\(index)] drill", time: now, clockTrusted: false).http))
        }

        #expect(UplinkDriver.code(responses[1], key: "code") == 0)
        #expect(responses[2].status == status)
        #expect(UplinkDriver.code(responses[2], key: "code") == code)
        #expect(ResponseClassifier().classify(responses[2], channel: .feishu) == .rateLimited(after: .seconds(60)))
    }

    @Test func unknownTokenRejected() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        var bot = try fakes.feishuBot("feishu-open")
        bot.token = "no-such-hook"
        let response = try await UplinkDriver().client.post(try bot.request(text: "fire", time: now, clockTrusted: false).http)
        #expect(UplinkDriver.code(response, key: "code") == 19001)
    }
}
