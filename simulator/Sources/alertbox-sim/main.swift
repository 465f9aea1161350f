// Entry point of the simulator: parse arguments and run the simulation, a replay or a
// control request.
import ModemSimulator
import Foundation
import Glibc
import Core
import Synchronization

let stopRequested = Atomic<Bool>(false)
signal(SIGTERM) { _ in stopRequested.store(true, ordering: .relaxed) }
signal(SIGINT) { _ in stopRequested.store(true, ordering: .relaxed) }
signal(SIGPIPE, SIG_IGN)

let logger = Logger(
    label: "alertbox-sim",
    level: ProcessInfo.processInfo.environment["ALERTBOX_LOG_LEVEL"].flatMap(LogLevel.init(name:)) ?? .info)

do {
    let status = try SimulatorCommand.main(Array(CommandLine.arguments.dropFirst()), logger: logger) {
        stopRequested.load(ordering: .relaxed)
    }
    exit(status)
} catch {
    FileHandle.standardError.write(Data("alertbox-sim: error: \(error)\n".utf8))
    exit(64)
}
