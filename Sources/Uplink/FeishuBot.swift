public import Core

/// The settings of one Feishu (飞书) or Lark custom bot and the requests it posts.
///
/// A Feishu bot may combine signing (`secret`), custom keywords (`keywords`; a message with
/// none of them is rejected with 19024) and an IP whitelist. The hook token in the URL path
/// is a credential too, and `Redaction` removes it from errors.
public struct FeishuBot: Sendable {
    /// The token at the end of the hook URL, `…/open-apis/bot/v2/hook/<token>`.
    public var token: String
    /// The signing secret, or nil when the bot does not use signing.
    public var secret: String?
    /// The bot's custom keywords as configured in Feishu, or empty when it has none.
    public var keywords: [String]
    /// The scheme and authority: `https://open.feishu.cn`, or `https://open.larksuite.com`
    /// for Lark; tests point it at a loopback server.
    public var baseURL: String
    /// The limit of the JSON body in bytes. Feishu documents 20 KB; 20000 stays under it
    /// whether KB means 1000 or 1024 bytes.
    public var bodyLimit: Int

    public init(token: String, secret: String? = nil, keywords: [String] = [], baseURL: String = "https://open.feishu.cn", bodyLimit: Int = 20_000) {
        self.token = token
        self.secret = secret
        self.keywords = keywords
        self.baseURL = baseURL
        self.bodyLimit = bodyLimit
    }

    /// The hook URL, with the token percent-encoded.
    public var url: String {
        "\(baseURL)/open-apis/bot/v2/hook/\(Signing.percentEncoded(token))"
    }

    /// Builds the POST request for a text message, signed when the bot has a secret.
    ///
    /// Mention everyone with `<at user_id="all">所有人</at>` in the text, and a person with
    /// `<at user_id="ou_…">Name</at>`.
    /// - Parameters:
    ///   - time: the wall-clock time to sign with.
    ///   - clockTrusted: whether NTP or the network has set the wall clock; ignored when the
    ///     bot does not sign.
    /// - Throws: `UplinkError` of kind `invalidMessage`, `keywordMissing`, `messageTooLarge`,
    ///   or a signing error from `Signing.feishu`.
    public func request(text: String, time: WallTime, clockTrusted: Bool) throws(UplinkError) -> IMRequest {
        try MessageCheck.nonEmpty(text, channel: .feishu, what: "text content")
        try MessageCheck.keywords(keywords, in: [text], channel: .feishu)

        var members: [(String, JSONBody)] = []
        if let secret {
            let signature = try Signing.feishu(secret: secret, time: time, clockTrusted: clockTrusted)
            members.append(("timestamp", .string(signature.timestamp)))
            members.append(("sign", .string(signature.sign)))
        }
        members.append(("msg_type", .string("text")))
        members.append(("content", .object([("text", .string(text))])))

        let bytes = JSONBody.object(members).bytes
        try MessageCheck.size(bytes.count, limit: bodyLimit, channel: .feishu, what: "the request body")
        return IMRequest(channel: .feishu, http: HTTPRequest(url: url, headers: [jsonContentType], body: bytes))
    }
}
