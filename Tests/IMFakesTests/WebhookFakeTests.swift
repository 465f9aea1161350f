import Core
import Foundation
import Testing

@testable import Uplink

/// The signed-webhook fake driven by the real uplink client: Standard Webhooks signature,
/// the five-minute window and the `webhook-id` replay check.
@Suite struct WebhookFakeTests {
    static var robots: [[String: Any]] {
        [
            ["name": "hook", "api": "webhook", "path": "/hooks/alerts", "secret": "whsec_" + Data("whsec-test-key-0123456789".utf8).base64EncodedString()]
        ]
    }

    @Test func signedRequestAccepted() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let request = try fakes.signedWebhook("hook").request(alertID: "A123", webhookID: "msg_1", text: "三楼火警", time: now, clockTrusted: true)
        let response = try await UplinkDriver().client.post(request.http)

        #expect(response.status == 200)
        #expect(ResponseClassifier().classify(response, channel: .webhook) == .sent)
        #expect(try fakes.received(robot: "hook").first?["text"] as? String == "三楼火警")
    }

    @Test func wrongSecretBreaksChannel() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let hook = try fakes.signedWebhook("hook", secret: "whsec_" + Data("another-key".utf8).base64EncodedString())
        let request = try hook.request(alertID: "A123", webhookID: "msg_2", text: "fire", time: now, clockTrusted: true)
        let response = try await UplinkDriver().client.post(request.http)

        #expect(response.status == 401)
        guard case .channelBroken = ResponseClassifier().classify(response, channel: .webhook) else {
            Issue.record("401 was not classified as channelBroken")
            return
        }
    }

    @Test(arguments: [-301, 301])
    func timestampOutsideWindowRejected(_ seconds: Int) async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let request = try fakes.signedWebhook("hook").request(
            alertID: "A123", webhookID: "msg_3", text: "fire", time: now.advanced(by: .seconds(seconds)), clockTrusted: true)
        let response = try await UplinkDriver().client.post(request.http)

        #expect(response.status == 400)
        #expect(try fakes.received(robot: "hook").first?["reason"] as? String == "webhook-timestamp not a number or more than 300 s off")
    }

    @Test func replayedIDNotProcessedAgain() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let hook = try fakes.signedWebhook("hook")
        let driver = try UplinkDriver()
        let first = await driver.outcome(try hook.request(alertID: "A123", webhookID: "msg_4", text: "fire", time: now, clockTrusted: true))
        let retry = await driver.outcome(try hook.request(alertID: "A123", webhookID: "msg_4", text: "fire", time: now, clockTrusted: true))
        let records = try fakes.received(robot: "hook")

        #expect(first == .sent)
        // A retry of a delivered message counts as delivered, as Standard Webhooks intends.
        #expect(retry == .sent)
        #expect(records.map { $0["accepted"] as? Bool } == [true, false])
        #expect(records.last?["reason"] as? String == "duplicate webhook-id, not processed again")
    }

    @Test func replayRejectedWithDuplicateStatus() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        try fakes.control(["op": "im_robot", "name": "hook", "duplicate_status": 409])
        let hook = try fakes.signedWebhook("hook")
        let driver = try UplinkDriver()
        _ = await driver.post(try hook.request(alertID: "A1", webhookID: "msg_5", text: "fire", time: now, clockTrusted: true))
        let replay = await driver.post(try hook.request(alertID: "A1", webhookID: "msg_5", text: "fire", time: now, clockTrusted: true))
        #expect(try replay.get().status == 409)
    }

    @Test func bodyOverServerCapGets413() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        var hook = try fakes.signedWebhook("hook")
        hook.bodyLimit = 4_000_000
        let request = try hook.request(alertID: "A1", webhookID: "msg_7", text: String(repeating: "x", count: 1_100_000), time: now, clockTrusted: true)
        let response = try await UplinkDriver().client.post(request.http)
        let record = try fakes.control(["op": "im_received", "api": "webhook"])["requests"] as? [[String: Any]] ?? []

        #expect(response.status == 413)
        #expect(record.first?["status"] as? Int == 413)
        #expect(record.first?["reason"] as? String == "the body of \(request.http.body.count) bytes exceeds the server's limit of 1048576 bytes")
    }

    @Test func rotatedSignatureListAccepted() async throws {
        let fakes = try await IMFakeSimulator.start(robots: Self.robots)
        let request = try fakes.signedWebhook("hook").request(alertID: "A9", webhookID: "msg_6", text: "fire", time: now, clockTrusted: true)
        let headers = request.http.headers.map { header in
            header.name == "webhook-signature" ? HTTPHeader(header.name, "v1,b2xkLWtleS1zaWduYXR1cmU= " + header.value) : header
        }
        let response = try await UplinkDriver().client.post(HTTPRequest(url: request.http.url, headers: headers, body: request.http.body))
        #expect(response.status == 200)
    }
}
