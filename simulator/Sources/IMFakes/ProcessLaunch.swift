public import Foundation
import Glibc

/// Starts Foundation `Process` children one at a time.
///
/// On Linux, `Process.run()` makes a socket pair whose far end the child keeps, and learns
/// that the child exited when that end closes. It closes in the child only the descriptors
/// it saw open while it built the spawn actions. Two runs on two threads therefore race:
/// one child can inherit the far end of the other run's pair. While that child lives, the
/// other run misses its own child's exit: `isRunning` stays true and `waitUntilExit()`
/// spins. A pipe's write end leaks the same way, and a read of the pipe never ends.
/// Every `Process` of the simulator and the tests starts through `run(_:)` so no two runs
/// overlap.
public enum ProcessLaunch {
    private static let lock = NSLock()

    /// Runs `process`, holding the launch lock.
    public static func run(_ process: Process) throws {
        try lock.withLock { try process.run() }
    }

    /// Waits up to `timeout` for `process` to exit, and returns whether it did. Blocks the
    /// calling thread; from async code call `exit(of:timeout:)`.
    public static func waitForExit(_ process: Process, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !hasExited(process) {
            guard ContinuousClock.now < deadline else { return false }
            usleep(10_000)
        }
        return true
    }

    /// Waits up to `timeout` for `process` to exit, without holding a thread, and returns
    /// whether it did.
    public static func exit(of process: Process, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !hasExited(process) {
            guard ContinuousClock.now < deadline else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// Whether `process` has exited. Asks the kernel with `waitid(2)` and `WNOWAIT`, so
    /// Foundation still reaps the child and reads its status, but the result does not
    /// depend on Foundation's socket pair.
    private static func hasExited(_ process: Process) -> Bool {
        var info = siginfo_t()
        let result = waitid(P_PID, id_t(process.processIdentifier), &info, WEXITED | WNOWAIT | WNOHANG)
        // ECHILD: Foundation has reaped the child already.
        if result == -1, errno == ECHILD { return true }
        return result == 0 && info._sifields._sigchld.si_pid == process.processIdentifier
    }
}
