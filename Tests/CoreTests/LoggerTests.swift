import Testing

@testable import Core

@Suite struct LoggerTests {
    static func logger(level: LogLevel = .info) -> (Logger, CapturingLogSink) {
        let sink = CapturingLogSink()
        return (Logger(label: "modem", level: level, sink: sink), sink)
    }

    @Test func lineHasSyslogPrefixAndMetadata() {
        let (logger, sink) = Self.logger()
        logger.with("modem.port", "/dev/ttyUSB2").info("registered", ["reg.state": "home"])
        #expect(sink.lines == ["<6>modem: registered modem.port=/dev/ttyUSB2 reg.state=home"])
    }

    @Test(arguments: [
        (LogLevel.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
    ])
    func syslogPriorities(level: LogLevel, priority: Int) {
        #expect(level.syslogPriority == priority)
    }

    @Test func levelBelowThresholdDropped() {
        let (logger, sink) = Self.logger(level: .warning)
        logger.info("ignored")
        logger.error("kept")
        #expect(sink.lines == ["<3>modem: kept"])
    }

    @Test func phoneMasked() {
        let (logger, sink) = Self.logger()
        logger.info("sent", ["sms.to": .phone("+8613800000001")])
        #expect(sink.lines == ["<6>modem: sent sms.to=138****0001"])
    }

    @Test func bodyOnlyAtDebug() {
        let (logger, sink) = Self.logger(level: .debug)
        logger.info("received", ["sms.body": .body("火警 测试")])
        logger.debug("received", ["sms.body": .body("火警 测试")])
        #expect(sink.lines == ["<6>modem: received sms.body=\"<5 chars>\"", "<7>modem: received sms.body=\"火警 测试\""])
    }

    @Test(arguments: [
        ("2468 状态", "**** 状态"), ("２４６８报警火警", "****报警火警"), (" 135791357913 STATUS", " **** STATUS"),
        ("1", "1"), ("123 收到", "123 收到"), ("收到 2468", "收到 2468"),
    ])
    func receivedSMSMasksLeadingPIN(text: String, logged: String) {
        #expect(LogValue.receivedSMS(text).rendered(at: .debug) == logged)
        #expect(LogValue.receivedSMS(text).rendered(at: .info) == "<\(logged.unicodeScalars.count) chars>")
    }

    @Test func secretNeverLogged() {
        let (logger, sink) = Self.logger(level: .debug)
        logger.debug("unlocking", ["sim.pin": .secret])
        #expect(sink.lines == ["<7>modem: unlocking sim.pin=<redacted>"])
    }

    @Test func controlCharactersStayOnOneLine() {
        let (logger, sink) = Self.logger()
        logger.warning("unexpected reply", ["at.line": "OK\r\nERROR\u{1A}"])
        #expect(sink.lines == ["<4>modem: unexpected reply at.line=OK\\r\\nERROR\\x1A"])
    }

    @Test func valuesWithSpacesQuoted() {
        let (logger, sink) = Self.logger()
        logger.info("operator", ["net.operator": "CHINA MOBILE", "empty": ""])
        #expect(sink.lines == ["<6>modem: operator net.operator=\"CHINA MOBILE\" empty=\"\""])
    }

    @Test func callFieldReplacesLoggerField() {
        let (logger, sink) = Self.logger()
        logger.with("attempt", 1).info("retry", ["attempt": 2])
        #expect(sink.lines == ["<6>modem: retry attempt=2"])
    }

    @Test func withReplacesEarlierValue() {
        let (logger, sink) = Self.logger()
        logger.with("k", "a").with("k", "b").info("x")
        #expect(sink.lines == ["<6>modem: x k=b"])
    }

    @Test func levelNamesParse() {
        #expect(LogLevel(name: "WARNING") == .warning)
        #expect(LogLevel(name: "verbose") == nil)
    }
}

@Suite struct PhoneMaskTests {
    @Test(arguments: [
        ("+8613800000001", "138****0001"),
        ("13800000001", "138****0001"),
        ("+86 138-0000-0001", "138****0001"),
        ("008613800000001", "138****0001"),
        ("+442079460000", "+442****0000"),
        ("10086", "***86"),
        ("", "***"),
    ])
    func masks(number: String, masked: String) {
        #expect(PhoneMask.mask(number) == masked)
    }
}

@Suite struct PhoneMaskFullWidthTests {
    @Test func fullWidthDigitsMasked() {
        #expect(PhoneMask.mask("１３８０００００００１") == "138****0001")
    }
}
