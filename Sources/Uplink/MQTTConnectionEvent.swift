public import Scheduler

/// A change of an MQTT connection's state, for health tracking.
public enum MQTTConnectionEvent: Sendable, Equatable {
    /// A connect attempt started; `attempt` counts from 1 since the last successful connect.
    case connecting(attempt: Int)
    /// The broker accepted the connection. `sessionPresent` is true when it resumed the
    /// persistent session, with its subscriptions and queued messages.
    case connected(sessionPresent: Bool)
    /// The connection ended or an attempt failed, and why.
    case disconnected(MQTTDisconnectReason)
}

/// The reason an MQTT connection ended or could not be made.
public struct MQTTDisconnectReason: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// The box closed the connection itself.
        case stopped
        /// The broker rejected CONNECT with a CONNACK return code (MQTT 3.1.1 §3.2.2.3).
        case refused(connackCode: Int)
        /// The TLS handshake or the broker's certificate failed verification.
        case tlsFailed
        /// No packet arrived within the keepalive after a PINGREQ.
        case keepaliveTimedOut
        /// No CONNACK arrived within the connect timeout.
        case connectTimedOut
        /// The TCP connection could not be made, such as a refused port or no route.
        case connectFailed
        /// The established connection was closed or reset.
        case connectionLost
        /// The broker sent something that is not valid MQTT, or libmosquitto failed otherwise.
        case protocolError
    }

    public let kind: Kind
    /// libmosquitto's `MOSQ_ERR_*` code, or 0 where there is none.
    public let code: Int32
    /// A sentence on the cause and, where a person must act, the fix.
    public let detail: String

    public init(_ kind: Kind, code: Int32 = 0, detail: String) {
        self.kind = kind
        self.code = code
        self.detail = detail
    }

    /// The class of failure a send meets while the connection is in this state.
    ///
    /// Bad credentials, an unauthorised or rejected client id, a bad protocol version and a
    /// certificate that fails verification need a person, so they are `channelBroken`. A
    /// broker that reports itself unavailable (CONNACK 3) and every network fault are temporary.
    public var failureClass: FailureClass {
        switch kind {
        case .refused(let code):
            code == 3 ? .temporary : .channelBroken
        case .tlsFailed:
            .channelBroken
        case .stopped, .keepaliveTimedOut, .connectTimedOut, .connectFailed, .connectionLost, .protocolError:
            .temporary
        }
    }

    public var description: String {
        code == 0 ? detail : "\(detail) (mosquitto error \(code))"
    }

    /// Describes a CONNACK return code of MQTT 3.1.1 with its fix.
    static func refused(connackCode code: Int) -> MQTTDisconnectReason {
        let detail =
            switch code {
            case 1: "the broker rejected the protocol version MQTT 3.1.1; use a broker that supports it"
            case 2: "the broker rejected the client id; set a client id the broker allows"
            case 3: "the broker is unavailable; it will be retried"
            case 4: "the broker rejected the user name or password; correct the mqtt credentials"
            case 5: "the broker did not authorise this client; check the credentials and the broker's ACL"
            default: "the broker refused the connection with CONNACK code \(code)"
            }
        return MQTTDisconnectReason(.refused(connackCode: code), detail: detail)
    }
}
