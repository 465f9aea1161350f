public import Foundation
import Glibc

/// Starts Foundation `Process` children one at a time, and makes their pipes between starts.
///
/// On Linux, `Process.run()` makes a socket pair whose far end the child keeps, and learns
/// that the child exited when that end closes. It closes in the child only the descriptors
/// it saw open while it built the spawn actions, and `Pipe()` sets no close-on-exec flag.
/// A socket pair or pipe made on another thread during a run can therefore leak into that
/// run's child. While the child lives, the other run misses its own child's exit
/// (`isRunning` stays true and `waitUntilExit()` spins), and a read of the leaked pipe never
/// ends. Every `Process` of the simulator and the tests starts through `run(_:)`, and every
/// pipe for one comes from `pipe()`, so none is made while a run is in progress.
public enum ProcessLaunch {
    private static let lock = NSLock()

    /// Runs `process`, holding the launch lock.
    public static func run(_ process: Process) throws {
        try lock.withLock { try process.run() }
    }

    /// Returns a new pipe, made while no run is in progress.
    public static func pipe() -> Pipe {
        lock.withLock { Pipe() }
    }

    /// Waits up to `timeout` for `process` to exit, and returns whether it did. Blocks the
    /// calling thread, so async code calls `exited(_:within:)`.
    ///
    /// NOTE: Foundation may not have reaped the child yet when this returns true, so
    /// `isRunning` can still be true and `terminationStatus` is not yet readable.
    public static func waitForExit(_ process: Process, timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !hasExited(process) {
            guard ContinuousClock.now < deadline else { return false }
            usleep(10_000)
        }
        return true
    }

    /// Waits up to `timeout` for `process` to exit, without holding a thread, and returns
    /// whether it did. Returns false at once when the task is cancelled.
    public static func exited(_ process: Process, within timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !hasExited(process) {
            guard ContinuousClock.now < deadline, !Task.isCancelled else { return false }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return true
    }

    /// Returns whether `process` has exited. Asks the kernel with `waitid(2)` and `WNOWAIT`,
    /// so Foundation still reaps the child and reads its status, but the result does not
    /// depend on Foundation's socket pair.
    private static func hasExited(_ process: Process) -> Bool {
        var info = siginfo_t()
        let result = waitid(P_PID, id_t(process.processIdentifier), &info, WEXITED | WNOWAIT | WNOHANG)
        // ECHILD: Foundation has reaped the child already.
        if result == -1, errno == ECHILD { return true }
        return result == 0 && info._sifields._sigchld.si_pid == process.processIdentifier
    }
}
