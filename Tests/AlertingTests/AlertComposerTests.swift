import Core
import Foundation
import SMS
import Testing

@testable import Alerting

@Suite struct AlertComposerTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        return Array(try Data(contentsOf: url))
    }

    static let signed = AlertComposer(renderer: TemplateRenderer(signature: try! SMSSignature("某某大学")))  // A constant valid name.

    @Test func capAlertRendersSignedSingleSMS() throws {
        let cap = try CAPParser.parse(Self.fixture("zh-fire-alert.cap"))
        let alert = Alert(cap: cap, mapping: .standard, audience: ["全员"], composer: Self.signed)
        #expect(alert.priority == .lifeSafety)
        #expect(alert.event == "火警")
        #expect(alert.texts.map(\.language) == [.chinese, .english])
        let chinese = try #require(alert.texts.first)
        #expect(chinese.smsText.hasPrefix("【某某大学】"))
        #expect(try Segmenter.plan(chinese.smsText).segments.count == 1)
    }

    @Test func capAlertKeepsEachLanguagesBlock() throws {
        let cap = try CAPParser.parse(Self.fixture("amber-two-languages.xml"))
        let alert = Alert(cap: cap, mapping: .standard, audience: [], composer: AlertComposer(languages: [.english, .chinese]))
        #expect(alert.texts.first?.language == .english)
    }

    @Test func composerRendersEveryIMChannel() {
        let values = TemplateValues(event: "火警", location: "3号楼", identifier: "A-0001", sent: WallTime(secondsSinceEpoch: 1_796_349_600))
        let text = Self.signed.text(from: BuiltInTemplates.template(.fireAlarm, language: .chinese), values: values)
        #expect(Set(text.imRenders.keys) == Set(IMChannel.allCases.map(\.rawValue)))
        #expect(text.imMessage(for: "dingtalk").format == .markdown)
        #expect(text.imMessage(for: "unknown-channel").text == text.imText)
    }

    @Test func composerLabelsTestAlerts() {
        let values = TemplateValues(event: "火警", sent: WallTime(secondsSinceEpoch: 0), status: .test)
        let text = Self.signed.text(from: BuiltInTemplates.template(.fireAlarm, language: .chinese), values: values)
        #expect(text.smsText.hasPrefix("【某某大学】【测试】"))
        #expect(text.imMessage(for: "wecom").text.contains("【测试】"))
    }
}
