import Foundation
import Glibc
import IMFakes
import Testing

/// The harness's child processes: nothing leaks into them, and a killed child is seen to exit
/// without Foundation's help.
@Suite struct ChildProcessTests {
    /// Opens a pipe without close-on-exec, as Foundation's `Pipe` and `Process` do.
    static func inheritablePipe() throws -> (read: Int32, write: Int32) {
        var ends: [Int32] = [0, 0]
        try #require(pipe(&ends) == 0, "pipe(2) failed: errno \(errno)")
        return (ends[0], ends[1])
    }

    @Test func childInheritsOnlyStandardDescriptors() async throws {
        let (read, write) = try Self.inheritablePipe()
        defer {
            close(read)
            close(write)
        }
        let directory = NSTemporaryDirectory() + "child-fds-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }

        // The shell lists its own descriptors with a glob, which needs no other program.
        let child = try ChildProcess("/bin/sh", ["-c", "for fd in /proc/$$/fd/*; do echo ${fd##*/}; done"], logDirectory: directory, label: "fds")
        #expect(await child.waitForExit(timeout: .seconds(10)))
        #expect(child.exitStatus == 0, "the listing failed: \(child.errorOutput)")
        let listed = Set(child.output.split(separator: "\n").map(String.init))
        #expect(listed.isSuperset(of: ["0", "1", "2"]), "the listing missed the standard descriptors: \(listed.sorted())")
        #expect(!listed.contains(String(read)), "the child inherited the pipe's read end: \(listed.sorted())")
        #expect(!listed.contains(String(write)), "the child inherited the pipe's write end: \(listed.sorted())")
        // 3 is the directory the shell reads for the glob.
        #expect(listed.isSubset(of: ["0", "1", "2", "3"]), "\(listed.sorted())")
    }

    @Test func waitForExitSeesKilledChild() async throws {
        let sleepers = try (0..<2).map { _ in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sleep")
            process.arguments = ["600"]
            try ProcessLaunch.run(process)
            return process
        }
        defer { sleepers.forEach { kill($0.processIdentifier, SIGKILL) } }
        kill(sleepers[0].processIdentifier, SIGKILL)
        #expect(ProcessLaunch.waitForExit(sleepers[0], timeout: .seconds(10)))
        #expect(!ProcessLaunch.waitForExit(sleepers[1], timeout: .milliseconds(50)))
    }
}
