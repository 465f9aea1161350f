public import Alerting

/// A failed uplink operation: building, signing or posting a message to an IM channel.
///
/// It carries the channel, the request URL with every credential replaced by `<redacted>`
/// and, for transfer errors, libcurl's result code. It never carries a robot key, access
/// token, signature or signing secret, so it can be logged as it is.
public struct UplinkError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The cause of a failure, as a closed set that `ResponseClassifier` maps to outcomes.
    public enum Kind: Equatable, Sendable {
        /// The server's port is closed (`ECONNREFUSED`).
        case connectionRefused
        /// The TCP connection failed for another reason, such as an unreachable network.
        case connectFailed
        /// The host name did not resolve.
        case hostNotFound
        /// The TCP or TLS connection was not established within the connect timeout.
        case connectTimedOut
        /// The request and response did not complete within the total timeout.
        case timedOut
        /// The peer reset the connection (`ECONNRESET`).
        case connectionReset
        /// The server closed the connection without sending a response.
        case emptyReply
        /// The TLS handshake failed for a reason other than the certificate.
        case tlsHandshakeFailed
        /// The server's certificate did not verify against the trusted CAs, or the CA file
        /// could not be read.
        case certificateRejected
        /// The response body exceeded the client's limit, so the transfer was aborted.
        case responseTooLarge
        /// The URL is malformed or uses a scheme other than http or https.
        case invalidURL
        /// Another libcurl transfer error; `curlCode` names it.
        case transferFailed
        /// The libcurl handle could not be created or configured.
        case clientSetupFailed
        /// The message exceeds the channel's size limit, in bytes of UTF-8.
        case messageTooLarge(size: Int, limit: Int)
        /// The robot requires one of its keywords in every message and the message has none.
        case keywordMissing
        /// The message is empty or otherwise cannot be sent.
        case invalidMessage
        /// The caller does not trust the wall clock, so no timestamped signature is made.
        case clockNotTrusted
        /// The signing secret is malformed.
        case invalidSecret
        /// libcrypto failed to compute a signature.
        case signingFailed
    }

    public let kind: Kind
    /// The channel the request was for, when known.
    public let channel: IMChannel?
    /// The request URL with credentials redacted, for transfer errors.
    public let url: String?
    /// libcurl's `CURLcode`, or 0 for errors raised by this module.
    public let curlCode: Int32
    /// A sentence on the cause and, where there is one, the fix.
    public let detail: String

    public init(_ kind: Kind, channel: IMChannel? = nil, url: String? = nil, curlCode: Int32 = 0, detail: String) {
        self.kind = kind
        self.channel = channel
        self.url = url.map(Redaction.redactedURL)
        self.curlCode = curlCode
        self.detail = detail
    }

    public var description: String {
        var text = ""
        if let channel {
            text += "\(channel): "
        }
        if let url {
            text += "POST \(url) failed: "
        }
        text += detail
        if curlCode != 0 {
            text += " (curl \(curlCode))"
        }
        return text
    }
}
