/// What a fake server does with one request, as its handler decides.
public enum FakeHTTPAction: Sendable, Equatable {
    /// Sends `response` after `delay`; requests behind it on the connection wait.
    case respond(FakeHTTPResponse, delay: Duration)
    /// Reads the request and never responds, holding the connection open until the client
    /// closes it, as a stalled server does.
    case neverRespond
    /// Closes the connection with `SO_LINGER` 0, so the client reads a TCP RST.
    case reset
    /// Closes the connection without a response.
    case close
}

/// The behaviour of a TLS fake server on a new connection in place of a normal handshake.
public enum FakeConnectionFault: Sendable, Equatable {
    /// Serves a certificate that the client does not trust.
    case untrustedCertificate
    /// Reads the ClientHello and replies with plain HTTP bytes, as a misconfigured proxy does.
    case plaintextGarbage
    /// Completes the handshake, then closes with `SO_LINGER` 0 before reading anything, so
    /// the client reads a TCP RST where it expects its first response.
    case resetAfterHandshake
}

/// The logic behind a fake server, which decides each connection's TLS behaviour and each
/// request's response.
///
/// The server calls both methods on its event loop thread, one at a time.
public protocol FakeHTTPHandler: Sendable {
    /// Returns the fault to apply to a new TLS connection, or nil for a normal handshake.
    func connectionFault() -> FakeConnectionFault?
    /// Returns the action for one complete request.
    /// - Parameter connection: the number of the connection that carried the request,
    ///   counted from 1 per server, so that recordings show which requests shared one.
    func handle(_ request: FakeHTTPRequest, connection: Int) -> FakeHTTPAction
    /// Notes a request the server rejected before the handler saw it, such as one over the
    /// size cap.
    func rejectedUnparsed(status: Int, reason: String)
}
