public import Alerting
/// One HTTP header field.
public struct HTTPHeader: Equatable, Sendable {
    public let name: String
    public let value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// An HTTP POST request: the URL, the header fields and the body bytes.
public struct HTTPRequest: Equatable, Sendable {
    /// The full URL, which may carry credentials in its query or path.
    public let url: String
    public let headers: [HTTPHeader]
    public let body: [UInt8]

    public init(url: String, headers: [HTTPHeader], body: [UInt8]) {
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The URL with credentials replaced by `<redacted>`, for logs.
    public var redactedURL: String {
        Redaction.redactedURL(url)
    }
}

/// An HTTP response: the status code, the header fields of the final response and the body.
public struct HTTPResponse: Equatable, Sendable {
    public let status: Int
    public let headers: [HTTPHeader]
    public let body: [UInt8]

    public init(status: Int, headers: [HTTPHeader] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Returns the value of the first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}

/// A message ready to post to one IM channel, built by a channel's robot settings
/// (`WeComRobot`, `DingTalkRobot`, `FeishuBot`, `SignedWebhook`).
public struct IMRequest: Equatable, Sendable {
    public let channel: IMChannel
    public let http: HTTPRequest

    public init(channel: IMChannel, http: HTTPRequest) {
        self.channel = channel
        self.http = http
    }
}

/// Checks shared by the request builders.
enum MessageCheck {
    /// Throws `messageTooLarge` when `bytes` exceeds `limit`.
    static func size(_ bytes: Int, limit: Int, channel: IMChannel, what: String) throws(UplinkError) {
        guard bytes <= limit else {
            throw UplinkError(
                .messageTooLarge(size: bytes, limit: limit), channel: channel,
                detail: "\(what) is \(bytes) bytes, over the limit of \(limit) bytes; shorten the message or split it")
        }
    }

    /// Throws `invalidMessage` when `text` is empty.
    static func nonEmpty(_ text: String, channel: IMChannel, what: String) throws(UplinkError) {
        guard !text.isEmpty else {
            throw UplinkError(.invalidMessage, channel: channel, detail: "\(what) is empty")
        }
    }

    /// Throws `keywordMissing` when `keywords` is not empty and `texts` contain none of them.
    static func keywords(_ keywords: [String], in texts: [String], channel: IMChannel) throws(UplinkError) {
        guard !keywords.isEmpty else { return }
        let found = keywords.contains { keyword in texts.contains { $0.contains(keyword) } }
        guard found else {
            throw UplinkError(
                .keywordMissing, channel: channel,
                detail: "the message contains none of the robot's keywords (\(keywords.joined(separator: ", "))); add one to the template")
        }
    }
}

/// The `Content-Type` header of every JSON request.
let jsonContentType = HTTPHeader("Content-Type", "application/json; charset=utf-8")
