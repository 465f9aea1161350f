import Foundation
import Glibc
import Hardware
import Testing

/// Runs the simulator's faults and replay mode through real pseudo-terminals, with the test
/// as the client on the tty.
@Suite struct RuntimeFaultTests {
    /// Opens modem 0's tty with echo off.
    static func openQuietPort(_ simulator: SimulatorProcess) async throws -> ModemPort {
        let port = try ModemPort(simulator.portPath())
        _ = try await port.command("ATE0")
        return port
    }

    @Test func reenumerationHangsUp() async throws {
        // Output written before a host opens the tty is lost, as on a USB modem, so the boot
        // after the tty returns takes 4 s: time for this test to open it and see RDY even
        // when the whole suite loads the machine (1 s was too short there).
        let simulator = try await SimulatorProcess.start(["--boot-ms", "4000"])
        defer { simulator.stop() }
        let path = simulator.portPath()
        let old = try await Self.openQuietPort(simulator)
        defer { old.close() }
        let oldTarget = try FileManager.default.destinationOfSymbolicLink(atPath: path)

        try simulator.control(["op": "fault", "fault": "reenumerate", "down_for_ms": 1500])

        // The client that has the old tty open sees a hang-up: poll reports it, read returns
        // end of file and write fails with EIO, as after a USB unplug.
        let events = try old.descriptor.poll(events: Int16(POLLIN), timeoutMilliseconds: 2000)
        #expect(events.hangUp)
        let readResult = Result<[UInt8], Errno> { () throws(Errno) in try old.descriptor.read(maximum: 64) }
        #expect(readResult == .success([]) || readResult == .failure(.ioError))
        #expect(throws: Errno.ioError) { try old.descriptor.write(Array("AT\r".utf8)) }

        // The symlink is gone while the modem is away.
        var status = stat()
        let linkStatus = lstat(path, &status)
        let linkError = errno
        #expect(linkStatus == -1)
        #expect(linkError == ENOENT)

        let newTarget = try await waitFor("the symlink to come back", timeout: .seconds(5)) {
            try? FileManager.default.destinationOfSymbolicLink(atPath: path)
        }
        // The old pseudo-terminal is still open here, so the kernel cannot reuse its number.
        #expect(newTarget != oldTarget)

        let port = try ModemPort(path)
        defer { port.close() }
        let banner = try await port.read(until: "RDY", timeout: .seconds(10))
        #expect(banner.hasPrefix("\r\nRDY\r\n"))
        // The restart restored the defaults, so echo is on again. Boot URCs (+CPIN, SMS DONE)
        // may still arrive before or right after the OK on a loaded machine, so OK must be the
        // last line that is not a URC.
        let reply = try await port.command("AT")
        #expect(reply.contains("AT\r"))
        let lines = reply.components(separatedBy: "\r\n").filter { !$0.isEmpty && !$0.hasPrefix("+") }
        #expect(lines.last == "OK")
        #expect(try simulator.modemStatus()["power"] as? String == "on")
    }

    @Test func noAnswerThenRecovers() async throws {
        let simulator = try await SimulatorProcess.start()
        defer { simulator.stop() }
        let port = try await Self.openQuietPort(simulator)
        defer { port.close() }

        try simulator.control(["op": "fault", "fault": "no_answer", "duration_ms": 1000])
        try port.write("AT\r")
        #expect(try await port.drain(for: .milliseconds(700)) == "")

        try await Task.sleep(for: .milliseconds(500))
        #expect(try await port.command("AT") == "\r\nOK\r\n")
    }

    @Test func noAnswerForOnePrefix() async throws {
        let simulator = try await SimulatorProcess.start()
        defer { simulator.stop() }
        let port = try await Self.openQuietPort(simulator)
        defer { port.close() }

        try simulator.control(["op": "fault", "fault": "no_answer", "prefix": "AT+CMGL", "duration_ms": 2000])
        try port.write("AT+CMGL=4\r")
        #expect(try await port.drain(for: .milliseconds(500)) == "")
        #expect(try await port.command("AT+CSQ") == "\r\n+CSQ: 22,99\r\n\r\nOK\r\n")
    }

    @Test func garbageThenCommandsWork() async throws {
        let simulator = try await SimulatorProcess.start()
        defer { simulator.stop() }
        let port = try await Self.openQuietPort(simulator)
        defer { port.close() }

        try simulator.control(["op": "fault", "fault": "garbage", "count": 64])
        let garbage = try await port.drainBytes(for: .milliseconds(300))

        #expect(garbage.count == 64)
        #expect(try await port.command("AT") == "\r\nOK\r\n")
    }

    // MARK: Replay

    static let transcript = """
        # Send 测试 to +8613800000001 in PDU mode, as in 3GPP TS 27.005 §3.5.1.
        > AT
        < OK
        > AT+CMGS=19
        << \\r\\n>\\x20
        > 0011000D91683108000000F10008AA046D4B8BD5^Z
        ~ 0.1
        < +CMGS: 5
        < OK

        """

    /// Starts `alertbox-sim replay` on the transcript and opens its port. The replay's own
    /// 120 s limit only catches a hang: a loaded machine once took over 20 s between the
    /// port appearing and the test's second command.
    static func startReplay(in directory: String) async throws -> (ChildProcess, ModemPort) {
        let file = "\(directory)/send.transcript"
        try transcript.write(toFile: file, atomically: true, encoding: .utf8)
        let portPath = "\(directory)/replay0"
        let replay = try ChildProcess(
            try SimulatorProcess.executablePath, ["replay", file, "--port", portPath, "--timeout", "120"],
            logDirectory: directory, label: "replay")
        do {
            // The bound only catches a hang: a loaded machine once took over 20 s here.
            _ = try await waitFor("the replay port", timeout: .seconds(60)) {
                if FileManager.default.fileExists(atPath: portPath) { return true }
                guard replay.isRunning else {
                    throw ChildProcessError("alertbox-sim replay exited with \(replay.exitStatus) before making its port; stderr: \(replay.errorOutput)")
                }
                return nil
            }
            return (replay, try ModemPort(portPath))
        } catch let error as ChildProcessError where error.description.contains("stderr:") {
            replay.stop()
            throw error
        } catch {
            let stderr = replay.errorOutput
            replay.stop()
            throw ChildProcessError("\(error); alertbox-sim replay's stderr: \(stderr)")
        }
    }

    @Test func replayMatches() async throws {
        let directory = try makeTemporaryDirectory("alertbox-replay")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (replay, port) = try await Self.startReplay(in: directory)
        defer {
            port.close()
            replay.stop()
        }

        #expect(try await port.command("AT") == "\r\nOK\r\n")
        try port.write("AT+CMGS=19\r")
        #expect(try await port.read(until: "> ") == "\r\n> ")
        try port.write("0011000D91683108000000F10008AA046D4B8BD5\u{1A}")
        #expect(try await port.read(until: "OK\r\n") == "\r\n+CMGS: 5\r\n\r\nOK\r\n")

        #expect(await replay.waitForExit(timeout: .seconds(30)))
        #expect(replay.exitStatus == 0)
        #expect(!replay.errorOutput.contains("replay: "))
    }

    @Test func replayMismatchFails() async throws {
        let directory = try makeTemporaryDirectory("alertbox-replay")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (replay, port) = try await Self.startReplay(in: directory)
        defer {
            port.close()
            replay.stop()
        }

        #expect(try await port.command("AT") == "\r\nOK\r\n")
        #expect(try await port.command("AT+CMGF=1") == "\r\nERROR\r\n")

        // The replay ends at the first mismatch instead of waiting for its timeout.
        #expect(await replay.waitForExit(timeout: .seconds(30)))
        #expect(replay.exitStatus == 1)
        #expect(
            replay.errorOutput.contains(
                "alertbox-sim: replay: transcript line 4: expected \"AT+CMGS=19\", received \"AT+CMGF=1\""))
    }
}
