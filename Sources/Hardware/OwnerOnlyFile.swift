import Glibc

/// Files that hold secrets or personal data, written so that no other user can read them at
/// any moment, whatever the process's umask.
public enum OwnerOnlyFile {
    /// Replaces `path` with `bytes`: writes a temporary file created with mode 0600 next to
    /// it, then renames it over `path`.
    ///
    /// Foundation's atomic writes create the file with the umask's mode and change it only
    /// afterwards, so for a moment anyone could read the content. This never happens here.
    /// - Throws: `Errno` from `open(2)`, `write(2)`, `fsync(2)` or `rename(2)`.
    public static func write(_ bytes: [UInt8], to path: String) throws(Errno) {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = try FileDescriptor.open(temporary, flags: O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o600)
        do throws(Errno) {
            try descriptor.writeAll(bytes)
            guard fsync(descriptor.rawValue) == 0 else { throw Errno.current }
        } catch {
            descriptor.close()
            unlink(temporary)
            throw error
        }
        descriptor.close()
        guard rename(temporary, path) == 0 else {
            let error = Errno.current
            unlink(temporary)
            throw error
        }
    }
}
