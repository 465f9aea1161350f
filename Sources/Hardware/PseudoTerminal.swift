import CPosix
import Glibc

/// A pseudo-terminal pair: the master side that a simulator drives and the path of the
/// subordinate side that a client opens as if it were a modem's tty.
/// `posix_openpt(3)`, `grantpt(3)`, `unlockpt(3)`, `ptsname_r(3)`.
public struct PseudoTerminal: Sendable {
    public let master: FileDescriptor
    /// The subordinate device, such as `/dev/pts/5`.
    public let subordinatePath: String

    /// Opens a new pair; the master is non-blocking and the subordinate is set to raw mode.
    ///
    /// The subordinate is opened once here to set raw mode, and kept open by `keeper`, so
    /// that the master does not see a hang-up between clients.
    public static func open() throws(Errno) -> (terminal: PseudoTerminal, keeper: FileDescriptor) {
        let master = try retryingOnInterrupt { cposix_open_pty_master(O_RDWR | O_NOCTTY | O_CLOEXEC) }
        let masterDescriptor = FileDescriptor(rawValue: master)
        do throws(Errno) {
            var name = [CChar](repeating: 0, count: 128)
            let status = cposix_pty_subordinate_name(master, &name, name.count)
            guard status == 0 else { throw Errno(rawValue: status) }
            let path = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let keeper = try FileDescriptor.open(path, flags: O_RDWR | O_NOCTTY)
            try TerminalSettings.makeRaw(keeper)
            try masterDescriptor.setNonBlocking(true)
            return (PseudoTerminal(master: masterDescriptor, subordinatePath: path), keeper)
        } catch {
            masterDescriptor.close()
            throw error
        }
    }
}
