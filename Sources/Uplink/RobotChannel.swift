import Alerting
public import Core
public import Hardware
public import Scheduler

/// A delivery channel for one IM robot or webhook: builds the request for a delivery, posts
/// it and turns the response into the scheduler's outcome classes.
///
/// Each robot has its own `HTTPClient`, so a hung robot never holds up another. The text
/// is the delivery's rendering for this channel when the alert was rendered from a
/// template, and its plain text otherwise.
public struct RobotChannel: DeliveryChannel {
    /// The API a robot speaks and its settings, secrets included.
    public enum Robot: Sendable {
        case weCom(WeComRobot)
        case dingTalk(DingTalkRobot)
        case feishu(FeishuBot)
        case webhook(SignedWebhook)

        var channel: IMChannel {
            switch self {
            case .weCom: .weCom
            case .dingTalk: .dingTalk
            case .feishu: .feishu
            case .webhook: .webhook
            }
        }
    }

    public let name: String
    let robot: Robot
    let client: HTTPClient
    let classifier: ResponseClassifier
    let clock: any BoxClock
    let clockTrust: ClockTrust
    let logger: Logger
    /// Receives each send's effect on the endpoint's health: nil for a reachable channel.
    let healthReport: (@Sendable (HealthTracker.Failure?) async -> Void)?

    /// - Parameter name: the target's name for logs, such as `ward-3-wecom`; never a key.
    public init(
        name: String, robot: Robot, client: HTTPClient, classifier: ResponseClassifier = ResponseClassifier(), clock: any BoxClock,
        clockTrust: ClockTrust, logger: Logger, healthReport: (@Sendable (HealthTracker.Failure?) async -> Void)? = nil
    ) {
        self.healthReport = healthReport
        self.name = name
        self.robot = robot
        self.client = client
        self.classifier = classifier
        self.clock = clock
        self.clockTrust = clockTrust
        self.logger = logger.with("im.target", .plain(name))
    }

    public func send(_ message: ChannelMessage) async -> ChannelOutcome {
        let outcome: DeliveryOutcome
        var reachedServer = false
        var health: HealthTracker.Failure?
        // Errors raised before anything left (a message too large, a missing keyword, an
        // untrusted clock) tell nothing about the path, so they are not reported.
        var pathTried = true
        do {
            let request = try request(for: message)
            let response = try await client.post(request.http)
            reachedServer = true
            outcome = classifier.classify(response, channel: robot.channel)
            if response.status >= 500 { health = .other }
        } catch {
            outcome = classifier.classify(error)
            // A timeout or a reset after the request went out leaves the outcome open.
            reachedServer = error.kind == .timedOut || error.kind == .connectionReset || error.kind == .emptyReply
            health = Self.healthFailure(error.kind)
            pathTried = health != nil
        }
        if let healthReport, pathTried {
            await healthReport(health)
        }
        let result = Self.channelOutcome(outcome, requestMayHaveArrived: reachedServer)
        if case .accepted = result {
            logger.debug("IM message accepted", ["delivery.id": .plain(String(message.deliveryID))])
        } else {
            logger.warning("IM message not accepted", ["delivery.id": .plain(String(message.deliveryID)), "outcome": .plain("\(outcome)")])
        }
        return result
    }

    /// Builds the request for the robot's API from the delivery's text for this channel.
    func request(for message: ChannelMessage) throws(UplinkError) -> IMRequest {
        let rendered = message.imMessage ?? IMMessage(format: .plain, title: message.headline, text: message.text)
        let time = clock.wallNow
        let trusted = clockTrust.isTrusted
        switch robot {
        case .weCom(let weCom):
            return try weCom.request(rendered.format == .markdown ? .markdown(rendered.text) : .text(rendered.text))
        case .dingTalk(let dingTalk):
            let body: DingTalkMessage =
                rendered.format == .markdown
                ? .markdown(title: rendered.title ?? message.headline ?? message.alertIdentifier, text: rendered.text) : .text(rendered.text)
            return try dingTalk.request(body, time: time, clockTrusted: trusted)
        case .feishu(let feishu):
            return try feishu.request(text: rendered.text, time: time, clockTrusted: trusted)
        case .webhook(let webhook):
            // The delivery id is the same on every retry, so receivers drop a repeated attempt.
            return try webhook.request(
                alertID: message.alertIdentifier, webhookID: "delivery-\(message.deliveryID)", text: rendered.text, time: time,
                clockTrusted: trusted)
        }
    }

    /// Returns how a transfer error bears on the endpoint's health, or nil for an error that
    /// is not about the path, such as a message too large.
    static func healthFailure(_ kind: UplinkError.Kind) -> HealthTracker.Failure? {
        switch kind {
        case .connectionRefused: .refused
        case .connectTimedOut, .timedOut: .timedOut
        case .connectFailed, .hostNotFound, .connectionReset, .emptyReply, .tlsHandshakeFailed, .transferFailed: .other
        default: nil
        }
    }

    /// Maps the classifier's outcome onto the scheduler's classes.
    ///
    /// A retryable failure after the request may have reached the server stays a temporary
    /// failure, not an unknown outcome. Robots keep no delivery state to ask, the visible
    /// alert id lets people spot a repeat, and a retry (or the SMS fallback) beats silence.
    static func channelOutcome(_ outcome: DeliveryOutcome, requestMayHaveArrived: Bool) -> ChannelOutcome {
        switch outcome {
        case .sent:
            return .accepted(references: [])
        case .rateLimited(let after):
            return .failed(.rateLimited(retryAfter: after), cause: "rate limited for \(after)")
        case .retryLater(let after):
            let cause = requestMayHaveArrived ? "no answer after the request was sent" : "channel unavailable"
            return .failed(.temporary, cause: "\(cause); the channel suggests a retry after \(after)")
        case .rejected(let reason):
            return .failed(.permanent, cause: reason)
        case .channelBroken(let reason):
            return .failed(.channelBroken, cause: reason)
        }
    }
}
