import Glibc

/// Stream sockets in the UNIX domain, for the console's local door and its client.
/// `socket(2)`, `bind(2)`, `listen(2)`, `accept(2)`, `connect(2)`, unix(7).
public enum UnixSocket {
    /// Creates a non-blocking listening socket at `path`, replacing a stale socket file, with
    /// the file's mode set to `mode`.
    public static func listen(path: String, mode: UInt32 = 0o600, backlog: Int32 = 8) throws(Errno) -> FileDescriptor {
        unlink(path)
        let descriptor = try socketDescriptor(nonBlocking: true)
        do throws(Errno) {
            var address = try makeAddress(path)
            let bound = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0, Glibc.listen(descriptor.rawValue, backlog) == 0 else { throw Errno.current }
            guard chmod(path, mode_t(mode)) == 0 else { throw Errno.current }
        } catch {
            descriptor.close()
            throw error
        }
        return descriptor
    }

    /// Accepts one pending connection as a non-blocking descriptor; nil when none is waiting.
    public static func accept(_ listener: FileDescriptor) throws(Errno) -> FileDescriptor? {
        // Glibc's module hides accept4(2), so the flags are set after accept(2).
        let client = Glibc.accept(listener.rawValue, nil, nil)
        if client < 0 {
            let error = Errno.current
            if error == .wouldBlock || error == .interrupted { return nil }
            throw error
        }
        let descriptor = FileDescriptor(rawValue: client)
        _ = fcntl(client, F_SETFD, FD_CLOEXEC)
        do throws(Errno) {
            try descriptor.setNonBlocking(true)
        } catch {
            descriptor.close()
            throw error
        }
        return descriptor
    }

    /// Connects to the socket at `path` as a blocking descriptor.
    public static func connect(path: String) throws(Errno) -> FileDescriptor {
        let descriptor = try socketDescriptor(nonBlocking: false)
        do throws(Errno) {
            var address = try makeAddress(path)
            // A connect(2) interrupted by a signal goes on in the background, so EINTR is not retried.
            let connected = withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(descriptor.rawValue, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
            guard connected == 0 else { throw Errno.current }
        } catch {
            descriptor.close()
            throw error
        }
        return descriptor
    }

    private static func socketDescriptor(nonBlocking: Bool) throws(Errno) -> FileDescriptor {
        var type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        if nonBlocking { type |= Int32(SOCK_NONBLOCK.rawValue) }
        let descriptor = socket(AF_UNIX, type, 0)
        guard descriptor >= 0 else { throw Errno.current }
        return FileDescriptor(rawValue: descriptor)
    }

    private static func makeAddress(_ path: String) throws(Errno) -> sockaddr_un {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw Errno(rawValue: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        return address
    }
}
