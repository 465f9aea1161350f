import Core
import Foundation
import Testing

@testable import IMFakes
@testable import Uplink

/// The `im_*` control ops: listing, recording, configuration and their errors.
@Suite struct ControlOpsTests {
    static var robots: [[String: Any]] {
        [["name": "wecom", "api": "wecom"], ["name": "ding", "api": "dingtalk", "secret": "SECabc"]]
    }

    @Test func serversListEveryAPI() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let servers = try fakes.control(["op": "im_servers"])["servers"] as? [[String: Any]] ?? []

        #expect(Set(servers.compactMap { $0["api"] as? String }) == ["wecom", "dingtalk", "feishu", "webhook"])
        #expect(servers.allSatisfy { ($0["base_url"] as? String)?.hasPrefix("http://127.0.0.1:") == true })
    }

    @Test func generatedKeyInURL() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let robot = try fakes.robot("wecom")
        let key = try #require(robot["key"] as? String)
        #expect(robot["url"] as? String == "\(robot["base_url"] as? String ?? "")/cgi-bin/webhook/send?key=\(key)")
    }

    @Test func receivedSinceSkipsEarlier() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let robot = try fakes.weComRobot("wecom")
        let driver = try UplinkDriver()
        for index in 0..<3 {
            _ = await driver.outcome(try robot.request(.text("message \(index)")))
        }
        let reply = try fakes.control(["op": "im_received", "since": 2])
        let requests = reply["requests"] as? [[String: Any]] ?? []

        #expect(reply["count"] as? Int == 3)
        #expect(requests.count == 1)
        #expect(requests.first?["text"] as? String == "message 2")
    }

    @Test func robotAddedAtRuntime() async throws {
        let fakes = try await IMFakeSimulator.start(robots: [])
        let reply = try fakes.control(["op": "im_robot", "name": "late", "api": "feishu", "keywords": ["告警"]])
        let robot = try #require(reply["robot"] as? [String: Any])
        let bot = FeishuBot(token: robot["token"] as? String ?? "", keywords: ["告警"], baseURL: robot["base_url"] as? String ?? "")

        #expect(await (try UplinkDriver()).outcome(try bot.request(text: "告警 fire", time: now, clockTrusted: false)) == .sent)
    }

    @Test(arguments: [
        (#"{"op":"im_robot","name":"x"}"#, "missing or unknown \"api\""),
        (#"{"op":"im_robot","name":"wecom","secret":"abc"}"#, "has no signing"),
        (#"{"op":"im_robot","name":"wecom","api":"feishu"}"#, "is a wecom robot"),
        (#"{"op":"im_robot","name":"h","api":"webhook","secret":"plain"}"#, "whsec_"),
        (#"{"op":"im_fault","robot":"nobody","fault":"reset"}"#, "no robot named nobody"),
        (#"{"op":"im_fault","api":"wecom","fault":"explode"}"#, "unknown fault \"explode\""),
        (#"{"op":"im_fault","api":"wecom","fault":"slow_answer"}"#, "delay_ms"),
        (#"{"op":"im_clock"}"#, "advance_ms"),
        (#"{"op":"im_nothing"}"#, "unknown op \"im_nothing\""),
    ])
    func invalidRequestNamesField(_ json: String, _ expected: String) async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let request = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let error = try fakes.controlError(request)
        #expect(error.contains(expected))
    }

    @Test func secretNotInReasons() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        var robot = try fakes.dingTalkRobot("ding")
        robot.secret = "SECwrong"
        _ = await (try UplinkDriver()).outcome(try robot.request(.text("fire"), time: now, clockTrusted: true))
        let reason = try fakes.received(robot: "ding").first?["reason"] as? String ?? ""

        #expect(!reason.contains("SECabc"))
        #expect(!reason.contains("SECwrong"))
    }
}

/// The fake servers started in-process, without the simulator.
@Suite struct InProcessHubTests {
    @Test func hubServesWithoutSimulator() async throws {
        var robot = FakeRobot(name: "wecom", api: .weCom)
        robot.credential = "in-process-key"
        let hub = try await IMFakeHub.start(IMFakeConfiguration(robots: [robot]), directory: NSTemporaryDirectory(), logger: Logger(label: "test", level: .warning))
        let client = WeComRobot(key: "in-process-key", baseURL: hub.baseURL(.weCom))
        let outcome = await (try UplinkDriver()).outcome(try client.request(.text("fire")))
        await hub.stop()

        #expect(outcome == .sent)
    }
}

/// Requests that the real client sends to the fakes outside the request builders.
@Suite struct RawRequestTests {
    static var robots: [[String: Any]] {
        [["name": "ding", "api": "dingtalk"], ["name": "feishu", "api": "feishu"], ["name": "wecom", "api": "wecom"]]
    }

    @Test func keepAliveConnectionReused() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let robot = try fakes.weComRobot("wecom")
        let driver = try UplinkDriver()
        for index in 0..<3 {
            _ = await driver.outcome(try robot.request(.text("message \(index)")))
        }
        let connections = try fakes.received(robot: "wecom").compactMap { $0["connection"] as? Int }

        #expect(connections == [1, 1, 1])
    }

    @Test(arguments: ["text/plain", "application/json; charset=gbk"])
    func dingTalkContentTypeChecked(_ contentType: String) async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let url = try fakes.robot("ding")["url"] as? String ?? ""
        let body = Array(#"{"msgtype":"text","text":{"content":"fire"}}"#.utf8)
        let response = try await UplinkDriver().client.post(HTTPRequest(url: url, headers: [HTTPHeader("Content-Type", contentType)], body: body))
        #expect(UplinkDriver.code(response, key: "errcode") == 43004)
    }

    @Test(arguments: [
        (#"{"msg_type":"interactive","card":{"elements":[{"tag":"markdown","content":"**3F fire**"}]}}"#, 0),
        (#"{"msg_type":"interactive","content":{"card":{}}}"#, 9499),
        (#"{"msg_type":"text","content":{}}"#, 9499),
        (#"{"msg_type":"markdown","content":{"text":"x"}}"#, 9499),
        (#"{"msg_type":"post","content":{"post":{"zh_cn":{"title":"告警","content":[]}}}}"#, 0),
    ])
    func feishuMessageShapeChecked(_ body: String, _ code: Int) async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let url = try fakes.robot("feishu")["url"] as? String ?? ""
        let response = try await UplinkDriver().client.post(
            HTTPRequest(url: url, headers: [HTTPHeader("Content-Type", "application/json")], body: Array(body.utf8)))
        #expect(UplinkDriver.code(response, key: "code") == code)
    }
}
