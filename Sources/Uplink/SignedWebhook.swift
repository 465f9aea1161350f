public import Core

/// The settings of one generic webhook receiver, signed as Standard Webhooks 1.0 specifies,
/// and the requests it posts.
///
/// The body is a JSON object with the alert's identifier and text. The receiver verifies
/// `webhook-signature`, rejects timestamps more than five minutes off, and drops a request
/// whose `webhook-id` it has seen, so a retry must reuse the id.
public struct SignedWebhook: Sendable {
    /// The receiver's URL.
    public var url: String
    public var secret: WebhookSecret
    /// The limit of the JSON body in bytes, which the receiver defines.
    public var bodyLimit: Int

    public init(url: String, secret: WebhookSecret, bodyLimit: Int = 65_536) {
        self.url = url
        self.secret = secret
        self.bodyLimit = bodyLimit
    }

    /// Builds the signed POST request `{"alert_id":…,"text":…}`.
    /// - Parameters:
    ///   - alertID: the alert's identifier, also shown to people so they can spot duplicates.
    ///   - webhookID: the delivery's id, the same on every retry of this delivery.
    ///   - text: the message text.
    ///   - time: the wall-clock time to sign with.
    ///   - clockTrusted: whether NTP or the network has set the wall clock.
    /// - Throws: `UplinkError` of kind `invalidMessage`, `messageTooLarge` or a signing error
    ///   from `Signing.standardWebhook`.
    public func request(alertID: String, webhookID: String, text: String, time: WallTime, clockTrusted: Bool) throws(UplinkError) -> IMRequest {
        try MessageCheck.nonEmpty(alertID, channel: .webhook, what: "alert id")
        try MessageCheck.nonEmpty(text, channel: .webhook, what: "text")

        let bytes = JSONBody.object([("alert_id", .string(alertID)), ("text", .string(text))]).bytes
        try MessageCheck.size(bytes.count, limit: bodyLimit, channel: .webhook, what: "the request body")

        let signature = try Signing.standardWebhook(secret: secret, id: webhookID, time: time, body: bytes, clockTrusted: clockTrusted)
        let headers = [jsonContentType] + signature.headers
        return IMRequest(channel: .webhook, http: HTTPRequest(url: url, headers: headers, body: bytes))
    }

    /// Builds a signed POST of a JSON body the caller made, such as an event going upstream.
    /// - Parameters:
    ///   - webhookID: the event's idempotency key, the same on every retry.
    /// - Throws: `UplinkError` of kind `messageTooLarge`, or a signing error.
    public func request(webhookID: String, json body: [UInt8], time: WallTime, clockTrusted: Bool) throws(UplinkError) -> IMRequest {
        try MessageCheck.size(body.count, limit: bodyLimit, channel: .webhook, what: "the request body")
        let signature = try Signing.standardWebhook(secret: secret, id: webhookID, time: time, body: body, clockTrusted: clockTrusted)
        return IMRequest(channel: .webhook, http: HTTPRequest(url: url, headers: [jsonContentType] + signature.headers, body: body))
    }
}
