import Glibc

/// A POSIX error number, as a value.
public struct Errno: Error, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32

    public init(rawValue: Int32) {
        self.rawValue = rawValue
    }

    /// The calling thread's `errno`.
    public static var current: Errno {
        Errno(rawValue: errno)
    }

    public static let interrupted = Errno(rawValue: EINTR)
    public static let wouldBlock = Errno(rawValue: EAGAIN)
    public static let ioError = Errno(rawValue: EIO)
    public static let noSuchDevice = Errno(rawValue: ENXIO)
    public static let noSuchFile = Errno(rawValue: ENOENT)
    public static let busy = Errno(rawValue: EBUSY)
    public static let badFileDescriptor = Errno(rawValue: EBADF)

    /// Whether the error means the device went away, as a USB modem does when it
    /// re-enumerates: `EIO`, `ENXIO`, `ENODEV` or `ENOENT`.
    public var meansDeviceGone: Bool {
        [EIO, ENXIO, ENODEV, ENOENT].contains(rawValue)
    }

    /// The `strerror(3)` text and the symbolic name where known.
    public var description: String {
        String(cString: strerror(rawValue)) + " (errno \(rawValue))"
    }
}

/// Calls `body` until it does not fail with `EINTR`, and throws any other `errno`.
@discardableResult
func retryingOnInterrupt<Result: BinaryInteger>(_ body: () -> Result) throws(Errno) -> Result {
    while true {
        let result = body()
        if result >= 0 { return result }
        let error = Errno.current
        if error != .interrupted { throw error }
    }
}
