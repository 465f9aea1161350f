import Core
import Foundation
import Testing

@testable import Uplink

/// The WeCom fake driven by the real uplink client: the builder's correct requests pass,
/// and each wrong one gets WeCom's errcode and the outcome the runtime expects.
@Suite struct WeComFakeTests {
    static var robots: [[String: Any]] {
        [
            ["name": "wecom", "api": "wecom", "key": "693a91f6-7a0b-4c1d-8e2f-3a4b5c6d7e8f"],
            ["name": "wecom-slow", "api": "wecom", "rate_limits": [["count": 2, "window_ms": 3_600_000]]],
        ]
    }

    @Test(arguments: [
        WeComMessage.text("[ALERT #A123] 3楼火警，请立即疏散", mentionedUserIDs: ["wangqing"], mentionedMobiles: ["13800001111"]),
        WeComMessage.markdown("**ALERT #A123**\n><font color=\"warning\">3F fire</font> <@wangqing>"),
        WeComMessage.text(String(repeating: "火", count: 682)),
    ])
    func correctMessageAccepted(_ message: WeComMessage) async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let request = try fakes.weComRobot("wecom").request(message)
        let response = try await UplinkDriver().client.post(request.http)

        #expect(response.status == 200)
        #expect(UplinkDriver.code(response, key: "errcode") == 0)
        #expect(ResponseClassifier().classify(response, channel: .weCom) == .sent)
        let recorded = try fakes.received(robot: "wecom")
        #expect(recorded.count == 1)
        #expect(recorded.first?["accepted"] as? Bool == true)
    }

    @Test func wrongKeyBreaksChannel() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        var robot = try fakes.weComRobot("wecom")
        robot.key = "00000000-wrong-key"
        let request = try robot.request(.text("[ALERT #A123] 3楼火警"))
        let response = try await UplinkDriver().client.post(request.http)

        #expect(UplinkDriver.code(response, key: "errcode") == 93000)
        #expect(UplinkDriver.message(response, key: "errmsg")?.hasPrefix("invalid webhook url, hint: [") == true)
        #expect(UplinkDriver.message(response, key: "errmsg")?.contains("from ip: 127.0.0.1") == true)
        guard case .channelBroken = ResponseClassifier().classify(response, channel: .weCom) else {
            Issue.record("93000 was not classified as channelBroken")
            return
        }
        let recorded = try fakes.control(["op": "im_received", "api": "wecom"])["requests"] as? [[String: Any]] ?? []
        #expect(recorded.first?["accepted"] as? Bool == false)
        #expect(recorded.first?["reason"] as? String == "the key belongs to no configured robot")
    }

    @Test(arguments: [("text", 2049), ("markdown", 4097)])
    func oversizeContentRejected(_ type: String, _ bytes: Int) async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        var robot = try fakes.weComRobot("wecom")
        // The builder refuses oversize content itself, so its limits are lifted to reach the server.
        robot.textLimit = 100_000
        robot.markdownLimit = 100_000
        let content = String(repeating: "a", count: bytes)
        let request = try robot.request(type == "text" ? .text(content) : .markdown(content))
        let response = try await UplinkDriver().client.post(request.http)

        #expect(UplinkDriver.code(response, key: "errcode") == 45002)
        guard case .rejected = ResponseClassifier().classify(response, channel: .weCom) else {
            Issue.record("an oversize message was not classified as rejected")
            return
        }
        #expect(try fakes.received(robot: "wecom").first?["reason"] as? String == "\(type).content is \(bytes) bytes, over \(bytes - 1)")
    }

    @Test func overRateLimitRetriedLater() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let robot = try fakes.weComRobot("wecom-slow")
        let driver = try UplinkDriver()
        var outcomes: [DeliveryOutcome] = []
        for index in 0..<3 {
            outcomes.append(await driver.outcome(try robot.request(.text("[ALERT #A\(index)] drill"))))
        }

        #expect(outcomes[0] == .sent)
        #expect(outcomes[1] == .sent)
        #expect(outcomes[2] == .rateLimited(after: .seconds(60)))
        #expect(try fakes.received(robot: "wecom-slow").last?["code"] as? Int == 45009)
    }

    @Test func rateWindowPassesWithFakeClock() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let robot = try fakes.weComRobot("wecom-slow")
        let driver = try UplinkDriver()
        for index in 0..<3 {
            _ = await driver.outcome(try robot.request(.text("[ALERT #A\(index)] drill")))
        }
        try fakes.control(["op": "im_clock", "advance": 3600])

        #expect(await driver.outcome(try robot.request(.text("[ALERT #A4] drill"))) == .sent)
    }

    @Test func invalidJSONGetsDataFormatError() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let robot = try fakes.weComRobot("wecom")
        let request = IMRequest(
            channel: .weCom, http: HTTPRequest(url: robot.url, headers: [HTTPHeader("Content-Type", "application/json")], body: Array("{\"msgtype\":".utf8)))
        let response = try await UplinkDriver().client.post(request.http)
        #expect(UplinkDriver.code(response, key: "errcode") == 47001)
    }
}
