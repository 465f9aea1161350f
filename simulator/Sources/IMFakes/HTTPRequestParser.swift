import Foundation

/// An incremental HTTP/1.1 request parser for one connection.
///
/// It takes bytes as they arrive and yields complete requests in order, so a keep-alive
/// connection may carry several. Bodies must have a `Content-Length`; the IM clients never
/// send chunked requests, so `Transfer-Encoding` is rejected with 411.
/// RFC 9112 §2-§6.
struct HTTPRequestParser {
    /// The result of one parsing step.
    enum Step: Equatable {
        /// A complete request; call `next()` again for a pipelined one.
        case request(FakeHTTPRequest)
        /// More bytes are needed.
        case incomplete
        /// The bytes are not an acceptable request. The server responds with `status` and
        /// closes the connection.
        case invalid(status: Int, reason: String)
    }

    /// The limit of the request line and header fields together, in bytes.
    static let headLimit = 16_384

    /// The limit of a request body, in bytes.
    let bodyLimit: Int
    private var buffer: [UInt8] = []

    init(bodyLimit: Int) {
        self.bodyLimit = bodyLimit
    }

    /// Whether bytes of an unfinished request are buffered.
    var hasPartialRequest: Bool {
        !buffer.isEmpty
    }

    mutating func append(_ bytes: [UInt8]) {
        buffer += bytes
    }

    /// Parses the next request from the buffered bytes.
    mutating func next() -> Step {
        guard let headEnd = Self.endOfHead(in: buffer) else {
            return buffer.count > Self.headLimit
                ? .invalid(status: 431, reason: "the request head exceeds \(Self.headLimit) bytes") : .incomplete
        }
        let head = String(decoding: buffer[..<headEnd], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        let requestLine = lines.removeFirst().split(separator: " ", omittingEmptySubsequences: false)
        guard requestLine.count == 3, requestLine[2].hasPrefix("HTTP/1.") else {
            return .invalid(status: 400, reason: "the request line is not METHOD TARGET HTTP/1.x")
        }

        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else {
                return .invalid(status: 400, reason: "header line without a colon")
            }
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            headers.append((name, value))
        }

        if headers.contains(where: { $0.name.lowercased() == "transfer-encoding" }) {
            return .invalid(status: 411, reason: "chunked bodies are not supported; send Content-Length")
        }
        let lengthText = headers.first { $0.name.lowercased() == "content-length" }?.value ?? "0"
        guard let length = Int(lengthText), length >= 0 else {
            return .invalid(status: 400, reason: "invalid Content-Length \"\(lengthText)\"")
        }
        guard length <= bodyLimit else {
            return .invalid(status: 413, reason: "the body of \(length) bytes exceeds the server's limit of \(bodyLimit) bytes")
        }

        let bodyStart = headEnd + 4
        guard buffer.count >= bodyStart + length else { return .incomplete }
        let body = Array(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        return .request(
            FakeHTTPRequest(
                method: String(requestLine[0]), target: String(requestLine[1]), version: String(requestLine[2]), headers: headers,
                body: body))
    }

    /// Returns the index of the CR LF CR LF that ends the head, or nil.
    private static func endOfHead(in bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index
        }
        return nil
    }
}
