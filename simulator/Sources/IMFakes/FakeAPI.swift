/// The IM APIs that the simulator fakes, one server each.
public enum FakeAPI: String, CaseIterable, Sendable, CustomStringConvertible {
    /// WeCom (企业微信) group robots at `/cgi-bin/webhook/send?key=KEY`.
    case weCom = "wecom"
    /// DingTalk (钉钉) custom robots at `/robot/send?access_token=TOKEN`.
    case dingTalk = "dingtalk"
    /// Feishu (飞书) and Lark custom bots at `/open-apis/bot/v2/hook/TOKEN`.
    case feishu
    /// Receivers of Standard Webhooks 1.0 signed requests, one path each.
    case webhook

    public var description: String {
        rawValue
    }

    /// The JSON field of a robot's credential in configuration and replies.
    var credentialField: String {
        switch self {
        case .weCom: "key"
        case .dingTalk: "access_token"
        case .feishu: "token"
        case .webhook: "path"
        }
    }

    /// The rate limits of the real API per robot: WeCom and DingTalk 20 a minute, Feishu 5
    /// a second and 100 a minute. Webhook receivers define their own, so there is none.
    var defaultRateRules: [RateLimiter.Rule] {
        switch self {
        case .weCom, .dingTalk: [RateLimiter.Rule(count: 20, window: .seconds(60))]
        case .feishu: [RateLimiter.Rule(count: 5, window: .seconds(1)), RateLimiter.Rule(count: 100, window: .seconds(60))]
        case .webhook: []
        }
    }

    /// The block after going over a limit: 10 minutes for DingTalk, none for the others.
    var defaultBlock: Duration? {
        self == .dingTalk ? .seconds(600) : nil
    }

    /// Returns the request URL of a robot whose credential is `credential`, on a server at
    /// `baseURL`.
    func url(baseURL: String, credential: String) -> String {
        switch self {
        case .weCom: "\(baseURL)/cgi-bin/webhook/send?key=\(credential)"
        case .dingTalk: "\(baseURL)/robot/send?access_token=\(credential)"
        case .feishu: "\(baseURL)/open-apis/bot/v2/hook/\(credential)"
        case .webhook: baseURL + credential
        }
    }
}
