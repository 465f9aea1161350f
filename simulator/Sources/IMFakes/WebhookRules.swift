import Core
import Foundation

/// The checks of a Standard Webhooks 1.0 receiver, `POST <path>` with the headers
/// `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`.
///
/// The signature list contains space-separated `v1,<base64>` entries, to allow key
/// rotation, and one must equal HMAC-SHA256 over `id.timestamp.body` with the robot's key. A timestamp more
/// than five minutes off is rejected as a replay. An id seen before is not processed
/// again: by default the receiver answers 200 so that the sender stops retrying, and
/// records the request as a duplicate.
/// Answers: 200 accepted, 400 missing header or stale timestamp, 401 bad signature, 413
/// over 64 KiB, 429 over a configured rate limit.
enum WebhookRules {
    static let tolerance: Int64 = 300
    static let bodyLimit = 65_536

    static func robot(of request: FakeHTTPRequest, in state: FakeServerState) -> FakeRobot? {
        state.robot(credential: request.path)
    }

    static func evaluate(_ request: FakeHTTPRequest, in state: inout FakeServerState, now: MonotonicInstant, wallNow: WallTime) -> FakeVerdict {
        guard let robot = robot(of: request, in: state) else {
            return .rejected(reply(404, "no receiver at this path"), robot: nil, code: nil, reason: "unknown path \(request.path)")
        }
        guard request.method == "POST" else {
            return .rejected(reply(405, "use POST"), robot: robot.name, code: nil, reason: "method \(request.method) instead of POST")
        }
        guard request.body.count <= bodyLimit else {
            return .rejected(reply(413, "body too large"), robot: robot.name, code: nil, reason: "the body is \(request.body.count) bytes, over \(bodyLimit)")
        }

        guard let id = request.header("webhook-id"), !id.isEmpty, let timestamp = request.header("webhook-timestamp"),
            let signatures = request.header("webhook-signature")
        else {
            return .rejected(reply(400, "missing webhook headers"), robot: robot.name, code: nil, reason: "webhook-id, webhook-timestamp or webhook-signature missing")
        }
        let text = FakeVerdict.jsonObject(request.body)?["text"] as? String
        guard let seconds = Int64(timestamp), abs(wallNow.secondsSinceEpoch - seconds) <= tolerance else {
            return .rejected(
                reply(400, "timestamp outside tolerance"), robot: robot.name, code: nil,
                reason: "webhook-timestamp not a number or more than \(tolerance) s off", text: text)
        }

        let key = robot.secret.flatMap(FakeSigning.webhookKey) ?? []
        let expected = FakeSigning.standardWebhookSignature(key: key, id: id, timestamp: timestamp, body: request.body)
        let matches = signatures.split(separator: " ").contains { FakeSigning.constantTimeEqual(String($0), expected) }
        guard matches else {
            return .rejected(reply(401, "invalid signature"), robot: robot.name, code: nil, reason: "no v1 signature matches the receiver's secret", text: text)
        }

        // A duplicate is checked before the rate limit, so it does not count against it.
        guard !state.hasSeen(id, robot: robot.name) else {
            return .rejected(
                reply(robot.duplicateStatus, "duplicate webhook-id"), robot: robot.name, code: nil, reason: "duplicate webhook-id, not processed again",
                text: text)
        }
        guard state.admit(robot: robot, at: now) else {
            return .rejected(rateLimited(robot), robot: robot.name, code: nil, reason: "over the rate limit", text: text)
        }
        state.remember(id, robot: robot.name)
        return .accepted(reply(200, "received"), robot: robot.name, code: nil, text: text)
    }

    static func rateLimited(_ robot: FakeRobot) -> FakeHTTPResponse {
        var response = reply(429, "rate limited")
        response.headers.append(FakeHTTPResponse.HTTPField("Retry-After", "60"))
        return response
    }

    private static func reply(_ status: Int, _ message: String) -> FakeHTTPResponse {
        .json(FakeVerdict.jsonText(["status": status, "message": message]), status: status)
    }
}
