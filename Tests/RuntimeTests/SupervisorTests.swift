import Core
import Dispatch
import Runtime
import Testing

/// Records the order of starts and stops across services.
final class Journal: Sendable {
    private let entries = Locked<[String]>([])

    func append(_ entry: String) {
        entries.withLock { $0.append(entry) }
    }

    var all: [String] { entries.withLock { $0 } }
}

struct Failure: Error, CustomStringConvertible {
    var description: String { "SIM PIN rejected" }
}

@Suite struct SupervisorTests {
    let logger = Logger(label: "test", level: .critical)

    func service(_ name: String, journal: Journal, failStart: Bool = false, stopTakes: Duration = .zero) -> ServiceBlock {
        ServiceBlock(
            name: name,
            start: {
                journal.append("start \(name)")
                if failStart { throw Failure() }
            },
            stop: {
                // A stop that ignores cancellation, like a blocking close of a hung device.
                if stopTakes > .zero {
                    await withCheckedContinuation { continuation in
                        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(stopTakes.components.seconds * 1000))) {
                            continuation.resume()
                        }
                    }
                }
                journal.append("stop \(name)")
            })
    }

    @Test func startsInOrderStopsInReverse() async throws {
        let journal = Journal()
        let supervisor = Supervisor(
            services: ["database", "modem", "scheduler"].map { service($0, journal: journal) }, clock: SystemClock(), logger: logger)
        try await supervisor.start()
        let late = await supervisor.stop()
        #expect(late.isEmpty)
        #expect(journal.all == ["start database", "start modem", "start scheduler", "stop scheduler", "stop modem", "stop database"])
    }

    @Test func failedStartStopsWhatStarted() async {
        let journal = Journal()
        let supervisor = Supervisor(
            services: [service("database", journal: journal), service("modem", journal: journal, failStart: true), service("scheduler", journal: journal)],
            clock: SystemClock(), logger: logger)
        do {
            try await supervisor.start()
            Issue.record("start succeeded")
        } catch {
            #expect(error.service == "modem")
            #expect(error.description == "modem failed to start: SIM PIN rejected")
        }
        #expect(journal.all == ["start database", "start modem", "stop database"])
    }

    @Test func slowStopIsLeftBehindAtTheDeadline() async throws {
        let journal = Journal()
        let supervisor = Supervisor(
            services: [service("database", journal: journal), service("modem", journal: journal, stopTakes: .seconds(30))],
            stopDeadline: .milliseconds(300), clock: SystemClock(), logger: logger)
        try await supervisor.start()
        let late = await supervisor.stop()
        #expect(late == ["modem"])
        // The database still gets its stop within the grace after the deadline.
        #expect(journal.all.contains("stop database"))
    }
}
