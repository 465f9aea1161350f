import Foundation
import Glibc
import IMFakes
import Testing

/// Runs each scenario with both real executables: `alertbox-sim scenario NAME` starts a
/// broker, the simulator and `alertbox`, plays the timeline and exits 0 only when every
/// expectation held. The output names each expectation that failed.
@Suite(.serialized) struct ScenarioTests {
    /// The outcome of one scenario run.
    struct Run {
        var status: Int32
        var output: String
    }

    /// Runs `alertbox-sim scenario` on a thread of its own; a run past `bound` is killed, which
    /// only catches a hang.
    static func play(_ name: String, language: String = "en", options: [String] = [], bound: Duration = .seconds(600)) async throws -> Run {
        let folder = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")).deletingLastPathComponent()
        let process = Process()
        process.executableURL = folder.appendingPathComponent("alertbox-sim")
        process.arguments = ["scenario", name, "--lang", language] + options
        let output = ProcessLaunch.pipe()
        process.standardOutput = output
        process.standardError = output
        try ProcessLaunch.run(process)
        let watchdog = Thread {
            let deadline = ContinuousClock.now + bound
            while process.isRunning, ContinuousClock.now < deadline { usleep(100_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        watchdog.start()
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                continuation.resume(returning: Run(status: process.terminationStatus, output: text))
            }
        }
    }

    @Test(arguments: ["reference", "power-loss", "wrong-pin", "carrier-cap", "modem-unplugged", "security"])
    func scenarioHoldsEveryExpectation(_ name: String) async throws {
        let run = try await Self.play(name)
        #expect(run.status == 0, "\(name) failed:\n\(run.output)")
        #expect(run.output.contains("Result: all"))
        // Every run ends with the mode check and the log audit.
        #expect(run.output.contains("✓ no log line contains a secret or an unmasked phone number (0 found)"))
        #expect(run.output.contains("files the box created under umask 022"))
    }

    /// A short crash torture: 8 SIGKILLs of a 100-recipient P0-P3 run. It fails when a
    /// recipient is lost, a duplicate has no recorded resend, or a send has no delivery row.
    /// The seed is fixed so that a failure replays; `make torture` runs the 200-kill version.
    @Test func tortureLosesNothing() async throws {
        let run = try await Self.play("torture", options: ["--kills", "8", "--recipients", "100", "--seed", "7"], bound: .seconds(180))
        #expect(run.status == 0, "torture failed:\n\(run.output)")
        #expect(run.output.contains("lost: 0"))
        #expect(run.output.contains("unrecorded duplicates: 0"))
    }

    @Test func tortureRejectsBadKills() async throws {
        let run = try await Self.play("torture", options: ["--kills", "0"])
        #expect(run.status == 64)
        #expect(run.output.contains("invalid --kills '0'"))
    }

    @Test func unknownScenarioIsAUsageError() async throws {
        let run = try await Self.play("no-such-scenario", language: "zh")
        #expect(run.status == 64)
        #expect(run.output.contains("reference"))
    }
}
