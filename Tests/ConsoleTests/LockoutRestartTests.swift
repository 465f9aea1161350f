import Console
import Core
import Storage
import Testing

/// A restart of the box must not clear a console lockout: the failures are replayed from the
/// audit log in the SQLite file.
@Suite struct LockoutRestartTests {
    static func restarted(_ harness: ConsoleHarness, restore: Bool) async -> Authenticator {
        let authenticator = Authenticator(
            database: harness.database, clock: SystemClock(), logger: ConsoleHarness.logger, iterations: PasswordHash.minimumIterations)
        if restore { await authenticator.restoreFailures() }
        return authenticator
    }

    @Test func lockoutSurvivesARestart() async throws {
        let harness = try await ConsoleHarness()
        for _ in 0..<LoginGuard.maximumFailures {
            _ = await harness.authenticator.authenticate(user: "admin", password: "wrong", door: "serial")
        }
        #expect(await harness.authenticator.authenticate(user: "admin", password: ConsoleHarness.adminPassword, door: "serial") == .locked(minutes: 5))

        // Without the replay a new process would let the right password in at once.
        let forgetful = await Self.restarted(harness, restore: false)
        #expect(await forgetful.authenticate(user: "admin", password: ConsoleHarness.adminPassword, door: "socket") == .accepted(role: .admin, mustChangePassword: true))

        let restarted = await Self.restarted(harness, restore: true)
        // The user name is locked on every door, and the door for every name.
        #expect(await restarted.authenticate(user: "admin", password: ConsoleHarness.adminPassword, door: "socket") == .locked(minutes: 5))
        #expect(await restarted.authenticate(user: "other", password: "x", door: "serial") == .locked(minutes: 5))
        await harness.remove()
    }

    @Test func failuresCountTowardALockoutAcrossARestart() async throws {
        let harness = try await ConsoleHarness()
        for _ in 0..<3 {
            _ = await harness.authenticator.authenticate(user: "admin", password: "wrong", door: "serial")
        }
        let restarted = await Self.restarted(harness, restore: true)
        #expect(await restarted.authenticate(user: "admin", password: "wrong", door: "serial") == .rejected(remainingAttempts: 1))
        await harness.remove()
    }

    @Test func failuresOlderThanTheLockoutPeriodAreNotReplayed() async throws {
        let harness = try await ConsoleHarness()
        let old = SystemClock().wallNow.nanosecondsSinceEpoch / 1_000_000 - 301_000
        try await harness.database.transaction("test.oldFailures") { connection in
            for _ in 0..<LoginGuard.maximumFailures {
                try AuditLog.append(actor: "console:admin", action: "login.failed", channel: "console:serial", at: old, in: connection)
            }
        }
        let restarted = await Self.restarted(harness, restore: true)
        #expect(await restarted.authenticate(user: "admin", password: ConsoleHarness.adminPassword, door: "serial") == .accepted(role: .admin, mustChangePassword: true))
        await harness.remove()
    }
}
