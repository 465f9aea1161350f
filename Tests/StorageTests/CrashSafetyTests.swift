import Core
import Foundation
import Glibc
import IMFakes
import Testing

@testable import Storage

/// Kills a writing process at random instants, hundreds of times, and checks after each
/// restart that the file is sound, no committed batch is lost and no batch is half applied.
@Suite struct CrashSafetyTests {
    @Test func survivesKillsAtRandomPoints() async throws {
        let path = DatabaseTests.temporaryPath()
        defer {
            for suffix in ["", "-wal", "-shm"] {
                try? FileManager.default.removeItem(atPath: path + suffix)
            }
        }
        let worker = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            .deletingLastPathComponent().appendingPathComponent("storage-torture")
        var generator = SystemRandomNumberGenerator()
        var highestCommitted = 0

        // 200 rounds, and more while the worker has committed fewer than 50 batches: on a
        // loaded machine many kills land before the first commit, and the check at the end
        // makes sure the kills hit real work.
        var round = 0
        while round < 200 || (highestCommitted < 50 && round < 1000) {
            defer { round += 1 }
            let process = Process()
            process.executableURL = worker
            process.arguments = ["write", path]
            let output = ProcessLaunch.pipe()
            process.standardOutput = output
            try ProcessLaunch.run(process)
            // Kill after a random time: at open, mid-transaction, between commits. The waits
            // sleep the task rather than its thread, so other tests keep the pool.
            try await Task.sleep(for: .microseconds(Int.random(in: 5_000...80_000, using: &generator)))
            kill(process.processIdentifier, SIGKILL)
            // A worker that outlived SIGKILL would keep the pipe open, so the read below would hang.
            try #require(await ProcessLaunch.exited(process, within: .seconds(10)), "round \(round): the worker outlived SIGKILL")
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let committed = text.split(separator: "\n").compactMap { Int($0.split(separator: " ").last ?? "") }.max() ?? 0
            highestCommitted = max(highestCommitted, committed)

            let database = Database(path: path, logger: DatabaseTests.logger)
            try await database.open(migrations: Schema.migrations)
            #expect(try await database.integrityCheck() == "ok", "round \(round)")
            let batches = try await database.read { connection in
                try connection.query(
                    """
                    SELECT a.created_at AS batch, count(d.id) AS rows,
                        sum(d.state = 'sent') AS sent
                    FROM alerts a LEFT JOIN deliveries d ON d.alert_id = a.id
                    GROUP BY a.id ORDER BY a.created_at
                    """, operation: "check batches"
                ).map { ($0["batch"].int ?? 0, $0["rows"].int ?? 0, $0["sent"].int ?? 0) }
            }
            // Every batch the worker reported as committed is there.
            let present = Set(batches.map(\.0))
            #expect((1...max(1, highestCommitted)).allSatisfy { present.contains($0) || highestCommitted == 0 }, "round \(round): a committed batch is missing")
            // No batch is half applied: 50 rows each, and all or none marked sent.
            for (batch, rows, sent) in batches {
                #expect(rows == 50, "round \(round): batch \(batch) has \(rows) rows")
                #expect(sent == 0 || sent == 50, "round \(round): batch \(batch) has \(sent) sent")
            }
            // Batches are numbered without gaps.
            #expect(batches.map(\.0) == Array(1...max(1, batches.count)).prefix(batches.count).map { $0 })
            await database.close()
        }
        #expect(highestCommitted >= 50)
    }
}
