import CSSL
import Glibc
import Hardware

/// One accepted client connection of a fake server, plain or TLS.
///
/// Only the server actor uses it, on the server's event loop thread.
final class FakeHTTPConnection {
    /// The connection's number on its server, from 1.
    let number: Int
    let descriptor: FileDescriptor
    /// The TLS session, or nil on a plain connection.
    private(set) var tls: OpaquePointer?
    var handshaking: Bool
    /// Whether the connection waits for a delayed response or never gets one, so the
    /// requests behind it stay unparsed.
    var awaitingResponse = false
    /// Whether the server replies to the TLS handshake with plain bytes.
    var answersWithGarbage = false
    /// Whether the server resets the connection once the TLS handshake is done.
    var resetsAfterHandshake = false
    /// Whether the server has sent its last response and discards what the client still
    /// sends until it closes. Closing at once with unread bytes would make the kernel send
    /// a TCP RST, which can reach the client before the response.
    var draining = false
    var parser: HTTPRequestParser
    private(set) var isOpen = true

    /// The outcome of one read.
    enum ReadResult {
        case bytes([UInt8])
        case wouldBlock
        case closed
    }

    init(number: Int, descriptor: FileDescriptor, tls context: TLSContext?, bodyLimit: Int) {
        self.number = number
        self.descriptor = descriptor
        parser = HTTPRequestParser(bodyLimit: bodyLimit)
        if let context {
            tls = alertbox_tls_new(context.raw, descriptor.rawValue)
        }
        handshaking = context != nil
    }

    /// Advances the TLS handshake. Returns true when it is complete, false when it needs
    /// more bytes from the client, and nil when it failed, for example because the client
    /// rejected the certificate.
    func continueHandshake() -> Bool? {
        guard let tls else { return nil }
        switch Int(alertbox_tls_accept(tls)) {
        case Int(ALERTBOX_TLS_DONE.rawValue):
            handshaking = false
            return true
        case Int(ALERTBOX_TLS_WANT_READ.rawValue):
            return false
        default:
            return nil
        }
    }

    /// Reads what has arrived, decrypted on a TLS connection.
    func read() -> ReadResult {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        if let tls {
            var count = 0
            let status = buffer.withUnsafeMutableBytes { raw in alertbox_tls_read(tls, raw.baseAddress, raw.count, &count) }
            switch Int(status) {
            case Int(ALERTBOX_TLS_DONE.rawValue):
                return .bytes(Array(buffer[..<count]))
            case Int(ALERTBOX_TLS_WANT_READ.rawValue):
                return .wouldBlock
            default:
                return .closed
            }
        }
        do {
            let bytes = try descriptor.read(maximum: buffer.count)
            return bytes.isEmpty ? .closed : .bytes(bytes)
        } catch {
            return error == .wouldBlock ? .wouldBlock : .closed
        }
    }

    /// Reads and discards the raw bytes waiting on the socket, such as a ClientHello.
    func discardRawInput() {
        while let bytes = try? descriptor.read(maximum: 65_536), !bytes.isEmpty {}
    }

    /// Writes every byte, encrypted on a TLS connection; returns false when the peer is gone.
    @discardableResult
    func write(_ bytes: [UInt8]) -> Bool {
        if let tls {
            return bytes.withUnsafeBytes { raw in alertbox_tls_write_all(tls, descriptor.rawValue, raw.baseAddress, raw.count, 5000) } == 1
        }
        return (try? descriptor.writeAll(bytes)) != nil
    }

    /// Writes bytes past TLS, straight to the socket.
    func writeRaw(_ bytes: [UInt8]) {
        try? descriptor.writeAll(bytes)
    }

    /// Ends the sending side with `shutdown(2)`, so that the client reads the end of the
    /// response stream while the server still reads what it sends.
    func finishSending() {
        _ = shutdown(descriptor.rawValue, Int32(SHUT_WR))
        draining = true
    }

    /// Closes the connection; with `reset`, sets `SO_LINGER` to 0 first so that the kernel
    /// sends a TCP RST in place of a FIN. `setsockopt(2)`, `close(2)`.
    func close(reset: Bool = false) {
        guard isOpen else { return }
        isOpen = false
        if reset {
            var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
            _ = setsockopt(descriptor.rawValue, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        }
        if let tls {
            alertbox_tls_free(tls)
            self.tls = nil
        }
        descriptor.close()
    }
}
