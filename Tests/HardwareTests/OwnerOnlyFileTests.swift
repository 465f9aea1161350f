import Foundation
import Glibc
import Hardware
import Testing

/// OwnerOnlyFile on real files in a temporary directory.
@Suite struct OwnerOnlyFileTests {
    static func mode(_ path: String) -> mode_t {
        var status = stat()
        return stat(path, &status) == 0 ? status.st_mode & 0o7777 : 0
    }

    @Test func replacesReadableFileWithOwnerOnlyOne() throws {
        let directory = NSTemporaryDirectory() + "/owner-only-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/secret"
        try "old\n".write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o644)

        try OwnerOnlyFile.write(Array("new secret\n".utf8), to: path)

        #expect(Self.mode(path) == 0o600)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "new secret\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["secret"])
    }

    @Test func missingDirectoryThrows() {
        #expect(throws: Errno.self) {
            try OwnerOnlyFile.write(Array("x".utf8), to: "/nonexistent-alertbox-directory/secret")
        }
    }
}
