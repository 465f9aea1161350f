import Testing

@testable import ATProtocol

/// Runs modem output through a framer and a classifier, as the driver does.
struct TranscriptRunner {
    var framer = ATLineFramer()
    var classifier = ATLineClassifier()
    var prompts = 0

    mutating func receive(_ text: String, inFlight command: ATCommand?) -> [ATLineClassifier.Classification] {
        var results: [ATLineClassifier.Classification] = []
        for event in framer.feed(Array(text.utf8)) {
            switch event {
            case .line(let line):
                results += classifier.classify(line, inFlight: command)
            case .prompt:
                prompts += 1
            case .overflow:
                break
            }
        }
        return results
    }
}

@Suite struct ATLineClassifierTests {
    // MARK: Prompt without a space (SIMCom SIM7670G)

    @Test func promptWithoutSpaceRecognised() throws {
        let command = try ATCommand.sendPDU("0011000D91683108000000F10008AA046D4B8BD5")
        var runner = TranscriptRunner()
        runner.framer.isPromptExpected = command.expectsPrompt

        let beforePrompt = runner.receive("AT+CMGS=19\r\r\n>\r\n", inFlight: command)
        #expect(beforePrompt == [.echo])
        #expect(runner.prompts == 1)

        let afterPDU = runner.receive("0011000D91683108000000F10008AA046D4B8BD5\u{1A}\r\n\r\n+CMGS: 21\r\n\r\nOK\r\n", inFlight: command)
        #expect(afterPDU == [.echo, .response("+CMGS: 21"), .finalResult(.ok)])
    }

    @Test func promptWithSpaceRecognised() throws {
        let command = try ATCommand.sendPDU("0011000D91683108000000F10000AA04D4F29C0E")
        var runner = TranscriptRunner()
        runner.framer.isPromptExpected = true
        _ = runner.receive("\r\n> ", inFlight: command)
        #expect(runner.prompts == 1)
        let result = runner.receive("\r\n+CMGS: 7\r\n\r\nOK\r\n", inFlight: command)
        #expect(result == [.response("+CMGS: 7"), .finalResult(.ok)])
    }

    // MARK: Echo after reconnect, under URC noise

    @Test func echoAfterReconnectDropped() {
        var runner = TranscriptRunner()
        let result = runner.receive("AT\r\r\nOK\r\n", inFlight: .attention)
        #expect(result == [.echo, .finalResult(.ok)])
    }

    @Test func vendorNoiseIsURCNotReply() {
        var runner = TranscriptRunner()
        let result = runner.receive("\r\n^RSSI: 18\r\nAT+CSQ\r\r\n^RSSI: 19\r\n+CSQ: 18,99\r\n\r\nOK\r\n", inFlight: .readSignalQuality)
        #expect(result.count == 5)
        #expect(result[0] == .urc(URC(kind: .huaweiSignal, line: "^RSSI: 18")))
        #expect(result[1] == .echo)
        #expect(result[2] == .urc(URC(kind: .huaweiSignal, line: "^RSSI: 19")))
        #expect(result[3] == .response("+CSQ: 18,99"))
        #expect(result[4] == .finalResult(.ok))
    }

    @Test func echoOffCommandEchoed() {
        var runner = TranscriptRunner()
        let result = runner.receive("ATE0\r\r\nOK\r\n", inFlight: .echoOff)
        #expect(result == [.echo, .finalResult(.ok)])
    }

    // MARK: Doubled echo inside replies

    @Test func doubledEchoDropped() {
        var runner = TranscriptRunner()
        let result = runner.receive("ATE0\rATE0\r\r\nOK\r\n", inFlight: .echoOff)
        #expect(result == [.echo, .echo, .finalResult(.ok)])
    }

    @Test(arguments: ["+CMGR: 0,\"\",26", "+CMGR: 0,,26"])
    func readMessageWithEcho(header: String) throws {
        let pdu = "0891683108000000F0040D91683108000000F100004210508000002306D4F29C0E8A01"
        var runner = TranscriptRunner()
        let command = ATCommand.readMessage(index: 3)
        let result = runner.receive("AT+CMGR=3\r\r\n\(header)\r\n\(pdu)\r\n\r\nOK\r\n", inFlight: command)
        #expect(result == [.echo, .response(header), .response(pdu), .finalResult(.ok)])

        let messages = try StoredMessage.messages(in: [header, pdu])
        #expect(messages.count == 1)
        #expect(messages.first?.header.length == 26)
        #expect(messages.first?.header.status == .receivedUnread)
        #expect(messages.first?.header.alpha == nil)
        #expect(messages.first?.body == pdu)
    }

    @Test func readMessageBodySplitAcrossChunks() {
        let pdu = "0891683108000000F0040D91683108000000F100004210508000002306D4F29C0E8A01"
        var runner = TranscriptRunner()
        let command = ATCommand.readMessage(index: 3)
        var result = runner.receive("\r\n+CMGR: 0,,26\r\n", inFlight: command)
        result += runner.receive(String(pdu.prefix(30)), inFlight: command)
        result += runner.receive(String(pdu.dropFirst(30)) + "\r\n\r\nOK\r\n", inFlight: command)
        #expect(result == [.response("+CMGR: 0,,26"), .response(pdu), .finalResult(.ok)])
    }

    // MARK: A message body that reads "OK"

    @Test func textBodyReadingOKIsPayload() throws {
        var runner = TranscriptRunner()
        let command = ATCommand.listTextMessages(.all)
        let header = "+CMGL: 1,\"REC READ\",\"+8613800000001\",,\"24/01/05,08:00:00+32\""
        let result = runner.receive("\r\n\(header)\r\nOK\r\n\r\nOK\r\n", inFlight: command)
        #expect(result == [.response(header), .response("OK"), .finalResult(.ok)])

        let messages = try StoredMessage.messages(in: [header, "OK"])
        #expect(messages.first?.body == "OK")
        #expect(messages.first?.header.mode == .text)
        #expect(messages.first?.header.status == .receivedRead)
        #expect(messages.first?.header.address == "+8613800000001")
    }

    @Test func pduListWithSeveralEntries() throws {
        let first = "0891683108000000F0040D91683108000000F100004210508000002306D4F29C0E8A01"
        let second = "0891683108000000F0040D91683108000000F1000842105080000023046D4B8BD5"
        var runner = TranscriptRunner()
        let command = ATCommand.listMessages(.all)
        let reply = "\r\n+CMGL: 1,1,,26\r\n\(first)\r\n+CMGL: 2,0,,24\r\n\(second)\r\n\r\nOK\r\n"
        let result = runner.receive(reply, inFlight: command)
        #expect(result == [
            .response("+CMGL: 1,1,,26"), .response(first), .response("+CMGL: 2,0,,24"), .response(second), .finalResult(.ok),
        ])

        let messages = try StoredMessage.messages(in: ["+CMGL: 1,1,,26", first, "+CMGL: 2,0,,24", second])
        #expect(messages.map(\.header.index) == [1, 2])
        #expect(messages.map(\.body) == [first, second])
    }

    @Test func emptyListEndsOnOK() {
        var runner = TranscriptRunner()
        let result = runner.receive("\r\nOK\r\n", inFlight: .listMessages(.all))
        #expect(result == [.finalResult(.ok)])
    }

    // MARK: Reply shapes and URCs that share a prefix

    @Test func twoURCsInOneRead() {
        var runner = TranscriptRunner()
        let result = runner.receive("\r\n+CREG: 5\r\n\r\n+CGREG: 0\r\n", inFlight: nil)
        #expect(result == [
            .urc(URC(kind: .circuitRegistration, line: "+CREG: 5")),
            .urc(URC(kind: .packetRegistration, line: "+CGREG: 0")),
        ])
    }

    @Test func twoURCsDuringRegistrationRead() {
        var runner = TranscriptRunner()
        let command = ATCommand.readRegistration(.circuitSwitched)
        let result = runner.receive("\r\n+CREG: 5\r\n\r\n+CGREG: 0\r\n\r\n+CREG: 2,5,\"18D8\",\"FFFF\"\r\n\r\nOK\r\n", inFlight: command)
        #expect(result == [
            .urc(URC(kind: .circuitRegistration, line: "+CREG: 5")),
            .urc(URC(kind: .packetRegistration, line: "+CGREG: 0")),
            .response("+CREG: 2,5,\"18D8\",\"FFFF\""),
            .finalResult(.ok),
        ])
    }

    @Test(arguments: [
        ("+CREG: 1", false),
        ("+CREG: 2,1", true),
        ("+CREG: 1,\"18D8\",\"FFFF\"", false),
        ("+CREG: 2,1,\"18D8\",\"FFFF\"", true),
        ("+CREG: 1,\"18D8\",\"FFFF\",7", false),
        ("+CREG: 2,1,  0 5, 2715", true),
        ("+CREG:002,001,\"18d8\",\"ffff\"", true),
        ("+CREG: 2,,", false),
    ])
    func registrationReplyOrURC(line: String, isReply: Bool) {
        var classifier = ATLineClassifier()
        let result = classifier.classify(ATLine(line), inFlight: .readRegistration(.circuitSwitched))
        if isReply {
            #expect(result == [.response(line)])
        } else {
            #expect(result == [.urc(URC(kind: .circuitRegistration, line: line))])
        }
    }

    @Test func registrationTestReplySolicited() {
        var classifier = ATLineClassifier()
        let command = ATCommand("AT+CREG=?", response: .prefixed("+CREG"))
        #expect(classifier.classify(ATLine("+CREG: (0-2)"), inFlight: command) == [.response("+CREG: (0-2)")])
    }

    @Test func registrationURCDuringSetCommand() {
        var classifier = ATLineClassifier()
        let command = ATCommand.setRegistrationReporting(.eps, mode: 2)
        let result = classifier.classify(ATLine("+CEREG: 2,1,\"5A1E\",\"0B2C3D4\",7"), inFlight: command)
        #expect(result == [.urc(URC(kind: .epsRegistration, line: "+CEREG: 2,1,\"5A1E\",\"0B2C3D4\",7"))])
    }

    @Test func pinReplyDuringRead() {
        var classifier = ATLineClassifier()
        #expect(classifier.classify(ATLine("+CPIN: READY"), inFlight: .readPINStatus) == [.response("+CPIN: READY")])
    }

    @Test func pinURCAfterBoot() {
        var classifier = ATLineClassifier()
        #expect(classifier.classify(ATLine("+CPIN: READY"), inFlight: nil) == [.urc(URC(kind: .simStatus, line: "+CPIN: READY"))])
        #expect(classifier.classify(ATLine("+CPIN: READY"), inFlight: .readSignalQuality) == [.urc(URC(kind: .simStatus, line: "+CPIN: READY"))])
    }

    @Test func callingLineShapes() {
        var classifier = ATLineClassifier()
        let command = ATCommand("AT+CLIP?", response: .prefixed("+CLIP"))
        #expect(classifier.classify(ATLine("+CLIP: 1,1"), inFlight: command) == [.response("+CLIP: 1,1")])
        let urcLine = "+CLIP: \"+8613800000001\",145,,,,0"
        #expect(classifier.classify(ATLine(urcLine), inFlight: command) == [.urc(URC(kind: .callingLine, line: urcLine))])
    }

    @Test func functionalityURCAndReply() {
        var classifier = ATLineClassifier()
        #expect(classifier.classify(ATLine("+CFUN: 1"), inFlight: nil) == [.urc(URC(kind: .functionality, line: "+CFUN: 1"))])
        #expect(classifier.classify(ATLine("+CFUN: 1"), inFlight: .readFunctionality) == [.response("+CFUN: 1")])
    }

    // MARK: Two-line URCs

    @Test func deliverURCWithPDUInLaterChunk() {
        let pdu = "0891683108000000F0040D91683108000000F100004210508000002306D4F29C0E8A01"
        var runner = TranscriptRunner()
        let header = runner.receive("\r\n+CMT: ,26\r\n", inFlight: nil)
        #expect(header == [.urcHeader(.messageDelivered)])
        #expect(runner.classifier.isAwaitingBody)
        let partial = runner.receive(String(pdu.prefix(11)), inFlight: nil)
        #expect(partial.isEmpty)
        let body = runner.receive(String(pdu.dropFirst(11)) + "\r\n", inFlight: nil)
        #expect(body == [.urc(URC(kind: .messageDelivered, line: "+CMT: ,26", body: pdu))])
    }

    @Test func deliverURCDuringCommand() {
        let pdu = "0891683108000000F0040D91683108000000F1000842105080000023046D4B8BD5"
        var runner = TranscriptRunner()
        let result = runner.receive("\r\n+CMT: \"\",24\r\n\(pdu)\r\n\r\n+CSQ: 20,99\r\n\r\nOK\r\n", inFlight: .readSignalQuality)
        #expect(result == [
            .urcHeader(.messageDelivered),
            .urc(URC(kind: .messageDelivered, line: "+CMT: \"\",24", body: pdu)),
            .response("+CSQ: 20,99"),
            .finalResult(.ok),
        ])
    }

    @Test func statusReportURC() {
        let pdu = "0891683108000000F006110D91683108000000F2421050800000234210508000002300"
        var runner = TranscriptRunner()
        let result = runner.receive("\r\n+CDS: 25\r\n\(pdu)\r\n", inFlight: nil)
        #expect(result.last == .urc(URC(kind: .statusReport, line: "+CDS: 25", body: pdu)))
    }

    @Test func textStatusReportIsOneLine() {
        var classifier = ATLineClassifier()
        let line = "+CDS: 6,17,\"+8613800000002\",145,\"24/01/05,08:00:00+32\",\"24/01/05,08:00:00+32\",0"
        #expect(classifier.classify(ATLine(line), inFlight: nil) == [.urc(URC(kind: .statusReport, line: line))])
        #expect(!classifier.isAwaitingBody)
    }

    @Test func textDeliverBodyReadingOK() {
        var runner = TranscriptRunner()
        let header = "+CMT: \"+8613800000001\",,\"24/01/05,08:00:00+32\""
        let result = runner.receive("\r\n\(header)\r\nOK\r\n", inFlight: nil)
        #expect(result.last == .urc(URC(kind: .messageDelivered, line: header, body: "OK")))
    }

    @Test func missingPDUGivesUpHeader() {
        var runner = TranscriptRunner()
        let result = runner.receive("\r\n+CMT: ,26\r\n\r\nOK\r\n", inFlight: .attention)
        #expect(result == [
            .urcHeader(.messageDelivered),
            .urc(URC(kind: .messageDelivered, line: "+CMT: ,26")),
            .finalResult(.ok),
        ])
    }

    // MARK: URC table

    @Test(arguments: [
        ("+CMTI: \"SM\",3", URCKind.messageStored),
        ("+CDSI: \"SR\",1", .statusReportStored),
        ("+CBMI: \"BM\",2", .cellBroadcastStored),
        ("RING", .ring),
        ("+CRING: VOICE", .cellularRing),
        ("RDY", .ready),
        ("SMS Ready", .smsReady),
        ("Call Ready", .callReady),
        ("SMS DONE", .smsDone),
        ("PB DONE", .phonebookDone),
        ("+QIND: SMS DONE", .quectelIndication),
        ("+QIND: PB DONE", .quectelIndication),
        ("+QIND: \"csq\",20,99", .quectelIndication),
        ("+QUSIM: 1", .quectelSIMStatus),
        ("^RSSI: 20", .huaweiSignal),
        ("^BOOT:20952941,0,0,0,75", .huaweiBoot),
        ("^MODE:5,4", .huaweiMode),
        ("^SYSSTART", .systemStart),
        ("POWERED DOWN", .poweredDown),
        ("NORMAL POWER DOWN", .normalPowerDown),
        ("*ATREADY: 1", .atReady),
        ("+STIN: 25", .simToolkit),
        ("+PACSP1", .serviceProviderSelection),
        ("+PACSP0", .serviceProviderSelection),
        ("+CTZV: +32,0", .timeZone),
        ("+CTZE: \"+32\",0,\"2024/01/05,00:00:00\"", .timeZoneExtended),
        ("+QNITZ: \"24/01/05,00:00:00+32,0\"", .quectelNetworkTime),
        ("+CIEV: \"MESSAGE\",1", .indicatorEvent),
        ("+CUSD: 0,\"Balance 10.00\",15", .ussd),
        ("+CGEV: ME PDN ACT 1", .packetDomainEvent),
        ("+CPSI: LTE,Online,460-00,0x5A1E,187214780,257,EUTRAN-BAND3,1650,5,5,-94,-850,-545,15", .simcomSystemInfo),
        ("+CPIN: NOT READY", .simStatus),
        ("+CFUN: 1", .functionality),
    ])
    func recognisesURC(line: String, kind: URCKind) {
        var classifier = ATLineClassifier()
        #expect(classifier.classify(ATLine(line), inFlight: nil) == [.urc(URC(kind: kind, line: line))])
    }

    @Test func bodyOfStoredIndication() throws {
        let urc = URC(kind: .messageStored, line: "+CMTI: \"SM\",3")
        #expect(urc.storedMessage?.memory == "SM")
        #expect(urc.storedMessage?.index == 3)
    }

    @Test func urcDescriptionMasksNumbers() {
        let urc = URC(kind: .callingLine, line: "+CLIP: \"+8613800000001\",145")
        #expect(!urc.description.contains("13800000001"))
    }

    // MARK: Other lines

    @Test func strayFinalResultUnknown() {
        var classifier = ATLineClassifier()
        #expect(classifier.classify(ATLine("OK"), inFlight: nil) == [.unknown("OK")])
        #expect(classifier.classify(ATLine("NO CARRIER"), inFlight: nil) == [.unknown("NO CARRIER")])
    }

    @Test func unexpectedPrefixUnknown() {
        var classifier = ATLineClassifier()
        #expect(classifier.classify(ATLine("+XYZ: 1"), inFlight: .readSignalQuality) == [.unknown("+XYZ: 1")])
    }

    @Test func textReplyAccepted() {
        var runner = TranscriptRunner()
        let result = runner.receive("\r\n460001234567890\r\n\r\nOK\r\n", inFlight: .imsi)
        #expect(result == [.response("460001234567890"), .finalResult(.ok)])
    }

    @Test func identificationLines() {
        var runner = TranscriptRunner()
        let result = runner.receive("ATI\r\r\nQuectel\r\nEC25\r\nRevision: EC25EFAR06A06M4G\r\n\r\nOK\r\n", inFlight: .identification)
        #expect(result == [.echo, .response("Quectel"), .response("EC25"), .response("Revision: EC25EFAR06A06M4G"), .finalResult(.ok)])
    }

    @Test func errorResultEndsCommand() {
        var runner = TranscriptRunner()
        let command = ATCommand.readMessage(index: 3)
        let result = runner.receive("\r\n+CMS ERROR: 321\r\n", inFlight: command)
        #expect(result == [.finalResult(.cmsError(CMSError(code: 321)))])
    }

    @Test func wrongPINTranscript() throws {
        var runner = TranscriptRunner()
        let read = runner.receive("\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n", inFlight: .readPINStatus)
        #expect(read == [.response("+CPIN: SIM PIN"), .finalResult(.ok)])
        #expect(try PINStatus(line: "+CPIN: SIM PIN").needsPIN)

        let enter = try ATCommand.enterPIN("0000")
        let result = runner.receive("\r\n+CME ERROR: 16\r\n", inFlight: enter)
        guard case .finalResult(.cmeError(let error)) = result.first else {
            Issue.record("expected a CME error, got \(result)")
            return
        }
        #expect(error.isIncorrectPassword)
    }

    @Test func resetForgetsPendingBody() {
        var classifier = ATLineClassifier()
        _ = classifier.classify(ATLine("+CMT: ,26"), inFlight: nil)
        classifier.reset()
        #expect(!classifier.isAwaitingBody)
        #expect(classifier.classify(ATLine("RDY"), inFlight: nil) == [.urc(URC(kind: .ready, line: "RDY"))])
    }

    @Test func pendingBodyDroppedWhenCommandChanges() {
        var classifier = ATLineClassifier()
        _ = classifier.classify(ATLine("+CMGR: \"REC READ\",\"+8613800000001\",,\"24/01/05,08:00:00+32\""), inFlight: .readMessage(index: 1))
        #expect(classifier.classify(ATLine("OK"), inFlight: .attention) == [.finalResult(.ok)])
    }
}
