import CCurl
public import Core
import Glibc
import Hardware

/// An HTTP client for IM requests, owning one libcurl easy handle on its own thread.
///
/// `curl_easy_perform` blocks until the response arrives or a timeout fires, so the actor
/// runs on an `EventLoop` thread of its own and never occupies Swift's shared concurrency
/// pool. One client sends one request at a time; give each IM worker its own client. The
/// handle keeps its connection and DNS caches between requests, which saves a TCP and TLS
/// handshake per message over a cellular link.
///
/// TLS verification of the peer and the host name is always on, and TLS 1.2 is the minimum.
/// Only http and https are allowed, and redirects are not followed.
public actor HTTPClient {
    /// Timeouts, trust and limits of a client.
    public struct Settings: Sendable {
        /// The limit on establishing the TCP connection and the TLS session.
        public var connectTimeout: Duration
        /// The limit on the whole request, connection included.
        public var totalTimeout: Duration
        /// A PEM file of CA certificates to trust in place of the system's, or nil for the
        /// system's bundle. Tests set it to a self-signed certificate.
        public var caFile: String?
        /// The largest response body accepted; a larger one aborts the transfer.
        public var maxResponseBytes: Int
        public var userAgent: String

        public init(
            connectTimeout: Duration = .seconds(10), totalTimeout: Duration = .seconds(30), caFile: String? = nil,
            maxResponseBytes: Int = 65_536, userAgent: String = "alertbox-uplink"
        ) {
            self.connectTimeout = connectTimeout
            self.totalTimeout = totalTimeout
            self.caFile = caFile
            self.maxResponseBytes = maxResponseBytes
            self.userAgent = userAgent
        }
    }

    nonisolated let loop: EventLoop
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        loop.asUnownedSerialExecutor()
    }

    public nonisolated let settings: Settings
    private let logger: Logger
    /// The easy handle, or nil after `close()`.
    private var easy: EasyHandle?

    /// libcurl's global initialization, run once before the first handle.
    private static let globalInit: CURLcode = alertbox_curl_global_init()

    /// Creates the easy handle, applies `settings` and starts the client's thread.
    /// - Throws: `UplinkError` of kind `clientSetupFailed` when libcurl cannot initialize or
    ///   rejects an option, for example TLS 1.2 or the protocol list on an old libcurl.
    /// `curl_easy_init(3)`, `curl_easy_setopt(3)`.
    public init(settings: Settings = Settings(), logger: Logger) throws(UplinkError) {
        guard Self.globalInit == CURLE_OK, let handle = curl_easy_init() else {
            throw UplinkError(.clientSetupFailed, detail: "libcurl failed to initialize")
        }
        let easy = EasyHandle(handle)
        try Self.configure(handle, settings: settings, errorBuffer: easy.errorBuffer)

        self.easy = easy
        self.settings = settings
        self.logger = logger
        loop = EventLoop(name: "http client")
    }

    deinit {
        loop.shutdown()
    }

    /// Releases the easy handle and its connections. Later requests throw.
    /// `curl_easy_cleanup(3)`.
    public func close() {
        easy = nil
    }

    /// Sends `request` as an HTTP POST and returns the final response, whatever its status.
    ///
    /// A status of 4xx or 5xx is a response, not an error; `ResponseClassifier` decides what
    /// it means.
    /// - Throws: `UplinkError` for a request that got no complete response: refused, reset or
    ///   timed out, DNS or TLS failure, or a body over `maxResponseBytes`. The error carries
    ///   the URL with its credentials redacted.
    /// `curl_easy_perform(3)`.
    public func post(_ request: HTTPRequest) throws(UplinkError) -> HTTPResponse {
        guard let easy else {
            throw UplinkError(.clientSetupFailed, url: request.url, detail: "the client was closed")
        }
        let handle = easy.raw
        let started = SystemClock().now

        var headerList: UnsafeMutablePointer<curl_slist>?
        defer {
            _ = alertbox_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, nil)
            curl_slist_free_all(headerList)
        }
        // An empty Expect stops libcurl from waiting for `100 Continue` before larger bodies.
        for header in request.headers + [HTTPHeader("Expect", "")] {
            // Swift treats "\r\n" as one Character, so the check looks at scalars.
            guard !(header.name + header.value).unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                throw UplinkError(.invalidMessage, url: request.url, detail: "header \(header.name) contains a line break")
            }
            let line = header.value.isEmpty ? "\(header.name):" : "\(header.name): \(header.value)"
            guard let appended = curl_slist_append(headerList, line) else {
                throw UplinkError(.clientSetupFailed, url: request.url, detail: "curl_slist_append failed")
            }
            headerList = appended
        }

        let accumulator = ResponseAccumulator(limit: settings.maxResponseBytes)
        let context = Unmanaged.passUnretained(accumulator).toOpaque()
        try Self.check(alertbox_curl_setopt_string(handle, CURLOPT_URL, request.url), "CURLOPT_URL", url: request.url)
        try Self.check(alertbox_curl_setopt_pointer(handle, CURLOPT_HTTPHEADER, headerList), "CURLOPT_HTTPHEADER", url: request.url)
        try Self.check(alertbox_curl_setopt_long(handle, CURLOPT_POST, 1), "CURLOPT_POST", url: request.url)
        try Self.check(
            alertbox_curl_setopt_offset(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(request.body.count)), "CURLOPT_POSTFIELDSIZE_LARGE",
            url: request.url)
        // COPYPOSTFIELDS copies POSTFIELDSIZE bytes, so the array need not outlive the call.
        let copied = (request.body.isEmpty ? [0] : request.body).withUnsafeBytes { bytes in
            alertbox_curl_setopt_pointer(handle, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: bytes.baseAddress))
        }
        try Self.check(copied, "CURLOPT_COPYPOSTFIELDS", url: request.url)
        try Self.check(alertbox_curl_setopt_pointer(handle, CURLOPT_WRITEDATA, context), "CURLOPT_WRITEDATA", url: request.url)
        try Self.check(alertbox_curl_setopt_pointer(handle, CURLOPT_HEADERDATA, context), "CURLOPT_HEADERDATA", url: request.url)

        easy.errorBuffer[0] = 0
        let result = withExtendedLifetime(accumulator) { curl_easy_perform(handle) }
        let elapsed = started.duration(to: SystemClock().now)

        guard result == CURLE_OK else {
            let error = transferError(result, easy: easy, url: request.url, overflowed: accumulator.overflowed)
            logger.debug(
                "POST failed",
                ["http.url": .plain(request.redactedURL), "http.error": .plain(error.detail), "http.elapsed_ms": .plain(String(elapsed.milliseconds))])
            throw error
        }

        var status = 0
        _ = alertbox_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        logger.debug(
            "POST completed",
            ["http.url": .plain(request.redactedURL), "http.status": .plain(String(status)), "http.elapsed_ms": .plain(String(elapsed.milliseconds))])
        return HTTPResponse(status: status, headers: accumulator.headers, body: accumulator.body)
    }

    // MARK: Setup

    /// Applies the options that stay the same for every request.
    private static func configure(_ handle: UnsafeMutableRawPointer, settings: Settings, errorBuffer: UnsafeMutablePointer<CChar>) throws(UplinkError) {
        // libcurl must not use signals, because other threads of the process own them.
        try check(alertbox_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1), "CURLOPT_NOSIGNAL")
        try check(alertbox_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeout.milliseconds), "CURLOPT_CONNECTTIMEOUT_MS")
        try check(alertbox_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, settings.totalTimeout.milliseconds), "CURLOPT_TIMEOUT_MS")
        try check(alertbox_curl_setopt_string(handle, CURLOPT_PROTOCOLS_STR, "http,https"), "CURLOPT_PROTOCOLS_STR")
        try check(alertbox_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0), "CURLOPT_FOLLOWLOCATION")
        try check(alertbox_curl_setopt_long(handle, CURLOPT_SSL_VERIFYPEER, 1), "CURLOPT_SSL_VERIFYPEER")
        try check(alertbox_curl_setopt_long(handle, CURLOPT_SSL_VERIFYHOST, 2), "CURLOPT_SSL_VERIFYHOST")
        try check(alertbox_curl_setopt_long(handle, CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2)), "CURLOPT_SSLVERSION")
        if let caFile = settings.caFile {
            try check(alertbox_curl_setopt_string(handle, CURLOPT_CAINFO, caFile), "CURLOPT_CAINFO")
        }
        try check(alertbox_curl_setopt_string(handle, CURLOPT_USERAGENT, settings.userAgent), "CURLOPT_USERAGENT")
        try check(alertbox_curl_setopt_pointer(handle, CURLOPT_ERRORBUFFER, errorBuffer), "CURLOPT_ERRORBUFFER")
        try check(alertbox_curl_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, receiveBody), "CURLOPT_WRITEFUNCTION")
        try check(alertbox_curl_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, receiveHeader), "CURLOPT_HEADERFUNCTION")
    }

    private static func check(_ code: CURLcode, _ option: String, url: String? = nil) throws(UplinkError) {
        guard code == CURLE_OK else {
            let text = String(cString: curl_easy_strerror(code))
            throw UplinkError(
                .clientSetupFailed, url: url, curlCode: Int32(code.rawValue), detail: "libcurl rejected \(option): \(text)")
        }
    }

    // MARK: Errors

    private func transferError(_ code: CURLcode, easy: EasyHandle, url: String, overflowed: Bool) -> UplinkError {
        let handle = easy.raw
        var osErrno = 0
        _ = alertbox_curl_getinfo_long(handle, CURLINFO_OS_ERRNO, &osErrno)
        var connectMicroseconds: curl_off_t = 0
        _ = alertbox_curl_getinfo_offset(handle, CURLINFO_CONNECT_TIME_T, &connectMicroseconds)

        let kind = Self.kind(
            curlCode: Int32(code.rawValue), osErrno: Int32(osErrno), connected: connectMicroseconds > 0, overflowed: overflowed)
        let curlText = easy.errorBuffer[0] != 0 ? String(cString: easy.errorBuffer) : String(cString: curl_easy_strerror(code))
        let detail = "\(Self.summary(of: kind, settings: settings)): \(Redaction.scrubbed(curlText, credentialsOf: url))"
        return UplinkError(kind, url: url, curlCode: Int32(code.rawValue), detail: detail)
    }

    /// Maps a libcurl result to an error kind.
    /// - Parameters:
    ///   - osErrno: `CURLINFO_OS_ERRNO`, which distinguishes a refused connection from an
    ///     unreachable network, and a reset from other receive errors.
    ///   - connected: whether the TCP connection was established, which distinguishes a
    ///     connect timeout from a timeout waiting for the response.
    ///   - overflowed: whether the body callback aborted because of `maxResponseBytes`.
    static func kind(curlCode: Int32, osErrno: Int32, connected: Bool, overflowed: Bool) -> UplinkError.Kind {
        switch CURLcode(rawValue: UInt32(bitPattern: curlCode)) {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            return .hostNotFound
        case CURLE_COULDNT_CONNECT:
            return osErrno == ECONNREFUSED ? .connectionRefused : .connectFailed
        case CURLE_OPERATION_TIMEDOUT:
            return connected ? .timedOut : .connectTimedOut
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR:
            return osErrno == ECONNRESET ? .connectionReset : .transferFailed
        case CURLE_GOT_NOTHING:
            return .emptyReply
        case CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM, CURLE_SSL_ISSUER_ERROR,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            return .certificateRejected
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CIPHER, CURLE_SSL_SHUTDOWN_FAILED:
            return .tlsHandshakeFailed
        case CURLE_WRITE_ERROR where overflowed:
            return .responseTooLarge
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            return .invalidURL
        default:
            return .transferFailed
        }
    }

    private static func summary(of kind: UplinkError.Kind, settings: Settings) -> String {
        switch kind {
        case .connectionRefused: "connection refused"
        case .connectFailed: "connection failed"
        case .hostNotFound: "host name not resolved"
        case .connectTimedOut: "connection timed out after \(settings.connectTimeout.milliseconds) ms"
        case .timedOut: "no complete response within \(settings.totalTimeout.milliseconds) ms"
        case .connectionReset: "connection reset by the server"
        case .emptyReply: "the server closed the connection without a response"
        case .certificateRejected: "the server's TLS certificate was rejected; check the CA file and the server name"
        case .tlsHandshakeFailed: "TLS handshake failed"
        case .responseTooLarge: "the response body exceeds \(settings.maxResponseBytes) bytes"
        case .invalidURL: "invalid URL"
        default: "transfer failed"
        }
    }
}

/// A libcurl easy handle and its CURLOPT_ERRORBUFFER, freed together.
private final class EasyHandle: @unchecked Sendable {
    // @unchecked Sendable: only HTTPClient uses it, on the client's EventLoop thread, and
    // deinit runs after the last use.

    let raw: UnsafeMutableRawPointer
    /// `CURL_ERROR_SIZE` bytes, which libcurl fills with a message when a transfer fails.
    let errorBuffer: UnsafeMutablePointer<CChar>

    init(_ raw: UnsafeMutableRawPointer) {
        self.raw = raw
        errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    /// `curl_easy_cleanup(3)`, which also closes the handle's cached connections.
    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }
}

/// The response of one transfer, filled by libcurl's callbacks on the client's thread
/// during `curl_easy_perform`, and read after it returns.
private final class ResponseAccumulator {
    let limit: Int
    var body: [UInt8] = []
    var headers: [HTTPHeader] = []
    var overflowed = false

    init(limit: Int) {
        self.limit = limit
    }
}

/// CURLOPT_WRITEFUNCTION: appends body bytes, or returns 0 to abort when the body would
/// exceed the limit.
private let receiveBody: alertbox_curl_data_callback = { data, size, count, context in
    let length = size * count
    // WRITEDATA is the ResponseAccumulator that `post` keeps alive during the transfer.
    let accumulator = Unmanaged<ResponseAccumulator>.fromOpaque(context!).takeUnretainedValue()
    guard accumulator.body.count + length <= accumulator.limit else {
        accumulator.overflowed = true
        return 0
    }
    if let data, length > 0 {
        accumulator.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    }
    return length
}

/// CURLOPT_HEADERFUNCTION: keeps the header fields of the last response. A status line
/// starts a new response, so the fields of an interim `100 Continue` are dropped.
private let receiveHeader: alertbox_curl_data_callback = { data, size, count, context in
    let length = size * count
    // HEADERDATA is the ResponseAccumulator that `post` keeps alive during the transfer.
    let accumulator = Unmanaged<ResponseAccumulator>.fromOpaque(context!).takeUnretainedValue()
    guard let data, length > 0 else { return length }

    let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        accumulator.headers = []
    } else if let colon = line.firstIndex(of: ":") {
        let name = String(line[..<colon])
        let value = line[line.index(after: colon)...].trimmingWhitespace()
        accumulator.headers.append(HTTPHeader(name, value))
    }
    return length
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}

extension Duration {
    /// The duration in whole milliseconds, as libcurl's `long` timeouts take it.
    fileprivate var milliseconds: Int {
        Int(nanoseconds / 1_000_000)
    }
}
