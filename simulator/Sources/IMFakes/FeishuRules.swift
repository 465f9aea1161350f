import Core
import Foundation

/// The checks of Feishu's custom bot endpoint, `POST /open-apis/bot/v2/hook/TOKEN`.
///
/// A bot with a secret requires `timestamp` (seconds) and `sign` at the top of the JSON
/// body: base64 of HMAC-SHA256 keyed by `timestamp + "\n" + secret` over an empty message,
/// with the timestamp within one hour. A failure is code 19021, a keyword miss 19024. The
/// body may take 20 KB; a larger or malformed one is 9499 `Bad Request`. Each bot takes 5
/// messages a second and 100 a minute, then 11232, or HTTP 400 with 9499 `too many
/// request` as observed in the field. Every other response is HTTP 200.
/// NOTE: Feishu documents no code for an unknown hook token, so 19001 is unverified. Nor is
/// it known whether 9499 `Bad Request`, 19021 and 19024 come with HTTP 200 or 4xx.
enum FeishuRules {
    static let pathPrefix = "/open-apis/bot/v2/hook/"
    static let bodyLimit = 20 * 1024
    static let signatureWindow: Int64 = 3600
    static let messageTypes: Set<String> = ["text", "post", "image", "share_chat", "interactive"]

    static func robot(of request: FakeHTTPRequest, in state: FakeServerState) -> FakeRobot? {
        guard request.path.hasPrefix(pathPrefix) else { return nil }
        return state.robot(credential: String(request.path.dropFirst(pathPrefix.count)))
    }

    static func evaluate(_ request: FakeHTTPRequest, in state: inout FakeServerState, now: MonotonicInstant, wallNow: WallTime) -> FakeVerdict {
        guard request.path.hasPrefix(pathPrefix) else {
            return .rejected(.json(#"{"code":404,"msg":"404 page not found"}"#, status: 404), robot: nil, code: nil, reason: "unknown path \(request.path)")
        }
        guard request.method == "POST" else {
            return .rejected(.json(#"{"code":404,"msg":"404 page not found"}"#, status: 404), robot: nil, code: nil, reason: "method \(request.method) instead of POST")
        }
        guard let robot = robot(of: request, in: state) else {
            return .rejected(
                reply(19001, "param invalid: incoming webhook access token invalid"), robot: nil, code: 19001,
                reason: "the hook token belongs to no configured bot")
        }
        guard request.body.count <= bodyLimit else {
            return .rejected(reply(9499, "Bad Request"), robot: robot.name, code: 9499, reason: "the body is \(request.body.count) bytes, over \(bodyLimit)")
        }
        guard let body = FakeVerdict.jsonObject(request.body) else {
            return .rejected(reply(9499, "Bad Request"), robot: robot.name, code: 9499, reason: "the body is not a JSON object")
        }
        if let failure = signatureFailure(body, robot: robot, wallNow: wallNow) {
            return .rejected(
                reply(19021, "sign match fail or timestamp is not within one hour from current time"), robot: robot.name, code: 19021, reason: failure)
        }

        let type = body["msg_type"] as? String ?? ""
        let text = ((body["content"] as? [String: Any])?["text"] as? String)
        if let shapeError = shapeError(body, type: type) {
            return .rejected(reply(9499, "Bad Request"), robot: robot.name, code: 9499, reason: shapeError, text: text)
        }
        // Keywords are searched in the text, or in the whole body for other message types.
        let searched = text ?? String(decoding: request.body, as: UTF8.self)
        if !robot.keywords.isEmpty, !robot.keywords.contains(where: { searched.contains($0) }) {
            return .rejected(reply(19024, "Key Words Not Found"), robot: robot.name, code: 19024, reason: "none of the bot's keywords in the message", text: text)
        }

        guard state.admit(robot: robot, at: now) else {
            return .rejected(rateLimited(robot), robot: robot.name, code: robot.rateLimitCode, reason: "over the rate limit", text: text)
        }
        var success: [String: Any] = ["code": 0, "msg": "success", "data": [String: Any]()]
        if robot.legacySuccessFields {
            success["Extra"] = NSNull()
            success["StatusCode"] = 0
            success["StatusMessage"] = "success"
        }
        return .accepted(.json(FakeVerdict.jsonText(success)), robot: robot.name, code: 0, text: text)
    }

    static func rateLimited(_ robot: FakeRobot) -> FakeHTTPResponse {
        // NOTE: the msg of 11232 is not documented; this text is a placeholder.
        robot.rateLimitCode == 9499 ? reply(9499, "too many request", status: 400) : reply(11232, "frequency limited")
    }

    /// Checks the body's timestamp and sign for a bot with a secret; returns the reason of a
    /// failure, or nil.
    private static func signatureFailure(_ body: [String: Any], robot: FakeRobot, wallNow: WallTime) -> String? {
        guard let secret = robot.secret else { return nil }
        // The official examples send the timestamp as a string; a number is accepted too.
        let timestamp = (body["timestamp"] as? String) ?? (body["timestamp"] as? NSNumber).map { $0.stringValue }
        guard let timestamp, let seconds = Int64(timestamp) else {
            return "timestamp missing or not a number of seconds"
        }
        let skew = abs(wallNow.secondsSinceEpoch - seconds)
        guard skew <= signatureWindow else {
            return "timestamp \(skew) s away from the server's clock, over one hour"
        }
        guard let sign = body["sign"] as? String, FakeSigning.constantTimeEqual(sign, FakeSigning.feishuSign(timestamp: timestamp, secret: secret)) else {
            return "sign missing or not the HMAC keyed by the timestamp and the bot's secret"
        }
        return nil
    }

    /// Returns why the message's shape is wrong, or nil.
    private static func shapeError(_ body: [String: Any], type: String) -> String? {
        guard messageTypes.contains(type) else {
            return "missing or unknown msg_type"
        }
        switch type {
        case "text":
            return ((body["content"] as? [String: Any])?["text"] as? String) == nil ? "text message without content.text" : nil
        case "interactive":
            return body["card"] is [String: Any] ? nil : "interactive message without a top-level card object"
        default:
            return body["content"] is [String: Any] ? nil : "\(type) message without a content object"
        }
    }

    private static func reply(_ code: Int, _ message: String, status: Int = 200) -> FakeHTTPResponse {
        .json(FakeVerdict.jsonText(["code": code, "msg": message, "data": [String: Any]()]), status: status)
    }
}
