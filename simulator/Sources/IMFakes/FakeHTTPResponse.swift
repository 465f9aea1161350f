/// An HTTP/1.1 response that a fake IM server sends.
public struct FakeHTTPResponse: Sendable, Equatable {
    public var status: Int
    public var headers: [HTTPField]
    public var body: [UInt8]

    /// One response header field.
    public struct HTTPField: Sendable, Equatable {
        public let name: String
        public let value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(status: Int, headers: [HTTPField] = [], body: [UInt8]) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// Returns a JSON response with `Content-Type: application/json; charset=utf-8`, as the IM
    /// APIs send.
    public static func json(_ text: String, status: Int = 200) -> FakeHTTPResponse {
        FakeHTTPResponse(status: status, headers: [HTTPField("Content-Type", "application/json; charset=utf-8")], body: Array(text.utf8))
    }

    /// Returns an HTML error page, as a load balancer in front of an API sends with a 5xx status.
    public static func html(status: Int) -> FakeHTTPResponse {
        let reason = reasonPhrase(status)
        let page = "<html><head><title>\(status) \(reason)</title></head><body><center><h1>\(status) \(reason)</h1></center></body></html>\n"
        return FakeHTTPResponse(status: status, headers: [HTTPField("Content-Type", "text/html")], body: Array(page.utf8))
    }

    /// The body as UTF-8 text, for recordings.
    public var bodyText: String {
        String(decoding: body, as: UTF8.self)
    }

    /// Serializes the status line, the header fields with `Content-Length` and
    /// `Connection`, and the body.
    func serialized(keepAlive: Bool) -> [UInt8] {
        var head = "HTTP/1.1 \(status) \(Self.reasonPhrase(status))\r\n"
        for field in headers {
            head += "\(field.name): \(field.value)\r\n"
        }
        head += "Content-Length: \(body.count)\r\n"
        head += keepAlive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n"
        return Array(head.utf8) + body
    }

    /// Returns the reason phrase of the statuses the fakes send (RFC 9110 §15).
    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: "Status"
        }
    }
}
