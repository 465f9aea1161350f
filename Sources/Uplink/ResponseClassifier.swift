public import Alerting
import Foundation

/// The result of one attempt to post a delivery on an IM channel, which decides the runtime's next step.
public enum DeliveryOutcome: Equatable, Sendable {
    /// The channel accepted the message. No robot API reports delivery or reading.
    case sent
    /// The channel is busy or unreachable, so the runtime tries again after the delay.
    case retryLater(after: Duration)
    /// The channel's rate limit or quota was hit; the robot takes nothing until the delay
    /// has passed, so every message queued for it waits.
    case rateLimited(after: Duration)
    /// The channel works but refused this message, for example for its content or size,
    /// or answered with a code this classifier does not know. Resending it unchanged will
    /// fail again, so the runtime falls back to SMS.
    case rejected(reason: String)
    /// The channel's configuration is wrong: a bad key or token, a signature mismatch, a
    /// keyword or IP whitelist rejection, or a removed robot. A person must fix it, so the
    /// runtime must not retry in a loop.
    case channelBroken(reason: String)
}

/// The waits before retrying, per cause.
///
/// The defaults follow the documented limits: WeCom and DingTalk take 20 messages a minute
/// per robot and DingTalk then blocks the robot for 10 minutes, and Feishu takes 100 a
/// minute. Deployments may change them in configuration.
public struct RetryDelays: Equatable, Sendable {
    /// After WeCom's 45009 rate limit.
    public var weComRateLimited: Duration = .seconds(60)
    /// After DingTalk's throttling codes, which start a 10-minute block.
    public var dingTalkThrottled: Duration = .seconds(600)
    /// After DingTalk's 90030 `webhook over limit`, a quota of the customer's edition.
    /// NOTE: the quota period is unknown; one hour is an estimate.
    public var dingTalkQuotaExceeded: Duration = .seconds(3600)
    /// After Feishu's 11232 or 9499 `too many request`.
    public var feishuRateLimited: Duration = .seconds(60)
    /// After HTTP 429 without a `Retry-After` header.
    public var rateLimited: Duration = .seconds(60)
    /// After `-1` (system busy), HTTP 5xx or a non-JSON reply from a proxy.
    public var serverBusy: Duration = .seconds(30)
    /// After a refused, reset or timed-out connection, or a DNS failure.
    public var transportFailed: Duration = .seconds(15)
    /// After a signing attempt with an untrusted clock, until NTP or the network sets it.
    public var clockNotTrusted: Duration = .seconds(60)

    public init() {}
}

/// Maps each IM API's response, or a transfer error, to a `DeliveryOutcome`.
///
/// HTTP 200 does not mean success: WeCom and DingTalk report failures as 200 with a
/// non-zero `errcode`, Feishu with a non-zero `code`. A response counts as `sent` only when
/// its code is known to mean success; an unknown code is `rejected`, never `sent`.
public struct ResponseClassifier: Sendable {
    public var delays: RetryDelays

    public init(delays: RetryDelays = RetryDelays()) {
        self.delays = delays
    }

    /// Classifies the response that `channel` returned.
    public func classify(_ response: HTTPResponse, channel: IMChannel) -> DeliveryOutcome {
        switch channel {
        case .weCom: classifyWeCom(response)
        case .dingTalk: classifyDingTalk(response)
        case .feishu: classifyFeishu(response)
        // MQTT publishes get no HTTP response; a bridge that relays them over HTTP is read as a webhook.
        case .webhook, .mqtt: classifyWebhook(response)
        }
    }

    /// Classifies an error thrown while building, signing or posting a request.
    public func classify(_ error: UplinkError) -> DeliveryOutcome {
        switch error.kind {
        case .connectionRefused, .connectFailed, .hostNotFound, .connectTimedOut, .timedOut, .connectionReset, .emptyReply,
            .tlsHandshakeFailed, .transferFailed:
            .retryLater(after: delays.transportFailed)
        case .clockNotTrusted:
            .retryLater(after: delays.clockNotTrusted)
        case .responseTooLarge, .messageTooLarge, .keywordMissing, .invalidMessage:
            .rejected(reason: error.description)
        case .certificateRejected, .invalidURL, .invalidSecret, .clientSetupFailed, .signingFailed:
            .channelBroken(reason: error.description)
        }
    }

    // MARK: WeCom

    private func classifyWeCom(_ response: HTTPResponse) -> DeliveryOutcome {
        if let outcome = classifyStatus(response) { return outcome }
        guard let reply = BusinessReply(response.body, codeKey: "errcode", messageKey: "errmsg") else {
            return unparsable(response)
        }
        switch reply.code {
        case 0:
            return .sent
        case 45009:
            return .rateLimited(after: delays.weComRateLimited)
        case -1:
            return .retryLater(after: delays.serverBusy)
        case 93000:
            return .channelBroken(reason: reply.reason("the robot key is invalid or the robot was removed"))
        default:
            return .rejected(reason: reply.reason("unknown WeCom errcode"))
        }
    }

    // MARK: DingTalk

    private func classifyDingTalk(_ response: HTTPResponse) -> DeliveryOutcome {
        if let outcome = classifyStatus(response) { return outcome }
        guard let reply = BusinessReply(response.body, codeKey: "errcode", messageKey: "errmsg") else {
            return unparsable(response)
        }
        let message = reply.message.lowercased()
        switch reply.code {
        case 0:
            return .sent
        case -1:
            return .retryLater(after: delays.serverBusy)
        // NOTE: 660026 (throttling) and 300001 (bad token) appear in no DingTalk error table
        // checked for this module, so their meaning is unverified.
        case 130101, 410100, 660026:
            return .rateLimited(after: delays.dingTalkThrottled)
        case 90030:
            return .rateLimited(after: delays.dingTalkQuotaExceeded)
        case 310000:
            return .channelBroken(reason: reply.reason(Self.dingTalkSecurityFailure(message)))
        case 300001, 300005, 400101, 400106, 40035:
            return .channelBroken(reason: reply.reason("the access token is invalid or the robot does not exist"))
        case 400013:
            return .channelBroken(reason: reply.reason("the group was dissolved"))
        case 400102:
            return .channelBroken(reason: reply.reason("the robot was stopped"))
        default:
            break
        }

        // The size errmsg contains "exceed" too, so it is matched before throttling.
        if message.contains("too long") {
            return .rejected(reason: reply.reason("the message is too long"))
        }
        if message.contains("too fast") || message.contains("exceed") || message.contains("限流") {
            return .rateLimited(after: delays.dingTalkThrottled)
        }
        return .rejected(reason: reply.reason("unknown DingTalk errcode"))
    }

    /// Names the cause of errcode 310000. DingTalk returns that code for four security
    /// checks, which only errmsg distinguishes.
    private static func dingTalkSecurityFailure(_ message: String) -> String {
        if message.contains("keywords") {
            return "the message contains none of the robot's keywords"
        }
        if message.contains("timestamp") {
            return "DingTalk rejected the timestamp; check the box's clock"
        }
        if message.contains("sign") {
            return "the signature does not match; check the robot's secret"
        }
        if message.contains("whitelist") {
            return "the box's IP address is not in the robot's whitelist"
        }
        return "the robot's security check failed"
    }

    // MARK: Feishu

    private func classifyFeishu(_ response: HTTPResponse) -> DeliveryOutcome {
        // Feishu has been observed to return HTTP 400 when throttling, so the body is read
        // before the status for 4xx replies.
        let reply = BusinessReply(response.body, codeKey: "code", messageKey: "msg")
            ?? BusinessReply(response.body, codeKey: "StatusCode", messageKey: "StatusMessage")
        guard let reply, response.status < 500 else {
            return classifyStatus(response) ?? unparsable(response)
        }
        switch reply.code {
        case 0 where response.status == 200:
            return .sent
        case 11232:
            return .rateLimited(after: delays.feishuRateLimited)
        case 9499 where reply.message.lowercased().contains("too many"):
            return .rateLimited(after: delays.feishuRateLimited)
        case 19021:
            return .channelBroken(reason: reply.reason("the signature does not match or the timestamp is off; check the secret and the box's clock"))
        case 19022:
            return .channelBroken(reason: reply.reason("the box's IP address is not in the bot's whitelist"))
        case 19024:
            return .channelBroken(reason: reply.reason("the message contains none of the bot's keywords"))
        case 9499:
            return .rejected(reason: reply.reason("Feishu rejected the request body"))
        default:
            return .rejected(reason: reply.reason("unknown Feishu code"))
        }
    }

    // MARK: Signed webhook

    private func classifyWebhook(_ response: HTTPResponse) -> DeliveryOutcome {
        switch response.status {
        case 200..<300:
            return .sent
        case 408:
            return .retryLater(after: delays.transportFailed)
        case 429:
            return .rateLimited(after: retryAfter(response) ?? delays.rateLimited)
        case 500..<600:
            return .retryLater(after: retryAfter(response) ?? delays.serverBusy)
        case 401, 403:
            return .channelBroken(reason: "the receiver rejected the signature or credentials (HTTP \(response.status)); check the webhook secret")
        case 404, 410:
            return .channelBroken(reason: "the receiver URL does not exist (HTTP \(response.status)); check the webhook URL")
        case 300..<400:
            return .channelBroken(reason: "the receiver redirects (HTTP \(response.status)); configure the final URL")
        default:
            return .rejected(reason: "the receiver rejected the request (HTTP \(response.status))")
        }
    }

    // MARK: Shared

    /// Classifies statuses that decide the outcome whatever the body: 429 and 5xx. Returns
    /// nil when the body must be read.
    private func classifyStatus(_ response: HTTPResponse) -> DeliveryOutcome? {
        switch response.status {
        case 429:
            .rateLimited(after: retryAfter(response) ?? delays.rateLimited)
        case 500..<600:
            .retryLater(after: retryAfter(response) ?? delays.serverBusy)
        default:
            nil
        }
    }

    /// Classifies a reply without the expected JSON code. With status 200 it most likely
    /// comes from a proxy or captive portal on the way, not from the API, so it is retried.
    private func unparsable(_ response: HTTPResponse) -> DeliveryOutcome {
        if response.status == 200 {
            return .retryLater(after: delays.serverBusy)
        }
        return .rejected(reason: "HTTP \(response.status) without a JSON error code")
    }

    /// Reads `Retry-After` in seconds. The HTTP-date form is not supported and returns nil.
    private func retryAfter(_ response: HTTPResponse) -> Duration? {
        guard let value = response.header("Retry-After"), let seconds = Int(value.trimmingCharacters(in: .whitespaces)),
            seconds >= 0
        else { return nil }
        return .seconds(seconds)
    }
}

/// The code and message of an IM API's JSON reply.
struct BusinessReply {
    let code: Int
    let message: String

    /// Parses `body` as a JSON object and reads the integer at `codeKey`. Returns nil when
    /// the body is not such an object.
    init?(_ body: [UInt8], codeKey: String, messageKey: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
            let number = object[codeKey] as? NSNumber,
            let code = Int(exactly: number.doubleValue)
        else { return nil }
        self.code = code
        self.message = object[messageKey] as? String ?? ""
    }

    /// Returns `summary` followed by the code and the server's message, at most 200
    /// characters of it.
    func reason(_ summary: String) -> String {
        let quoted = message.count > 200 ? String(message.prefix(200)) + "…" : message
        return "\(summary) (code \(code): \(quoted))"
    }
}
