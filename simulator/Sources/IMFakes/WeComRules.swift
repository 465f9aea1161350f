import Core

/// The checks of WeCom's group robot endpoint, `POST /cgi-bin/webhook/send?key=KEY`.
///
/// The key is the only credential: WeCom robots have no signing, keywords or IP whitelist.
/// Every response is HTTP 200 with `errcode` and `errmsg`. Text content may take 2048 bytes
/// of UTF-8 and markdown 4096; each robot takes 20 messages a minute, then 45009.
/// NOTE: besides 93000 and 45009, the codes come from WeChat's global error table (43002
/// POST required, 47001 data format error, 40008 invalid message type, 44004 empty content,
/// 45002 content size out of limit) and are unverified for robots.
enum WeComRules {
    static let path = "/cgi-bin/webhook/send"
    static let textLimit = 2048
    static let markdownLimit = 4096
    static let messageTypes: Set<String> = ["text", "markdown", "markdown_v2", "image", "news", "file", "voice", "template_card"]

    /// Returns the robot whose key the request carries.
    static func robot(of request: FakeHTTPRequest, in state: FakeServerState) -> FakeRobot? {
        guard request.path == path, let key = request.queryValue("key") else { return nil }
        return state.robot(credential: key)
    }

    static func evaluate(_ request: FakeHTTPRequest, in state: inout FakeServerState, now: MonotonicInstant) -> FakeVerdict {
        guard request.path == path else {
            return .rejected(.json(#"{"errcode":404,"errmsg":"not found"}"#, status: 404), robot: nil, code: nil, reason: "unknown path \(request.path)")
        }
        guard request.method == "POST" else {
            return .rejected(reply(43002, "require POST method"), robot: nil, code: 43002, reason: "method \(request.method) instead of POST")
        }
        guard let robot = robot(of: request, in: state) else {
            return .rejected(
                reply(93000, "invalid webhook url, \(hint(93000))"), robot: nil, code: 93000,
                reason: request.queryValue("key") == nil ? "no key in the query" : "the key belongs to no configured robot")
        }

        guard let body = FakeVerdict.jsonObject(request.body) else {
            return .rejected(reply(47001, "data format error, \(hint(47001))"), robot: robot.name, code: 47001, reason: "the body is not a JSON object")
        }
        guard let type = body["msgtype"] as? String, messageTypes.contains(type) else {
            return .rejected(
                reply(40008, "invalid message type, \(hint(40008))"), robot: robot.name, code: 40008, reason: "missing or unknown msgtype")
        }

        var text: String?
        if type == "text" || type == "markdown" || type == "markdown_v2" {
            let content = (body[type] as? [String: Any])?["content"] as? String ?? ""
            text = content
            guard !content.isEmpty else {
                return .rejected(reply(44004, "empty content, \(hint(44004))"), robot: robot.name, code: 44004, reason: "\(type).content is missing or empty")
            }
            let limit = type == "text" ? textLimit : markdownLimit
            guard content.utf8.count <= limit else {
                return .rejected(
                    reply(robot.oversizeCode, "content size out of limit, \(hint(robot.oversizeCode))"), robot: robot.name, code: robot.oversizeCode,
                    reason: "\(type).content is \(content.utf8.count) bytes, over \(limit)", text: text)
            }
        }

        guard state.admit(robot: robot, at: now) else {
            return .rejected(rateLimited(robot), robot: robot.name, code: 45009, reason: "over the rate limit", text: text)
        }
        return .accepted(reply(0, "ok"), robot: robot.name, code: 0, text: text)
    }

    static func rateLimited(_ robot: FakeRobot) -> FakeHTTPResponse {
        reply(45009, "api freq out of limit, \(hint(45009))")
    }

    private static func reply(_ code: Int, _ message: String) -> FakeHTTPResponse {
        .json(FakeVerdict.jsonText(["errcode": code, "errmsg": message]))
    }

    /// Returns the tail that WeCom appends to error messages: a request id, the caller's address and a
    /// link to the code's page.
    private static func hint(_ code: Int) -> String {
        let id = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        return "hint: [\(id)], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=\(code)"
    }
}
