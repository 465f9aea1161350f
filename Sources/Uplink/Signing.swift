import Alerting
import CCrypto
public import Core
import Foundation

/// HMAC-SHA256 and the request signatures of DingTalk, Feishu and Standard Webhooks.
///
/// Every signature embeds the wall-clock time, and DingTalk and Feishu reject a timestamp
/// more than one hour away from their own clock (Standard Webhooks receivers, five minutes).
/// The signing functions therefore take `clockTrusted`, and throw `clockNotTrusted` rather
/// than sign with a clock that NTP or the cellular network has not set, so that the caller
/// skips the IM channel and falls back to SMS.
public enum Signing {
    /// Computes HMAC-SHA256 of `message` keyed by `key`, 32 bytes.
    /// - Throws: `UplinkError` of kind `signingFailed` when libcrypto fails, which happens
    ///   only when it cannot allocate memory.
    /// `HMAC(3)` with `EVP_sha256()`.
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) throws(UplinkError) -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        let status = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                digest.withUnsafeMutableBufferPointer { output in
                    alertbox_hmac_sha256(
                        keyBytes.baseAddress, keyBytes.count, messageBytes.baseAddress, messageBytes.count,
                        output.baseAddress)
                }
            }
        }
        guard status == 1 else {
            throw UplinkError(.signingFailed, detail: "HMAC-SHA256 failed in libcrypto")
        }
        return digest
    }

    /// Encodes bytes as standard base64 with padding (RFC 4648 §4).
    public static func base64(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
    }

    /// Percent-encodes every byte of the UTF-8 text except the RFC 3986 unreserved
    /// characters `A-Z a-z 0-9 - . _ ~`, so `+`, `/` and `=` of base64 become `%2B`, `%2F`
    /// and `%3D`.
    public static func percentEncoded(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                result += byte < 16 ? "%0\(hex)" : "%\(hex)"
            }
        }
        return result
    }

    /// Signs a DingTalk custom robot request (加签).
    ///
    /// The string to sign is the timestamp in milliseconds, a line feed and the secret; the
    /// HMAC key is the secret. The base64 signature goes into the URL as `sign`, so it must be
    /// percent-encoded: an unencoded `+` decodes as a space and fails with `sign not match`.
    /// - Parameters:
    ///   - secret: the robot's signing secret, usually starting with `SEC`.
    ///   - time: the wall-clock time to sign with.
    ///   - clockTrusted: whether NTP or the network has set the wall clock.
    /// - Throws: `UplinkError` of kind `clockNotTrusted` or `invalidSecret`.
    public static func dingTalk(secret: String, time: WallTime, clockTrusted: Bool) throws(UplinkError) -> DingTalkSignature {
        try requireTrusted(clockTrusted, channel: .dingTalk)
        try requireSecret(secret, channel: .dingTalk)

        let timestamp = String(time.nanosecondsSinceEpoch / 1_000_000)
        let digest = try hmacSHA256(key: Array(secret.utf8), message: Array("\(timestamp)\n\(secret)".utf8))
        return DingTalkSignature(timestamp: timestamp, sign: base64(digest))
    }

    /// Signs a Feishu custom bot request.
    ///
    /// Unlike DingTalk, the HMAC key is the timestamp in seconds, a line feed and the secret,
    /// and the message is empty. Both values go into the JSON body, unencoded.
    /// - Throws: `UplinkError` of kind `clockNotTrusted` or `invalidSecret`.
    public static func feishu(secret: String, time: WallTime, clockTrusted: Bool) throws(UplinkError) -> FeishuSignature {
        try requireTrusted(clockTrusted, channel: .feishu)
        try requireSecret(secret, channel: .feishu)

        let timestamp = String(time.secondsSinceEpoch)
        let digest = try hmacSHA256(key: Array("\(timestamp)\n\(secret)".utf8), message: [])
        return FeishuSignature(timestamp: timestamp, sign: base64(digest))
    }

    /// Signs a webhook request as Standard Webhooks 1.0 specifies.
    ///
    /// The signed content is `<id>.<timestamp>.<body>` with the timestamp in Unix seconds and
    /// the raw body bytes, and the header value is `v1,` followed by the base64 HMAC.
    /// - Parameters:
    ///   - id: the `webhook-id`, which the receiver uses to drop duplicates, so it must stay
    ///     the same when a message is retried.
    /// - Throws: `UplinkError` of kind `clockNotTrusted` or `invalidMessage` for an id that
    ///   contains a period or a line break.
    public static func standardWebhook(
        secret: WebhookSecret, id: String, time: WallTime, body: [UInt8], clockTrusted: Bool
    ) throws(UplinkError) -> StandardWebhookSignature {
        try requireTrusted(clockTrusted, channel: .webhook)
        guard !id.isEmpty, !id.contains("."), !id.contains(where: \.isNewline) else {
            throw UplinkError(
                .invalidMessage, channel: .webhook,
                detail: "webhook-id \"\(id)\" is empty or contains a period or line break; use the alert's delivery id")
        }

        let timestamp = String(time.secondsSinceEpoch)
        let digest = try hmacSHA256(key: secret.key, message: Array("\(id).\(timestamp).".utf8) + body)
        return StandardWebhookSignature(id: id, timestamp: timestamp, signature: "v1," + base64(digest))
    }

    private static func requireTrusted(_ clockTrusted: Bool, channel: IMChannel) throws(UplinkError) {
        guard clockTrusted else {
            throw UplinkError(
                .clockNotTrusted, channel: channel,
                detail: "the wall clock is not set by NTP or the network, so no signature was made; send by SMS instead")
        }
    }

    private static func requireSecret(_ secret: String, channel: IMChannel) throws(UplinkError) {
        guard !secret.isEmpty else {
            throw UplinkError(.invalidSecret, channel: channel, detail: "the signing secret is empty; copy it from the robot's settings")
        }
    }
}

/// A DingTalk signature: the `timestamp` and `sign` query parameters.
public struct DingTalkSignature: Equatable, Sendable {
    /// Milliseconds since the Unix epoch, in decimal.
    public let timestamp: String
    /// The base64 HMAC, before percent-encoding.
    public let sign: String

    /// The query suffix `timestamp=…&sign=…`, with `sign` percent-encoded.
    public var queryItems: String {
        "timestamp=\(timestamp)&sign=\(Signing.percentEncoded(sign))"
    }
}

/// A Feishu signature: the `timestamp` and `sign` fields of the JSON body.
public struct FeishuSignature: Equatable, Sendable {
    /// Seconds since the Unix epoch, in decimal.
    public let timestamp: String
    /// The base64 HMAC.
    public let sign: String
}

/// The three Standard Webhooks headers of one request.
public struct StandardWebhookSignature: Equatable, Sendable {
    public let id: String
    /// Seconds since the Unix epoch, in decimal.
    public let timestamp: String
    /// `v1,` and the base64 HMAC.
    public let signature: String

    /// The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers.
    public var headers: [HTTPHeader] {
        [
            HTTPHeader("webhook-id", id),
            HTTPHeader("webhook-timestamp", timestamp),
            HTTPHeader("webhook-signature", signature),
        ]
    }
}

/// A Standard Webhooks signing key.
///
/// Standard Webhooks secrets are written `whsec_` followed by the base64 key bytes; the key
/// is the decoded bytes, not the text.
public struct WebhookSecret: Equatable, Sendable, CustomStringConvertible {
    /// The raw HMAC key.
    let key: [UInt8]

    /// Decodes a `whsec_<base64>` secret.
    /// - Throws: `UplinkError` of kind `invalidSecret` when the prefix is missing or the rest
    ///   is not base64 of at least one byte.
    public init(whsec text: String) throws(UplinkError) {
        let prefix = "whsec_"
        guard text.hasPrefix(prefix) else {
            throw UplinkError(.invalidSecret, channel: .webhook, detail: "the webhook secret does not start with whsec_")
        }
        guard let data = Data(base64Encoded: String(text.dropFirst(prefix.count))), !data.isEmpty else {
            throw UplinkError(.invalidSecret, channel: .webhook, detail: "the webhook secret after whsec_ is not valid base64")
        }
        key = Array(data)
    }

    /// Uses `bytes` as the HMAC key as they are.
    public init(rawKey bytes: [UInt8]) {
        key = bytes
    }

    /// Shows the key's length only, so that printing a secret never reveals it.
    public var description: String {
        "WebhookSecret(\(key.count) bytes)"
    }
}
