import Foundation

/// A fake API's response to one request and what the recording keeps about it.
struct FakeVerdict {
    var response: FakeHTTPResponse
    /// The robot the request named, or nil when it named none that is configured.
    var robot: String?
    /// Whether the real service would have posted the message.
    var accepted: Bool
    /// The business code of the reply (`errcode` or `code`), or nil for a webhook.
    var code: Int?
    /// The cause of a rejection, or `accepted`. It names no secret.
    var reason: String
    /// The message text the request carried, when it could be read.
    var text: String?

    static func accepted(_ response: FakeHTTPResponse, robot: String, code: Int?, text: String?) -> FakeVerdict {
        FakeVerdict(response: response, robot: robot, accepted: true, code: code, reason: "accepted", text: text)
    }

    static func rejected(_ response: FakeHTTPResponse, robot: String?, code: Int?, reason: String, text: String? = nil) -> FakeVerdict {
        FakeVerdict(response: response, robot: robot, accepted: false, code: code, reason: reason, text: text)
    }

    /// Parses a request body as a JSON object, or returns nil.
    static func jsonObject(_ body: [UInt8]) -> [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
    }

    /// Renders a JSON reply with sorted keys, or nil when `object` is not valid JSON.
    static func jsonText(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "{}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
