import TestSupport
import Glibc
import NetFaults
import Testing

/// Tests the proxy's three modes against a listening socket of the test's own.
@Suite struct TCPProxyTests {
    /// A 127.0.0.1 listener on a free port.
    final class Target {
        let descriptor: Int32
        let port: UInt16

        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            self.descriptor = descriptor
            var address = Self.address(port: 0)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let result = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(descriptor, pointer, length) == 0 && listen(descriptor, 4) == 0 ? getsockname(descriptor, pointer, &length) : -1
                }
            }
            guard result == 0 else { throw HarnessError(detail: "the target listener failed: \(String(cString: strerror(errno)))") }
            port = UInt16(bigEndian: address.sin_port)
        }

        deinit {
            close(descriptor)
        }

        static func address(port: UInt16) -> sockaddr_in {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
            return address
        }
    }

    /// Connects to `127.0.0.1:port` with a 2 s receive timeout; returns the descriptor, or -1 with errno.
    static func connectTo(_ port: UInt16) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var timeout = timeval(tv_sec: 2, tv_usec: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = Target.address(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            let saved = errno
            close(descriptor)
            errno = saved
            return -1
        }
        return descriptor
    }

    /// Starts a non-blocking connect to `127.0.0.1:port`; returns the descriptor.
    static func startConnect(_ port: UInt16) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        var address = Target.address(port: port)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return descriptor
    }

    /// Returns whether a connect started by `startConnect` completed within `milliseconds`.
    static func connected(_ descriptor: Int32, within milliseconds: Int32) -> Bool {
        var entry = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        guard poll(&entry, 1, milliseconds) == 1 else { return false }
        var failure: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &failure, &length) == 0 && failure == 0
    }

    /// Sends `text` from `from` and returns what `to` reads within its receive timeout.
    static func relay(_ text: String, from: Int32, to: Int32) -> String {
        _ = text.withCString { write(from, $0, strlen($0)) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let count = read(to, &buffer, buffer.count)
        return count > 0 ? String(decoding: buffer[..<count], as: UTF8.self) : ""
    }

    @Test func passForwardsBothWays() throws {
        let target = try Target()
        let proxy = try TCPProxy(targetPort: target.port)
        defer { proxy.stop() }
        let client = Self.connectTo(proxy.listenPort)
        defer { close(client) }
        let server = accept(target.descriptor, nil, nil)
        defer { close(server) }

        #expect(Self.relay("ping", from: client, to: server) == "ping")
        #expect(Self.relay("pong", from: server, to: client) == "pong")
    }

    @Test func refuseRejectsAndResets() throws {
        let target = try Target()
        let proxy = try TCPProxy(targetPort: target.port)
        defer { proxy.stop() }
        let client = Self.connectTo(proxy.listenPort)
        defer { close(client) }
        let server = accept(target.descriptor, nil, nil)
        defer { close(server) }

        proxy.setMode(.refuse)
        var byte: UInt8 = 0
        #expect(read(client, &byte, 1) <= 0)
        #expect(Self.connectTo(proxy.listenPort) == -1)
        #expect(errno == ECONNREFUSED)

        proxy.setMode(.pass)
        let again = Self.connectTo(proxy.listenPort)
        defer { close(again) }
        #expect(again >= 0)
    }

    @Test func blackholeDropsTrafficAndNewHandshakes() throws {
        let target = try Target()
        let proxy = try TCPProxy(targetPort: target.port)
        defer { proxy.stop() }
        let client = Self.connectTo(proxy.listenPort)
        defer { close(client) }
        let server = accept(target.descriptor, nil, nil)
        defer { close(server) }

        proxy.setMode(.blackhole)
        #expect(Self.relay("lost", from: server, to: client) == "")
        #expect(errno == EAGAIN || errno == EWOULDBLOCK)
        let late = Self.startConnect(proxy.listenPort)
        defer { close(late) }
        #expect(!Self.connected(late, within: 700))

        proxy.setMode(.pass)
        #expect(Self.relay("back", from: server, to: client) == "back")
        // The kernel retransmits the dropped SYN after about 1 s, and the proxy takes it now.
        #expect(Self.connected(late, within: 10_000))
    }
}
