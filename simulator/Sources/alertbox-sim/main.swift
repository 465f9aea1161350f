// Entry point of the simulator: parse arguments and run the simulation, a replay or a
// control request.
import ModemSimulator
import Scenarios
import Foundation
import Glibc
import Core
import Synchronization

// A parent may have spawned us with signals blocked (Foundation's Process does), so make
// sure SIGTERM and SIGINT can reach the handlers below.
var unblocked = sigset_t()
sigemptyset(&unblocked)
sigaddset(&unblocked, SIGTERM)
sigaddset(&unblocked, SIGINT)
sigprocmask(SIG_UNBLOCK, &unblocked, nil)

let stopRequested = Atomic<Bool>(false)
signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
signal(SIGPIPE, SIG_IGN)

let logger = Logger(
    label: "alertbox-sim",
    level: ProcessInfo.processInfo.environment["ALERTBOX_LOG_LEVEL"].flatMap(LogLevel.init(name:)) ?? .info)

if CommandLine.arguments.dropFirst().first == "scenario" {
    exit(ScenarioCommand.main(Array(CommandLine.arguments.dropFirst(2)), environment: ProcessInfo.processInfo.environment))
}

do {
    let status = try SimulatorCommand.main(Array(CommandLine.arguments.dropFirst()), logger: logger) {
        stopRequested.load(ordering: .relaxed)
    }
    exit(status)
} catch {
    FileHandle.standardError.write(Data("alertbox-sim: error: \(error)\n".utf8))
    exit(64)
}
