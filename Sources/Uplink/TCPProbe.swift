import Glibc
public import Hardware

/// A TCP connect to an uplink endpoint, to learn whether the path to it works before an
/// alert needs it.
///
/// The connect runs non-blocking and waits with poll(2) up to the timeout, on the probe's
/// own thread, so a blackholed path costs that thread the timeout and nothing else. Only
/// numeric IPv4 addresses are probed; a host name is resolved by the caller's configuration.
/// connect(2), poll(2), getsockopt(2) with SO_ERROR.
public actor TCPProbe {
    nonisolated let loop: EventLoop
    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        loop.asUnownedSerialExecutor()
    }

    public enum Result: Sendable, Equatable {
        case connected
        case refused
        case timedOut
        case failed(Errno)
    }

    /// The last address each host name resolved to, and when; a name is resolved again after
    /// `resolveInterval`, and the old address serves while the resolver does not answer.
    private var resolved: [String: (address: in_addr, at: ContinuousClock.Instant)] = [:]
    static let resolveInterval: Duration = .seconds(300)

    public init(name: String) {
        loop = EventLoop(name: "probe \(name)")
    }

    /// Connects to `address:port` and closes the socket at once. A host name is resolved first
    /// (on the probe's own thread, since getaddrinfo blocks); a name that does not resolve
    /// counts as a failure, because the robots behind it are out of reach too.
    public func connect(address: String, port: UInt16, timeout: Duration) -> Result {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return .failed(.current) }
        defer { close(descriptor) }

        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_port = port.bigEndian
        if inet_pton(AF_INET, address, &target.sin_addr) != 1 {
            guard let known = lookUp(address) else { return .failed(Errno(rawValue: EHOSTUNREACH)) }
            target.sin_addr = known
        }
        let started = withUnsafePointer(to: &target) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if started == 0 { return .connected }
        guard errno == EINPROGRESS else { return errno == ECONNREFUSED ? .refused : .failed(.current) }

        var request = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
        let milliseconds = Int32(clamping: timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        var ready: Int32
        repeat {
            ready = poll(&request, 1, milliseconds)
        } while ready < 0 && errno == EINTR
        guard ready > 0 else { return ready == 0 ? .timedOut : .failed(.current) }

        var status: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_ERROR, &status, &length) == 0 else { return .failed(.current) }
        switch status {
        case 0: return .connected
        case ECONNREFUSED: return .refused
        case ETIMEDOUT: return .timedOut
        default: return .failed(Errno(rawValue: status))
        }
    }

    /// The address of `host`: the cached one while it is fresh, else a new lookup, else the
    /// cached one when the resolver fails (a dead DNS server must not hide a live robot).
    private func lookUp(_ host: String) -> in_addr? {
        let now = ContinuousClock.now
        if let cached = resolved[host], cached.at.duration(to: now) < Self.resolveInterval {
            return cached.address
        }
        if let fresh = Self.resolve(host) {
            resolved[host] = (fresh, now)
            return fresh
        }
        return resolved[host]?.address
    }

    /// The first IPv4 address of `host`, or nil when it does not resolve.
    static func resolve(_ host: String) -> in_addr? {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var results: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &results) == 0, let first = results else { return nil }
        defer { freeaddrinfo(results) }
        guard let address = first.pointee.ai_addr else { return nil }
        return address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
    }

    /// Stops the probe's thread.
    public func shutdown() {
        loop.shutdown()
    }
}
