import Core
import Testing
import Uplink

@Suite struct WeComRobotTests {
    let robot = WeComRobot(key: "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa", baseURL: "http://127.0.0.1:8080")

    @Test func textBodyExact() throws {
        let request = try robot.request(.text("[ALERT #A123] 3F fire alarm", mentionedUserIDs: ["wangqing", "@all"], mentionedMobiles: ["13800001111"]))
        let body = String(decoding: request.http.body, as: UTF8.self)
        #expect(
            body
                == #"{"msgtype":"text","text":{"content":"[ALERT #A123] 3F fire alarm","mentioned_list":["wangqing","@all"],"mentioned_mobile_list":["13800001111"]}}"#
        )
    }

    @Test func textWithoutMentionsOmitsLists() throws {
        let request = try robot.request(.text("3楼火警"))
        #expect(String(decoding: request.http.body, as: UTF8.self) == #"{"msgtype":"text","text":{"content":"3楼火警"}}"#)
    }

    @Test func markdownBodyExact() throws {
        let request = try robot.request(.markdown("**ALERT #A123**\n><font color=\"warning\">3F fire</font> <@wangqing>"))
        let body = String(decoding: request.http.body, as: UTF8.self)
        #expect(body == #"{"msgtype":"markdown","markdown":{"content":"**ALERT #A123**\n><font color=\"warning\">3F fire</font> <@wangqing>"}}"#)
    }

    @Test func urlCarriesKey() throws {
        let request = try robot.request(.text("x"))
        #expect(request.http.url == "http://127.0.0.1:8080/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa")
        #expect(request.channel == .weCom)
    }

    @Test func contentTypeIsJSON() throws {
        let request = try robot.request(.text("x"))
        #expect(request.http.headers == [HTTPHeader("Content-Type", "application/json; charset=utf-8")])
    }

    // One CJK character is 3 bytes of UTF-8: 682 of them are 2046 bytes.
    @Test(arguments: [("AB", true), ("ABC", false)])
    func textLimitAtBoundary(_ tail: String, _ accepted: Bool) {
        let content = String(repeating: "警", count: 682) + tail
        do {
            _ = try robot.request(.text(content))
            #expect(accepted)
        } catch {
            #expect(!accepted)
            #expect(error.kind == .messageTooLarge(size: 2049, limit: 2048))
        }
    }

    // 1365 CJK characters are 4095 bytes.
    @Test(arguments: [("A", true), ("AB", false)])
    func markdownLimitAtBoundary(_ tail: String, _ accepted: Bool) {
        let content = String(repeating: "警", count: 1365) + tail
        do {
            _ = try robot.request(.markdown(content))
            #expect(accepted)
        } catch {
            #expect(!accepted)
            #expect(error.kind == .messageTooLarge(size: 4097, limit: 4096))
        }
    }

    @Test func oversizeErrorNamesChannelSizeAndLimit() {
        do {
            _ = try robot.request(.text(String(repeating: "警", count: 683)))
            Issue.record("2049 bytes were accepted")
        } catch {
            #expect(error.description == "WeCom: text content is 2049 bytes, over the limit of 2048 bytes; shorten the message or split it")
        }
    }

    @Test func emptyContentRejected() {
        do {
            _ = try robot.request(.text(""))
            Issue.record("empty content was accepted")
        } catch {
            #expect(error.kind == .invalidMessage)
        }
    }
}

@Suite struct DingTalkRobotTests {
    static let time = WallTime(nanosecondsSinceEpoch: 1_700_000_000_000 * 1_000_000)
    let robot = DingTalkRobot(accessToken: "tok123", secret: "SECtestsecret", baseURL: "http://127.0.0.1:8080")

    @Test func signedURLExact() throws {
        let request = try robot.request(.text("3F fire"), time: Self.time, clockTrusted: true)
        #expect(
            request.http.url
                == "http://127.0.0.1:8080/robot/send?access_token=tok123&timestamp=1700000000000&sign=7LVwF0dAF3%2F%2BMRRulbpE4y72Ogzykc6bS2nG4I99T4s%3D"
        )
    }

    @Test func unsignedURLHasNoTimestamp() throws {
        let unsigned = DingTalkRobot(accessToken: "tok123", baseURL: "http://127.0.0.1:8080")
        let request = try unsigned.request(.text("3F fire"), time: Self.time, clockTrusted: false)
        #expect(request.http.url == "http://127.0.0.1:8080/robot/send?access_token=tok123")
    }

    @Test func textBodyExact() throws {
        let mentions = DingTalkMentions(mobiles: ["13800001111"], userIDs: ["user123"])
        let request = try robot.request(.text("[ALERT #A123] 3F fire @13800001111", mentions: mentions), time: Self.time, clockTrusted: true)
        #expect(
            String(decoding: request.http.body, as: UTF8.self)
                == #"{"msgtype":"text","text":{"content":"[ALERT #A123] 3F fire @13800001111"},"at":{"atMobiles":["13800001111"],"atUserIds":["user123"],"isAtAll":false}}"#
        )
    }

    @Test func markdownBodyExact() throws {
        let request = try robot.request(
            .markdown(title: "ALERT #A123", text: "### 3F fire\n- time: 10:02", mentions: DingTalkMentions(everyone: true)),
            time: Self.time, clockTrusted: true)
        #expect(
            String(decoding: request.http.body, as: UTF8.self)
                == ####"{"msgtype":"markdown","markdown":{"title":"ALERT #A123","text":"### 3F fire\n- time: 10:02"},"at":{"atMobiles":[],"atUserIds":[],"isAtAll":true}}"####
        )
    }

    @Test func missingMobileMentionAppended() throws {
        let request = try robot.request(
            .text("3F fire", mentions: DingTalkMentions(mobiles: ["13800001111", "13900002222"])), time: Self.time, clockTrusted: true)
        #expect(String(decoding: request.http.body, as: UTF8.self).contains(#""content":"3F fire @13800001111 @13900002222""#))
    }

    @Test func keywordMissingRejected() {
        let guarded = DingTalkRobot(accessToken: "tok123", keywords: ["告警", "ALERT"])
        do {
            _ = try guarded.request(.text("3F fire"), time: Self.time, clockTrusted: true)
            Issue.record("a message without keywords was accepted")
        } catch {
            #expect(error.kind == .keywordMissing)
        }
    }

    @Test func keywordInMarkdownTitleAccepted() throws {
        let guarded = DingTalkRobot(accessToken: "tok123", keywords: ["告警"])
        let request = try guarded.request(.markdown(title: "火灾告警", text: "3F"), time: Self.time, clockTrusted: true)
        #expect(request.channel == .dingTalk)
    }

    @Test func untrustedClockRejected() {
        do {
            _ = try robot.request(.text("3F fire"), time: Self.time, clockTrusted: false)
            Issue.record("an untrusted clock was used to sign")
        } catch {
            #expect(error.kind == .clockNotTrusted)
        }
    }

    @Test func bodyLimitAtBoundary() throws {
        let text = String(repeating: "火", count: 100)
        let size = try robot.request(.text(text), time: Self.time, clockTrusted: true).http.body.count
        var exact = robot
        exact.bodyLimit = size
        #expect(throws: Never.self) { try exact.request(.text(text), time: Self.time, clockTrusted: true) }
        exact.bodyLimit = size - 1
        do {
            _ = try exact.request(.text(text), time: Self.time, clockTrusted: true)
            Issue.record("a body over the limit was accepted")
        } catch {
            #expect(error.kind == .messageTooLarge(size: size, limit: size - 1))
        }
    }
}

@Suite struct FeishuBotTests {
    static let time = WallTime(secondsSinceEpoch: 1_700_000_000)

    @Test func signedBodyExact() throws {
        let bot = FeishuBot(token: "abc-uuid", secret: "testsecret", baseURL: "http://127.0.0.1:8080")
        let request = try bot.request(text: #"[ALERT #A123] 3F fire <at user_id="all">所有人</at>"#, time: Self.time, clockTrusted: true)
        #expect(
            String(decoding: request.http.body, as: UTF8.self)
                == #"{"timestamp":"1700000000","sign":"AOc8oJ7//5OlQlfWC3nRL0R+IkuzcD1FKcAyibRK9Q8=","msg_type":"text","content":{"text":"[ALERT #A123] 3F fire <at user_id=\"all\">所有人</at>"}}"#
        )
    }

    @Test func unsignedBodyExact() throws {
        let bot = FeishuBot(token: "abc-uuid")
        let request = try bot.request(text: "火警", time: Self.time, clockTrusted: false)
        #expect(String(decoding: request.http.body, as: UTF8.self) == #"{"msg_type":"text","content":{"text":"火警"}}"#)
    }

    @Test func urlCarriesToken() throws {
        let bot = FeishuBot(token: "abc-uuid", baseURL: "http://127.0.0.1:8080")
        let request = try bot.request(text: "x", time: Self.time, clockTrusted: false)
        #expect(request.http.url == "http://127.0.0.1:8080/open-apis/bot/v2/hook/abc-uuid")
    }

    @Test func keywordMissingRejected() {
        let bot = FeishuBot(token: "abc-uuid", keywords: ["告警"])
        do {
            _ = try bot.request(text: "3F fire", time: Self.time, clockTrusted: false)
            Issue.record("a message without keywords was accepted")
        } catch {
            #expect(error.kind == .keywordMissing)
        }
    }

    @Test func bodyLimitAtBoundary() throws {
        let bot = FeishuBot(token: "abc-uuid", secret: "testsecret")
        // The JSON around the text is a fixed number of bytes, because the signature has a
        // fixed length.
        let overhead = try bot.request(text: "a", time: Self.time, clockTrusted: true).http.body.count - 1
        let room = 20_000 - overhead
        let exact = String(repeating: "飞", count: room / 3) + String(repeating: "a", count: room % 3)
        #expect(throws: Never.self) { try bot.request(text: exact, time: Self.time, clockTrusted: true) }
        do {
            _ = try bot.request(text: exact + "a", time: Self.time, clockTrusted: true)
            Issue.record("a body of 20001 bytes was accepted")
        } catch {
            #expect(error.kind == .messageTooLarge(size: 20_001, limit: 20_000))
        }
    }
}

@Suite struct SignedWebhookTests {
    @Test func bodyAndHeadersExact() throws {
        let hook = SignedWebhook(url: "http://127.0.0.1:8080/webhook", secret: WebhookSecret(rawKey: Array("whsec-test-key-0123456789".utf8)))
        let request = try hook.request(alertID: "A123", webhookID: "msg_1", text: "3F fire\n\"drill\"", time: WallTime(secondsSinceEpoch: 1_700_000_000), clockTrusted: true)
        let body = #"{"alert_id":"A123","text":"3F fire\n\"drill\""}"#
        #expect(String(decoding: request.http.body, as: UTF8.self) == body)
        #expect(request.http.headers.first == HTTPHeader("Content-Type", "application/json; charset=utf-8"))
        #expect(request.http.headers.dropFirst().map(\.name) == ["webhook-id", "webhook-timestamp", "webhook-signature"])
        let expected = try Signing.standardWebhook(
            secret: WebhookSecret(rawKey: Array("whsec-test-key-0123456789".utf8)), id: "msg_1",
            time: WallTime(secondsSinceEpoch: 1_700_000_000), body: Array(body.utf8), clockTrusted: true)
        #expect(Array(request.http.headers.dropFirst()) == expected.headers)
    }

    @Test func controlCharactersEscaped() throws {
        let hook = SignedWebhook(url: "http://127.0.0.1:8080/webhook", secret: WebhookSecret(rawKey: [1]))
        let request = try hook.request(alertID: "A1", webhookID: "m", text: "a\u{01}b\tc\\", time: WallTime(secondsSinceEpoch: 1), clockTrusted: true)
        #expect(String(decoding: request.http.body, as: UTF8.self) == #"{"alert_id":"A1","text":"a\u0001b\tc\\"}"#)
    }
}
