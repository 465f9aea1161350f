public import Alerting
public import Core
import Foundation

/// Checks inbound MQTT messages: topic, size, publisher, signature, time window, replay and
/// content, in that order.
///
/// An MQTT 3.1.1 message carries no publisher identity, so any client that the broker lets
/// publish on the topic could have sent it. Each publisher therefore signs with a shared
/// secret, and names itself by the last topic level, `<prefix>/inbound/<publisher>`. The
/// payload is one signature line and the body:
///
/// ```text
/// v1 <message-id> <unix-seconds> <base64 HMAC-SHA256>\n<CAP XML or JSON alert>
/// ```
///
/// The HMAC key is the publisher's secret and the signed bytes are
/// `v1.<publisher>.<message-id>.<unix-seconds>.` followed by the body, so a signature is valid
/// for one publisher, one id and one time. A message is accepted only when its timestamp is
/// within `window` of the box's wall clock and its id was not accepted from the same
/// publisher before. The body is CAP XML when its first non-blank byte is `<`, else a JSON
/// `MQTTAlertPayload`.
public struct MQTTInboundVerifier: Sendable {
    /// The publishers, the window and the limits.
    public struct Settings: Sendable {
        /// The first topic levels, the same as the connection's.
        public var topicPrefix: String
        /// Each publisher's shared secret, by the name in its topic.
        public var secrets: [String: [UInt8]]
        /// The largest accepted distance between a message's timestamp and the box's clock.
        public var window: Duration
        /// The largest accepted payload, signature line included.
        public var maxPayloadBytes: Int
        /// The maximum number of message ids remembered for replay checks. Past it, the oldest are forgotten.
        public var maxRememberedIDs: Int

        public init(
            topicPrefix: String, secrets: [String: [UInt8]], window: Duration = .seconds(300), maxPayloadBytes: Int = 65_536,
            maxRememberedIDs: Int = 10_000
        ) {
            self.topicPrefix = topicPrefix
            self.secrets = secrets
            self.window = window
            self.maxPayloadBytes = maxPayloadBytes
            self.maxRememberedIDs = maxRememberedIDs
        }
    }

    public let settings: Settings
    /// Accepted ids by publisher and id, with their timestamps in seconds.
    private var seen: [String: Int64] = [:]

    public init(settings: Settings) {
        self.settings = settings
    }

    /// The topic filter that receives every publisher's messages.
    public var topicFilter: String {
        "\(settings.topicPrefix)/inbound/+"
    }

    /// Checks one message and returns its parsed alert.
    /// - Parameters:
    ///   - now: the box's wall-clock time, which must be set by NTP or the network.
    /// - Throws: `MQTTInboundError` naming the topic, the publisher and the reason.
    public mutating func verify(topic: String, payload: [UInt8], now: WallTime) throws(MQTTInboundError) -> MQTTInboundAlert {
        let prefix = "\(settings.topicPrefix)/inbound/"
        let publisher = topic.hasPrefix(prefix) ? String(topic.dropFirst(prefix.count)) : ""
        func reject(_ reason: MQTTInboundError.Reason, _ detail: String) -> MQTTInboundError {
            MQTTInboundError(reason, topic: topic, publisher: publisher.isEmpty ? nil : publisher, detail: detail)
        }
        guard !publisher.isEmpty, !publisher.contains("/") else {
            throw reject(.invalidTopic, "the topic is not \(prefix)<publisher>")
        }
        guard payload.count <= settings.maxPayloadBytes else {
            throw reject(.oversize, "\(payload.count) bytes exceed the limit of \(settings.maxPayloadBytes)")
        }
        guard let secret = settings.secrets[publisher] else {
            throw reject(.unknownPublisher, "no shared secret is configured for this publisher; add one to accept its alerts")
        }

        guard let newline = payload.firstIndex(of: 0x0A),
            let header = String(bytes: payload[..<newline], encoding: .ascii)?.split(separator: " ", omittingEmptySubsequences: false),
            header.count == 4, header[0] == "v1", !header[1].isEmpty, header[1].utf8.count <= 128,
            let seconds = Int64(header[2]), let signature = Data(base64Encoded: String(header[3]))
        else {
            throw reject(.malformedEnvelope, "the first line is not \"v1 <message-id> <unix-seconds> <base64 signature>\"")
        }
        let messageID = String(header[1])
        let body = Array(payload[(newline + 1)...])

        let expected = Self.signature(publisher: publisher, messageID: messageID, seconds: seconds, body: body, secret: secret)
        guard let expected, Self.constantTimeEqual(expected, Array(signature)) else {
            throw reject(.badSignature, "the HMAC-SHA256 does not match this publisher's secret")
        }

        let window = settings.window.components.seconds
        guard abs(now.secondsSinceEpoch - seconds) <= window else {
            throw reject(.stale, "timestamp \(seconds) is more than \(window) s from the box's clock \(now.secondsSinceEpoch)")
        }
        let key = "\(publisher) \(messageID)"
        guard seen[key] == nil else {
            throw reject(.replay, "message id \(messageID) was already accepted")
        }
        remember(key, seconds: seconds, now: now)

        do throws(MQTTInboundError) {
            let content = try Self.parse(body)
            return MQTTInboundAlert(publisher: publisher, messageID: messageID, content: content)
        } catch {
            throw reject(error.reason, error.detail)
        }
    }

    /// Builds a signed payload, as a publisher sends it.
    public static func signedPayload(publisher: String, messageID: String, time: WallTime, body: [UInt8], secret: [UInt8]) -> [UInt8] {
        let seconds = time.secondsSinceEpoch
        // HMAC(3) with EVP_sha256() fails only when libcrypto cannot allocate memory.
        let digest = signature(publisher: publisher, messageID: messageID, seconds: seconds, body: body, secret: secret)!
        return Array("v1 \(messageID) \(seconds) \(Signing.base64(digest))\n".utf8) + body
    }

    private static func signature(publisher: String, messageID: String, seconds: Int64, body: [UInt8], secret: [UInt8]) -> [UInt8]? {
        try? Signing.hmacSHA256(key: secret, message: Array("v1.\(publisher).\(messageID).\(seconds).".utf8) + body)
    }

    /// Compares two digests in time that depends only on their length.
    private static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices {
            difference |= left[index] ^ right[index]
        }
        return difference == 0
    }

    /// Stores an accepted id, first dropping ids too old to pass the window check again.
    private mutating func remember(_ key: String, seconds: Int64, now: WallTime) {
        let oldest = now.secondsSinceEpoch - settings.window.components.seconds
        if seen.count >= settings.maxRememberedIDs {
            seen = seen.filter { $0.value >= oldest }
        }
        // NOTE: past `maxRememberedIDs` ids inside the window, the oldest are forgotten, so
        // a replay of one of those within the window would be accepted again.
        while seen.count >= settings.maxRememberedIDs, let first = seen.min(by: { $0.value < $1.value }) {
            seen[first.key] = nil
        }
        seen[key] = seconds
    }

    /// Parses the body as CAP XML or as a JSON alert.
    private static func parse(_ body: [UInt8]) throws(MQTTInboundError) -> MQTTInboundAlert.Content {
        let first = body.first { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }
        if first == UInt8(ascii: "<") {
            do {
                return .cap(try CAPParser.parse(body))
            } catch {
                throw MQTTInboundError(.invalidCAP, detail: error.description)
            }
        }
        return .json(try MQTTAlertPayload.decode(body))
    }
}

/// An inbound alert that passed every check, with its publisher and message id.
public struct MQTTInboundAlert: Sendable, Equatable {
    public enum Content: Sendable, Equatable {
        /// A CAP document, which the caller converts with its priority mapping and templates.
        case cap(CAPAlert)
        case json(MQTTAlertPayload)
    }

    public var publisher: String
    public var messageID: String
    public var content: Content

    /// The alert's identifier, which the caller uses to drop duplicates.
    public var identifier: String {
        switch content {
        case .cap(let alert): alert.identifier
        case .json(let payload): payload.identifier
        }
    }

    /// Returns the alert to hand to the scheduler: a CAP document through the priority table
    /// and the templates, a JSON alert as it came, both marked as coming from MQTT.
    /// - Parameters:
    ///   - audience: the groups a publisher's alerts go to, as configured for it.
    public func alert(mapping: PriorityMapping, audience: [String], composer: AlertComposer) -> Alert {
        switch content {
        case .cap(let cap):
            return Alert(cap: cap, mapping: mapping, audience: audience, composer: composer, source: .mqtt)
        case .json(let payload):
            var alert = payload.alert(source: .mqtt, defaultSender: publisher)
            if alert.audience.isEmpty { alert.audience = audience }
            return alert
        }
    }
}
