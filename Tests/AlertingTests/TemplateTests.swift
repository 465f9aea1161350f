import Core
import SMS
import Testing

@testable import Alerting

/// Alert templates: parsing, the worst-case SMS check, rendering, IM escaping and built-ins.
@Suite struct TemplateTests {
    /// A signature of 8 characters in brackets, 10 UCS-2 characters in all.
    static let signature = try! SMSSignature("某某大学附属医院")  // A valid constant name.

    /// 2026-12-04T10:15:00+08:00.
    static let sent = WallTime(
        secondsSinceEpoch: CivilDate.secondsSinceEpoch(
            year: 2026, month: 12, day: 4, hour: 10, minute: 15, second: 0, utcOffsetMinutes: 480))

    static func template(
        _ sms: String, im: String = "{event}", language: Language = .chinese, priority: AlertPriority = .lifeSafety
    ) throws -> AlertTemplate {
        try AlertTemplate(name: "test", language: language, priority: priority, smsText: sms, imText: im)
    }

    /// Returns the error that creating a template with `sms` throws, or nil.
    static func parseError(_ sms: String) -> TemplateError? {
        do {
            _ = try template(sms)
            return nil
        } catch let error as TemplateError {
            return error
        } catch {
            return nil
        }
    }

    /// Returns the error that validating `template` throws, or nil.
    static func validationError(_ template: AlertTemplate, signature: SMSSignature?) -> TemplateError? {
        do {
            try template.validate(signature: signature)
            return nil
        } catch {
            return error
        }
    }

    // MARK: - Parsing

    @Test func parsingSplitsLiteralsAndVariables() throws {
        let parsed = try TemplateText("火警：{location}，{time}", template: "t", field: .smsText)
        #expect(parsed.pieces == [.literal("火警："), .variable(.location), .literal("，"), .variable(.time)])
    }

    @Test func parsingUnescapesDoubledBraces() throws {
        let parsed = try TemplateText("{{event}} {event}}}", template: "t", field: .smsText)
        #expect(parsed.pieces == [.literal("{event} "), .variable(.event), .literal("}")])
    }

    @Test func parsingListsVariablesOnce() throws {
        let parsed = try TemplateText("{time} {event} {time}", template: "t", field: .smsText)
        #expect(parsed.variables == [.time, .event])
    }

    @Test(arguments: [
        ("火警{place}", TemplateError.unknownVariable(template: "test (zh)", field: .smsText, name: "place")),
        ("{Event}", .unknownVariable(template: "test (zh)", field: .smsText, name: "Event")),
        ("{ev{ent}", .unknownVariable(template: "test (zh)", field: .smsText, name: "ev{ent")),
        ("火警{event", .unbalancedBrace(template: "test (zh)", field: .smsText, brace: "{", offset: 3, excerpt: "火警{event")),
        ("火警}", .unbalancedBrace(template: "test (zh)", field: .smsText, brace: "}", offset: 3, excerpt: "火警}")),
        ("{event}}", .unbalancedBrace(template: "test (zh)", field: .smsText, brace: "}", offset: 8, excerpt: "{event}}")),
        ("火警{}", .emptyVariableName(template: "test (zh)", field: .smsText, offset: 3)),
        ("", .emptyText(template: "test (zh)", field: .smsText)),
        (" \n ", .emptyText(template: "test (zh)", field: .smsText)),
    ])
    func parsingRejectsInvalidText(sms: String, expected: TemplateError) {
        #expect(Self.parseError(sms) == expected)
    }

    @Test func parsingNamesTheIMField() {
        #expect(throws: TemplateError.unknownVariable(template: "test (en)", field: .imText, name: "who")) {
            try Self.template("{event}", im: "{who}", language: .english)
        }
    }

    @Test func templateRejectsEmptyName() {
        #expect(throws: TemplateError.emptyName(template: " (zh)")) {
            try AlertTemplate(name: "", language: .chinese, priority: .routine, smsText: "a", imText: "b")
        }
    }

    // MARK: - Bilingual errors

    static let errors: [TemplateError] = [
        .unknownVariable(template: "fire-alarm (zh)", field: .smsText, name: "place"),
        .unbalancedBrace(template: "fire-alarm (zh)", field: .imText, brace: "{", offset: 3, excerpt: "火警{event"),
        .unbalancedBrace(template: "fire-alarm (zh)", field: .smsText, brace: "}", offset: 3, excerpt: "火警}"),
        .emptyVariableName(template: "fire-alarm (zh)", field: .smsText, offset: 3),
        .emptyText(template: "fire-alarm (zh)", field: .imText),
        .tooLongForOneSMS(
            template: "fire-alarm (zh)", priority: .lifeSafety, worstCaseUnits: 71, capacity: 70, alphabet: .ucs2,
            largestVariables: [.instruction]),
        .tooManyParts(template: "fire-alarm (zh)", needed: 300, maximum: 255),
    ]

    @Test(arguments: errors)
    func errorNamesTemplateInChinese(error: TemplateError) {
        #expect(error.message(.chinese).contains("fire-alarm (zh)"))
    }

    @Test(arguments: errors)
    func errorNamesTemplateInEnglish(error: TemplateError) {
        #expect(error.message(.english).contains("fire-alarm (zh)"))
    }

    @Test(arguments: errors)
    func errorChineseDiffersFromEnglish(error: TemplateError) {
        #expect(error.message(.chinese) != error.message(.english))
    }

    @Test(arguments: errors)
    func errorDescriptionIsEnglish(error: TemplateError) {
        #expect(error.description == error.message(.english))
    }

    @Test func unknownVariableErrorNamesValueAndFix() {
        let error = TemplateError.unknownVariable(template: "fire-alarm (zh)", field: .smsText, name: "place")
        #expect(error.message(.english).contains("unknown variable {place}"))
        #expect(error.message(.english).contains("{location}"))
        #expect(error.message(.english).contains("{{"))
        #expect(error.message(.chinese).contains("未知变量 {place}"))
        #expect(error.message(.chinese).contains("短信文本"))
    }

    @Test func unbalancedBraceErrorShowsExcerpt() {
        let error = Self.parseError("请立即撤离{location")
        #expect(error?.message(.english).contains("'请立即撤离{location'") == true)
        #expect(error?.message(.chinese).contains("第 6 个字符") == true)
    }

    @Test func tooLongErrorSaysExcessAndVariables() {
        let error = TemplateError.tooLongForOneSMS(
            template: "fire-alarm (zh)", priority: .lifeSafety, worstCaseUnits: 73, capacity: 70, alphabet: .ucs2,
            largestVariables: [.instruction, .location])
        #expect(error.message(.english).contains("3 UCS-2 characters over one SMS"))
        #expect(error.message(.english).contains("{instruction} (instruction, up to 20), {location}"))
        #expect(error.message(.chinese).contains("超出单条短信 3 个 UCS-2 字符"))
        #expect(error.message(.chinese).contains("{instruction}（行动指引，最长 20）"))
    }

    // MARK: - Signature

    @Test func signatureAcceptsBrackets() throws {
        #expect(try SMSSignature("【某某医院】").name == "某某医院")
    }

    @Test(arguments: ["", "【】", "某某[医院]", "某某\n医院", "某某【医院"])
    func signatureRejectsInvalidName(name: String) {
        #expect(throws: TemplateError.self) {
            try SMSSignature(name)
        }
    }

    @Test func signatureErrorIsBilingual() {
        #expect(throws: TemplateError.invalidSignature(value: "", reason: LocalizedText(
            zh: "签名为空；请填写运营商备案的签名，例如 某某医院",
            en: "the signature is empty; give the name registered with the carrier, such as 某某医院"))) {
            try SMSSignature("")
        }
    }

    // MARK: - Worst-case SMS length

    @Test func chineseAt70CharactersFitsOneSMS() throws {
        // 10 for the signature, 4 for the label, 56 for the text.
        let template = try Self.template(String(repeating: "火", count: 56))
        let report = try template.validate(signature: Self.signature)
        #expect(report.worstCaseUnits == 70)
        #expect(report.alphabet == .ucs2)
        #expect(report.parts == 1)
    }

    @Test func chineseAt71CharactersIsRejected() throws {
        let template = try Self.template(String(repeating: "火", count: 57))
        let error = Self.validationError(template, signature: Self.signature)
        #expect(error?.message(.english).contains("1 UCS-2 character over one SMS") == true)
    }

    @Test func variablesCountAtMaximumLength() throws {
        // {location} is up to 12 characters: 44 + 12 + 14 = 70.
        let fits = try Self.template(String(repeating: "火", count: 44) + "{location}")
        let over = try Self.template(String(repeating: "火", count: 45) + "{location}")
        #expect(try fits.validate(signature: Self.signature).worstCaseUnits == 70)
        #expect(Self.validationError(over, signature: Self.signature) != nil)
    }

    @Test func englishTextWithChineseValuesIsUCS2() throws {
        let template = try Self.template("Fire at {location}", language: .english)
        let report = try template.validate(signature: nil)
        #expect(report.alphabet == .ucs2)
        #expect(report.worstCaseUnits == "[EXERCISE] Fire at ".utf16.count + 12)
    }

    /// Returns an English P0 text with only GSM variables, padded with `x` to `septets` in
    /// the worst case: the label `[EXERCISE] ` costs 13 septets and `Drill {time} {date} #{identifier} `
    /// costs 31. `extensionCharacter` is counted as two septets.
    static func gsmTemplate(septets: Int, extensionCharacter: Character? = nil) throws -> AlertTemplate {
        var padding = ""
        if let character = extensionCharacter {
            // Braces are written doubled in a template.
            padding = character == "{" || character == "}" ? String([character, character]) : String(character)
        }
        let fixed = 13 + 31 + (extensionCharacter == nil ? 0 : 2)
        let text = "Drill {time} {date} #{identifier} " + padding + String(repeating: "x", count: septets - fixed)
        return try Self.template(text, language: .english)
    }

    @Test func gsmAt160SeptetsFitsOneSMS() throws {
        let report = try Self.gsmTemplate(septets: 160).validate(signature: nil)
        #expect(report.alphabet == .gsm7)
        #expect(report.worstCaseUnits == 160)
        #expect(report.parts == 1)
    }

    @Test func gsmAt161SeptetsIsRejected() throws {
        let error = Self.validationError(try Self.gsmTemplate(septets: 161), signature: nil)
        #expect(error?.message(.english).contains("1 GSM 7-bit septet over one SMS") == true)
    }

    @Test(arguments: ["€", "[", "]", "{", "}", "~", "^", "|", "\\"] as [Character])
    func gsmExtensionCharacterCostsTwoSeptets(character: Character) throws {
        let template = try Self.gsmTemplate(septets: 161, extensionCharacter: character)
        let report = try template.measureSMS(signature: nil)
        #expect(report.alphabet == .gsm7)
        #expect(report.worstCaseUnits == 161)
    }

    @Test func emojiInTemplateCostsTwoUnits() throws {
        // 10 + 4 + 54 + 2 = 70; the emoji is a surrogate pair.
        let fits = try Self.template(String(repeating: "火", count: 54) + "🔥")
        let over = try Self.template(String(repeating: "火", count: 55) + "🔥")
        #expect(try fits.validate(signature: Self.signature).worstCaseUnits == 70)
        #expect(Self.validationError(over, signature: Self.signature) != nil)
    }

    @Test func signatureAtEndCountsTheSame() throws {
        var end = Self.signature
        end.placement = .end
        let template = try Self.template(String(repeating: "火", count: 56))
        #expect(try template.validate(signature: end).worstCaseUnits == 70)
        #expect(template.worstCaseSMSText(signature: end).hasSuffix("【某某大学附属医院】"))
    }

    @Test func checkReservesLongerEnglishLabel() throws {
        let template = try Self.template("x", language: .english)
        #expect(template.worstCaseSMSText(signature: nil) == "[EXERCISE] x")
    }

    @Test func errorNamesLargestVariables() throws {
        let template = try Self.template(String(repeating: "火", count: 40) + "{time}{instruction}{location}")
        let report = try template.measureSMS(signature: Self.signature)
        #expect(report.largestVariables() == [.instruction, .location, .time])
        #expect(report.worstCaseUnits == 14 + 40 + 5 + 20 + 12)
    }

    @Test func urgentTextMustFitOneSMS() throws {
        let template = try Self.template(String(repeating: "火", count: 57), priority: .urgent)
        #expect(Self.validationError(template, signature: Self.signature) != nil)
    }

    @Test(arguments: [(AlertPriority.routine, 100, 2), (.reminder, 100, 2), (.routine, 200, 4), (.reminder, 10, 1)])
    func routineTextReportsParts(priority: AlertPriority, characters: Int, parts: Int) throws {
        // Several parts hold 67 UCS-2 characters each; 14 go to the signature and label.
        let template = try Self.template(String(repeating: "火", count: characters), priority: priority)
        #expect(try template.validate(signature: Self.signature).parts == parts)
    }

    // MARK: - Values

    @Test(arguments: [
        ("一二三四五六七八九十", 5, "一二三四…"),
        ("一二三四五", 5, "一二三四五"),
        ("😀😀😀😀", 5, "😀😀…"),
        ("😀😀😀", 4, "😀…"),
        ("👩‍🚒👩‍🚒", 6, "👩‍🚒…"),
        ("👩‍🚒👩‍🚒", 5, "…"),
        ("abc", 0, ""),
    ])
    func truncateCutsAtCharacterBoundary(value: String, maximum: Int, expected: String) {
        #expect(TemplateValues.truncate(value, maximumLength: maximum) == expected)
    }

    @Test(arguments: ["😀😀😀😀😀😀😀😀😀😀😀😀😀", "火火火火火火火火火火火火火火火火", "a😀b😀c😀d😀e😀f😀g😀"])
    func truncateKeepsMaximumLength(value: String) {
        #expect(TemplateValues.truncate(value, maximumLength: 12).utf16.count <= 12)
    }

    @Test(arguments: [
        ("三楼\n东侧", "三楼 东侧"),
        ("a\r\nb\tc", "a b c"),
        ("  前后空格  ", "前后空格"),
        ("\u{202E}lanigiro", "lanigiro"),
        ("a\u{2028}b\u{0}c", "a b c"),
        ("a\u{7F}b", "a b"),
    ])
    func cleanReplacesControlCharacters(value: String, expected: String) {
        #expect(TemplateValues.clean(value) == expected)
    }

    @Test(arguments: [
        ("CN-EXAMPLEU-SEC-2026-0001", "0001"),
        ("A1B2C3D4E5", "C3D4E5"),
        ("告警-12345", "12345"),
        ("alert 00042", "00042"),
        ("X-123456", "123456"),
    ])
    func shortIdentifierKeepsTail(identifier: String, expected: String) {
        #expect(TemplateValues.shortIdentifier(identifier, maximumLength: 6) == expected)
    }

    @Test(arguments: [
        (Int64(0), 480, "08:00", "1970-01-01"),
        (Int64(1_798_734_600), 480, "00:30", "2027-01-01"),
        (Int64(1_798_734_600), 0, "16:30", "2026-12-31"),
        (Int64(-60), 0, "23:59", "1969-12-31"),
        (Int64(951_782_400), 0, "00:00", "2000-02-29"),
    ])
    func localTimeAndDate(seconds: Int64, offset: Int, time: String, date: String) {
        let wallTime = WallTime(secondsSinceEpoch: seconds)
        #expect(TemplateValues.localTime(wallTime, utcOffsetMinutes: offset) == time)
        #expect(TemplateValues.localDate(wallTime, utcOffsetMinutes: offset) == date)
    }

    @Test(arguments: [(1970, 1, 1), (2000, 2, 29), (2026, 12, 4), (2100, 3, 1), (1900, 2, 28)])
    func civilDateInvertsDaysSinceEpoch(year: Int, month: Int, day: Int) {
        let days = CivilDate.daysSinceEpoch(year: year, month: month, day: day)
        let date = TemplateValues.civilDate(daysSinceEpoch: days)
        #expect(date.year == year)
        #expect(date.month == month)
        #expect(date.day == day)
    }

    @Test func valuesFromCAPAlert() throws {
        let alert = try CAPParser.parse(try CAPParserTests.fixture("zh-fire-alert.cap"))
        let info = try #require(alert.infos.first)
        let values = TemplateValues(alert: alert, info: info)
        #expect(values.event == "火警")
        #expect(values.location == "第三教学楼")
        #expect(values.level == "红色")
        #expect(values.sender == "示例大学保卫处")
        #expect(values.sent == Self.sent)
        #expect(values.status == .actual)
    }
}

// MARK: - Rendering

extension TemplateTests {
    static let renderer = TemplateRenderer(signature: signature)

    static func values(
        location: String = "第三教学楼二层", instruction: String = "沿安全通道撤离", status: CAPAlert.Status = .actual
    ) -> TemplateValues {
        TemplateValues(
            event: "火警", location: location, sender: "示例大学保卫处", instruction: instruction, headline: "第三教学楼火警",
            level: "红色预警", identifier: "CN-EXAMPLEU-SEC-2026-0001", sent: sent, status: status)
    }

    @Test func smsRendersEveryVariable() throws {
        let template = try Self.template("{event}{location}{time}{date}{sender}{instruction}{headline}{level}{identifier}{priority}")
        let text = Self.renderer.renderSMS(template, values: Self.values())
        #expect(text == "【某某大学附属医院】火警第三教学楼二层10:152026-12-04示例大学保卫处沿安全通道撤离第三教学楼火警红色预警0001生命安全")
    }

    @Test func smsRendersLiteralBraces() throws {
        let template = try Self.template("{{{event}}}")
        #expect(Self.renderer.renderSMS(template, values: Self.values()) == "【某某大学附属医院】{火警}")
    }

    @Test(arguments: [
        (AlertPriority.lifeSafety, Language.chinese, "生命安全"), (.urgent, .chinese, "紧急"), (.routine, .chinese, "通知"),
        (.reminder, .chinese, "提醒"), (.lifeSafety, .english, "Life safety"), (.urgent, .english, "Urgent"),
        (.routine, .english, "Routine"), (.reminder, .english, "Reminder"),
    ])
    func priorityRendersName(priority: AlertPriority, language: Language, name: String) throws {
        let template = try Self.template("{priority}", language: language, priority: .routine)
        var values = Self.values()
        values.priority = priority
        #expect(TemplateRenderer(signature: nil).renderSMS(template, values: values) == name)
    }

    @Test func priorityDefaultsToTemplate() throws {
        let template = try Self.template("{priority}", priority: .urgent)
        #expect(TemplateRenderer(signature: nil).renderSMS(template, values: Self.values()) == "紧急")
    }

    @Test func smsCutsLongValueWithEllipsis() throws {
        let template = try Self.template("{location}")
        let text = TemplateRenderer(signature: nil).renderSMS(template, values: Self.values(location: "第三教学楼二层东侧消防通道旁的配电间"))
        #expect(text == "第三教学楼二层东侧消防…")
    }

    @Test func smsReplacesLineBreaksInValues() throws {
        let template = try Self.template("{location}")
        let text = TemplateRenderer(signature: nil).renderSMS(template, values: Self.values(location: "三楼\r\n东侧"))
        #expect(text == "三楼 东侧")
    }

    @Test(arguments: [
        (CAPAlert.Status.test, Language.chinese, "【某某大学附属医院】【测试】"),
        (.exercise, .chinese, "【某某大学附属医院】【演练】"),
        (.test, .english, "【某某大学附属医院】[TEST] "),
        (.exercise, .english, "【某某大学附属医院】[EXERCISE] "),
    ])
    func smsLabelFollowsSignature(status: CAPAlert.Status, language: Language, prefix: String) throws {
        let template = try Self.template("{event}", language: language)
        let text = Self.renderer.renderSMS(template, values: Self.values(status: status))
        #expect(text == prefix + "火警")
    }

    @Test func smsLabelStartsTextWhenSignatureAtEnd() throws {
        var signature = Self.signature
        signature.placement = .end
        let template = try Self.template("{event}")
        let text = TemplateRenderer(signature: signature).renderSMS(template, values: Self.values(status: .exercise))
        #expect(text == "【演练】火警【某某大学附属医院】")
    }

    @Test(arguments: [CAPAlert.Status.actual, .system, .draft])
    func smsHasNoLabelForOtherStatus(status: CAPAlert.Status) throws {
        let template = try Self.template("{event}")
        #expect(Self.renderer.renderSMS(template, values: Self.values(status: status)) == "【某某大学附属医院】火警")
    }

    @Test(arguments: IMChannel.allCases)
    func imLabelStartsText(channel: IMChannel) throws {
        let template = try Self.template("x", im: "{event}\n{location}", language: .english, priority: .routine)
        let message = Self.renderer.renderIM(template, values: Self.values(status: .test), channel: channel)
        let expectedStart: String =
            switch channel {
            case .weCom: "**[TEST] 火警**"
            case .dingTalk: "### [TEST] 火警"
            case .feishu, .webhook, .mqtt: "[TEST] 火警"
            }
        #expect(message.text.hasPrefix(expectedStart))
    }

    @Test func weComHighlightsLifeSafety() throws {
        let template = try Self.template("x", im: "{event}\n地点：{location}")
        let message = Self.renderer.renderIM(template, values: Self.values(), channel: .weCom)
        #expect(message.text == "<font color=\"warning\">**火警**</font>\n地点：第三教学楼二层")
        #expect(message.format == .markdown)
    }

    @Test func weComDoesNotHighlightRoutine() throws {
        let template = try Self.template("x", im: "{event}\n地点：{location}", priority: .routine)
        let message = Self.renderer.renderIM(template, values: Self.values(), channel: .weCom)
        #expect(message.text == "**火警**\n地点：第三教学楼二层")
    }

    @Test func dingTalkSendsTitleAndHeading() throws {
        let template = try Self.template("x", im: "{event}\n地点：{location}\n\n{instruction}")
        let message = Self.renderer.renderIM(template, values: Self.values(status: .exercise), channel: .dingTalk)
        #expect(message.title == "【演练】火警")
        #expect(message.text == "### 【演练】火警\n\n地点：第三教学楼二层\n\n沿安全通道撤离")
    }

    @Test(arguments: [IMChannel.feishu, .webhook, .mqtt])
    func plainChannelSendsText(channel: IMChannel) throws {
        let template = try Self.template("x", im: "{event}\n地点：{location}")
        let message = Self.renderer.renderIM(template, values: Self.values(), channel: channel)
        #expect(message.text == "火警\n地点：第三教学楼二层")
        #expect(message.format == .plain)
        #expect(message.title == nil)
    }

    /// Values that try to add formatting or mentions, and a text the output must not contain.
    static let injections: [(value: String, forbidden: String)] = [
        ("<@wangqing>", "<@"),
        ("@all 快跑", "@all"),
        ("**加粗**", "**加粗"),
        ("[点击](http://example.com)", "]("),
        ("<font color=\"info\">绿色</font>", "<font color=\"info\""),
        ("`代码`", "`"),
        ("# 标题", "# 标题"),
        ("_斜体_", "_斜体"),
        ("~~删除~~", "~~"),
        ("- 列表", "- 列表"),
        ("> 引用", "> 引用"),
        ("![图](http://example.com/a.png)", "!["),
        ("&lt;@wangqing&gt;", "&lt;"),
        ("a|b|c", "|"),
    ]

    @Test(arguments: injections)
    func weComEscapesValue(value: String, forbidden: String) throws {
        let template = try Self.template("x", im: "标题\n地点：{location}")
        let message = Self.renderer.renderIM(template, values: Self.values(location: value), channel: .weCom)
        #expect(!message.text.contains(forbidden))
    }

    @Test(arguments: injections)
    func dingTalkEscapesValue(value: String, forbidden: String) throws {
        let template = try Self.template("x", im: "{location}\n{location}")
        let message = Self.renderer.renderIM(template, values: Self.values(location: value), channel: .dingTalk)
        #expect(!message.text.contains(forbidden))
    }

    @Test func dingTalkTitleEscapesValue() throws {
        let template = try Self.template("x", im: "{location}")
        let message = Self.renderer.renderIM(template, values: Self.values(location: "@all"), channel: .dingTalk)
        #expect(message.title == "＠all")
    }

    @Test func markdownEscapeKeepsMeaning() {
        #expect(IMChannel.weCom.escape("<@wangqing> **x**") == "＜＠wangqing＞ ＊＊x＊＊")
    }

    @Test func markdownEscapeKeepsInnerHyphen() {
        #expect(IMChannel.dingTalk.escape("-3F-东") == "－3F-东")
    }

    @Test func feishuEscapesMentionTag() throws {
        let template = try Self.template("x", im: "{location}")
        let value = "<at user_id=\"all\">所有人</at>"
        let message = Self.renderer.renderIM(template, values: Self.values(location: value), channel: .feishu)
        #expect(!message.text.contains("<at"))
    }

    @Test(arguments: [IMChannel.webhook, .mqtt])
    func dataChannelKeepsValue(channel: IMChannel) {
        #expect(channel.escape("<@a> **b**") == "<@a> **b**")
    }

    @Test func imKeepsTemplateTextAsWritten() throws {
        let template = try Self.template("x", im: "请 @所有人 注意\n**{event}**")
        let message = Self.renderer.renderIM(template, values: Self.values(), channel: .feishu)
        #expect(message.text == "请 @所有人 注意\n**火警**")
    }
}

// MARK: - Built-in templates

extension TemplateTests {
    /// The P0 and P1 built-ins, which must fit one SMS.
    static let singleSMSBuiltIns = BuiltInTemplates.all.filter { $0.requiresSingleSMS }

    @Test(arguments: BuiltInTemplates.all)
    func builtInPassesValidation(template: AlertTemplate) {
        #expect(Self.validationError(template, signature: Self.signature) == nil)
    }

    @Test(arguments: singleSMSBuiltIns)
    func builtInFitsOneSMSWithSignatureAtEnd(template: AlertTemplate) throws {
        var signature = Self.signature
        signature.placement = .end
        #expect(try template.validate(signature: signature).parts == 1)
    }

    /// Values far past every maximum, with emoji, extension characters and line breaks.
    static let oversizedValues = TemplateValues(
        event: String(repeating: "暴雨😀", count: 20), location: String(repeating: "€[东楼]\n", count: 20),
        sender: String(repeating: "保卫处🚒", count: 20), instruction: String(repeating: "请撤离👩‍🚒", count: 20),
        headline: String(repeating: "标题", count: 40), level: String(repeating: "红色预警", count: 10),
        identifier: "CN-EXAMPLEU-SEC-2026-123456789", sent: sent, status: .exercise)

    @Test(arguments: singleSMSBuiltIns)
    func builtInRendersOneSMSWithOversizedValues(template: AlertTemplate) throws {
        let text = Self.renderer.renderSMS(template, values: Self.oversizedValues)
        #expect(try Segmenter.plan(text).segments.count == 1)
    }

    @Test(arguments: singleSMSBuiltIns)
    func builtInRenderStaysWithinWorstCase(template: AlertTemplate) throws {
        let text = Self.renderer.renderSMS(template, values: Self.oversizedValues)
        let report = try template.validate(signature: Self.signature)
        #expect(text.utf16.count <= report.worstCaseUnits)
    }

    @Test(arguments: BuiltInTemplates.Name.allCases)
    func builtInExistsInBothLanguages(name: BuiltInTemplates.Name) {
        let languages = BuiltInTemplates.all.filter { $0.name == name.rawValue }.map(\.language)
        #expect(languages == [.chinese, .english])
    }

    @Test(arguments: [
        (BuiltInTemplates.Name.fireAlarm, AlertPriority.lifeSafety), (.activeThreat, .lifeSafety), (.codeBlue, .lifeSafety),
        (.lockdownLifted, .urgent), (.allClear, .urgent), (.severeWeather, .urgent), (.drillNotice, .routine),
        (.reminder, .reminder),
    ])
    func builtInPriority(name: BuiltInTemplates.Name, priority: AlertPriority) {
        #expect(BuiltInTemplates.template(name, language: .chinese).priority == priority)
    }

    @Test func builtInFireAlarmRendersChineseSMS() {
        let template = BuiltInTemplates.template(.fireAlarm, language: .chinese)
        let text = Self.renderer.renderSMS(template, values: Self.values())
        #expect(text == "【某某大学附属医院】火警！第三教学楼二层（10:15）。沿安全通道撤离#0001")
    }

    @Test func builtInFireAlarmRendersEnglishSMS() {
        let template = BuiltInTemplates.template(.fireAlarm, language: .english)
        let text = Self.renderer.renderSMS(template, values: Self.values(location: "Building 3", status: .test))
        #expect(text == "【某某大学附属医院】[TEST] FIRE Building 3 10:15: leave by stairs #0001")
    }

    @Test func builtInSevereWeatherFromCAP() throws {
        let alert = try CAPParser.parse(try CAPParserTests.fixture("zh-fire-alert.cap"))
        let info = try #require(alert.infos.first)
        let template = BuiltInTemplates.template(.severeWeather, language: .chinese)
        let text = Self.renderer.renderSMS(template, values: TemplateValues(alert: alert, info: info))
        #expect(text == "【某某大学附属医院】火警红色：请勿使用电梯，沿安全通道撤离至东操场集…（示例大学保卫处）#0001")
    }

    @Test(arguments: [
        (BuiltInTemplates.Name.drillNotice, Language.chinese, 99), (.drillNotice, .english, 120),
        (.reminder, .chinese, 88), (.reminder, .english, 105),
    ])
    func builtInRoutineTakesTwoParts(name: BuiltInTemplates.Name, language: Language, units: Int) throws {
        let report = try BuiltInTemplates.template(name, language: language).validate(signature: Self.signature)
        #expect(report.worstCaseUnits == units)
        #expect(report.parts == 2)
    }
}
