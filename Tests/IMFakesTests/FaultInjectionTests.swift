import Core
import Foundation
import Testing

@testable import Uplink

/// Faults injected over the control socket, and the error or outcome the real client
/// reports for each.
@Suite struct FaultInjectionTests {
    static var robots: [[String: Any]] {
        [["name": "wecom", "api": "wecom"], ["name": "other", "api": "wecom"]]
    }

    private func send(_ fakes: IMFakeSimulator, robot: String = "wecom", driver: UplinkDriver) async throws -> Result<HTTPResponse, UplinkError> {
        await driver.post(try fakes.weComRobot(robot).request(.text("[ALERT #A1] 3F fire")))
    }

    @Test(arguments: [500, 502, 503, 504])
    func serverErrorRetriedLater(_ status: Int) async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        try fakes.control(["op": "im_fault", "robot": "wecom", "fault": "http_status", "status": status])
        let response = try await send(fakes, driver: try UplinkDriver()).get()

        #expect(response.status == status)
        #expect(ResponseClassifier().classify(response, channel: .weCom) == .retryLater(after: .seconds(30)))
    }

    @Test(arguments: [("reset", UplinkError.Kind.connectionReset), ("close", .emptyReply), ("accept_then_close", .emptyReply)])
    func connectionFaultReported(_ fault: String, _ kind: UplinkError.Kind) async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let driver = try UplinkDriver()
        // A first request leaves a keep-alive connection that the fault must not reuse.
        _ = try await send(fakes, driver: driver).get()
        try fakes.control(["op": "im_fault", "robot": "wecom", "fault": fault])
        let result = try await send(fakes, driver: driver)

        guard case .failure(let error) = result else {
            Issue.record("fault \(fault) returned a response")
            return
        }
        #expect(error.kind == kind)
        #expect(ResponseClassifier().classify(error) == .retryLater(after: .seconds(15)))
    }

    @Test func acceptThenCloseRecordsAcceptedMessage() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        try fakes.control(["op": "im_fault", "robot": "wecom", "fault": "accept_then_close"])
        _ = try await send(fakes, driver: try UplinkDriver())
        let record = try fakes.received(robot: "wecom").first

        #expect(record?["accepted"] as? Bool == true)
        #expect(record?["fault"] as? String == "accept_then_close")
    }

    @Test func noAnswerTimesOut() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        try fakes.control(["op": "im_fault", "robot": "wecom", "fault": "no_answer"])
        let result = try await send(fakes, driver: try UplinkDriver(totalTimeout: .seconds(1)))

        guard case .failure(let error) = result else {
            Issue.record("a server that never answers returned a response")
            return
        }
        #expect(error.kind == .timedOut)
    }

    @Test func slowAnswerStillArrives() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        try fakes.control(["op": "im_fault", "robot": "wecom", "fault": "slow_answer", "delay_ms": 300])
        let response = try await send(fakes, driver: try UplinkDriver()).get()
        #expect(UplinkDriver.code(response, key: "errcode") == 0)
    }

    @Test func faultHitsOnlyItsRobot() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        try fakes.control(["op": "im_fault", "robot": "wecom", "fault": "http_status", "status": 503])
        let driver = try UplinkDriver()
        let other = try await send(fakes, robot: "other", driver: driver).get()
        let target = try await send(fakes, robot: "wecom", driver: driver).get()

        #expect(other.status == 200)
        #expect(target.status == 503)
    }

    @Test func countedFaultEnds() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        try fakes.control(["op": "im_fault", "api": "wecom", "fault": "http_status", "status": 502, "count": 2])
        let driver = try UplinkDriver()
        var statuses: [Int] = []
        for _ in 0..<3 {
            statuses.append(try await send(fakes, driver: driver).get().status)
        }
        #expect(statuses == [502, 502, 200])
    }

    @Test func clearedFaultStops() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        try fakes.control(["op": "im_fault", "api": "wecom", "fault": "http_status", "duration": 3600])
        try fakes.control(["op": "im_clear_faults"])
        #expect(try await send(fakes, driver: try UplinkDriver()).get().status == 200)
    }

    @Test func businessErrorReplyInjected() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        try fakes.control(["op": "im_fault", "robot": "wecom", "fault": "reply", "body": #"{"errcode":-1,"errmsg":"system busy"}"#])
        let response = try await send(fakes, driver: try UplinkDriver()).get()
        #expect(ResponseClassifier().classify(response, channel: .weCom) == .retryLater(after: .seconds(30)))
    }

    @Test func rateLimitInjectedOnDemand() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        try fakes.control(["op": "im_fault", "robot": "wecom", "fault": "rate_limited"])
        let response = try await send(fakes, driver: try UplinkDriver()).get()
        #expect(UplinkDriver.code(response, key: "errcode") == 45009)
    }
}

/// The fakes over TLS: trusted with the CA file, rejected without it, and the TLS faults.
@Suite struct TLSFakeTests {
    static var robots: [[String: Any]] {
        [["name": "wecom", "api": "wecom"]]
    }

    @Test func trustedCertificateAccepted() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots, tls: true)
        let robot = try fakes.weComRobot("wecom")
        let response = try await UplinkDriver(caFile: try fakes.caFile()).client.post(try robot.request(.text("fire")).http)

        #expect(robot.baseURL.hasPrefix("https://127.0.0.1:"))
        #expect(UplinkDriver.code(response, key: "errcode") == 0)
    }

    @Test func selfSignedRejectedByDefault() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots, tls: true)
        let result = await (try UplinkDriver()).post(try fakes.weComRobot("wecom").request(.text("fire")))
        guard case .failure(let error) = result else {
            Issue.record("a self-signed certificate was accepted without a CA file")
            return
        }
        #expect(error.kind == .certificateRejected)
        guard case .channelBroken = ResponseClassifier().classify(error) else {
            Issue.record("a rejected certificate was not classified as channelBroken")
            return
        }
    }

    /// With `tls_reset` the reset reaches the client either while it writes the request or
    /// while it waits for the response, so both kinds are right.
    @Test(arguments: [
        ("tls_untrusted", [UplinkError.Kind.certificateRejected]), ("tls_garbage", [.tlsHandshakeFailed]),
        ("tls_reset", [.transferFailed, .connectionReset]),
    ])
    func tlsFaultReported(_ fault: String, _ kinds: [UplinkError.Kind]) async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots, tls: true)
        let driver = try UplinkDriver(caFile: try fakes.caFile())
        _ = try await driver.client.post(try fakes.weComRobot("wecom").request(.text("fire")).http)
        try fakes.control(["op": "im_fault", "api": "wecom", "fault": fault])
        let result = await driver.post(try fakes.weComRobot("wecom").request(.text("fire")))

        guard case .failure(let error) = result else {
            Issue.record("fault \(fault) returned a response")
            return
        }
        #expect(kinds.contains(error.kind), "\(error)")
    }

    @Test func tlsFaultNeedsTLSServers() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let error = try fakes.controlError(["op": "im_fault", "api": "wecom", "fault": "tls_garbage"])
        #expect(error.contains("--im-tls"))
    }
}
