import Testing

@testable import Alerting

@Suite struct PriorityMappingTests {
    static func info(_ urgency: CAPInfo.Urgency, _ severity: CAPInfo.Severity, level: String? = nil) -> CAPInfo {
        CAPInfo(
            language: "zh-CN", categories: ["Safety"], event: "测试", responseTypes: [], urgency: urgency, severity: severity,
            certainty: .observed, audience: nil, effective: nil, onset: nil, expires: nil, senderName: nil, headline: nil,
            description: nil, instruction: nil, web: nil, contact: nil,
            parameters: level.map { [("预警级别", $0)] } ?? [], areas: [])
    }

    @Test(arguments: [
        (CAPInfo.Urgency.immediate, CAPInfo.Severity.extreme, AlertPriority.lifeSafety),
        (.expected, .severe, .urgent),
        (.future, .moderate, .routine),
        (.immediate, .minor, .reminder),
        (.past, .extreme, .reminder),
        (.unknown, .unknown, .routine),
    ])
    func urgencyAndSeverity(urgency: CAPInfo.Urgency, severity: CAPInfo.Severity, priority: AlertPriority) {
        #expect(PriorityMapping.standard.priority(of: Self.info(urgency, severity)) == priority)
    }

    @Test(arguments: [("红色", AlertPriority.lifeSafety), ("橙色预警", .urgent), ("Yellow", .routine), ("蓝色", .routine), ("Ⅰ级", .lifeSafety)])
    func chinaLevelsDecideFirst(level: String, priority: AlertPriority) {
        #expect(PriorityMapping.standard.priority(of: Self.info(.future, .minor, level: level)) == priority)
    }

    @Test func configurableRules() {
        let mapping = PriorityMapping(rules: [.init(urgency: .immediate, priority: .lifeSafety)], fallback: .reminder)
        #expect(mapping.priority(of: Self.info(.immediate, .minor)) == .lifeSafety)
        #expect(mapping.priority(of: Self.info(.expected, .extreme)) == .reminder)
    }

    @Test func chineseFireSampleIsLifeSafety() throws {
        let alert = try CAPParser.parse(try CAPParserTests.fixture("zh-fire-alert.cap"))
        let info = try #require(alert.infos.first)
        #expect(PriorityMapping.standard.priority(of: info) == .lifeSafety)
    }
}
