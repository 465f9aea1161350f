import Core
import Foundation

/// The checks of DingTalk's custom robot endpoint, `POST /robot/send?access_token=TOKEN`.
///
/// Every response is HTTP 200 with `errcode` and `errmsg`. A robot with a secret requires
/// `timestamp` (milliseconds) and `sign` in the query: base64 of HMAC-SHA256 keyed by the
/// secret over `timestamp + "\n" + secret`, URL-encoded, with the timestamp within one hour
/// of the server's clock. Security failures share errcode 310000 and differ in errmsg.
/// Each robot takes 20 messages a minute; one more blocks it for 10 minutes.
/// NOTE: 40035 for a body that is not JSON and 460101 for an oversize body are guesses;
/// DingTalk documents neither, and only the errmsg `message too long, exceed 20000 bytes`
/// is known.
enum DingTalkRules {
    static let path = "/robot/send"
    static let bodyLimit = 20_000
    /// The timestamp window of a signature, either way.
    static let signatureWindow: Duration = .seconds(3600)
    static let messageTypes: Set<String> = ["text", "markdown", "link", "actionCard", "feedCard"]

    static func robot(of request: FakeHTTPRequest, in state: FakeServerState) -> FakeRobot? {
        guard request.path == path, let token = request.queryValue("access_token") else { return nil }
        return state.robot(credential: token)
    }

    static func evaluate(_ request: FakeHTTPRequest, in state: inout FakeServerState, now: MonotonicInstant, wallNow: WallTime) -> FakeVerdict {
        guard request.path == path else {
            return .rejected(.json(#"{"errcode":404,"errmsg":"not found"}"#, status: 404), robot: nil, code: nil, reason: "unknown path \(request.path)")
        }
        guard request.method == "POST" else {
            return .rejected(reply(43002, "需要POST请求"), robot: nil, code: 43002, reason: "method \(request.method) instead of POST")
        }
        guard let token = request.queryValue("access_token"), !token.isEmpty else {
            return .rejected(reply(40035, "缺少参数 access_token"), robot: nil, code: 40035, reason: "no access_token in the query")
        }
        guard let robot = state.robot(credential: token) else {
            return .rejected(reply(300_005, "token is not exist"), robot: nil, code: 300_005, reason: "the access_token belongs to no configured robot")
        }
        guard Self.isUTF8JSON(request.header("Content-Type")) else {
            return .rejected(
                reply(43004, "无效的HTTP HEADER Content-Type"), robot: robot.name, code: 43004,
                reason: "Content-Type is not application/json with UTF-8")
        }
        if let failure = signatureFailure(request, robot: robot, wallNow: wallNow) {
            return .rejected(reply(310_000, failure.message), robot: robot.name, code: 310_000, reason: failure.reason)
        }

        guard let body = FakeVerdict.jsonObject(request.body) else {
            return .rejected(reply(40035, "缺少参数 json"), robot: robot.name, code: 40035, reason: "the body is not a JSON object")
        }
        guard let type = body["msgtype"] as? String, messageTypes.contains(type) else {
            return .rejected(reply(400_105, "不支持的消息类型"), robot: robot.name, code: 400_105, reason: "missing or unknown msgtype")
        }
        let texts = Self.texts(of: body, type: type)
        let text = texts.joined(separator: "\n")
        guard request.body.count <= bodyLimit else {
            return .rejected(
                reply(460_101, "message too long, exceed \(bodyLimit) bytes"), robot: robot.name, code: 460_101,
                reason: "the body is \(request.body.count) bytes, over \(bodyLimit)", text: text)
        }
        if !robot.keywords.isEmpty, !robot.keywords.contains(where: { keyword in texts.contains { $0.contains(keyword) } }) {
            return .rejected(reply(310_000, "keywords not in content"), robot: robot.name, code: 310_000, reason: "none of the robot's keywords in the message", text: text)
        }

        guard state.admit(robot: robot, at: now) else {
            return .rejected(rateLimited(robot), robot: robot.name, code: robot.rateLimitCode, reason: "over the rate limit or blocked", text: text)
        }
        return .accepted(reply(0, "ok"), robot: robot.name, code: 0, text: text)
    }

    static func rateLimited(_ robot: FakeRobot) -> FakeHTTPResponse {
        robot.rateLimitCode == 410_100
            ? reply(410_100, "发送速度太快而限流") : reply(130_101, "send too fast, exceed 20 times per minute")
    }

    /// Checks the timestamp and sign of a robot with a secret; returns the errmsg and the
    /// recorded reason of a failure, or nil.
    private static func signatureFailure(_ request: FakeHTTPRequest, robot: FakeRobot, wallNow: WallTime) -> (message: String, reason: String)? {
        guard let secret = robot.secret else { return nil }
        guard let timestamp = request.queryValue("timestamp"), let milliseconds = Int64(timestamp) else {
            return ("invalid timestamp", "timestamp missing or not a number of milliseconds")
        }
        let skew = abs(wallNow.nanosecondsSinceEpoch / 1_000_000 - milliseconds)
        guard skew <= signatureWindow.nanoseconds / 1_000_000 else {
            return ("invalid timestamp", "timestamp \(skew) ms away from the server's clock, over one hour")
        }
        // queryValue decodes as a form value, so an unencoded + arrives as a space and fails.
        guard let sign = request.queryValue("sign"),
            FakeSigning.constantTimeEqual(sign, FakeSigning.dingTalkSign(timestamp: timestamp, secret: secret))
        else {
            return ("sign not match", "sign missing or not the HMAC of the timestamp and the robot's secret")
        }
        return nil
    }

    private static func isUTF8JSON(_ contentType: String?) -> Bool {
        let value = (contentType ?? "").lowercased().replacingOccurrences(of: " ", with: "")
        guard value.hasPrefix("application/json") else { return false }
        guard let charset = value.split(separator: ";").first(where: { $0.hasPrefix("charset=") }) else { return true }
        return charset == "charset=utf-8"
    }

    /// Returns the texts where DingTalk looks for keywords: the content, title and text fields.
    private static func texts(of body: [String: Any], type: String) -> [String] {
        let part = body[type] as? [String: Any] ?? [:]
        return ["content", "title", "text"].compactMap { part[$0] as? String }
    }

    private static func reply(_ code: Int, _ message: String) -> FakeHTTPResponse {
        .json(FakeVerdict.jsonText(["errcode": code, "errmsg": message]))
    }
}
