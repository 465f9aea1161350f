public import Core
import Glibc
import Hardware

/// Plays a transcript on a pseudo-terminal behind `portPath`, until it ends or fails.
public enum ReplayRuntime {
    /// Runs the transcript; returns the failures, empty when the host followed it exactly.
    ///
    /// The replay stops at the first line the host sends that the transcript did not expect,
    /// after it replies `ERROR` to that line, because the rest of the conversation can no
    /// longer match. It also stops when `timeout` passes before the last step.
    public static func run(
        _ transcript: Transcript, portPath: String, timeout: Duration, logger: Logger, shouldStop: () -> Bool
    ) throws -> [String] {
        let (terminal, keeper) = try PseudoTerminal.open()
        defer {
            terminal.master.close()
            keeper.close()
            unlink(portPath)
        }
        unlink(portPath)
        guard symlink(terminal.subordinatePath, portPath) == 0 else { throw Errno.current }
        logger.info("replay port ready", ["modem.port": .plain(portPath), "sim.pty": .plain(terminal.subordinatePath)])

        let clock = SystemClock()
        let deadline = clock.now.advanced(by: timeout)
        var player = TranscriptPlayer(transcript)
        var mismatches: [String] = []
        var resumeAt: MonotonicInstant?
        var finished = false

        func handle(_ outputs: [TranscriptPlayer.Output]) {
            for output in outputs {
                switch output {
                case .write(let bytes):
                    try? terminal.master.writeAll(bytes)
                case .pause(let duration):
                    resumeAt = clock.now.advanced(by: duration)
                case .mismatch(let expected, let received, let step):
                    let line = transcript.lineNumbers.indices.contains(step) ? "transcript line \(transcript.lineNumbers[step])" : "end of transcript"
                    let message = "\(line): expected \(expected.debugDescription), received \(received.debugDescription)"
                    logger.error("replay mismatch", ["replay.detail": .body(message)])
                    mismatches.append(message)
                case .finished:
                    finished = true
                }
            }
        }

        handle(player.resume())
        while !finished, mismatches.isEmpty, !shouldStop(), clock.now < deadline {
            var wait = Int32(200)
            if let resume = resumeAt {
                wait = Int32(max(0, min(200, clock.now.duration(to: resume).nanoseconds / 1_000_000)))
            }
            let events = (try? terminal.master.poll(events: Int16(POLLIN), timeoutMilliseconds: wait)) ?? PollEvents(rawValue: 0)
            if events.readable, let bytes = try? terminal.master.read(maximum: 4096), !bytes.isEmpty {
                handle(player.receive(bytes))
            }
            if let resume = resumeAt, clock.now >= resume {
                resumeAt = nil
                handle(player.resume())
            }
        }
        waitUntilRead(by: keeper, clock: clock, limit: .seconds(10))
        if !finished, mismatches.isEmpty {
            let step = player.position
            let place = transcript.lineNumbers.indices.contains(step) ? " at transcript line \(transcript.lineNumbers[step])" : ""
            let waiting = transcript.expectedInput(at: step).map { ", waiting for the host to send \($0.debugDescription)" } ?? ""
            let reason = shouldStop() ? "stopped by a signal" : "timed out after \(timeout)"
            mismatches.append("transcript not finished: \(reason)\(place)\(waiting)")
        }
        return mismatches
    }

    /// Waits, up to `limit`, until the host has read everything written to the tty.
    ///
    /// Closing the master hangs the tty up, and Linux then discards what the host has not
    /// read yet, so the last reply of a transcript would be lost to a host that reads it a
    /// moment after it arrives. `FIONREAD` on the subordinate side counts the unread bytes.
    /// The first 500 ms are always waited: the kernel moves bytes from the master to the
    /// subordinate's read buffer in a work queue, so a count of 0 right after a write does
    /// not yet mean that the host read them. 100 ms was too short on a loaded machine, and
    /// so was a 2 s limit for a host that polls the tty.
    private static func waitUntilRead(by subordinate: FileDescriptor, clock: SystemClock, limit: Duration) {
        let start = clock.now
        let deadline = start.advanced(by: limit)
        while clock.now < deadline {
            usleep(10_000)
            var unread: Int32 = 0
            let counted = ioctl(subordinate.rawValue, UInt(FIONREAD), &unread) == 0
            if start.duration(to: clock.now) >= .milliseconds(500), !counted || unread == 0 {
                return
            }
        }
    }
}
