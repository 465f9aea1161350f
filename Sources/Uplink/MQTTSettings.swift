/// The broker, identity, security and timing of one MQTT connection.
///
/// With TLS settings, the broker's certificate is verified, and its host name too unless
/// `skipHostNameCheck` is set, which only tests should do. The session
/// is persistent by default (clean session false), so the broker queues QoS 1 messages while
/// the box is away. The default keepalive is short, so that a dead broker or a silent network
/// is noticed within about two keepalive intervals.
public struct MQTTSettings: Sendable {
    /// TLS trust and the optional client certificate.
    public struct TLS: Sendable {
        /// A PEM file of the CA certificates that may sign the broker's certificate.
        public var caFile: String
        /// A PEM client certificate for brokers that require one (`require_certificate true`).
        public var certificateFile: String?
        /// The unencrypted PEM private key of `certificateFile`.
        public var keyFile: String?
        /// Skips the check that the broker's certificate names the host. Tests only: with it,
        /// any certificate the CA signed is accepted for any host.
        public var skipHostNameCheck: Bool

        public init(caFile: String, certificateFile: String? = nil, keyFile: String? = nil, skipHostNameCheck: Bool = false) {
            self.caFile = caFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.skipHostNameCheck = skipHostNameCheck
        }
    }

    /// A user name and password for the broker's password file.
    public struct Credentials: Sendable, CustomStringConvertible {
        public var username: String
        public var password: String

        public init(username: String, password: String) {
            self.username = username
            self.password = password
        }

        /// Shows the user name only, so that printing settings never reveals the password.
        public var description: String {
            "Credentials(username: \(username), password: <redacted>)"
        }
    }

    public var host: String
    public var port: Int
    /// The client id, stable across restarts, because the broker keys the persistent session
    /// on it.
    public var clientID: String
    /// The box's id in topic names, such as `<prefix>/status/<box-id>`.
    public var boxID: String
    /// The first topic levels of every topic the box uses, such as `campus-a`.
    public var topicPrefix: String
    /// The MQTT keepalive. libmosquitto rejects values below 5 s.
    public var keepalive: Duration
    /// Whether the broker keeps the session while the box is away. True drops the session and
    /// the messages queued for it at each connect.
    public var cleanSession: Bool
    public var credentials: Credentials?
    /// TLS settings, or nil for plain TCP, which only a test or a loopback broker should use.
    public var tls: TLS?
    /// The first delay before reconnecting; it doubles after each failed attempt.
    public var reconnectDelay: Duration
    /// The maximum delay between reconnect attempts.
    public var maxReconnectDelay: Duration
    /// The time allowed from the start of a connect attempt to the broker's CONNACK.
    public var connectTimeout: Duration

    public init(
        host: String, port: Int = 8883, clientID: String, boxID: String, topicPrefix: String,
        keepalive: Duration = .seconds(10), cleanSession: Bool = false, credentials: Credentials? = nil, tls: TLS?,
        reconnectDelay: Duration = .seconds(1), maxReconnectDelay: Duration = .seconds(30), connectTimeout: Duration = .seconds(15)
    ) {
        self.host = host
        self.port = port
        self.clientID = clientID
        self.boxID = boxID
        self.topicPrefix = topicPrefix
        self.keepalive = keepalive
        self.cleanSession = cleanSession
        self.credentials = credentials
        self.tls = tls
        self.reconnectDelay = reconnectDelay
        self.maxReconnectDelay = maxReconnectDelay
        self.connectTimeout = connectTimeout
    }

    /// The retained topic of the box's `online` message and `offline` Last Will.
    public var statusTopic: String {
        "\(topicPrefix)/status/\(boxID)"
    }

    /// The keepalive in whole seconds, as CONNECT carries it.
    var keepaliveSeconds: Int32 {
        Int32(clamping: keepalive.components.seconds)
    }

    /// Checks every value before a connection is created.
    /// - Throws: `MQTTError` of kind `invalidSettings` naming the value and the fix.
    public func validate() throws(MQTTError) {
        func invalid(_ detail: String) -> MQTTError {
            MQTTError(.invalidSettings, detail: detail)
        }
        guard !host.isEmpty else {
            throw invalid("mqtt host is empty; set it to the broker's name or address")
        }
        guard (1...65_535).contains(port) else {
            throw invalid("mqtt port \(port) is out of range; use 1-65535, usually 8883 for TLS")
        }
        guard !clientID.isEmpty, clientID.utf8.count <= 65_535 else {
            throw invalid("mqtt client id is empty or too long; use a stable id such as the box's serial number")
        }
        for (name, level) in [("box id", boxID), ("topic prefix", topicPrefix)] {
            guard !level.isEmpty, !level.contains(where: { "+#\0".contains($0) }) else {
                throw invalid("mqtt \(name) \"\(level)\" is empty or contains +, # or NUL; use letters, digits, - and _")
            }
        }
        guard (5...65_535).contains(keepaliveSeconds) else {
            throw invalid("mqtt keepalive \(keepalive) is out of range; use 5-65535 seconds, such as 10")
        }
        guard reconnectDelay > .zero, maxReconnectDelay >= reconnectDelay else {
            throw invalid("mqtt reconnect delays \(reconnectDelay) and \(maxReconnectDelay) are invalid; the first must be positive and at most the maximum")
        }
        guard connectTimeout > .zero else {
            throw invalid("mqtt connect timeout \(connectTimeout) must be positive")
        }
        if let tls {
            guard !tls.caFile.isEmpty else {
                throw invalid("mqtt TLS CA file is empty; set it to the PEM file of the CA that signed the broker's certificate")
            }
            guard (tls.certificateFile == nil) == (tls.keyFile == nil) else {
                throw invalid("mqtt client certificate and key must be set together; set both or neither")
            }
        }
    }
}
