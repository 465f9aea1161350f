import Glibc

/// An owned file descriptor with typed-throwing wrappers of the calls the box uses.
///
/// Every call retries on `EINTR`. The descriptor is not closed on deinit, so that ownership
/// stays explicit: the actor that opened it closes it.
public struct FileDescriptor: Hashable, Sendable {
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// Opens a path with `open(2)`; `O_CLOEXEC` is always added.
    public static func open(_ path: String, flags: Int32, mode: UInt32 = 0o600) throws(Errno) -> FileDescriptor {
        let descriptor = try retryingOnInterrupt { Glibc.open(path, flags | O_CLOEXEC, mode_t(mode)) }
        return FileDescriptor(rawValue: descriptor)
    }

    /// Reads at most `maximum` bytes with `read(2)`; an empty result means end of file.
    /// - Throws: `Errno.wouldBlock` when a non-blocking descriptor has nothing to read.
    public func read(maximum: Int = 4096) throws(Errno) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: maximum)
        let count = try retryingOnInterrupt {
            buffer.withUnsafeMutableBytes { raw in Glibc.read(rawValue, raw.baseAddress, maximum) }
        }
        buffer.removeSubrange(count...)
        return buffer
    }

    /// Writes bytes with `write(2)` and returns how many were written.
    @discardableResult
    public func write(_ bytes: some Collection<UInt8>) throws(Errno) -> Int {
        let array = Array(bytes)
        guard !array.isEmpty else { return 0 }
        return try retryingOnInterrupt {
            array.withUnsafeBytes { raw in Glibc.write(rawValue, raw.baseAddress, raw.count) }
        }
    }

    /// Writes every byte, waiting with `poll(2)` while a non-blocking descriptor is full.
    public func writeAll(_ bytes: some Collection<UInt8>, timeoutMilliseconds: Int32 = 5000) throws(Errno) {
        var remaining = Array(bytes)[...]
        while !remaining.isEmpty {
            do {
                let written = try write(remaining)
                remaining = remaining.dropFirst(written)
            } catch .wouldBlock {
                let ready = try poll(events: Int16(POLLOUT), timeoutMilliseconds: timeoutMilliseconds)
                if ready.isEmpty { throw Errno(rawValue: ETIMEDOUT) }
            }
        }
    }

    /// Waits with `poll(2)` for `events`; returns the events that occurred, empty on timeout.
    public func poll(events: Int16, timeoutMilliseconds: Int32) throws(Errno) -> PollEvents {
        var request = pollfd(fd: rawValue, events: events, revents: 0)
        let count = try retryingOnInterrupt { Glibc.poll(&request, 1, Int32(timeoutMilliseconds)) }
        return count == 0 ? PollEvents(rawValue: 0) : PollEvents(rawValue: request.revents)
    }

    /// Switches `O_NONBLOCK` on or off with `fcntl(2)`.
    public func setNonBlocking(_ enabled: Bool) throws(Errno) {
        let flags = try retryingOnInterrupt { fcntl(rawValue, F_GETFL) }
        let updated = enabled ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        try retryingOnInterrupt { fcntl(rawValue, F_SETFL, updated) }
    }

    /// Closes the descriptor with `close(2)`; `EINTR` is not retried, as Linux has closed it.
    public func close() {
        _ = Glibc.close(rawValue)
    }
}

/// The `revents` of one `poll(2)` entry.
public struct PollEvents: Hashable, Sendable {
    public let rawValue: Int16

    public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    public var isEmpty: Bool { rawValue == 0 }
    public var readable: Bool { rawValue & Int16(POLLIN) != 0 }
    public var writable: Bool { rawValue & Int16(POLLOUT) != 0 }
    /// The peer hung up: for a tty, the device went away or the other side closed.
    public var hangUp: Bool { rawValue & Int16(POLLHUP) != 0 }
    public var error: Bool { rawValue & Int16(POLLERR | POLLNVAL) != 0 }
}
