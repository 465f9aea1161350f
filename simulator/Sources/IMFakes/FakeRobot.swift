import Foundation

/// One robot of a fake IM server: its credential and the security settings and limits that
/// the real service enforces on it.
public struct FakeRobot: Sendable, Equatable {
    /// A name unique across all fake servers, which control requests use.
    public var name: String
    public var api: FakeAPI
    /// The WeCom key, DingTalk access token, Feishu hook token or webhook path.
    public var credential: String
    /// The signing secret: DingTalk `SEC…`, Feishu, or a Standard Webhooks `whsec_…`
    /// secret; nil when the robot does not check signatures. WeCom robots have none.
    public var secret: String?
    /// The custom keywords, of which a message must contain one; empty when the robot has
    /// no keyword setting. WeCom robots have none.
    public var keywords: [String]
    public var rateRules: [RateLimiter.Rule]
    public var block: Duration?
    /// The rate limit code: DingTalk 130101 (the older code) or 410100, Feishu 11232 or
    /// 9499 (`too many request` with HTTP 400, as observed), WeCom 45009.
    public var rateLimitCode: Int
    /// WeCom's errcode for content over its byte limit.
    /// NOTE: WeCom documents no code for this; 45002 is WeChat's generic `content size out
    /// of limit` and is unverified for robots.
    public var oversizeCode: Int
    /// The HTTP status of a webhook request whose `webhook-id` was seen before: 200 drops
    /// the duplicate quietly as Standard Webhooks receivers do, 409 makes it visible.
    public var duplicateStatus: Int
    /// Whether Feishu's success reply also carries the legacy `Extra`, `StatusCode` and
    /// `StatusMessage` fields.
    public var legacySuccessFields: Bool

    /// Creates a robot with the real service's limits and a fresh random credential.
    public init(name: String, api: FakeAPI) {
        self.name = name
        self.api = api
        credential = api == .webhook ? "/webhook/\(name)" : UUID().uuidString.lowercased()
        secret = api == .webhook ? "whsec_" + Data((0..<24).map { _ in UInt8.random(in: 0...255) }).base64EncodedString() : nil
        keywords = []
        rateRules = api.defaultRateRules
        block = api.defaultBlock
        switch api {
        case .weCom: rateLimitCode = 45009
        case .dingTalk: rateLimitCode = 130_101
        case .feishu: rateLimitCode = 11232
        case .webhook: rateLimitCode = 429
        }
        oversizeCode = 45002
        duplicateStatus = 200
        legacySuccessFields = false
    }

    /// Applies the fields of a configuration entry or an `im_robot` request; fields left
    /// out keep their value.
    /// - Throws: `IMFakeError` naming the field and the expected value.
    public mutating func apply(_ fields: [String: Any]) throws(IMFakeError) {
        if let credential = fields[api.credentialField] {
            guard let text = credential as? String, !text.isEmpty, !text.contains(where: { " ?&#%".contains($0) }) else {
                throw IMFakeError("invalid \"\(api.credentialField)\" of robot \(name): give a non-empty string without spaces, ?, &, # or %")
            }
            guard api != .webhook || text.hasPrefix("/") else {
                throw IMFakeError("invalid \"path\" of robot \(name): a webhook path starts with /")
            }
            self.credential = text
        }
        if fields.keys.contains("secret") {
            try applySecret(fields["secret"])
        }
        if let keywords = fields["keywords"] {
            guard let list = keywords as? [String], list.count <= 10, !list.contains(where: \.isEmpty) else {
                throw IMFakeError("invalid \"keywords\" of robot \(name): give a list of at most 10 non-empty strings")
            }
            guard list.isEmpty || api == .dingTalk || api == .feishu else {
                throw IMFakeError("robot \(name) is a \(api) robot, which has no keyword setting; remove \"keywords\"")
            }
            self.keywords = list
        }
        if let rules = fields["rate_limits"] {
            self.rateRules = try Self.rules(rules, robot: name)
        }
        if fields.keys.contains("block") || fields.keys.contains("block_ms") {
            block = FakeFields.duration(fields, "block")
        }
        if let code = fields["rate_limit_code"] {
            let allowed: [Int]
            switch api {
            case .weCom: allowed = [45009]
            case .dingTalk: allowed = [130_101, 410_100]
            case .feishu: allowed = [11232, 9499]
            case .webhook: allowed = [429]
            }
            guard let value = (code as? NSNumber)?.intValue, allowed.contains(value) else {
                throw IMFakeError("invalid \"rate_limit_code\" of robot \(name): a \(api) robot takes one of \(allowed)")
            }
            rateLimitCode = value
        }
        if let code = fields["oversize_errcode"] {
            guard let value = (code as? NSNumber)?.intValue else {
                throw IMFakeError("invalid \"oversize_errcode\" of robot \(name): give a number such as 45002")
            }
            oversizeCode = value
        }
        if let status = fields["duplicate_status"] {
            guard let value = (status as? NSNumber)?.intValue, (200...599).contains(value) else {
                throw IMFakeError("invalid \"duplicate_status\" of robot \(name): give an HTTP status such as 200 or 409")
            }
            duplicateStatus = value
        }
        if let legacy = fields["legacy_success_fields"] as? Bool {
            legacySuccessFields = legacy
        }
    }

    private mutating func applySecret(_ value: Any?) throws(IMFakeError) {
        guard let text = value as? String, !text.isEmpty else {
            guard api != .webhook else {
                throw IMFakeError("robot \(name) is a webhook receiver, which needs a \"secret\" of the form whsec_<base64>")
            }
            secret = nil
            return
        }
        guard api != .weCom else {
            throw IMFakeError("robot \(name) is a WeCom robot, which has no signing; remove \"secret\"")
        }
        guard api != .webhook || FakeSigning.webhookKey(text) != nil else {
            throw IMFakeError("invalid \"secret\" of robot \(name): a webhook secret is whsec_ followed by base64")
        }
        secret = text
    }

    private static func rules(_ value: Any, robot: String) throws(IMFakeError) -> [RateLimiter.Rule] {
        guard let list = value as? [[String: Any]] else {
            throw IMFakeError("invalid \"rate_limits\" of robot \(robot): give a list such as [{\"count\":20,\"window_ms\":60000}]")
        }
        var rules: [RateLimiter.Rule] = []
        for entry in list {
            guard let count = (entry["count"] as? NSNumber)?.intValue, count >= 0, let window = FakeFields.duration(entry, "window"),
                window > .zero
            else {
                throw IMFakeError("invalid entry in \"rate_limits\" of robot \(robot): each needs \"count\" and \"window_ms\" (or \"window\" in seconds)")
            }
            rules.append(RateLimiter.Rule(count: count, window: window))
        }
        return rules
    }

    /// Returns the robot as a JSON object for control replies, secrets included, because
    /// tests need them to sign and the control socket is readable by its owner only.
    func json(baseURL: String) -> [String: Any] {
        var object: [String: Any] = [
            "name": name, "api": api.rawValue, api.credentialField: credential, "url": api.url(baseURL: baseURL, credential: credential),
            "base_url": baseURL, "keywords": keywords, "secret": secret ?? NSNull(), "rate_limit_code": rateLimitCode,
            "rate_limits": rateRules.map { ["count": $0.count, "window_ms": $0.window.nanoseconds / 1_000_000] },
            "block_ms": block.map { $0.nanoseconds / 1_000_000 as Any } ?? NSNull(),
        ]
        if api == .webhook {
            object["duplicate_status"] = duplicateStatus
        }
        return object
    }
}

/// Readers of JSON fields shared by configuration and control requests.
enum FakeFields {
    /// Reads a duration from `<key>_ms` in milliseconds or `<key>` in seconds, as the
    /// simulator's control protocol writes durations.
    static func duration(_ fields: [String: Any], _ key: String) -> Duration? {
        if let milliseconds = (fields[key + "_ms"] as? NSNumber)?.doubleValue {
            return .milliseconds(Int64(milliseconds))
        }
        return (fields[key] as? NSNumber).map { .milliseconds(Int64($0.doubleValue * 1000)) }
    }
}
