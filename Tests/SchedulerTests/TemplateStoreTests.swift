import Alerting
import Core
import Storage
import Testing

@testable import Scheduler

@Suite struct TemplateStoreTests {
    @Test func tooLongLifeSafetyTemplateIsNotStored() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        let long = try AlertTemplate(
            name: "fire-alarm", language: .chinese, priority: .lifeSafety,
            smsText: String(repeating: "火", count: 60) + "{location}", imText: "{event}")
        await #expect(throws: TemplateError.self) {
            try await fixture.database.transaction("save") { connection in
                try TemplateStore.save(long, signature: try SMSSignature("某某医院"), author: "console:admin", at: 0, in: connection)
            }
        }
        let stored = try await fixture.rows("SELECT count(*) AS n FROM templates")
        #expect(stored.first?["n"].int == 0)
    }

    @Test func storedTemplateReplacesBuiltIn() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        let custom = try AlertTemplate(name: "fire-alarm", language: .chinese, priority: .lifeSafety, smsText: "{location}火警，请撤离", imText: "{location}火警")
        let report = try await fixture.database.transaction("save") { connection in
            try TemplateStore.save(custom, signature: try SMSSignature("某某医院"), author: "console:admin", at: 0, in: connection)
        }
        #expect(report.parts == 1)
        let loaded = try await fixture.database.read { try TemplateStore.templates(named: "fire-alarm", in: $0) }
        #expect(loaded.map(\.smsText) == ["{location}火警，请撤离"])
        let audit = try await fixture.rows("SELECT action FROM audit_log WHERE action = 'template.saved'")
        #expect(audit.count == 1)
    }

    @Test func unknownNameFallsBackToBuiltIn() async throws {
        let fixture = try await SchedulerFixture()
        defer { Task { await fixture.remove() } }
        let loaded = try await fixture.database.read { try TemplateStore.templates(named: "code-blue", in: $0) }
        #expect(loaded.map(\.language) == [.chinese, .english])
        let none = try await fixture.database.read { try TemplateStore.templates(named: "no-such-template", in: $0) }
        #expect(none.isEmpty)
    }
}
