import Testing
import Uplink

@Suite struct RedactionTests {
    @Test(arguments: [
        ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<redacted>"),
        (
            "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000&sign=7L%2B%3D",
            "https://oapi.dingtalk.com/robot/send?access_token=<redacted>&timestamp=1700000000000&sign=<redacted>"
        ),
        ("https://open.feishu.cn/open-apis/bot/v2/hook/0f1e-uuid", "https://open.feishu.cn/open-apis/bot/v2/hook/<redacted>"),
        ("https://user:pass@example.test/webhook?x=1#frag", "https://<redacted>@example.test/webhook?x=1#frag"),
        ("http://127.0.0.1:8080/webhook", "http://127.0.0.1:8080/webhook"),
    ])
    func redactedURL(_ url: String, _ expected: String) {
        #expect(Redaction.redactedURL(url) == expected)
    }

    @Test func scrubbedRemovesRawAndEncodedSecrets() {
        let url = "https://oapi.dingtalk.com/robot/send?access_token=tok-abcdef&sign=a%2Bb%3D1234"
        let text = Redaction.scrubbed("failed for tok-abcdef with a+b=1234 and a%2Bb%3D1234", credentialsOf: url)
        #expect(text == "failed for <redacted> with <redacted> and <redacted>")
    }

    @Test func errorStoresRedactedURL() {
        let error = UplinkError(.timedOut, channel: .weCom, url: "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6", detail: "timed out")
        #expect(error.url == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<redacted>")
        #expect(error.description == "WeCom: POST https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=<redacted> failed: timed out")
    }
}
