import Glibc

/// A modem's serial line, opened by path in raw mode for exclusive, non-blocking use.
///
/// The path should be the stable one (`/dev/serial/by-id/...`, a udev symlink, or the
/// simulator's symlink), because a USB modem comes back under another `/dev/ttyUSBn` after it
/// re-enumerates. Reads report `Errno` values for which `meansDeviceGone` is true once the
/// device has gone away.
/// `open(2)`, `ioctl(2)` `TIOCEXCL`, `tcsetattr(3)`.
public struct SerialPort: Sendable {
    public let path: String
    public let descriptor: FileDescriptor

    /// Opens `path` at `baudRate`: raw 8N1, no flow control, exclusive, non-blocking.
    public static func open(path: String, baudRate: Int = 115_200) throws(Errno) -> SerialPort {
        let descriptor = try FileDescriptor.open(path, flags: O_RDWR | O_NOCTTY | O_NONBLOCK)
        do throws(Errno) {
            // An advisory lock keeps a second AlertBox process off the port even as root, where
            // the kernel does not enforce TIOCEXCL; it fails with EWOULDBLOCK while held.
            if flock(descriptor.rawValue, LOCK_EX | LOCK_NB) != 0 {
                throw Errno.current == Errno(rawValue: EWOULDBLOCK) ? Errno.busy : Errno.current
            }
            // Exclusive mode keeps ModemManager and other daemons from opening the port too.
            // Pseudo-terminals in the simulator accept it as well.
            try retryingOnInterrupt { ioctl(descriptor.rawValue, UInt(TIOCEXCL)) }
            try TerminalSettings.makeRaw(descriptor, baudRate: baudRate)
            // Drop whatever the modem printed before we opened it.
            tcflush(descriptor.rawValue, TCIOFLUSH)
        } catch {
            descriptor.close()
            throw error
        }
        return SerialPort(path: path, descriptor: descriptor)
    }

    /// Reads what has arrived; empty when nothing has.
    /// - Throws: `Errno` with `meansDeviceGone` when the device went away, or on end of file,
    ///   which a pseudo-terminal reports when its other side closed.
    public func readAvailable() throws(Errno) -> [UInt8] {
        let bytes: [UInt8]
        do {
            bytes = try descriptor.read(maximum: 4096)
        } catch .wouldBlock {
            return []
        }
        guard !bytes.isEmpty else { throw Errno.ioError }
        return bytes
    }

    /// Writes all bytes, waiting up to `timeoutMilliseconds` while the line is full.
    public func write(_ bytes: [UInt8], timeoutMilliseconds: Int32 = 2000) throws(Errno) {
        try descriptor.writeAll(bytes, timeoutMilliseconds: timeoutMilliseconds)
    }

    public func close() {
        descriptor.close()
    }
}
