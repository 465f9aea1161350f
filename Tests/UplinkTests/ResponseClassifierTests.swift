import Alerting
import Testing
import Uplink

/// Bodies are the vendors' replies as quoted in public SDKs, fixtures and issue threads.
/// Where only a code or only an errmsg was quoted, the row fills in the other part, and a
/// comment marks that row.
@Suite struct ResponseClassifierTests {
    let classifier = ResponseClassifier()

    enum Expected: Sendable, Equatable {
        case sent
        case retry(seconds: Int64)
        case limited(seconds: Int64)
        case rejected
        case broken
    }

    struct Row: Sendable, CustomTestStringConvertible {
        let status: Int
        let body: String
        let headers: [HTTPHeader]
        let expected: Expected

        init(_ status: Int, _ body: String, _ expected: Expected, headers: [HTTPHeader] = []) {
            self.status = status
            self.body = body
            self.expected = expected
            self.headers = headers
        }

        var testDescription: String { "\(status) \(body.prefix(60))" }
    }

    private func check(_ row: Row, channel: IMChannel) {
        let outcome = classifier.classify(HTTPResponse(status: row.status, headers: row.headers, body: Array(row.body.utf8)), channel: channel)
        switch (row.expected, outcome) {
        case (.sent, .sent), (.rejected, .rejected), (.broken, .channelBroken):
            break
        case (.retry(let seconds), .retryLater(let after)), (.limited(let seconds), .rateLimited(let after)):
            #expect(after == .seconds(seconds))
        default:
            Issue.record("expected \(row.expected), classified as \(outcome)")
        }
    }

    @Test(arguments: [
        Row(200, #"{"errcode":0,"errmsg":"ok"}"#, .sent),
        Row(
            200,
            #"{"errcode":93000,"errmsg":"invalid webhook url, hint: [1700000000_12_abcdef], from ip: 1.2.3.4, more info at https://open.work.weixin.qq.com/devtool/query?e=93000"}"#,
            .broken),
        Row(
            200,
            #"{"errcode":45009,"errmsg":"api freq out of limit, hint: [1700000000_12_abcdef], from ip: 1.2.3.4, more info at https://open.work.weixin.qq.com/devtool/query?e=45009"}"#,
            .limited(seconds: 60)),
        Row(200, #"{"errcode":-1,"errmsg":"system busy"}"#, .retry(seconds: 30)),
        Row(200, #"{"errcode":45002,"errmsg":"content size out of limit"}"#, .rejected),
        // An unknown code must never count as sent.
        Row(200, #"{"errcode":123456,"errmsg":"something new"}"#, .rejected),
        Row(200, "<html>portal</html>", .retry(seconds: 30)),
        Row(200, "", .retry(seconds: 30)),
        Row(502, "<html>Bad Gateway</html>", .retry(seconds: 30)),
        Row(503, "", .retry(seconds: 7), headers: [HTTPHeader("retry-after", "7")]),
        Row(404, "not found", .rejected),
    ])
    func weCom(_ row: Row) {
        check(row, channel: .weCom)
    }

    @Test(arguments: [
        Row(200, #"{"errcode":0,"errmsg":"ok"}"#, .sent),
        Row(200, #"{"errcode":310000,"errmsg":"keywords not in content"}"#, .broken),
        Row(200, #"{"errcode":310000,"errmsg":"invalid timestamp"}"#, .broken),
        Row(200, #"{"errcode":310000,"errmsg":"sign not match"}"#, .broken),
        Row(200, #"{"errcode":310000,"errmsg":"ip 127.0.0.1 not in whitelist"}"#, .broken),
        Row(200, #"{"errcode":130101,"errmsg":"send too fast, exceed 20 times per minute"}"#, .limited(seconds: 600)),
        Row(200, #"{"errcode":410100,"errmsg":"send too fast"}"#, .limited(seconds: 600)),
        Row(200, #"{"errcode":660026,"errmsg":"send too fast"}"#, .limited(seconds: 600)),
        // Made-up code with a throttling errmsg.
        Row(200, #"{"errcode":777777,"errmsg":"限流"}"#, .limited(seconds: 600)),
        Row(200, #"{"errcode":90030,"errmsg":"webhook over limit"}"#, .limited(seconds: 3600)),
        Row(200, #"{"errcode":-1,"errmsg":"系统繁忙"}"#, .retry(seconds: 30)),
        Row(200, #"{"errcode":300005,"errmsg":"token is not exist"}"#, .broken),
        Row(200, #"{"errcode":300001,"errmsg":"token is not exist"}"#, .broken),
        Row(200, #"{"errcode":400101,"errmsg":"access_token不存在"}"#, .broken),
        Row(200, #"{"errcode":40035,"errmsg":"缺少参数 access_token"}"#, .broken),
        Row(200, #"{"errcode":400013,"errmsg":"群已被解散"}"#, .broken),
        Row(200, #"{"errcode":400102,"errmsg":"机器人已停用"}"#, .broken),
        Row(200, #"{"errcode":430102,"errmsg":"含有不安全的文本"}"#, .rejected),
        // Made-up code with the size errmsg that one SDK names.
        Row(200, #"{"errcode":460101,"errmsg":"message too long, exceed 20000 bytes"}"#, .rejected),
        Row(200, #"{"errcode":43002,"errmsg":"需要POST请求"}"#, .rejected),
        Row(200, "not json", .retry(seconds: 30)),
        Row(500, "", .retry(seconds: 30)),
        Row(429, "", .limited(seconds: 60)),
    ])
    func dingTalk(_ row: Row) {
        check(row, channel: .dingTalk)
    }

    @Test(arguments: [
        Row(200, #"{"code":0,"msg":"success","data":{}}"#, .sent),
        Row(200, #"{"Extra":null,"StatusCode":0,"StatusMessage":"success","code":0,"data":{},"msg":"success"}"#, .sent),
        Row(200, #"{"Extra":null,"StatusCode":0,"StatusMessage":"success"}"#, .sent),
        Row(200, #"{"code":19021,"data":{},"msg":"sign match fail or timestamp is not within one hour from current time"}"#, .broken),
        Row(400, #"{"code":19021,"data":{},"msg":"sign match fail or timestamp is not within one hour from current time"}"#, .broken),
        Row(200, #"{"code":19022,"msg":"Ip Not Allowed"}"#, .broken),
        Row(200, #"{"code":19024,"msg":"Key Words Not Found"}"#, .broken),
        Row(200, #"{"code":11232,"msg":"frequency limited"}"#, .limited(seconds: 60)),
        Row(400, #"{"code":9499,"msg":"too many request","data":{}}"#, .limited(seconds: 60)),
        Row(400, #"{"code":9499,"msg":"Bad Request","data":{}}"#, .rejected),
        Row(200, #"{"code":19001,"msg":"param invalid: incoming webhook access token invalid"}"#, .rejected),
        Row(400, #"{"code":0,"msg":"success"}"#, .rejected),
        Row(503, #"{"code":0,"msg":"success"}"#, .retry(seconds: 30)),
        Row(200, "<html></html>", .retry(seconds: 30)),
    ])
    func feishu(_ row: Row) {
        check(row, channel: .feishu)
    }

    @Test(arguments: [
        Row(200, "", .sent),
        Row(204, "", .sent),
        Row(202, "queued", .sent),
        Row(408, "", .retry(seconds: 15)),
        Row(429, "", .limited(seconds: 5), headers: [HTTPHeader("Retry-After", "5")]),
        Row(429, "", .limited(seconds: 60), headers: [HTTPHeader("Retry-After", "Wed, 21 Oct 2026 07:28:00 GMT")]),
        Row(500, "", .retry(seconds: 30)),
        Row(504, "", .retry(seconds: 30)),
        Row(401, "bad signature", .broken),
        Row(403, "", .broken),
        Row(404, "", .broken),
        Row(301, "", .broken),
        Row(400, "", .rejected),
        Row(413, "", .rejected),
    ])
    func webhook(_ row: Row) {
        check(row, channel: .webhook)
    }

    @Test func brokenReasonQuotesErrmsg() {
        let outcome = classifier.classify(
            HTTPResponse(status: 200, body: Array(#"{"errcode":310000,"errmsg":"sign not match"}"#.utf8)), channel: .dingTalk)
        #expect(outcome == .channelBroken(reason: "the signature does not match; check the robot's secret (code 310000: sign not match)"))
    }

    @Test func customDelaysUsed() {
        var delays = RetryDelays()
        delays.dingTalkThrottled = .seconds(900)
        let outcome = ResponseClassifier(delays: delays).classify(
            HTTPResponse(status: 200, body: Array(#"{"errcode":130101,"errmsg":"send too fast"}"#.utf8)), channel: .dingTalk)
        #expect(outcome == .rateLimited(after: .seconds(900)))
    }

    struct ErrorRow: Sendable {
        let kind: UplinkError.Kind
        let expected: Expected
    }

    @Test(arguments: [
        ErrorRow(kind: .connectionRefused, expected: .retry(seconds: 15)),
        ErrorRow(kind: .hostNotFound, expected: .retry(seconds: 15)),
        ErrorRow(kind: .connectTimedOut, expected: .retry(seconds: 15)),
        ErrorRow(kind: .timedOut, expected: .retry(seconds: 15)),
        ErrorRow(kind: .connectionReset, expected: .retry(seconds: 15)),
        ErrorRow(kind: .emptyReply, expected: .retry(seconds: 15)),
        ErrorRow(kind: .tlsHandshakeFailed, expected: .retry(seconds: 15)),
        ErrorRow(kind: .clockNotTrusted, expected: .retry(seconds: 60)),
        ErrorRow(kind: .certificateRejected, expected: .broken),
        ErrorRow(kind: .invalidSecret, expected: .broken),
        ErrorRow(kind: .invalidURL, expected: .broken),
        ErrorRow(kind: .messageTooLarge(size: 2049, limit: 2048), expected: .rejected),
        ErrorRow(kind: .keywordMissing, expected: .rejected),
        ErrorRow(kind: .responseTooLarge, expected: .rejected),
    ])
    func errors(_ row: ErrorRow) {
        let outcome = classifier.classify(UplinkError(row.kind, channel: .weCom, detail: "test"))
        switch (row.expected, outcome) {
        case (.rejected, .rejected), (.broken, .channelBroken):
            break
        case (.retry(let seconds), .retryLater(let after)):
            #expect(after == .seconds(seconds))
        default:
            Issue.record("expected \(row.expected), classified as \(outcome)")
        }
    }
}
