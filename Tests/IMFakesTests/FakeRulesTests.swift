import Core
import Foundation
import Testing

@testable import IMFakes
@testable import Uplink

/// The fakes' own signature checks against the published test vectors, and their parser and
/// rate limiter, without sockets.
@Suite struct FakeSigningTests {
    @Test func dingTalkVectorMatches() {
        #expect(FakeSigning.dingTalkSign(timestamp: "1700000000000", secret: "SECtestsecret") == "7LVwF0dAF3/+MRRulbpE4y72Ogzykc6bS2nG4I99T4s=")
    }

    @Test func feishuVectorMatches() {
        #expect(FakeSigning.feishuSign(timestamp: "1700000000", secret: "testsecret") == "AOc8oJ7//5OlQlfWC3nRL0R+IkuzcD1FKcAyibRK9Q8=")
    }

    @Test func standardWebhookVectorMatches() {
        let signature = FakeSigning.standardWebhookSignature(
            key: Array("whsec-test-key-0123456789".utf8), id: "msg_1", timestamp: "1700000000", body: Array(#"{"alert":"fire","box":"box7"}"#.utf8))
        #expect(signature == "v1,927oFyT+5pf2l9qzrHJ2bt2Sn+QRWxb7JjX4MnqF0kU=")
    }

    /// The fakes and the uplink compute HMACs separately; both must agree on any input.
    @Test(arguments: ["SECtestsecret", "密钥-with-unicode", "s"])
    func fakesAgreeWithUplink(_ secret: String) throws {
        let time = WallTime(secondsSinceEpoch: 1_712_345_678)
        let dingTalk = try Signing.dingTalk(secret: secret, time: time, clockTrusted: true)
        let feishu = try Signing.feishu(secret: secret, time: time, clockTrusted: true)

        #expect(FakeSigning.dingTalkSign(timestamp: dingTalk.timestamp, secret: secret) == dingTalk.sign)
        #expect(FakeSigning.feishuSign(timestamp: feishu.timestamp, secret: secret) == feishu.sign)
    }

    @Test(arguments: [("abc", "abc", true), ("abc", "abd", false), ("abc", "abcd", false)])
    func constantTimeComparison(_ lhs: String, _ rhs: String, _ equal: Bool) {
        #expect(FakeSigning.constantTimeEqual(lhs, rhs) == equal)
    }
}

@Suite struct HTTPRequestParserTests {
    @Test func pipelinedRequestsSplit() {
        var parser = HTTPRequestParser(bodyLimit: 1024)
        parser.append(Array("POST /a?key=k HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}POST /b HTTP/1.1\r\nContent-Length: 0\r\n\r\n".utf8))
        let first = parser.next()
        let second = parser.next()

        guard case .request(let a) = first, case .request(let b) = second else {
            Issue.record("two requests were not parsed: \(first), \(second)")
            return
        }
        #expect(a.path == "/a")
        #expect(a.queryValue("key") == "k")
        #expect(a.body == Array("{}".utf8))
        #expect(b.path == "/b")
        #expect(parser.next() == .incomplete)
    }

    @Test func partialBodyWaits() {
        var parser = HTTPRequestParser(bodyLimit: 1024)
        parser.append(Array("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab".utf8))
        #expect(parser.next() == .incomplete)
    }

    @Test(arguments: [
        ("POST / HTTP/1.1\r\nContent-Length: 2048\r\n\r\n", 413),
        ("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 411),
        ("GARBAGE\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", 400),
    ])
    func invalidRequestRejected(_ text: String, _ status: Int) {
        var parser = HTTPRequestParser(bodyLimit: 1024)
        parser.append(Array(text.utf8))
        guard case .invalid(let actual, _) = parser.next() else {
            Issue.record("the request was not rejected")
            return
        }
        #expect(actual == status)
    }

    @Test(arguments: [("a%2Bb%3D", "a+b="), ("a+b", "a b"), ("%E5%91%8A", "告"), ("100%", "100%")])
    func queryValueDecoded(_ raw: String, _ decoded: String) {
        let request = FakeHTTPRequest(method: "POST", target: "/robot/send?sign=\(raw)", headers: [], body: [])
        #expect(request.queryValue("sign") == decoded)
    }
}

@Suite struct RateLimiterTests {
    let minute = RateLimiter.Rule(count: 20, window: .seconds(60))

    private func instant(_ seconds: Double) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: Int64(seconds * 1e9))
    }

    @Test func twentyFirstInMinuteRefused() {
        var limiter = RateLimiter(rules: [minute])
        let admitted = (0..<21).map { limiter.admit(at: instant(Double($0))) }
        #expect(admitted.filter { $0 }.count == 20)
        #expect(admitted.last == false)
    }

    @Test func slidingWindowFreesOldestSlot() {
        var limiter = RateLimiter(rules: [minute])
        for second in 0..<20 {
            _ = limiter.admit(at: instant(Double(second)))
        }
        #expect(limiter.admit(at: instant(59.9)) == false)
        #expect(limiter.admit(at: instant(60.0)) == true)
    }

    @Test func blockOutlastsWindow() {
        var limiter = RateLimiter(rules: [minute], block: .seconds(600))
        for _ in 0..<21 {
            _ = limiter.admit(at: instant(0))
        }
        #expect(limiter.admit(at: instant(120)) == false)
        #expect(limiter.isBlocked(at: instant(599)))
        #expect(limiter.admit(at: instant(600)) == true)
    }

    @Test func feishuPerSecondAndPerMinute() {
        var limiter = RateLimiter(rules: [RateLimiter.Rule(count: 5, window: .seconds(1)), RateLimiter.Rule(count: 100, window: .seconds(60))])
        let burst = (0..<6).map { _ in limiter.admit(at: instant(0)) }
        #expect(burst.filter { $0 }.count == 5)

        var admitted = 5
        for tick in 1..<60 {
            for _ in 0..<5 where limiter.admit(at: instant(Double(tick))) {
                admitted += 1
            }
        }
        #expect(admitted == 100)
    }
}
