import Foundation
import Glibc

/// A failure of a child process that a test started.
struct ChildProcessError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// A child process whose stdout and stderr go to files, so that a chatty child never blocks
/// on a full pipe and a test can read what it printed while it still runs.
///
/// The child is spawned with `posix_spawn(3)` in a process group of its own, with an empty
/// signal mask and default signal actions, because a test runner's threads may block or
/// ignore signals and a child would inherit that. It inherits no descriptor but its standard
/// input, output and error. `stop()` ends the whole group, so that
/// daemons that fork leave nothing behind. Used by one test task only, so not `Sendable`.
final class ChildProcess {
    let command: String
    let outputPath: String
    let errorPath: String
    let processIdentifier: pid_t
    private var waitStatus: Int32?

    /// Starts `executable` (a path, or a name looked up in `PATH`) with `arguments`.
    ///
    /// - Parameters:
    ///   - logDirectory: where the stdout and stderr files go; `label` names them.
    ///   - environment: variables added to this process's environment.
    init(
        _ executable: String, _ arguments: [String], logDirectory: String, label: String,
        environment: [String: String] = [:]
    ) throws {
        let path = try Self.resolve(executable)
        command = ([path] + arguments).joined(separator: " ")
        outputPath = "\(logDirectory)/\(label).stdout"
        errorPath = "\(logDirectory)/\(label).stderr"

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, errorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        // Nothing else goes to the child. An inherited socket or pipe of another test would
        // keep it open while the child runs: Foundation's `Process` then misses its own
        // child's exit, and a pipe reader misses the end.
        Self.closeFrom(3, &actions)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in [SIGTERM, SIGINT, SIGPIPE, SIGCHLD, SIGHUP] {
            sigaddset(&defaultSignals, signal)
        }
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = variables.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, path, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw ChildProcessError("posix_spawn failed for \(command): errno \(status)")
        }
        processIdentifier = pid
    }

    /// Adds to `actions` a close of every descriptor from `lowest` up, with glibc's
    /// `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which the Swift Glibc
    /// module does not declare.
    private static func closeFrom(_ lowest: Int32, _ actions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else {
            preconditionFailure("glibc has no posix_spawn_file_actions_addclosefrom_np; the tests need glibc 2.34 or later (Debian 12 has 2.36)")
        }
        let status = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, lowest)
        precondition(status == 0, "posix_spawn_file_actions_addclosefrom_np failed: errno \(status)")
    }

    /// Whether the child still runs; reaps it with `waitpid(2)` once it has exited.
    var isRunning: Bool {
        guard waitStatus == nil else { return false }
        var status: Int32 = 0
        guard waitpid(processIdentifier, &status, WNOHANG) == processIdentifier else { return true }
        waitStatus = status
        return false
    }

    /// The exit status, or 128 plus the signal number for a child killed by a signal, as
    /// shells print it; -1 while the child runs.
    var exitStatus: Int32 {
        guard !isRunning, let status = waitStatus else { return -1 }
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }

    /// Everything the child wrote to stdout so far.
    var output: String {
        (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
    }

    /// Everything the child wrote to stderr so far.
    var errorOutput: String {
        (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
    }

    /// Waits for the child to exit; returns false when `timeout` passed first.
    func waitForExit(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while isRunning {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Waits until stdout contains `text`; throws when the child exits or `timeout` passes
    /// first.
    func waitForOutput(containing text: String, timeout: Duration) async throws {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        while !output.contains(text) {
            guard isRunning else {
                throw ChildProcessError("\(command) exited with \(exitStatus) before printing \(text.debugDescription); stderr: \(errorOutput)")
            }
            guard ContinuousClock.now < deadline else {
                throw ChildProcessError("\(command) did not print \(text.debugDescription) within \(timeout); stdout: \(output)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Sends SIGTERM to the child alone, as a service manager stops a daemon, and waits up
    /// to `grace` for it to exit. Returns whether it exited.
    @discardableResult
    func terminate(grace: Duration = .seconds(3)) -> Bool {
        guard isRunning else { return true }
        kill(processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now.advanced(by: grace)
        while isRunning {
            guard ContinuousClock.now < deadline else { return false }
            usleep(10_000)
        }
        return true
    }

    /// Stops the child with SIGTERM, then SIGKILL after `grace`, reaps it, and kills
    /// whatever is left of its process group.
    ///
    /// Synchronous, so that a test's `defer` can call it on every exit path.
    func stop(grace: Duration = .seconds(3)) {
        if !terminate(grace: grace) {
            kill(processIdentifier, SIGKILL)
            while isRunning {
                usleep(10_000)
            }
        }
        // The group's id is the child's pid; ESRCH means nothing of it is left.
        kill(-processIdentifier, SIGKILL)
    }

    /// Runs a command to its end and returns its status and output; a command still running
    /// after `timeout` is killed and reported as an error.
    static func run(
        _ executable: String, _ arguments: [String], logDirectory: String, label: String,
        environment: [String: String] = [:], timeout: Duration
    ) async throws -> (status: Int32, output: String, errorOutput: String) {
        let child = try ChildProcess(executable, arguments, logDirectory: logDirectory, label: label, environment: environment)
        defer { child.stop(grace: .milliseconds(500)) }
        guard await child.waitForExit(timeout: timeout) else {
            throw ChildProcessError("\(child.command) timed out after \(timeout); stdout: \(child.output) stderr: \(child.errorOutput)")
        }
        return (child.exitStatus, child.output, child.errorOutput)
    }

    /// Resolves a command name through `PATH`; a name with a slash is taken as a path.
    static func resolve(_ executable: String) throws -> String {
        if executable.contains("/") {
            guard FileManager.default.isExecutableFile(atPath: executable) else {
                throw ChildProcessError("\(executable) is not an executable file")
            }
            return executable
        }
        let searchPath = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories = searchPath.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        for directory in directories where FileManager.default.isExecutableFile(atPath: "\(directory)/\(executable)") {
            return "\(directory)/\(executable)"
        }
        throw ChildProcessError("\(executable) not found in PATH; run scripts/setup to install the Debian packages")
    }
}

/// Creates a fresh directory under `/tmp` for one test, short enough for a UNIX socket path.
func makeTemporaryDirectory(_ prefix: String) throws -> String {
    var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
    guard let created = mkdtemp(&template) else {
        throw ChildProcessError("mkdtemp failed for /tmp/\(prefix): errno \(errno)")
    }
    return String(cString: created)
}

/// Polls `condition` every 50 ms until it returns a value or `timeout` passes.
func waitFor<Value>(
    _ what: String, timeout: Duration, _ condition: () throws -> Value?
) async throws -> Value {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while true {
        if let value = try condition() { return value }
        guard ContinuousClock.now < deadline else {
            throw ChildProcessError("timed out after \(timeout) waiting for \(what)")
        }
        try await Task.sleep(for: .milliseconds(50))
    }
}
