import Foundation
import Testing

@testable import Alerting

/// The CAP sample files: real alerts from other projects and Chinese ones written for the box.
@Suite struct CAPParserTests {
    static func fixture(_ name: String) throws -> [UInt8] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
        return Array(try Data(contentsOf: url))
    }

    static let valid = [
        "canada.cap", "wcatwc-warning.cap", "earthquake-iso8859-1.cap", "43b080713727.cap", "thunderstorm.cap",
        "amber-two-languages.xml", "zh-fire-alert.cap", "zh-fire-update.cap", "zh-fire-cancel.cap",
    ]

    @Test(arguments: valid)
    func validFileParses(name: String) throws {
        let alert = try CAPParser.parse(try Self.fixture(name))
        #expect(!alert.identifier.isEmpty)
        #expect(alert.version == "1.2")
    }

    @Test func chineseFireAlert() throws {
        let alert = try CAPParser.parse(try Self.fixture("zh-fire-alert.cap"))
        #expect(alert.identifier == "CN-EXAMPLEU-SEC-2026-0001")
        #expect(alert.messageType == .alert)
        #expect(alert.scope == .restricted)
        #expect(alert.sent.utcOffsetMinutes == 480)
        let info = try #require(alert.info(preferring: ["zh-CN"]))
        #expect(info.event == "火警")
        #expect(info.headline == "第三教学楼火警，请立即撤离")
        #expect(info.urgency == .immediate)
        #expect(info.severity == .extreme)
        #expect(info.parameters.first?.name == "预警级别")
        #expect(info.parameters.first?.value == "红色")
        #expect(info.areas == ["第三教学楼"])
    }

    @Test func updateAndCancelReferenceTheAlert() throws {
        let update = try CAPParser.parse(try Self.fixture("zh-fire-update.cap"))
        let cancel = try CAPParser.parse(try Self.fixture("zh-fire-cancel.cap"))
        #expect(update.messageType == .update)
        #expect(cancel.messageType == .cancel)
        #expect(update.references.contains { $0.identifier == "CN-EXAMPLEU-SEC-2026-0001" })
        #expect(cancel.references.contains { $0.identifier == "CN-EXAMPLEU-SEC-2026-0001" })
    }

    @Test func twoLanguagesPickPreferredThenFallback() throws {
        let alert = try CAPParser.parse(try Self.fixture("amber-two-languages.xml"))
        #expect(alert.infos.count == 2)
        #expect(alert.info(preferring: ["es"])?.language.lowercased().hasPrefix("es") == true)
        #expect(alert.info(preferring: ["zh-CN", "en-US"])?.language == "en-US")
        #expect(alert.info(preferring: ["fr"])?.language == alert.infos.first?.language)
    }

    @Test func canadaUpdateHasReferences() throws {
        let alert = try CAPParser.parse(try Self.fixture("canada.cap"))
        #expect(alert.messageType == .update)
        #expect(alert.references.count == 2)
        #expect(alert.infos.map(\.language).contains("fr-CA"))
    }

    @Test func latin1DocumentDecoded() throws {
        let alert = try CAPParser.parse(try Self.fixture("earthquake-iso8859-1.cap"))
        #expect(alert.infos.first?.event.isEmpty == false)
    }

    @Test func missingScopeRejectedByName() {
        #expect(throws: CAPError(element: "alert/scope", reason: .init(zh: "缺少必填元素", en: "missing required element"))) {
            try CAPParser.parse(try Self.fixture("invalid.cap"))
        }
    }

    @Test func hostileDocumentRejected() throws {
        let bytes = try Self.fixture("xee.cap")
        do {
            _ = try CAPParser.parse(bytes)
            Issue.record("the hostile document was accepted")
        } catch {
            #expect(error.element == "document")
            #expect(error.reason.english.contains("document type declarations are not accepted"))
        }
    }

    static let hostile: [(String, String)] = [
        ("<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>", "document type declarations"),
        ("<a xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\">&xxe;</a>", "entity &xxe;"),
        ("<alert xmlns=\"urn:oasis:names:tc:emergency:cap:1.2\"><xi:include xmlns:xi=\"http://www.w3.org/2001/XInclude\" href=\"file:///etc/passwd\"/></alert>", "XInclude"),
        ("<a><b></a>", "closes"),
        ("<a b=c/>", "not quoted"),
        (String(repeating: "<a>", count: 100) + String(repeating: "</a>", count: 100), "nest deeper"),
        ("<?xml version=\"1.0\" encoding=\"EBCDIC\"?><a/>", "encoding EBCDIC"),
        // Found by the fuzzer: an element named `:` trapped the prefix split.
        ("<::>", "invalid element name <::>"),
        ("<:/>", "invalid element name <:>"),
        ("<cap:>", "invalid element name <cap:>"),
        ("<a:b:c/>", "invalid element name <a:b:c>"),
    ]

    @Test(arguments: hostile)
    func unsafeXMLRejected(document: String, reason: String) {
        do {
            _ = try SafeXMLParser().parse(Array(document.utf8))
            Issue.record("accepted: \(document.prefix(60))")
        } catch {
            #expect(error.reason.contains(reason))
        }
    }

    @Test func oversizedDocumentRejected() {
        var parser = SafeXMLParser()
        parser.maximumBytes = 1000
        #expect(throws: XMLError.self) { try parser.parse(Array(String(repeating: " ", count: 1001).utf8)) }
    }

    @Test func entitiesAndCDATAResolved() throws {
        let root = try SafeXMLParser().parse(Array("<a>1 &lt; 2 &amp; &#x706B;&#35686; <![CDATA[<b>]]></a>".utf8))
        #expect(root.text == "1 < 2 & 火警 <b>")
    }

    @Test(arguments: [
        ("2026-12-04T10:15:00+08:00", Int64(1_796_350_500), 480),
        ("2026-12-04T02:15:00-00:00", 1_796_350_500, 0),
        ("2026-12-04T02:15:00Z", 1_796_350_500, 0),
        ("2026-12-04T02:15:00.250Z", 1_796_350_500, 0),
    ])
    func dateTimes(text: String, seconds: Int64, offset: Int) throws {
        let value = try CAPParser.dateTime(text, path: "sent")
        #expect(value.secondsSinceEpoch == seconds)
        #expect(value.utcOffsetMinutes == offset)
    }

    @Test(arguments: ["0918-12-04T10:15:00+08:00", "2300-01-01T00:00:00Z", "-918-12-04T10:15:00+08:00", "2026-+1-04T10:15:00Z"])
    func dateTimeOutsideSupportedYearsIsRejected(text: String) {
        #expect(throws: CAPError.self) { try CAPParser.dateTime(text, path: "sent") }
    }

    @Test func wrongValueNamesAllowedOnes() {
        let document = """
            <alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</identifier><sender>s</sender>
            <sent>2026-12-04T10:15:00+08:00</sent><status>Real</status><msgType>Alert</msgType><scope>Public</scope></alert>
            """
        #expect(throws: CAPError(element: "alert/status", reason: .init(zh: "值“Real”无效；允许的值：Actual, Exercise, System, Test, Draft", en: "invalid value 'Real'; allowed: Actual, Exercise, System, Test, Draft"))) {
            try CAPParser.parse(Array(document.utf8))
        }
    }
}
