import Core

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
        /// The client certificate and its unencrypted key, both PEM, for a broker that
        /// requires one; both or neither, and only with `caFile`.
        public var certificateFile: String?
        public var keyFile: String?
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
                guard let name = robot.string("name", fix: LocalizedText(zh: "请给机器人命名，例如 \"保卫处群\"", en: "name the robot, such as \"保卫处群\"")) else { continue }
                if !names.insert(name).inserted {
                    robot.report("name", LocalizedText(zh: "\"\(name)\" 用了两次；每个机器人要有自己的名字", en: "\"\(name)\" is used twice; give each robot its own name"))
                }
                let kind = robot.choice("kind", default: RobotKind.wecom, of: RobotKind.allCases)
                let url = robot.optionalString("url", fix: LocalizedText(zh: "请填写 URL，例如 \"https://qyapi.weixin.qq.com\"", en: "give the URL, such as \"https://qyapi.weixin.qq.com\""))
                let keyFile = robot.optionalString("key_file", fix: LocalizedText(zh: "请填写存放机器人密钥的文件", en: "name the file that holds the robot's key"))
                let secretFile = robot.optionalString("secret_file", fix: LocalizedText(zh: "请填写存放签名密钥的文件", en: "name the file that holds the signing secret"))
                if kind == .webhook {
                    if url == nil { robot.report("url", LocalizedText(zh: "缺少此项；webhook 需要完整的 URL", en: "missing; a webhook needs its full URL")) }
                    if secretFile == nil {
                        robot.report(
                            "secret_file", LocalizedText(zh: "缺少此项；webhook 需要用于签名的 whsec_ 密钥", en: "missing; a webhook needs a whsec_ secret to sign with"))
                    }
                } else if keyFile == nil {
                    robot.report(
                        "key_file",
                        LocalizedText(zh: "缺少此项；请填写存放 \(kind.rawValue) 机器人密钥的文件", en: "missing; name the file that holds the \(kind.rawValue) robot's key"))
                }
                if let url, !(url.hasPrefix("https://") || url.hasPrefix("http://127.0.0.1") || url.hasPrefix("http://localhost")) {
                    robot.report(
                        "url",
                        LocalizedText(
                            zh: "\"\(url)\" 必须使用 https；只有连接 127.0.0.1 上的模拟器时才允许明文 http",
                            en: "\"\(url)\" must use https; plain http is allowed only to 127.0.0.1 for the simulator"))
                }
                let keywords = robot.strings("keywords", default: [], fix: LocalizedText(zh: "请列出机器人的安全关键词", en: "list the robot's security keywords"))
                let groups = robot.strings("groups", default: [], fix: LocalizedText(zh: "请填写由这个机器人推送的联系人分组", en: "name the contact groups this robot posts for"))
                if groups.isEmpty {
                    robot.report(
                        "groups",
                        LocalizedText(zh: "缺少此项或为空；请填写告警要发到这个机器人的联系人分组", en: "missing or empty; name the contact groups whose alerts go to this robot"))
                }
                robot.rejectUnknownKeys()
                result.robots.append(Robot(name: name, kind: kind, url: url, keyFile: keyFile, secretFile: secretFile, keywords: keywords, groups: groups))
            }
            im.rejectUnknownKeys()
        }
        if let mqtt = root.section("mqtt") {
            let host = mqtt.string("host", fix: LocalizedText(zh: "请填写 MQTT 代理的主机名", en: "give the broker's host name")) ?? ""
            let caFile = mqtt.optionalString("ca_file", fix: LocalizedText(zh: "请填写签发 MQTT 代理证书的 CA 文件", en: "name the CA file that signed the broker's certificate"))
            let port = mqtt.integer("port", default: caFile == nil ? 1883 : 8883, range: 1...65535)
            if caFile == nil, host != "127.0.0.1", host != "localhost" {
                mqtt.report("ca_file", LocalizedText(zh: "缺少此项；连接本机以外的 MQTT 代理必须用 TLS，请填写其 CA 文件", en: "missing; a broker off this machine needs TLS, so name its CA file"))
            }
            let certificateFile = mqtt.optionalString(
                "certificate_file", fix: LocalizedText(zh: "请填写客户端证书的 PEM 文件", en: "name the client certificate's PEM file"))
            let keyFile = mqtt.optionalString(
                "key_file", fix: LocalizedText(zh: "请填写客户端证书私钥的 PEM 文件（不加密）", en: "name the PEM file of the client certificate's unencrypted key"))
            if (certificateFile == nil) != (keyFile == nil) {
                mqtt.report(
                    certificateFile == nil ? "certificate_file" : "key_file",
                    LocalizedText(zh: "缺少此项；客户端证书和私钥要同时填写", en: "missing; the client certificate and its key go together, so set both"))
            }
            if certificateFile != nil, caFile == nil {
                mqtt.report("certificate_file", LocalizedText(zh: "客户端证书只能用于 TLS；请同时填写 ca_file", en: "a client certificate needs TLS; set ca_file too"))
            }
            let username = mqtt.optionalString("username")
            let passwordFile = mqtt.optionalString("password_file", fix: LocalizedText(zh: "请填写存放 MQTT 代理密码的文件", en: "name the file that holds the broker password"))
            if username != nil, passwordFile == nil {
                mqtt.report("password_file", LocalizedText(zh: "缺少此项；设置了 username 就需要密码文件", en: "missing; a username needs a password file"))
            }
            let prefix = mqtt.string("topic_prefix", default: "alertbox") ?? "alertbox"
            if prefix.contains("+") || prefix.contains("#") || prefix.hasSuffix("/") {
                mqtt.report(
                    "topic_prefix",
                    LocalizedText(
                        zh: "\"\(prefix)\" 不能含有 + 或 #，也不能以 / 结尾；请改用 \"alertbox\" 这样的前缀",
                        en: "\"\(prefix)\" may not contain + or # or end with /; use a prefix such as \"alertbox\""))
            }
            let groups = mqtt.strings("groups", default: [], fix: LocalizedText(zh: "请填写告警要发布到 MQTT 代理的分组", en: "name the groups whose alerts are published to the broker"))
            var publishers: [Publisher] = []
            for publisher in mqtt.tables("publisher") {
                guard let name = publisher.string("name", fix: LocalizedText(zh: "请填写发布者名称，与其主题中的一致", en: "name the publisher as in its topic")),
                    let secret = publisher.string(
                        "secret_file", fix: LocalizedText(zh: "请填写存放该发布者共享密钥的文件", en: "name the file that holds the publisher's shared secret"))
                else { continue }
                let audience = publisher.strings("audience", default: [], fix: LocalizedText(zh: "请填写其告警发往的分组", en: "name the groups its alerts go to"))
                if audience.isEmpty {
                    publisher.report(
                        "audience", LocalizedText(zh: "缺少此项或为空；请填写该发布者的告警发往的分组", en: "missing or empty; name the groups this publisher's alerts go to"))
                }
                publisher.rejectUnknownKeys()
                publishers.append(Publisher(name: name, secretFile: secret, audience: audience))
            }
            mqtt.rejectUnknownKeys()
            result.mqtt = MQTT(
                host: host, port: port, caFile: caFile, certificateFile: certificateFile, keyFile: keyFile, username: username,
                passwordFile: passwordFile, topicPrefix: prefix, groups: groups,
                publishers: publishers)
        }
        if let upstream = root.section("upstream") {
            let kind = upstream.string("kind", fix: LocalizedText(zh: "请写 \"webhook\" 或 \"mqtt\"", en: "write \"webhook\" or \"mqtt\"")) ?? ""
            switch kind {
            case "webhook":
                let url = upstream.string("url", fix: LocalizedText(zh: "请填写 webhook 的 URL", en: "give the webhook's URL")) ?? ""
                let secret = upstream.string("secret_file", fix: LocalizedText(zh: "请填写存放 webhook 的 whsec_ 密钥的文件", en: "name the file that holds the webhook's whsec_ secret")) ?? ""
                result.upstream = .webhook(url: url, secretFile: secret)
            case "mqtt":
                if result.mqtt == nil { upstream.report("kind", LocalizedText(zh: "\"mqtt\" 需要 [mqtt] 段；请添加", en: "\"mqtt\" needs an [mqtt] section; add one")) }
                result.upstream = .mqtt
            case "":
                break
            default:
                upstream.report("kind", LocalizedText(zh: "\"\(kind)\" 不是可用的值；请写 \"webhook\" 或 \"mqtt\"", en: "\"\(kind)\" is not known; write \"webhook\" or \"mqtt\""))
            }
            upstream.rejectUnknownKeys()
        }
        if let uplink = root.section("uplink") {
            result.clockPolicy = uplink.string("clock", default: "synchronized") ?? "synchronized"
            if !["synchronized", "assumed"].contains(result.clockPolicy) {
                let policy = result.clockPolicy
                uplink.report(
                    "clock",
                    LocalizedText(
                        zh: "\"\(policy)\" 不是可用的值；请写 \"synchronized\"（默认），没有授时服务的实验室可写 \"assumed\"",
                        en: "\"\(policy)\" is not known; write \"synchronized\" (default) or \"assumed\" for a lab without time service"))
            }
            result.caFile = uplink.optionalString("ca_file", fix: LocalizedText(zh: "请填写机器人 HTTPS 使用的 CA 证书包", en: "name a CA bundle for the robots' HTTPS"))
            uplink.rejectUnknownKeys()
        }
        return result
    }
}
