import Glibc
import Core

/// A loopback TCP proxy whose traffic can be refused or silently dropped at runtime, to
/// reproduce a broker that went away and a cellular link that stopped passing packets.
///
/// It listens on `127.0.0.1:listenPort` and forwards each connection to
/// `127.0.0.1:targetPort` on a thread of its own. Modes:
/// - `pass` forwards both ways.
/// - `refuse` closes the listening socket, so new connections get `ECONNREFUSED`, and resets
///   every open connection (`SO_LINGER` 0), so both ends see `ECONNRESET` as when a host drops.
/// - `blackhole` keeps every socket open but discards whatever either side sends, and lets no
///   new connection finish its handshake: the listener's backlog drops to 0 and one connection
///   of the proxy's own fills it, so the kernel drops further SYNs and a client's connect times
///   out. Only a timeout can tell the link is dead, as on a cellular link that stopped passing
///   packets, where a TCP probe times out too.
///
/// Going from `blackhole` back to `pass` restores the backlog and resumes forwarding on the
/// open connections; a connect still waiting completes at its next SYN retransmission.
public final class TCPProxy: @unchecked Sendable {
    // @unchecked Sendable: `control` is a Locked; `listener` and `links` are touched only on
    // the proxy's thread after `init` returns.

    public enum Mode: String, Sendable, CaseIterable {
        case pass
        case refuse
        case blackhole
    }

    private struct Control {
        var requested: Mode = .pass
        var applied: Mode = .pass
        var stopped = false
        var finished = false
    }

    /// One accepted connection and its upstream, or -1 when it was accepted during `blackhole`.
    private struct Link {
        var client: Int32
        var upstream: Int32
    }

    /// The port the proxy listens on, chosen by the kernel when `init` was given 0.
    public let listenPort: UInt16
    public let targetPort: UInt16
    private let control = Locked(Control())
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private var listener: Int32
    private var links: [Link] = []
    /// The proxy's own connection that fills the listener's queue during `blackhole`, and its
    /// local port, so that the proxy closes its far end instead of forwarding it.
    private var filler: (descriptor: Int32, port: UInt16)?
    /// Local ports of closed fillers whose far ends may still wait in the accept queue.
    private var fillerPorts: Set<UInt16> = []

    /// Binds the listening socket and starts the proxy's thread in `pass` mode.
    /// - Throws: `TCPProxyError` naming the port and the failed call.
    public init(listenPort: UInt16 = 0, targetPort: UInt16) throws(TCPProxyError) {
        let bound = try Self.listen(port: listenPort)
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            Glibc.close(bound.descriptor)
            throw TCPProxyError(detail: "pipe(2) failed for the proxy's wake-up pipe: \(String(cString: strerror(errno)))")
        }
        _ = fcntl(ends[0], F_SETFL, O_NONBLOCK)
        self.listener = bound.descriptor
        self.listenPort = bound.port
        self.targetPort = targetPort
        self.wakeRead = ends[0]
        self.wakeWrite = ends[1]

        let retained = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let status = pthread_create(
            &thread, nil,
            { argument in
                // The argument is the proxy retained just above.
                let proxy = Unmanaged<TCPProxy>.fromOpaque(argument!).takeRetainedValue()
                proxy.run()
                return nil
            }, retained.toOpaque())
        precondition(status == 0, "pthread_create failed for the TCP proxy: \(status)")
        pthread_detach(thread)
    }

    /// The mode in effect.
    public var mode: Mode {
        control.withLock { $0.applied }
    }

    /// Switches the mode and returns once the proxy's thread has applied it.
    public func setMode(_ mode: Mode) {
        control.withLock { $0.requested = mode }
        wake()
        waitUntil { $0.applied == mode || $0.finished }
    }

    /// Closes every socket and ends the proxy's thread.
    public func stop() {
        control.withLock { $0.stopped = true }
        wake()
        waitUntil { $0.finished }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(wakeWrite, &byte, 1)
    }

    /// Waits in steps of 1 ms for the proxy's thread; it applies a request within one poll.
    private func waitUntil(_ condition: (Control) -> Bool) {
        while !control.withLock({ condition($0) }) {
            var step = timespec(tv_sec: 0, tv_nsec: 1_000_000)
            nanosleep(&step, nil)
        }
    }

    // MARK: Proxy thread

    private func run() {
        while true {
            let (requested, stopped) = control.withLock { ($0.requested, $0.stopped) }
            if stopped { break }
            apply(requested)

            var entries = [pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            if listener >= 0, requested != .blackhole {
                entries.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0))
            }
            for link in links {
                entries.append(pollfd(fd: link.client, events: Int16(POLLIN), revents: 0))
                if link.upstream >= 0 {
                    entries.append(pollfd(fd: link.upstream, events: Int16(POLLIN), revents: 0))
                }
            }
            if poll(&entries, nfds_t(entries.count), -1) < 0 { continue }

            var drain = [UInt8](repeating: 0, count: 64)
            while Glibc.read(wakeRead, &drain, drain.count) > 0 {}
            for entry in entries.dropFirst() where entry.revents != 0 {
                if entry.fd == listener {
                    acceptConnection(forwarding: requested == .pass)
                } else {
                    transfer(from: entry.fd, forwarding: requested == .pass)
                }
            }
        }

        for link in links {
            close(link)
        }
        links = []
        removeFiller()
        if listener >= 0 { Glibc.close(listener) }
        Glibc.close(wakeRead)
        Glibc.close(wakeWrite)
        control.withLock { $0.finished = true }
    }

    /// Opens or closes the listener and resets connections as `mode` requires.
    private func apply(_ mode: Mode) {
        let applied = control.withLock { $0.applied }
        guard mode != applied else { return }

        if applied == .blackhole {
            removeFiller()
            if listener >= 0 { _ = Glibc.listen(listener, Self.backlog) }
        }
        if mode == .refuse {
            if listener >= 0 {
                Glibc.close(listener)
                listener = -1
            }
            for link in links {
                reset(link.client)
                if link.upstream >= 0 { reset(link.upstream) }
            }
            links = []
        } else if listener < 0 {
            // NOTE: another process could take the port while it was closed; the proxy then
            // stays without a listener, as if it still refused.
            listener = (try? Self.listen(port: listenPort))?.descriptor ?? -1
        }
        if mode == .blackhole, listener >= 0 {
            fillQueue()
        }
        control.withLock { $0.applied = mode }
    }

    /// Shrinks the listener's backlog to 0 and fills it with one connection of the proxy's
    /// own, so that the kernel drops every further SYN. listen(2) on a listening socket
    /// changes its backlog; Linux drops a SYN while the accept queue is full.
    private func fillQueue() {
        _ = Glibc.listen(listener, 0)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return }
        var address = Self.loopback(port: listenPort)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        filler = (descriptor, UInt16(bigEndian: local.sin_port))
    }

    private func removeFiller() {
        guard let filler else { return }
        Glibc.close(filler.descriptor)
        fillerPorts.insert(filler.port)
        self.filler = nil
    }

    private func acceptConnection(forwarding: Bool) {
        var peer = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let client = withUnsafeMutablePointer(to: &peer) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { accept(listener, $0, &length) }
        }
        guard client >= 0 else { return }
        if fillerPorts.contains(UInt16(bigEndian: peer.sin_port)) {
            // The far end of a queue filler from an earlier blackhole: nobody's connection.
            fillerPorts.remove(UInt16(bigEndian: peer.sin_port))
            Glibc.close(client)
            return
        }
        var upstream: Int32 = -1
        if forwarding {
            upstream = Self.connect(port: targetPort)
            if upstream < 0 {
                reset(client)
                return
            }
        }
        links.append(Link(client: client, upstream: upstream))
    }

    /// Reads what `descriptor` has and forwards it to the other side, or drops it when not
    /// forwarding. End of file or an error closes the whole link.
    private func transfer(from descriptor: Int32, forwarding: Bool) {
        guard let index = links.firstIndex(where: { $0.client == descriptor || $0.upstream == descriptor }) else { return }
        let link = links[index]
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = Glibc.read(descriptor, &buffer, buffer.count)
        guard count > 0 else {
            close(link)
            links.remove(at: index)
            return
        }
        guard forwarding else { return }
        let target = descriptor == link.client ? link.upstream : link.client
        guard target >= 0 else { return }
        var offset = 0
        while offset < count {
            let written = buffer.withUnsafeBytes { Glibc.write(target, $0.baseAddress! + offset, count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                close(link)
                links.remove(at: index)
                return
            }
            offset += written
        }
    }

    private func close(_ link: Link) {
        Glibc.close(link.client)
        if link.upstream >= 0 { Glibc.close(link.upstream) }
    }

    /// Closes with `SO_LINGER` 0, which sends RST instead of FIN.
    private func reset(_ descriptor: Int32) {
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(descriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        Glibc.close(descriptor)
    }

    // MARK: Sockets

    /// The listener's backlog outside `blackhole`.
    private static let backlog: Int32 = 16

    private static func loopback(port: UInt16) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }

    private static func listen(port: UInt16) throws(TCPProxyError) -> (descriptor: Int32, port: UInt16) {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else {
            throw TCPProxyError(detail: "socket(2) failed: \(String(cString: strerror(errno)))")
        }
        var one: Int32 = 1
        _ = setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, Glibc.listen(descriptor, backlog) == 0 else {
            let cause = String(cString: strerror(errno))
            Glibc.close(descriptor)
            throw TCPProxyError(detail: "binding 127.0.0.1:\(port) failed: \(cause); choose a free port or 0")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return (descriptor, UInt16(bigEndian: address.sin_port))
    }

    /// Connects to `127.0.0.1:port`; returns the descriptor or -1.
    private static func connect(port: UInt16) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return -1 }
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(descriptor)
            return -1
        }
        return descriptor
    }
}

/// A failure to set up the proxy, naming the port or call and the fix.
public struct TCPProxyError: Error, Sendable, CustomStringConvertible {
    public let detail: String

    public var description: String {
        detail
    }
}
