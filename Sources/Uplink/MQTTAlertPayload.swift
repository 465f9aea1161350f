public import Alerting
import Core
import Foundation

/// The JSON form of an alert on MQTT: what the box publishes, and one of the two forms it
/// accepts on its inbound topics (CAP XML is the other).
///
/// ```json
/// {"identifier":"fire-2026-001","sender":"panel-1","sent":1796350500000,"status":"Actual",
///  "msgType":"Alert","priority":0,"texts":[{"language":"zh","headline":"火警","text":"…"}]}
/// ```
///
/// `identifier` is the alert's CAP identifier. QoS 1 delivers at least once, so receivers
/// drop a message whose identifier they have already handled. `sent` and `expires` are
/// milliseconds since the Unix epoch, `priority` is 0 (life safety) to 3 (reminder), and
/// `status` and `msgType` take CAP 1.2's values.
public struct MQTTAlertPayload: Sendable, Equatable, Codable {
    /// An alert's words in one language.
    public struct Text: Sendable, Equatable, Codable {
        /// A language code such as `zh` or `en-US`, or nil when the sender gave none.
        public var language: String?
        public var headline: String?
        public var text: String

        public init(language: String?, headline: String? = nil, text: String) {
            self.language = language
            self.headline = headline
            self.text = text
        }
    }

    public var identifier: String
    public var sender: String?
    public var sent: Int64?
    public var status: String?
    public var msgType: String?
    public var priority: Int
    public var expires: Int64?
    public var audience: [String]?
    public var texts: [Text]
    /// The delivery row and attempt the box sent this for, so the box's own logs can be matched.
    public var delivery: Int64?
    public var attempt: Int?

    public init(
        identifier: String, sender: String? = nil, sent: Int64? = nil, status: String? = nil, msgType: String? = nil, priority: Int,
        expires: Int64? = nil, audience: [String]? = nil, texts: [Text], delivery: Int64? = nil, attempt: Int? = nil
    ) {
        self.identifier = identifier
        self.sender = sender
        self.sent = sent
        self.status = status
        self.msgType = msgType
        self.priority = priority
        self.expires = expires
        self.audience = audience
        self.texts = texts
        self.delivery = delivery
        self.attempt = attempt
    }

    /// Builds the payload of a whole alert, one text per language.
    public init(alert: Alert) {
        self.init(
            identifier: alert.identifier, sender: alert.sender, sent: alert.sentAt, status: alert.status.rawValue,
            msgType: alert.messageType.rawValue, priority: alert.priority.rawValue, expires: alert.expiresAt,
            audience: alert.audience.isEmpty ? nil : alert.audience,
            texts: alert.texts.map { Text(language: $0.language.rawValue, headline: $0.headline, text: $0.imText) })
    }

    /// Encodes the payload as compact JSON with sorted keys.
    public func encoded() -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // JSONEncoder throws only for non-finite floating-point values, and this type has none.
        return Array(try! encoder.encode(self))
    }

    /// Decodes and checks a payload.
    /// - Throws: `MQTTInboundError` with reason `invalidJSON` naming the field.
    public static func decode(_ bytes: [UInt8]) throws(MQTTInboundError) -> MQTTAlertPayload {
        let payload: MQTTAlertPayload
        do {
            payload = try JSONDecoder().decode(MQTTAlertPayload.self, from: Data(bytes))
        } catch {
            throw MQTTInboundError(.invalidJSON, detail: "the JSON alert does not parse or lacks a required field: \(error.localizedDescription)")
        }
        try payload.check()
        return payload
    }

    /// The accepted range of `sent` and `expires`: 1970-01-01 to 2200-01-01 in milliseconds.
    static let supportedMilliseconds: ClosedRange<Int64> = 0...7_258_118_400_000

    /// Checks the fields that `alert(source:)` relies on.
    func check() throws(MQTTInboundError) {
        func invalid(_ detail: String) -> MQTTInboundError {
            MQTTInboundError(.invalidJSON, detail: detail)
        }
        guard !identifier.isEmpty, !identifier.contains(where: { $0.isWhitespace || $0 == "," }) else {
            throw invalid("identifier is empty or contains a space or comma, which CAP forbids")
        }
        // The scheduler converts these milliseconds to nanoseconds in an Int64, which holds
        // the years up to 2261.
        for (name, value) in [("sent", sent), ("expires", expires)] {
            if let value, !Self.supportedMilliseconds.contains(value) {
                throw invalid("\(name) \(value) is not milliseconds since 1970 before the year 2200; send Unix time in milliseconds")
            }
        }
        guard AlertPriority(rawValue: priority) != nil else {
            throw invalid("priority \(priority) is out of range; use 0 (life safety) to 3 (reminder)")
        }
        if let status, CAPAlert.Status(rawValue: status) == nil {
            throw invalid("status \"\(status)\" is not a CAP status; use Actual, Exercise, System, Test or Draft")
        }
        if let msgType, CAPAlert.MessageType(rawValue: msgType) == nil {
            throw invalid("msgType \"\(msgType)\" is not a CAP message type; use Alert, Update, Cancel, Ack or Error")
        }
        guard !texts.isEmpty, texts.allSatisfy({ !$0.text.isEmpty }) else {
            throw invalid("texts is empty or has an empty text; send at least one text")
        }
    }

    /// Converts a checked payload into an alert from `source`. A text whose language is missing or
    /// unknown to the box is read as Chinese.
    public func alert(source: Alert.Source = .mqtt, defaultSender: String) -> Alert {
        let texts = texts.map { text in
            AlertText(
                language: text.language.flatMap(Language.init(code:)) ?? .chinese, headline: text.headline, smsText: text.text,
                imText: text.text)
        }
        return Alert(
            identifier: identifier, sender: sender ?? defaultSender, sentAt: sent ?? 0,
            status: status.flatMap(CAPAlert.Status.init(rawValue:)) ?? .actual,
            messageType: msgType.flatMap(CAPAlert.MessageType.init(rawValue:)) ?? .alert,
            // `check()` accepted only priorities 0-3.
            priority: AlertPriority(rawValue: priority)!, expiresAt: expires, source: source, audience: audience ?? [], texts: texts)
    }
}
