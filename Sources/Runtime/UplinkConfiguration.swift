/// The IM robots, the MQTT broker and the upstream of a box, from the configuration file's
/// `[[im.robot]]`, `[mqtt]`, `[uplink]` and `[upstream]` sections.
///
/// Secrets are named by file (`key_file`, `secret_file`, `password_file`) and read when the
/// runtime starts, from files only the service may read.
public struct UplinkConfiguration: Sendable, Equatable {
    public enum RobotKind: String, Sendable, CaseIterable {
        case wecom
        case dingtalk
        case feishu
        case webhook
    }

    /// One IM robot or signed webhook, and the contact groups whose alerts it posts.
    public struct Robot: Sendable, Equatable {
        public var name: String
        public var kind: RobotKind
        /// The API's scheme and authority for robots (tests point it at the simulator), or the
        /// whole URL for a webhook.
        public var url: String?
        /// The WeCom key, DingTalk access token or Feishu token.
        public var keyFile: String?
        /// The DingTalk or Feishu signing secret, or the webhook's `whsec_` secret.
        public var secretFile: String?
        public var keywords: [String]
        public var groups: [String]
    }

    public struct MQTT: Sendable, Equatable {
        public var host: String
        public var port: Int
        /// TLS with this CA file; nil only for a loopback broker in a lab.
        public var caFile: String?
        public var username: String?
        public var passwordFile: String?
        public var topicPrefix: String
        /// Whether alerts go to the broker as an IM target, for these groups.
        public var groups: [String]
        /// Publishers allowed to send alerts to the box, each with its secret file and audience.
        public var publishers: [Publisher]
    }

    public struct Publisher: Sendable, Equatable {
        public var name: String
        public var secretFile: String
        public var audience: [String]
    }

    /// Where the box's events go upstream: a signed webhook or the MQTT broker.
    public enum Upstream: Sendable, Equatable {
        case webhook(url: String, secretFile: String)
        case mqtt
    }

    public var robots: [Robot] = []
    public var mqtt: MQTT?
    public var upstream: Upstream?
    /// Whether the wall clock must be synchronised (NTP or the network) before signed requests
    /// go out; `assumed` is for a lab without time service.
    public var clockPolicy: String = "synchronized"
    public var caFile: String?

    public init() {}

    /// Reads the sections from a parsed configuration; issues go to the same list.
    static func read(_ root: ConfigReader) -> UplinkConfiguration {
        var result = UplinkConfiguration()
        if let im = root.section("im") {
            var names: Set<String> = []
            for robot in im.tables("robot") {
                guard let name = robot.string("name", fix: "name the robot, such as \"保卫处群\"") else { continue }
                if !names.insert(name).inserted { robot.report("name", "\"\(name)\" is used twice; give each robot its own name") }
                let kind = robot.choice("kind", default: RobotKind.wecom, of: RobotKind.allCases)
                let url = robot.optionalString("url", fix: "give the URL, such as \"https://qyapi.weixin.qq.com\"")
                let keyFile = robot.optionalString("key_file", fix: "name the file that holds the robot's key")
                let secretFile = robot.optionalString("secret_file", fix: "name the file that holds the signing secret")
                if kind == .webhook {
                    if url == nil { robot.report("url", "missing; a webhook needs its full URL") }
                    if secretFile == nil { robot.report("secret_file", "missing; a webhook needs a whsec_ secret to sign with") }
                } else if keyFile == nil {
                    robot.report("key_file", "missing; name the file that holds the \(kind.rawValue) robot's key")
                }
                if let url, !(url.hasPrefix("https://") || url.hasPrefix("http://127.0.0.1") || url.hasPrefix("http://localhost")) {
                    robot.report("url", "\"\(url)\" must use https; plain http is allowed only to 127.0.0.1 for the simulator")
                }
                let keywords = robot.strings("keywords", default: [], fix: "list the robot's security keywords")
                let groups = robot.strings("groups", default: [], fix: "name the contact groups this robot posts for")
                if groups.isEmpty { robot.report("groups", "missing or empty; name the contact groups whose alerts go to this robot") }
                robot.rejectUnknownKeys()
                result.robots.append(Robot(name: name, kind: kind, url: url, keyFile: keyFile, secretFile: secretFile, keywords: keywords, groups: groups))
            }
            im.rejectUnknownKeys()
        }
        if let mqtt = root.section("mqtt") {
            let host = mqtt.string("host", fix: "give the broker's host name") ?? ""
            let caFile = mqtt.optionalString("ca_file", fix: "name the CA file that signed the broker's certificate")
            let port = mqtt.integer("port", default: caFile == nil ? 1883 : 8883, range: 1...65535)
            if caFile == nil, host != "127.0.0.1", host != "localhost" {
                mqtt.report("ca_file", "missing; a broker off this machine needs TLS, so name its CA file")
            }
            let username = mqtt.optionalString("username", fix: "")
            let passwordFile = mqtt.optionalString("password_file", fix: "name the file that holds the broker password")
            if username != nil, passwordFile == nil { mqtt.report("password_file", "missing; a username needs a password file") }
            let prefix = mqtt.string("topic_prefix", default: "alertbox", fix: "") ?? "alertbox"
            if prefix.contains("+") || prefix.contains("#") || prefix.hasSuffix("/") {
                mqtt.report("topic_prefix", "\"\(prefix)\" may not contain + or # or end with /")
            }
            let groups = mqtt.strings("groups", default: [], fix: "name the groups whose alerts are published to the broker")
            var publishers: [Publisher] = []
            for publisher in mqtt.tables("publisher") {
                guard let name = publisher.string("name", fix: "name the publisher as in its topic"),
                    let secret = publisher.string("secret_file", fix: "name the file that holds the publisher's shared secret")
                else { continue }
                let audience = publisher.strings("audience", default: [], fix: "name the groups its alerts go to")
                if audience.isEmpty { publisher.report("audience", "missing or empty; name the groups this publisher's alerts go to") }
                publisher.rejectUnknownKeys()
                publishers.append(Publisher(name: name, secretFile: secret, audience: audience))
            }
            mqtt.rejectUnknownKeys()
            result.mqtt = MQTT(
                host: host, port: port, caFile: caFile, username: username, passwordFile: passwordFile, topicPrefix: prefix, groups: groups,
                publishers: publishers)
        }
        if let upstream = root.section("upstream") {
            let kind = upstream.string("kind", fix: "write \"webhook\" or \"mqtt\"") ?? ""
            switch kind {
            case "webhook":
                let url = upstream.string("url", fix: "give the webhook's URL") ?? ""
                let secret = upstream.string("secret_file", fix: "name the file that holds the webhook's whsec_ secret") ?? ""
                result.upstream = .webhook(url: url, secretFile: secret)
            case "mqtt":
                if result.mqtt == nil { upstream.report("kind", "\"mqtt\" needs an [mqtt] section") }
                result.upstream = .mqtt
            case "":
                break
            default:
                upstream.report("kind", "\"\(kind)\" is not known; write \"webhook\" or \"mqtt\"")
            }
            upstream.rejectUnknownKeys()
        }
        if let uplink = root.section("uplink") {
            result.clockPolicy = uplink.string("clock", default: "synchronized", fix: "") ?? "synchronized"
            if !["synchronized", "assumed"].contains(result.clockPolicy) {
                uplink.report("clock", "\"\(result.clockPolicy)\" is not known; write \"synchronized\" (default) or \"assumed\" for a lab without time service")
            }
            result.caFile = uplink.optionalString("ca_file", fix: "name a CA bundle for the robots' HTTPS")
            uplink.rejectUnknownKeys()
        }
        return result
    }
}
