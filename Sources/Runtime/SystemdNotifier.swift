import Glibc

/// Tells systemd how the service is doing, by the `sd_notify` protocol: datagrams of
/// `KEY=value` lines to the UNIX socket named in `NOTIFY_SOCKET`.
///
/// A unit with `Type=notify` waits for `READY=1`; with `WatchdogSec=` it restarts the service
/// when `WATCHDOG=1` stops arriving. Without `NOTIFY_SOCKET` (a run by hand, a test) every call
/// does nothing. See sd_notify(3) and systemd.service(5).
public struct SystemdNotifier: Sendable {
    /// The socket path; a leading `@` names an abstract socket.
    public let socketPath: String?
    /// The watchdog interval systemd expects, from `WATCHDOG_USEC` when `WATCHDOG_PID` is this
    /// process or absent.
    public let watchdogInterval: Duration?

    public init(environment: [String: String]) {
        let path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        socketPath = path.flatMap { $0.hasPrefix("/") || $0.hasPrefix("@") ? $0 : nil }
        let pidMatches = environment["WATCHDOG_PID"].map { Int32($0) == getpid() } ?? true
        if pidMatches, let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 {
            watchdogInterval = .microseconds(microseconds)
        } else {
            watchdogInterval = nil
        }
    }

    /// The service finished starting.
    public func ready(status: String) {
        send("READY=1\nSTATUS=\(status)")
    }

    /// A one-line status that `systemctl status` shows.
    public func status(_ text: String) {
        send("STATUS=\(text)")
    }

    /// The service is alive; send at least twice per watchdog interval.
    public func watchdog() {
        send("WATCHDOG=1")
    }

    /// The service is stopping.
    public func stopping() {
        send("STOPPING=1")
    }

    /// Sends one datagram. Failures are ignored as sd_notify(3) does: systemd may be gone while
    /// the box keeps alerting, and that must not stop it.
    @discardableResult
    public func send(_ message: String) -> Bool {
        guard let socketPath else { return false }
        let descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(socketPath.utf8)
        if pathBytes.first == UInt8(ascii: "@") { pathBytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + pathBytes.count + (pathBytes.first == 0 ? 0 : 1))
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bytes.withUnsafeBytes { raw in sendto(descriptor, raw.baseAddress, raw.count, Int32(MSG_NOSIGNAL), socketAddress, length) }
            }
        }
        return sent == bytes.count
    }
}
