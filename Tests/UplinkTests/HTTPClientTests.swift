import Core
import Foundation
import Glibc
import Testing

@testable import Uplink

/// The client against real servers on 127.0.0.1 that each test starts itself.
@Suite struct HTTPClientTests {
    let logger = Logger(label: "uplink-test", level: .warning)

    private func postError(_ client: HTTPClient, _ url: String) async -> (UplinkError?, Duration) {
        let started = ContinuousClock.now
        do {
            _ = try await client.post(HTTPRequest(url: url, headers: [], body: Array("{}".utf8)))
            return (nil, ContinuousClock.now - started)
        } catch {
            return (error, ContinuousClock.now - started)
        }
    }

    @Test func postDeliversHeadersAndBody() async throws {
        let server = try await LoopbackServer.start()
        let client = try HTTPClient(logger: logger)
        let body = #"{"alert_id":"A123","text":"三楼火警"}"#
        let request = HTTPRequest(
            url: server.url("/cgi-bin/webhook/send?key=k1"), headers: [HTTPHeader("Content-Type", "application/json"), HTTPHeader("webhook-id", "msg_1")],
            body: Array(body.utf8))
        let response = try await client.post(request)
        #expect(response.status == 200)

        let echo = try #require(try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any])
        let headers = try #require(echo["headers"] as? [String: String])
        #expect(echo["method"] as? String == "POST")
        #expect(echo["path"] as? String == "/cgi-bin/webhook/send?key=k1")
        #expect(echo["body"] as? String == body)
        #expect(headers["content-type"] == "application/json")
        #expect(headers["webhook-id"] == "msg_1")
        #expect(headers["content-length"] == String(body.utf8.count))
        #expect(headers["expect"] == nil)
    }

    @Test func statusHeadersAndBodyReturned() async throws {
        let server = try await LoopbackServer.start(["--status", "503", "--header", "Retry-After: 7", "--body", #"{"errcode":-1}"#])
        let client = try HTTPClient(logger: logger)
        let response = try await client.post(HTTPRequest(url: server.url("/"), headers: [], body: []))
        #expect(response.status == 503)
        #expect(response.header("retry-after") == "7")
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"errcode":-1}"#)
    }

    @Test func handleReusedAcrossRequests() async throws {
        let server = try await LoopbackServer.start(["--body", "ok"])
        let client = try HTTPClient(logger: logger)
        for _ in 0..<3 {
            let response = try await client.post(HTTPRequest(url: server.url("/"), headers: [], body: []))
            #expect(response.body == Array("ok".utf8))
        }
    }

    @Test func refusedConnectionFailsWithoutTimeout() async throws {
        let port = try LoopbackServer.closedPort()
        let client = try HTTPClient(settings: .init(connectTimeout: .seconds(30), totalTimeout: .seconds(60)), logger: logger)
        let (error, elapsed) = await postError(client, "http://127.0.0.1:\(port)/")
        #expect(error?.kind == .connectionRefused)
        // A refusal ends the request at once; waiting out the connect timeout would be a bug.
        #expect(elapsed < .seconds(30))
    }

    @Test func silentServerHitsTotalTimeout() async throws {
        let server = try await LoopbackServer.start(["--mode", "silent"])
        let client = try HTTPClient(settings: .init(connectTimeout: .seconds(1), totalTimeout: .seconds(1)), logger: logger)
        let (error, elapsed) = await postError(client, server.url("/"))
        #expect(error?.kind == .timedOut)
        #expect(elapsed >= .milliseconds(950))
        // The bound only catches a hang; the machine may be loaded, so it is far above 1 s.
        #expect(elapsed < .seconds(20))
    }

    @Test func resetConnectionClassified() async throws {
        let server = try await LoopbackServer.start(["--mode", "reset"])
        let client = try HTTPClient(logger: logger)
        let (error, _) = await postError(client, server.url("/"))
        #expect(error?.kind == .connectionReset)
    }

    @Test func closeWithoutReplyClassified() async throws {
        let server = try await LoopbackServer.start(["--mode", "close"])
        let client = try HTTPClient(logger: logger)
        let (error, _) = await postError(client, server.url("/"))
        #expect(error?.kind == .emptyReply)
    }

    @Test func selfSignedCertificateRejectedByDefault() async throws {
        let certificate = try TestCertificate()
        defer { certificate.remove() }
        let server = try await LoopbackServer.start(["--cert", certificate.certificate, "--key", certificate.key])
        let client = try HTTPClient(logger: logger)
        let (error, _) = await postError(client, server.url("/", scheme: "https"))
        #expect(error?.kind == .certificateRejected)
    }

    @Test func selfSignedCertificateAcceptedWithCAFile() async throws {
        let certificate = try TestCertificate()
        defer { certificate.remove() }
        let server = try await LoopbackServer.start(["--cert", certificate.certificate, "--key", certificate.key, "--body", "ok"])
        let client = try HTTPClient(settings: .init(caFile: certificate.certificate), logger: logger)
        let response = try await client.post(HTTPRequest(url: server.url("/", scheme: "https"), headers: [], body: []))
        #expect(response.status == 200)
        #expect(response.body == Array("ok".utf8))
    }

    @Test func oversizeResponseAborted() async throws {
        let server = try await LoopbackServer.start(["--body", String(repeating: "x", count: 100)])
        let client = try HTTPClient(settings: .init(maxResponseBytes: 64), logger: logger)
        let (error, _) = await postError(client, server.url("/"))
        #expect(error?.kind == .responseTooLarge)
    }

    @Test(arguments: [
        "/cgi-bin/webhook/send?key=693a91f6-secret-key",
        "/robot/send?access_token=tok-secret-123&timestamp=1700000000000&sign=7LVwF0dAF3%2F%2BMRRulbpE4y72Ogzykc6bS2nG4I99T4s%3D",
        "/open-apis/bot/v2/hook/feishu-secret-token",
    ])
    func errorCarriesNoCredentials(_ path: String) async throws {
        let port = try LoopbackServer.closedPort()
        let client = try HTTPClient(logger: logger)
        let (error, _) = await postError(client, "http://127.0.0.1:\(port)\(path)")
        let text = String(describing: try #require(error))
        for secret in ["693a91f6-secret-key", "tok-secret-123", "7LVwF0dAF3", "feishu-secret-token"] {
            #expect(!text.contains(secret))
        }
        #expect(text.contains("<redacted>"))
    }

    @Test func closedClientThrows() async throws {
        let client = try HTTPClient(logger: logger)
        await client.close()
        let (error, _) = await postError(client, "http://127.0.0.1:1/")
        #expect(error?.kind == .clientSetupFailed)
    }

    @Test func lineBreakInHeaderRejected() async throws {
        let client = try HTTPClient(logger: logger)
        do {
            _ = try await client.post(HTTPRequest(url: "http://127.0.0.1:1/", headers: [HTTPHeader("X-A", "1\r\nX-B: 2")], body: []))
            Issue.record("a header with a line break was sent")
        } catch {
            #expect(error.kind == .invalidMessage)
        }
    }
}

/// libcurl result codes (curl.h) mapped to error kinds, including those that loopback
/// cannot produce, such as a DNS failure.
@Suite struct TransferErrorKindTests {
    struct Row: Sendable {
        let code: Int32
        let osErrno: Int32
        let connected: Bool
        let overflowed: Bool
        let kind: UplinkError.Kind

        init(_ code: Int32, errno osErrno: Int32 = 0, connected: Bool = false, overflowed: Bool = false, _ kind: UplinkError.Kind) {
            self.code = code
            self.osErrno = osErrno
            self.connected = connected
            self.overflowed = overflowed
            self.kind = kind
        }
    }

    @Test(arguments: [
        Row(6, .hostNotFound),
        Row(7, errno: ECONNREFUSED, .connectionRefused),
        Row(7, errno: ENETUNREACH, .connectFailed),
        Row(28, connected: false, .connectTimedOut),
        Row(28, connected: true, .timedOut),
        Row(56, errno: ECONNRESET, .connectionReset),
        Row(55, errno: ECONNRESET, .connectionReset),
        Row(56, errno: 0, .transferFailed),
        Row(52, .emptyReply),
        Row(60, .certificateRejected),
        Row(77, .certificateRejected),
        Row(35, .tlsHandshakeFailed),
        Row(23, overflowed: true, .responseTooLarge),
        Row(23, overflowed: false, .transferFailed),
        Row(1, .invalidURL),
        Row(3, .invalidURL),
        Row(18, .transferFailed),
    ])
    func kind(_ row: Row) {
        #expect(HTTPClient.kind(curlCode: row.code, osErrno: row.osErrno, connected: row.connected, overflowed: row.overflowed) == row.kind)
    }
}

/// Builder, client and classifier together against a loopback server that replies as the
/// vendor does.
@Suite struct UplinkRoundTripTests {
    let logger = Logger(label: "uplink-test", level: .warning)

    @Test(arguments: [
        (#"{"errcode":0,"errmsg":"ok"}"#, DeliveryOutcome.sent),
        (#"{"errcode":45009,"errmsg":"api freq out of limit"}"#, DeliveryOutcome.rateLimited(after: .seconds(60))),
    ])
    func weComReplyClassified(_ reply: String, _ expected: DeliveryOutcome) async throws {
        let server = try await LoopbackServer.start(["--body", reply])
        let robot = WeComRobot(key: "693a91f6-key", baseURL: server.url(""))
        let request = try robot.request(.text("[ALERT #A123] 3楼火警"))
        let response = try await HTTPClient(logger: logger).post(request.http)
        #expect(ResponseClassifier().classify(response, channel: request.channel) == expected)
    }

    @Test func dingTalkSignMismatchBreaksChannel() async throws {
        let server = try await LoopbackServer.start(["--body", #"{"errcode":310000,"errmsg":"sign not match"}"#])
        let robot = DingTalkRobot(accessToken: "tok", secret: "SECtestsecret", baseURL: server.url(""))
        let request = try robot.request(.text("告警 3F fire"), time: WallTime(secondsSinceEpoch: 1_700_000_000), clockTrusted: true)
        let response = try await HTTPClient(logger: logger).post(request.http)
        let outcome = ResponseClassifier().classify(response, channel: request.channel)
        #expect(outcome == .channelBroken(reason: "the signature does not match; check the robot's secret (code 310000: sign not match)"))
    }

    @Test func refusedPostRetriedLater() async throws {
        let port = try LoopbackServer.closedPort()
        let robot = FeishuBot(token: "hook-token", baseURL: "http://127.0.0.1:\(port)")
        let request = try robot.request(text: "火警", time: WallTime(secondsSinceEpoch: 1_700_000_000), clockTrusted: false)
        do {
            _ = try await HTTPClient(logger: logger).post(request.http)
            Issue.record("a closed port accepted the request")
        } catch {
            #expect(ResponseClassifier().classify(error) == .retryLater(after: .seconds(15)))
        }
    }
}
