import CCrypto
import Foundation

/// The signature checks of the fake servers, computed here with libcrypto's HMAC so that a
/// bug in the box's own signing code cannot hide behind a shared implementation.
public enum FakeSigning {
    /// Computes HMAC-SHA256 of `message` keyed by `key`, or nil when libcrypto fails.
    /// `HMAC(3)` with `EVP_sha256()`.
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8]? {
        var digest = [UInt8](repeating: 0, count: 32)
        let status = key.withUnsafeBytes { keyBytes in
            message.withUnsafeBytes { messageBytes in
                digest.withUnsafeMutableBufferPointer { output in
                    alertbox_hmac_sha256(keyBytes.baseAddress, keyBytes.count, messageBytes.baseAddress, messageBytes.count, output.baseAddress)
                }
            }
        }
        return status == 1 ? digest : nil
    }

    /// Returns the DingTalk signature for a timestamp in milliseconds: base64 of
    /// HMAC-SHA256 keyed by the secret over `timestamp + "\n" + secret`, before URL-encoding.
    public static func dingTalkSign(timestamp: String, secret: String) -> String {
        let digest = hmacSHA256(key: Array(secret.utf8), message: Array("\(timestamp)\n\(secret)".utf8)) ?? []
        return Data(digest).base64EncodedString()
    }

    /// Returns the Feishu signature for a timestamp in seconds: base64 of HMAC-SHA256 keyed
    /// by `timestamp + "\n" + secret` over an empty message.
    public static func feishuSign(timestamp: String, secret: String) -> String {
        let digest = hmacSHA256(key: Array("\(timestamp)\n\(secret)".utf8), message: []) ?? []
        return Data(digest).base64EncodedString()
    }

    /// Returns the Standard Webhooks 1.0 signature `v1,<base64>` of HMAC-SHA256 over
    /// `id.timestamp.body`, keyed by the raw key bytes.
    public static func standardWebhookSignature(key: [UInt8], id: String, timestamp: String, body: [UInt8]) -> String {
        let digest = hmacSHA256(key: key, message: Array("\(id).\(timestamp).".utf8) + body) ?? []
        return "v1," + Data(digest).base64EncodedString()
    }

    /// Decodes a `whsec_<base64>` secret into its key bytes; returns nil for another form.
    public static func webhookKey(_ secret: String) -> [UInt8]? {
        guard secret.hasPrefix("whsec_"), let data = Data(base64Encoded: String(secret.dropFirst(6))), !data.isEmpty else {
            return nil
        }
        return Array(data)
    }

    /// Compares two strings in time that depends only on their lengths, as a receiver must
    /// compare signatures so that timing does not reveal how much of a guess was right.
    public static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices {
            difference |= left[index] ^ right[index]
        }
        return difference == 0
    }
}
