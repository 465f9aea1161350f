public import Core

/// The people a DingTalk message mentions.
public struct DingTalkMentions: Equatable, Sendable {
    /// Mobile numbers of group members.
    public var mobiles: [String]
    /// DingTalk user ids of group members.
    public var userIDs: [String]
    /// Whether to mention everyone in the group.
    public var everyone: Bool

    public init(mobiles: [String] = [], userIDs: [String] = [], everyone: Bool = false) {
        self.mobiles = mobiles
        self.userIDs = userIDs
        self.everyone = everyone
    }

    public static let none = DingTalkMentions()
}

/// A message for a DingTalk (钉钉) custom robot.
public enum DingTalkMessage: Equatable, Sendable {
    case text(String, mentions: DingTalkMentions = .none)
    /// Markdown; `title` is the notification preview and does not appear in the message.
    case markdown(title: String, text: String, mentions: DingTalkMentions = .none)
}

/// The settings of one DingTalk custom robot and the requests it posts.
///
/// A DingTalk robot is created with at least one security setting. This type covers two of
/// them: signing (`secret`), and custom keywords (`keywords`), of which every message must
/// contain one or DingTalk rejects it with 310000. The third, an IP whitelist, does not suit
/// a box behind carrier NAT.
public struct DingTalkRobot: Sendable {
    /// The `access_token` from the robot's webhook URL.
    public var accessToken: String
    /// The signing secret (`SEC…`), or nil when the robot does not use signing.
    public var secret: String?
    /// The robot's custom keywords as configured in DingTalk, or empty when it has none.
    public var keywords: [String]
    /// The scheme and authority; tests point it at a loopback server.
    public var baseURL: String
    /// The limit of the JSON body in bytes.
    /// NOTE: DingTalk documents no limit; 20000 bytes comes from the errmsg
    /// `message too long, exceed 20000 bytes` that one SDK names.
    public var bodyLimit: Int

    public init(
        accessToken: String, secret: String? = nil, keywords: [String] = [], baseURL: String = "https://oapi.dingtalk.com",
        bodyLimit: Int = 20_000
    ) {
        self.accessToken = accessToken
        self.secret = secret
        self.keywords = keywords
        self.baseURL = baseURL
        self.bodyLimit = bodyLimit
    }

    /// Builds the POST request for `message`, signed when the robot has a secret.
    ///
    /// DingTalk renders a mention only when `@<mobile>` also appears in the text, so each
    /// mentioned mobile missing from the text is appended to it.
    /// - Parameters:
    ///   - time: the wall-clock time to sign with.
    ///   - clockTrusted: whether NTP or the network has set the wall clock; ignored when the
    ///     robot does not sign.
    /// - Throws: `UplinkError` of kind `invalidMessage`, `keywordMissing`, `messageTooLarge`,
    ///   or a signing error from `Signing.dingTalk`.
    public func request(_ message: DingTalkMessage, time: WallTime, clockTrusted: Bool) throws(UplinkError) -> IMRequest {
        let body: JSONBody
        switch message {
        case .text(let content, let mentions):
            try MessageCheck.nonEmpty(content, channel: .dingTalk, what: "text content")
            try MessageCheck.keywords(keywords, in: [content], channel: .dingTalk)
            body = .object([
                ("msgtype", .string("text")),
                ("text", .object([("content", .string(Self.appendingMentions(mentions, to: content)))])),
                ("at", Self.atObject(mentions)),
            ])

        case .markdown(let title, let text, let mentions):
            try MessageCheck.nonEmpty(title, channel: .dingTalk, what: "markdown title")
            try MessageCheck.nonEmpty(text, channel: .dingTalk, what: "markdown text")
            try MessageCheck.keywords(keywords, in: [title, text], channel: .dingTalk)
            body = .object([
                ("msgtype", .string("markdown")),
                ("markdown", .object([("title", .string(title)), ("text", .string(Self.appendingMentions(mentions, to: text)))])),
                ("at", Self.atObject(mentions)),
            ])
        }

        let bytes = body.bytes
        try MessageCheck.size(bytes.count, limit: bodyLimit, channel: .dingTalk, what: "the request body")

        var url = "\(baseURL)/robot/send?access_token=\(Signing.percentEncoded(accessToken))"
        if let secret {
            let signature = try Signing.dingTalk(secret: secret, time: time, clockTrusted: clockTrusted)
            url += "&" + signature.queryItems
        }
        return IMRequest(channel: .dingTalk, http: HTTPRequest(url: url, headers: [jsonContentType], body: bytes))
    }

    private static func atObject(_ mentions: DingTalkMentions) -> JSONBody {
        .object([
            ("atMobiles", .array(mentions.mobiles.map(JSONBody.string))),
            ("atUserIds", .array(mentions.userIDs.map(JSONBody.string))),
            ("isAtAll", .bool(mentions.everyone)),
        ])
    }

    private static func appendingMentions(_ mentions: DingTalkMentions, to text: String) -> String {
        let missing = mentions.mobiles.filter { !text.contains("@\($0)") }
        guard !missing.isEmpty else { return text }
        return text + " " + missing.map { "@\($0)" }.joined(separator: " ")
    }
}
