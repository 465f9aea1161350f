import Core
import Foundation
import Storage
import Testing

@testable import Console

@Suite struct PasswordHashTests {
    @Test func verifiesOwnPassword() throws {
        let hash = try PasswordHash.make("correct horse", iterations: PasswordHash.minimumIterations)
        #expect(try hash.verify("correct horse"))
        #expect(try !hash.verify("correct horsE"))
    }

    @Test func storedFormRoundTrips() throws {
        let hash = try PasswordHash.make("密码测试-1", iterations: PasswordHash.minimumIterations)
        let parsed = try PasswordHash(parsing: hash.description)
        #expect(parsed == hash)
        #expect(try parsed.verify("密码测试-1"))
    }

    @Test func saltsDiffer() throws {
        let first = try PasswordHash.make("same", iterations: PasswordHash.minimumIterations)
        let second = try PasswordHash.make("same", iterations: PasswordHash.minimumIterations)
        #expect(first.salt != second.salt)
    }

    @Test func rejectsTooFewIterations() {
        let weak = "pbkdf2-sha256$1000$00112233445566778899aabbccddeeff$" + String(repeating: "00", count: 32)
        #expect(throws: ConsoleError.self) { try PasswordHash(parsing: weak) }
    }

    /// RFC 7914 §11 gives PBKDF2-HMAC-SHA256 test vectors.
    @Test func matchesPublishedVector() throws {
        let derived = try PasswordHash.derive("passwd", salt: Array("salt".utf8), iterations: 1)
        #expect(PasswordHash.hex(derived) == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
    }
}

@Suite struct SettingDefinitionTests {
    @Test func integerOutOfRangeNamesKeyAndRange() {
        do {
            _ = try SettingRegistry.definition("sms.per_minute")!.validate("1000")
            Issue.record("accepted 100")
        } catch {
            #expect(error.message.english == "Invalid sms.per_minute '1000': use a whole number from 1 to 600 (messages).")
        }
    }

    @Test func timeRangeNormalises() throws {
        #expect(try SettingRegistry.definition("quiet.default")!.validate("22：00-7:05") == "22:00-07:05")
    }

    @Test func listDropsBlankItems() throws {
        #expect(try SettingRegistry.definition("ack.keywords")!.validate("1, 收到，,ok") == "1,收到,ok")
    }
}

@Suite(.serialized) struct RuntimeSettingsTests {
    @Test func setDiffCommitRollback() async throws {
        let harness = try await ConsoleHarness()
        defer { Task { await harness.remove() } }
        let settings = harness.settings
        let applied = AppliedValues()
        await settings.onCommit("console.idle_minutes") { value in await applied.record(value) }

        try await settings.set("console.idle_minutes", "5", author: "test")
        try await settings.set("sms.per_hour", "150", author: "test")
        #expect(try await settings.value("console.idle_minutes") == "15")
        #expect(try await settings.diff().map(\.key) == ["console.idle_minutes", "sms.per_hour"])

        let report = try #require(try await settings.commit(author: "test"))
        #expect(report.appliedLive == ["console.idle_minutes"])
        #expect(report.needRestart == ["sms.per_hour"])
        #expect(await applied.values == ["5"])
        #expect(try await settings.value("console.idle_minutes") == "5")

        try await settings.set("console.idle_minutes", "30", author: "test")
        _ = try await settings.commit(author: "test")
        let rollback = try #require(try await settings.rollback(author: "test"))
        #expect(rollback.changes == [RuntimeSettings.Change(key: "console.idle_minutes", old: "30", new: "5")])
        #expect(try await settings.value("console.idle_minutes") == "5")
        #expect(await applied.values == ["5", "30", "5"])
    }

    @Test func invalidValueStoresNothing() async throws {
        let harness = try await ConsoleHarness()
        defer { Task { await harness.remove() } }
        await #expect(throws: ConsoleError.self) { try await harness.settings.set("sms.per_day", "-1", author: "test") }
        #expect(try await harness.settings.diff().isEmpty)
    }
}

actor AppliedValues {
    var values: [String] = []
    func record(_ value: String) { values.append(value) }
}
