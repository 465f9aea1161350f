/// One HTTP/1.1 request as a fake IM server received it, with the raw body bytes.
public struct FakeHTTPRequest: Sendable, Equatable {
    public let method: String
    /// The request target as sent: the path and, after `?`, the query.
    public let target: String
    public let version: String
    /// The header fields in arrival order, names as sent.
    public let headers: [(name: String, value: String)]
    public let body: [UInt8]

    public init(method: String, target: String, version: String = "HTTP/1.1", headers: [(name: String, value: String)], body: [UInt8]) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
    }

    public static func == (lhs: FakeHTTPRequest, rhs: FakeHTTPRequest) -> Bool {
        lhs.method == rhs.method && lhs.target == rhs.target && lhs.version == rhs.version && lhs.body == rhs.body
            && lhs.headers.map(\.name) == rhs.headers.map(\.name) && lhs.headers.map(\.value) == rhs.headers.map(\.value)
    }

    /// The target before `?`, percent-decoded.
    public var path: String {
        let raw = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? target
        return Self.percentDecoded(raw, plusIsSpace: false)
    }

    /// The raw query after `?`, or an empty string.
    public var rawQuery: String {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        return parts.count == 2 ? String(parts[1]) : ""
    }

    /// Returns the first query value named `name`, decoded as a form value: `%XX` escapes are
    /// decoded and `+` becomes a space, as servers such as DingTalk's decode them.
    public func queryValue(_ name: String) -> String? {
        for pair in rawQuery.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard Self.percentDecoded(String(parts[0]), plusIsSpace: true) == name else { continue }
            return parts.count == 2 ? Self.percentDecoded(String(parts[1]), plusIsSpace: true) : ""
        }
        return nil
    }

    /// Returns the value of the first header named `name`, compared case-insensitively.
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }

    /// Whether the client asked to keep the connection open after the response: HTTP/1.1
    /// without `Connection: close`.
    public var keepAlive: Bool {
        let connection = header("Connection")?.lowercased() ?? ""
        if version == "HTTP/1.0" {
            return connection.contains("keep-alive")
        }
        return !connection.contains("close")
    }

    /// Decodes `%XX` escapes as UTF-8, and `+` as a space when `plusIsSpace` is set. A `%`
    /// that no two hex digits follow stays as it is.
    public static func percentDecoded(_ text: String, plusIsSpace: Bool) -> String {
        let source = Array(text.utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(source.count)
        var index = 0
        while index < source.count {
            let byte = source[index]
            if byte == UInt8(ascii: "%"), index + 2 < source.count,
                let high = hexValue(source[index + 1]), let low = hexValue(source[index + 2])
            {
                bytes.append(high << 4 | low)
                index += 3
                continue
            }
            bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
