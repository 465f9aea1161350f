// Measures SMS throughput and CPU cost of the modem driver through a real pseudo-terminal
// and a real `alertbox-sim` child process, prints a table and writes it as Markdown.
//
// Usage: alertbox-bench [--output FILE]
import Core
import Foundation
import Glibc
import Modem
import SMS

/// One measured run: a simulator with one SMSC latency and a batch of messages.
struct Scenario {
    let name: String
    let latencyMilliseconds: Int
    let messages: Int
    /// The text of message `index`.
    let text: (Int) -> String
    /// Whether the ideal rate 1/latency applies, so the achieved ratio is shown.
    var comparesWithLatency: Bool { latencyMilliseconds > 0 }
}

/// The figures of one scenario.
struct Measurement {
    let scenario: Scenario
    let simulatorCommand: String
    let accepted: Int
    let parts: Int
    let seconds: Double
    let driverCPUSeconds: Double
    let simulatorCPUSeconds: Double

    var messagesPerSecond: Double { Double(accepted) / seconds }
    var partsPerSecond: Double { Double(parts) / seconds }
    var driverMillisecondsPerMessage: Double { driverCPUSeconds * 1000 / Double(max(accepted, 1)) }
    var simulatorMillisecondsPerMessage: Double { simulatorCPUSeconds * 1000 / Double(max(accepted, 1)) }

    /// Parts per second over the ideal of one part per SMSC latency, since the modem sends
    /// one part at a time.
    var ratioToIdeal: Double? {
        guard scenario.comparesWithLatency else { return nil }
        return partsPerSecond / (1000 / Double(scenario.latencyMilliseconds))
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    let description: String
}

/// A running `alertbox-sim run` child in its own temporary directory.
final class Simulator {
    let directory: String
    let process = Process()
    let arguments: [String]

    init(latencyMilliseconds: Int) throws {
        directory = NSTemporaryDirectory() + "alertbox-bench-\(getpid())-\(latencyMilliseconds)"
        let executable = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            .deletingLastPathComponent().appendingPathComponent("alertbox-sim")
        arguments = ["run", "--dir", directory, "--boot-ms", "200", "--latency", String(latencyMilliseconds)]
        process.executableURL = executable
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()

        // The simulator prints one `ready DIR` line once its ports exist.
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        guard String(decoding: line, as: UTF8.self).hasPrefix("ready") else {
            process.terminate()
            throw BenchmarkError(description: "alertbox-sim did not start: \(String(decoding: line, as: UTF8.self))")
        }
    }

    var portPath: String { directory + "/modem0" }

    /// The simulator's command line, with `DIR` for the temporary directory.
    var command: String {
        (["alertbox-sim"] + arguments.map { $0 == directory ? "DIR" : $0 }).joined(separator: " ")
    }

    /// User plus system CPU time of the simulator so far, from `/proc/PID/stat`.
    func cpuSeconds() throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8)
        // The command name is in parentheses and may contain spaces, so fields are counted
        // after it. utime and stime are fields 14 and 15 in proc(5), at indexes 11 and 12 here.
        guard let close = stat.lastIndex(of: ")") else {
            throw BenchmarkError(description: "unexpected /proc stat line: \(stat)")
        }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else {
            throw BenchmarkError(description: "unexpected /proc stat line: \(stat)")
        }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

/// User plus system CPU time of this process so far, from `getrusage(2)`.
func ownCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}

/// Runs one scenario: start the simulator and the driver, send every message, stop both.
func measure(_ scenario: Scenario) async throws -> Measurement {
    let simulator = try Simulator(latencyMilliseconds: scenario.latencyMilliseconds)
    defer { simulator.stop() }
    let driver = ModemDriver(
        settings: ModemSettings(devicePath: simulator.portPath, stateDirectory: simulator.directory + "/state"),
        logger: Logger(label: "bench", level: .critical))
    await driver.start()
    guard await driver.waitUntilReady(timeout: .seconds(30)) else {
        await driver.stop()
        throw BenchmarkError(description: "modem not ready within 30 s (\(await driver.state))")
    }

    let recipients = try (0..<scenario.messages).map { index in
        try PhoneNumber(parsing: "138" + String(format: "%08d", index + 1))
    }
    let driverStart = ownCPUSeconds()
    let simulatorStart = try simulator.cpuSeconds()
    let clock = ContinuousClock()
    let started = clock.now
    var accepted = 0
    var parts = 0
    for (index, recipient) in recipients.enumerated() {
        let result = await driver.send(OutgoingSMS(id: "bench-\(index)", recipient: recipient, text: scenario.text(index)))
        if case .accepted(let references) = result {
            accepted += 1
            parts += references.count
        } else {
            FileHandle.standardError.write(Data("alertbox-bench: message \(index) not accepted: \(result)\n".utf8))
        }
    }
    let elapsed = started.duration(to: clock.now)
    let driverCPU = ownCPUSeconds() - driverStart
    let simulatorCPU = try simulator.cpuSeconds() - simulatorStart
    await driver.stop()

    let (wholeSeconds, attoseconds) = elapsed.components
    return Measurement(
        scenario: scenario, simulatorCommand: simulator.command, accepted: accepted, parts: parts,
        seconds: Double(wholeSeconds) + Double(attoseconds) / 1e18, driverCPUSeconds: driverCPU,
        simulatorCPUSeconds: simulatorCPU)
}

/// Describes the machine: the active processor count and the CPU model from `/proc/cpuinfo`.
func machineDescription() -> String {
    let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
        .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown"
    return "\(ProcessInfo.processInfo.activeProcessorCount) CPUs (nproc), \(model)"
}

func format(_ value: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
}

/// Formats a rate with one decimal, or three below 10 so that slow rates stay readable.
func formatRate(_ value: Double) -> String {
    format(value, value < 10 ? 3 : 1)
}

/// Renders the results as a Markdown page.
func report(_ measurements: [Measurement], machine: String, date: String) -> String {
    var lines = [
        "# Modem driver benchmark",
        "",
        "`make bench` builds in release mode and runs `alertbox-bench`, which sends SMS through",
        "`ModemDriver` over a real pseudo-terminal to a real `alertbox-sim` child process. Each",
        "message goes to a distinct recipient and requests a status report (the `OutgoingSMS`",
        "default), so the simulator also sends a `+CDS` report back for each part. The driver",
        "logs at critical level only. Messages are sent one at a time, because a modem takes one",
        "`AT+CMGS` at a time.",
        "",
        "Absolute numbers vary between machines and with other load on them; compare the ratios",
        "and the CPU time per message between runs on the same machine. A real SMSC takes seconds",
        "to accept each part, so the latency-0 rows measure the driver's own overhead, not a rate",
        "a SIM can reach. The latency-3000 row shows how much of the ideal rate of one part per",
        "latency the driver achieves; the rest is its per-part overhead (the `AT+CMGS` command,",
        "the `>` prompt and the PDU, each a round trip through the pseudo-terminal).",
        "",
        "- Machine: \(machine)",
        "- Date: \(date)",
        "- Command: `make bench` (runs `alertbox-bench --output docs/benchmarks-modem.md`)",
        "",
        "| scenario | simulator command | messages | parts | seconds | messages/s | parts/s | driver CPU ms/message | simulator CPU ms/message | parts/s over ideal 1/latency |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for measurement in measurements {
        let ideal = 1000 / Double(max(measurement.scenario.latencyMilliseconds, 1))
        let ratio = measurement.ratioToIdeal.map { "\(format($0, 3)) (ideal \(format(ideal, 3))/s)" } ?? "n/a"
        lines.append(
            "| \(measurement.scenario.name) | `\(measurement.simulatorCommand)` | \(measurement.accepted)/\(measurement.scenario.messages) | \(measurement.parts) | "
                + "\(format(measurement.seconds, 2)) | \(formatRate(measurement.messagesPerSecond)) | \(formatRate(measurement.partsPerSecond)) | "
                + "\(format(measurement.driverMillisecondsPerMessage, 2)) | \(format(measurement.simulatorMillisecondsPerMessage, 2)) | \(ratio) |")
    }
    lines += [
        "",
        "Driver CPU is `getrusage(RUSAGE_SELF)` user plus system time of the benchmark process,",
        "which runs the driver; simulator CPU is utime plus stime from `/proc/PID/stat`. Both",
        "cover only the sending loop, not start-up. The `/proc` figures count in clock ticks",
        "(usually 10 ms), so short runs are coarse. In the latency-3000 row the CPU time also",
        "contains the driver's periodic signal and registration polls during the minute it runs.",
    ]
    return lines.joined(separator: "\n") + "\n"
}

// MARK: Main

let gsmText = { (index: Int) in "Fire drill in building 3 at 10:00, message \(index)" }
let chineseText = { (index: Int) in
    String(repeating: "火警：三号楼二层起火，请立即从最近的安全出口撤离，勿乘电梯。", count: 5) + "第\(index)条"
}
let scenarios = [
    Scenario(name: "GSM 7-bit, 1 part, latency 0", latencyMilliseconds: 0, messages: 300, text: gsmText),
    Scenario(name: "Chinese UCS-2, 3 parts, latency 0", latencyMilliseconds: 0, messages: 100, text: chineseText),
    Scenario(name: "GSM 7-bit, 1 part, latency 3000 ms", latencyMilliseconds: 3000, messages: 20, text: gsmText),
]

var outputPath: String?
let arguments = Array(CommandLine.arguments.dropFirst())
if let index = arguments.firstIndex(of: "--output"), index + 1 < arguments.count {
    outputPath = arguments[index + 1]
} else if !arguments.isEmpty {
    FileHandle.standardError.write(Data("usage: alertbox-bench [--output FILE]\n".utf8))
    exit(64)
}

// The Chinese text must need three parts, or the row would measure something else.
if let plan = try? Segmenter.plan(chineseText(99)), plan.segments.count != 3 {
    FileHandle.standardError.write(Data("alertbox-bench: the Chinese text needs \(plan.segments.count) parts, not 3\n".utf8))
    exit(1)
}

var measurements: [Measurement] = []
for scenario in scenarios {
    FileHandle.standardError.write(Data("alertbox-bench: \(scenario.name): \(scenario.messages) messages\n".utf8))
    do {
        measurements.append(try await measure(scenario))
    } catch {
        FileHandle.standardError.write(Data("alertbox-bench: \(scenario.name) failed: \(error)\n".utf8))
        exit(1)
    }
}

let dateFormatter = ISO8601DateFormatter()
dateFormatter.formatOptions = [.withFullDate]
let page = report(measurements, machine: machineDescription(), date: dateFormatter.string(from: Date()))
print(page, terminator: "")
if let outputPath {
    do {
        try page.write(toFile: outputPath, atomically: true, encoding: .utf8)
    } catch {
        FileHandle.standardError.write(Data("alertbox-bench: cannot write \(outputPath): \(error)\n".utf8))
        exit(1)
    }
}
