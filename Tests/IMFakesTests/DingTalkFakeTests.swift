import Core
import Foundation
import Testing

@testable import Uplink

/// The DingTalk fake driven by the real uplink client: signing, keywords, size and the
/// 20-a-minute limit with its 10-minute block.
@Suite struct DingTalkFakeTests {
    static let secret = "SECtestsecret0123456789abcdef"
    static var robots: [[String: Any]] {
        [
            ["name": "ding", "api": "dingtalk", "access_token": "tok-ding-1", "secret": secret, "keywords": ["告警", "ALERT"]],
            ["name": "ding-open", "api": "dingtalk", "access_token": "tok-ding-2"],
            ["name": "ding-slow", "api": "dingtalk", "secret": secret, "rate_limits": [["count": 2, "window_ms": 60_000]]],
        ]
    }

    @Test(arguments: [
        DingTalkMessage.text("[ALERT #A123] 3F fire", mentions: DingTalkMentions(mobiles: ["13800001111"])),
        DingTalkMessage.markdown(title: "告警 #A123", text: "### 3F fire\n- time: 10:02"),
        DingTalkMessage.text("告警：三号楼三层火警，请立即疏散", mentions: DingTalkMentions(everyone: true)),
    ])
    func signedMessageAccepted(_ message: DingTalkMessage) async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let request = try fakes.dingTalkRobot("ding", keywords: ["告警", "ALERT"]).request(message, time: now, clockTrusted: true)
        let response = try await UplinkDriver().client.post(request.http)

        #expect(UplinkDriver.code(response, key: "errcode") == 0)
        #expect(ResponseClassifier().classify(response, channel: .dingTalk) == .sent)
        // The builder percent-encodes the signature, so the recorded query contains no raw + or /.
        let target = try fakes.received(robot: "ding").first?["target"] as? String ?? ""
        let sign = target.components(separatedBy: "sign=").last ?? ""
        #expect(!sign.contains("+"))
        #expect(!sign.contains("/"))
    }

    /// Each security failure gets 310000 with its own errmsg, and a broken channel.
    @Test(arguments: [
        ("wrong secret", "sign not match"),
        ("stale timestamp", "invalid timestamp"),
        ("future timestamp", "invalid timestamp"),
        ("missing keyword", "keywords not in content"),
    ])
    func securityFailureGets310000(_ mistake: String, _ errmsg: String) async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        var robot = try fakes.dingTalkRobot("ding")
        var time = now
        var text = "[ALERT #A123] 3F fire"
        switch mistake {
        case "wrong secret": robot.secret = "SECnot-the-robots-secret"
        case "stale timestamp": time = time.advanced(by: .seconds(-3700))
        case "future timestamp": time = time.advanced(by: .seconds(3700))
        default: text = "3F fire, evacuate"
        }
        let request = try robot.request(.text(text), time: time, clockTrusted: true)
        let response = try await UplinkDriver().client.post(request.http)

        #expect(response.status == 200)
        #expect(UplinkDriver.code(response, key: "errcode") == 310000)
        #expect(UplinkDriver.message(response, key: "errmsg") == errmsg)
        guard case .channelBroken = ResponseClassifier().classify(response, channel: .dingTalk) else {
            Issue.record("310000 \(errmsg) was not classified as channelBroken")
            return
        }
    }

    @Test func unencodedSignFails() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let robot = try fakes.robot("ding")
        // Find a timestamp whose signature contains a +, which an unencoded URL turns into a space.
        var milliseconds = SystemClock().wallNow.nanosecondsSinceEpoch / 1_000_000
        var signature = try Signing.dingTalk(secret: Self.secret, time: WallTime(nanosecondsSinceEpoch: milliseconds * 1_000_000), clockTrusted: true)
        while !signature.sign.contains("+") {
            milliseconds += 1
            signature = try Signing.dingTalk(secret: Self.secret, time: WallTime(nanosecondsSinceEpoch: milliseconds * 1_000_000), clockTrusted: true)
        }
        let url = "\(robot["url"] as? String ?? "")&timestamp=\(signature.timestamp)&sign=\(signature.sign)"
        let body = Array(#"{"msgtype":"text","text":{"content":"[ALERT #A1] fire"}}"#.utf8)
        let response = try await UplinkDriver().client.post(
            HTTPRequest(url: url, headers: [HTTPHeader("Content-Type", "application/json; charset=utf-8")], body: body))

        #expect(UplinkDriver.message(response, key: "errmsg") == "sign not match")
    }

    @Test(arguments: [("unknown-token", 300005), ("", 40035)])
    func badTokenBreaksChannel(_ token: String, _ errcode: Int) async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        var robot = try fakes.dingTalkRobot("ding-open")
        robot.accessToken = token
        let request = try robot.request(.text("告警"), time: now, clockTrusted: true)
        let response = try await UplinkDriver().client.post(request.http)

        #expect(UplinkDriver.code(response, key: "errcode") == errcode)
        guard case .channelBroken = ResponseClassifier().classify(response, channel: .dingTalk) else {
            Issue.record("errcode \(errcode) was not classified as channelBroken")
            return
        }
    }

    @Test func oversizeBodyRejected() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        var robot = try fakes.dingTalkRobot("ding-open")
        robot.bodyLimit = 100_000
        let request = try robot.request(.text(String(repeating: "告", count: 7000)), time: now, clockTrusted: true)
        let response = try await UplinkDriver().client.post(request.http)

        #expect(UplinkDriver.message(response, key: "errmsg") == "message too long, exceed 20000 bytes")
        guard case .rejected = ResponseClassifier().classify(response, channel: .dingTalk) else {
            Issue.record("an oversize body was not classified as rejected")
            return
        }
    }

    @Test(arguments: [130101, 410100])
    func overRateLimitBlocksTenMinutes(_ code: Int) async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        try fakes.control(["op": "im_robot", "name": "ding-slow", "rate_limit_code": code])
        let robot = try fakes.dingTalkRobot("ding-slow")
        let driver = try UplinkDriver()
        var outcomes: [DeliveryOutcome] = []
        for index in 0..<3 {
            outcomes.append(await driver.outcome(try robot.request(.text("[ALERT #A\(index)] drill"), time: now, clockTrusted: true)))
        }
        // One minute later the window is clear, but the block lasts ten minutes.
        try fakes.control(["op": "im_clock", "advance": 61])
        outcomes.append(await driver.outcome(try robot.request(.text("[ALERT #A3] drill"), time: fakeNow(fakes), clockTrusted: true)))
        try fakes.control(["op": "im_clock", "advance": 540])
        outcomes.append(await driver.outcome(try robot.request(.text("[ALERT #A4] drill"), time: fakeNow(fakes), clockTrusted: true)))

        #expect(outcomes[0] == .sent)
        #expect(outcomes[1] == .sent)
        #expect(outcomes[2] == .rateLimited(after: .seconds(600)))
        #expect(outcomes[3] == .rateLimited(after: .seconds(600)))
        #expect(outcomes[4] == .sent)
        #expect(try fakes.received(robot: "ding-slow")[2]["code"] as? Int == code)
    }

    /// Returns the wall time of the fake servers, whose clock the test moved forward.
    private func fakeNow(_ fakes: IMFakeSimulator) throws -> WallTime {
        let offset = try fakes.control(["op": "im_servers"])["clock_offset_ms"] as? Int ?? 0
        return now.advanced(by: .milliseconds(offset))
    }
}
