public import Core
import Glibc
import Hardware

/// Plays a transcript on a pseudo-terminal behind `portPath`, until it ends or fails.
public enum ReplayRuntime {
    /// Runs the transcript; returns the mismatches, empty when the host followed it exactly.
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
                    let message = "step \(step + 1): expected \(expected.debugDescription), received \(received.debugDescription)"
                    logger.error("replay mismatch", ["replay.detail": .body(message)])
                    mismatches.append(message)
                case .finished:
                    finished = true
                }
            }
        }

        handle(player.resume())
        while !finished, !shouldStop(), clock.now < deadline {
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
        if !finished {
            mismatches.append("transcript not finished: the host stopped before its last step")
        }
        return mismatches
    }
}
