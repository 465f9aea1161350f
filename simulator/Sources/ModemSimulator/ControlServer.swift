import Glibc
import Hardware

/// A UNIX stream socket that takes one JSON request per line and answers one JSON line.
/// `socket(2)`, `bind(2)`, `listen(2)`, `accept4(2)`.
struct ControlServer {
    let listener: FileDescriptor
    let path: String
    private(set) var clients: [FileDescriptor: [UInt8]] = [:]

    init(path: String) throws(Errno) {
        unlink(path)
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard descriptor >= 0 else { throw Errno.current }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            Glibc.close(descriptor)
            throw Errno(rawValue: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: bytes)
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            let error = Errno.current
            Glibc.close(descriptor)
            throw error
        }
        chmod(path, 0o600)
        listener = FileDescriptor(rawValue: descriptor)
        self.path = path
    }

    var descriptors: [FileDescriptor] {
        [listener] + Array(clients.keys)
    }

    /// Accepts waiting clients.
    mutating func acceptClients() {
        while true {
            let descriptor = accept(listener.rawValue, nil, nil)
            guard descriptor >= 0 else { return }
            let client = FileDescriptor(rawValue: descriptor)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
            try? client.setNonBlocking(true)
            clients[client] = []
        }
    }

    /// Reads from a client and returns its complete request lines; a closed client is dropped.
    mutating func readRequests(from client: FileDescriptor) -> [String] {
        var lines: [String] = []
        while true {
            let bytes: [UInt8]
            do {
                bytes = try client.read(maximum: 65_536)
            } catch {
                if error != .wouldBlock { drop(client) }
                break
            }
            if bytes.isEmpty {
                drop(client)
                break
            }
            clients[client, default: []] += bytes
        }
        while var buffer = clients[client], let newline = buffer.firstIndex(of: 0x0A) {
            lines.append(String(decoding: buffer[..<newline], as: UTF8.self))
            buffer.removeSubrange(...newline)
            clients[client] = buffer
        }
        return lines
    }

    func respond(_ line: String, to client: FileDescriptor) {
        try? client.writeAll(Array((line + "\n").utf8))
    }

    mutating func drop(_ client: FileDescriptor) {
        clients[client] = nil
        client.close()
    }

    func close() {
        for client in clients.keys {
            client.close()
        }
        listener.close()
        unlink(path)
    }
}
