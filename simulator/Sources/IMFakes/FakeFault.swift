public import Core
import Foundation

/// A fault injected into one fake server, for the next `count` requests or for a duration.
public struct FakeFault: Sendable, Equatable {
    /// The behaviour that replaces the server's normal response.
    public enum Kind: Sendable, Equatable {
        /// Responds with this HTTP status and an HTML page, as a proxy in front does.
        case httpStatus(Int)
        /// Responds with this status and body, such as a vendor's business error.
        case reply(status: Int, body: String)
        /// Responds with the API's rate limit reply, without counting.
        case rateLimited
        /// Reads the request and never responds.
        case noAnswer
        /// Checks the request as usual and responds after `delay`.
        case slowAnswer(delay: Duration)
        /// Resets the connection (TCP RST) after reading the request.
        case reset
        /// Closes the connection after reading the request, without a response.
        case close
        /// Checks and records the request as usual, then closes without a response, so the
        /// message was posted but the client sees a failure.
        case acceptThenClose
        /// Serves a certificate the client does not trust (TLS servers only).
        case tlsUntrusted
        /// Replies to the ClientHello with plain HTTP bytes (TLS servers only).
        case tlsGarbage
        /// Completes the TLS handshake, then resets the connection (TCP RST) without a TLS
        /// alert (TLS servers only).
        case tlsReset

        /// Whether the fault acts on a new connection instead of on a request.
        var isConnectionLevel: Bool {
            self == .tlsUntrusted || self == .tlsGarbage || self == .tlsReset
        }

        /// The name used in control requests and recordings.
        public var name: String {
            switch self {
            case .httpStatus: "http_status"
            case .reply: "reply"
            case .rateLimited: "rate_limited"
            case .noAnswer: "no_answer"
            case .slowAnswer: "slow_answer"
            case .reset: "reset"
            case .close: "close"
            case .acceptThenClose: "accept_then_close"
            case .tlsUntrusted: "tls_untrusted"
            case .tlsGarbage: "tls_garbage"
            case .tlsReset: "tls_reset"
            }
        }
    }

    public var kind: Kind
    /// The robot whose requests the fault hits, or nil for every robot of the server. TLS
    /// faults hit connections, before any robot is known, so they ignore it.
    public var robot: String?
    /// The number of requests (connections, for TLS faults) left, or nil when only
    /// `until` ends the fault.
    public var remaining: Int?
    /// The monotonic instant at which the fault ends, or nil when only `remaining` does.
    public var until: MonotonicInstant?

    public init(kind: Kind, robot: String? = nil, remaining: Int? = 1, until: MonotonicInstant? = nil) {
        self.kind = kind
        self.robot = robot
        self.remaining = remaining
        self.until = until
    }

    func isExpired(at now: MonotonicInstant) -> Bool {
        until.map { now >= $0 } ?? false
    }

    /// Decodes an `im_fault` request: `fault`, its fields, and `count` or `duration`.
    /// - Parameter now: the real monotonic time, from which `duration` counts.
    /// - Throws: `IMFakeError` naming the missing or invalid field.
    static func decode(_ fields: [String: Any], now: MonotonicInstant) throws(IMFakeError) -> FakeFault {
        let names = "http_status, reply, rate_limited, no_answer, slow_answer, reset, close, accept_then_close, tls_untrusted, tls_garbage or tls_reset"
        guard let name = fields["fault"] as? String else {
            throw IMFakeError("missing \"fault\": name one of \(names)")
        }
        let kind: Kind
        switch name {
        case "http_status":
            let status = (fields["status"] as? NSNumber)?.intValue ?? 500
            guard (100...599).contains(status) else { throw IMFakeError("invalid \"status\" \(status): give an HTTP status such as 503") }
            kind = .httpStatus(status)
        case "reply":
            guard let body = fields["body"] as? String else {
                throw IMFakeError("missing \"body\" of fault reply: give the response body, such as {\"errcode\":-1,\"errmsg\":\"system busy\"}")
            }
            kind = .reply(status: (fields["status"] as? NSNumber)?.intValue ?? 200, body: body)
        case "rate_limited": kind = .rateLimited
        case "no_answer": kind = .noAnswer
        case "slow_answer":
            guard let delay = FakeFields.duration(fields, "delay"), delay >= .zero else {
                throw IMFakeError("missing \"delay_ms\" (or \"delay\" in seconds) of fault slow_answer")
            }
            kind = .slowAnswer(delay: delay)
        case "reset": kind = .reset
        case "close": kind = .close
        case "accept_then_close": kind = .acceptThenClose
        case "tls_untrusted": kind = .tlsUntrusted
        case "tls_garbage": kind = .tlsGarbage
        case "tls_reset": kind = .tlsReset
        default:
            throw IMFakeError("unknown fault \"\(name)\": use \(names)")
        }

        let duration = FakeFields.duration(fields, "duration")
        let count = (fields["count"] as? NSNumber)?.intValue
        if let count, count < 1 {
            throw IMFakeError("invalid \"count\" \(count): give 1 or more requests")
        }
        return FakeFault(
            kind: kind, robot: fields["robot"] as? String, remaining: count ?? (duration == nil ? 1 : nil),
            until: duration.map { now.advanced(by: $0) })
    }
}
