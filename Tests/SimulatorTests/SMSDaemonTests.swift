import Foundation
import Glibc
import Testing

/// Runs the two established SMS daemons, Gammu SMSD 1.42 and smstools3 3.1.21 from Debian,
/// against the simulator with a batch of mixed messages, and checks that every handset got
/// every message whole.
@Suite struct SMSDaemonTests {
    /// Files in a spool directory, without smstools' `.LOCK` files.
    static func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { !$0.hasSuffix(".LOCK") }.sorted()
    }

    static func makeDirectories(_ names: [String], under root: String) throws {
        for name in names {
            try FileManager.default.createDirectory(atPath: "\(root)/\(name)", withIntermediateDirectories: true)
        }
    }

    /// Waits until the spool directory is empty and the handsets hold `batch.count` messages.
    static func waitForBatch(
        _ batch: [OutgoingMessage], outbox: String, _ simulator: SimulatorProcess, daemon: ChildProcess, log: String
    ) async throws -> [HandsetRecord] {
        do {
            return try await waitFor("the outbox to empty and \(batch.count) messages to arrive", timeout: .seconds(90)) {
                guard daemon.isRunning else {
                    throw ChildProcessError("\(daemon.command) exited with \(daemon.exitStatus): \(daemon.errorOutput)")
                }
                let received = try simulator.received()
                return files(in: outbox).isEmpty && received.count >= batch.count ? received : nil
            }
        } catch {
            let tail = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").suffix(30)
            throw ChildProcessError("\(error)\ndaemon log:\n\(tail.joined(separator: "\n"))")
        }
    }

    // MARK: Gammu SMSD

    @Test func gammuSMSDBatch() async throws {
        let simulator = try await SimulatorProcess.start()
        defer { simulator.stop() }
        let root = simulator.directory
        try Self.makeDirectories(["inbox", "outbox", "sent", "error"], under: root)
        let configuration = "\(root)/smsdrc"
        try """
            [gammu]
            device = \(simulator.portPath())
            connection = at115200

            [smsd]
            service = files
            inboxpath = \(root)/inbox/
            outboxpath = \(root)/outbox/
            sentsmspath = \(root)/sent/
            errorsmspath = \(root)/error/
            logfile = \(root)/gammu-smsd.log
            debuglevel = 1
            CommTimeout = 1
            LoopSleep = 1

            """.write(toFile: configuration, atomically: true, encoding: .utf8)

        let batch = MessageBatch.make()
        for (index, message) in batch.enumerated() {
            var arguments = ["-c", configuration, "TEXT", message.recipient]
            if message.kind == .chinese {
                arguments.append("-unicode")
            }
            if message.expectedParts > 1 {
                arguments += ["-len", String(message.text.count)]
            }
            arguments += ["-text", message.text]
            let result = try await ChildProcess.run(
                "gammu-smsd-inject", arguments, logDirectory: root, label: "inject-\(index)", timeout: .seconds(10))
            try #require(result.status == 0, "gammu-smsd-inject failed for \(message): \(result.errorOutput)")
        }
        #expect(Self.files(in: "\(root)/outbox").count == batch.count)

        let daemon = try ChildProcess("gammu-smsd", ["-c", configuration], logDirectory: root, label: "gammu-smsd")
        defer { daemon.stop() }
        let received = try await Self.waitForBatch(
            batch, outbox: "\(root)/outbox", simulator, daemon: daemon, log: "\(root)/gammu-smsd.log")

        let (expected, actual) = MessageBatch.compare(batch, received)
        #expect(actual == expected)
        #expect(received.filter { !$0.complete }.isEmpty)
        #expect(Self.files(in: "\(root)/error").isEmpty)
        #expect(Self.files(in: "\(root)/sent").count == batch.count)

        #expect(daemon.terminate())
        #expect(daemon.exitStatus == 0)
    }

    // MARK: smstools

    /// Writes one smstools message file: `Alphabet: UCS2` with a UCS-2BE body for every
    /// other Chinese message, `Alphabet: UTF-8` for the rest, no header for GSM text.
    static func spoolFile(_ message: OutgoingMessage, index: Int) -> Data {
        var header = "To: \(message.recipient.dropFirst())\n"
        var body = Data(message.text.utf8)
        if message.kind == .chinese {
            if index % 2 == 0 {
                header += "Alphabet: UCS2\n"
                body = Data(message.text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
            } else {
                header += "Alphabet: UTF-8\n"
            }
        }
        return Data((header + "\n").utf8) + body
    }

    /// Returns the PIDs of smsd's modem handlers, read from its log.
    static func handlerProcesses(log: String) -> [Int32] {
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            guard line.contains("has started. PID: ") else { return nil }
            return Int32(line.split(separator: " ").last?.trimmingCharacters(in: .punctuationCharacters) ?? "")
        }
    }

    @Test func smstoolsBatch() async throws {
        let simulator = try await SimulatorProcess.start()
        defer { simulator.stop() }
        let root = simulator.directory
        try Self.makeDirectories(["outgoing", "checked", "failed", "sent", "incoming", "staging"], under: root)
        let configuration = "\(root)/smsd.conf"
        let log = "\(root)/smsd.log"
        try """
            devices = GSM1
            outgoing = \(root)/outgoing
            checked = \(root)/checked
            failed = \(root)/failed
            sent = \(root)/sent
            incoming = \(root)/incoming
            logfile = \(log)
            loglevel = 7
            infofile = \(root)/smsd.working
            pidfile = \(root)/smsd.pid
            delaytime = 1
            delaytime_mainprocess = 1

            [GSM1]
            device = \(simulator.portPath())
            baudrate = 115200
            incoming = no

            """.write(toFile: configuration, atomically: true, encoding: .utf8)

        // smsd picks up any file in outgoing, so each file is written aside and renamed in.
        let batch = MessageBatch.make()
        for (index, message) in batch.enumerated() {
            let staged = "\(root)/staging/alert-\(index)"
            try Self.spoolFile(message, index: index).write(to: URL(fileURLWithPath: staged))
            try FileManager.default.moveItem(atPath: staged, toPath: "\(root)/outgoing/alert-\(index)")
        }

        let daemon = try ChildProcess("smsd", ["-c\(configuration)", "-t"], logDirectory: root, label: "smsd")
        defer { daemon.stop(grace: .seconds(10)) }
        let received = try await Self.waitForBatch(batch, outbox: "\(root)/outgoing", simulator, daemon: daemon, log: log)
        _ = try await waitFor("smsd to move every file to sent", timeout: .seconds(10)) {
            Self.files(in: "\(root)/checked").isEmpty ? true : nil
        }

        let (expected, actual) = MessageBatch.compare(batch, received)
        #expect(actual == expected)
        #expect(received.filter { !$0.complete }.isEmpty)
        #expect(Self.files(in: "\(root)/failed").isEmpty)
        #expect(Self.files(in: "\(root)/sent").count == batch.count)

        // On SIGTERM smsd's main process stops its modem handlers and waits for them.
        #expect(daemon.terminate(grace: .seconds(10)))
        #expect(daemon.exitStatus == 0)
        for handler in Self.handlerProcesses(log: log) {
            #expect(kill(handler, 0) != 0, "smsd modem handler \(handler) still runs after smsd stopped")
        }
    }
}
