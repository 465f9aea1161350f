/// A message for a WeCom (企业微信) group robot.
public enum WeComMessage: Equatable, Sendable {
    /// Plain text. Mentions take WeCom user ids or mobile numbers, and `@all` in either list
    /// mentions everyone.
    case text(String, mentionedUserIDs: [String] = [], mentionedMobiles: [String] = [])
    /// Markdown with WeCom's subset: mentions are written inline as `<@userid>`, and font
    /// colours are limited to `info`, `comment` and `warning`.
    case markdown(String)
}

/// The settings of one WeCom group robot and the requests it posts.
///
/// The robot's `key` in the URL is its only credential: WeCom robots have no signing, no
/// keyword filter and no IP whitelist, so anyone holding the key can post.
public struct WeComRobot: Sendable {
    /// The robot key from its webhook URL.
    public var key: String
    /// The scheme and authority; tests point it at a loopback server.
    public var baseURL: String
    /// The limit of `text.content`, in bytes of UTF-8 (2048 as documented by WeCom).
    public var textLimit: Int
    /// The limit of `markdown.content`, in bytes of UTF-8 (4096 as documented by WeCom).
    public var markdownLimit: Int

    public init(key: String, baseURL: String = "https://qyapi.weixin.qq.com", textLimit: Int = 2048, markdownLimit: Int = 4096) {
        self.key = key
        self.baseURL = baseURL
        self.textLimit = textLimit
        self.markdownLimit = markdownLimit
    }

    /// The send URL, with the key percent-encoded in the query.
    public var url: String {
        "\(baseURL)/cgi-bin/webhook/send?key=\(Signing.percentEncoded(key))"
    }

    /// Builds the POST request for `message`.
    /// - Throws: `UplinkError` of kind `invalidMessage` for empty content, or
    ///   `messageTooLarge` when the content exceeds the byte limit of its message type.
    public func request(_ message: WeComMessage) throws(UplinkError) -> IMRequest {
        let body: JSONBody
        switch message {
        case .text(let content, let userIDs, let mobiles):
            try MessageCheck.nonEmpty(content, channel: .weCom, what: "text content")
            try MessageCheck.size(content.utf8.count, limit: textLimit, channel: .weCom, what: "text content")
            var text: [(String, JSONBody)] = [("content", .string(content))]
            if !userIDs.isEmpty {
                text.append(("mentioned_list", .array(userIDs.map(JSONBody.string))))
            }
            if !mobiles.isEmpty {
                text.append(("mentioned_mobile_list", .array(mobiles.map(JSONBody.string))))
            }
            body = .object([("msgtype", .string("text")), ("text", .object(text))])

        case .markdown(let content):
            try MessageCheck.nonEmpty(content, channel: .weCom, what: "markdown content")
            try MessageCheck.size(content.utf8.count, limit: markdownLimit, channel: .weCom, what: "markdown content")
            body = .object([("msgtype", .string("markdown")), ("markdown", .object([("content", .string(content))]))])
        }
        return IMRequest(channel: .weCom, http: HTTPRequest(url: url, headers: [jsonContentType], body: body.bytes))
    }
}
