import Foundation

/// One request a fake server received, accepted or rejected, as `im_received` lists it.
public struct IMRecord: Sendable, Equatable {
    /// The position among the requests of all fake servers, from 0.
    public let index: Int
    public let api: FakeAPI
    /// The number of the connection that carried the request, from 1 per server, or nil
    /// for a request rejected before parsing.
    public let connection: Int?
    /// The robot the request named, or nil when it named none that is configured.
    public let robot: String?
    public let method: String
    /// The request target as sent, credentials included, so that tests can check the
    /// encoding of `sign`.
    public let target: String
    public let headers: [String: String]
    /// The body as UTF-8 text.
    public let body: String
    /// Whether the real service would have posted the message.
    public let accepted: Bool
    /// The HTTP status sent, or nil when the fault sent none.
    public let status: Int?
    /// The business code of the reply (`errcode` or `code`), or nil.
    public let code: Int?
    /// `accepted`, or why the request was rejected.
    public let reason: String
    /// The message text the request carried, when it could be read.
    public let text: String?
    /// The name of the fault applied, or nil.
    public let fault: String?
    /// Milliseconds since the fake servers started, in real time.
    public let atMilliseconds: Int64
    /// The instant the request was recorded, in `CLOCK_MONOTONIC` nanoseconds, the clock of
    /// GPIO edges and of the `sends` op, so latencies can be taken across them.
    public let monotonicNanoseconds: Int64

    init(
        index: Int, api: FakeAPI, connection: Int?, request: FakeHTTPRequest, verdict: FakeVerdict?, robot: String?, status: Int?, fault: FakeFault.Kind?,
        reason: String? = nil, atMilliseconds: Int64, monotonicNanoseconds: Int64
    ) {
        self.index = index
        self.api = api
        self.connection = connection
        self.robot = verdict?.robot ?? robot
        method = request.method
        target = request.target
        var headers: [String: String] = [:]
        for field in request.headers {
            headers[field.name.lowercased()] = field.value
        }
        self.headers = headers
        body = String(decoding: request.body, as: UTF8.self)
        accepted = verdict?.accepted ?? false
        self.status = status
        code = verdict?.code
        self.reason = reason ?? verdict?.reason ?? "no verdict"
        text = verdict?.text
        self.fault = fault?.name
        self.atMilliseconds = atMilliseconds
        self.monotonicNanoseconds = monotonicNanoseconds
    }

    /// The record as a JSON object for control replies.
    var json: [String: Any] {
        [
            "index": index, "api": api.rawValue, "connection": connection ?? NSNull(), "robot": robot ?? NSNull(), "method": method, "target": target, "headers": headers,
            "body": body, "accepted": accepted, "status": status ?? NSNull(), "code": code ?? NSNull(), "reason": reason,
            "text": text ?? NSNull(), "fault": fault ?? NSNull(), "at_ms": atMilliseconds,
            "at_ns": monotonicNanoseconds,
        ]
    }
}
