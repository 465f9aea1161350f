import Testing

@testable import ATProtocol

@Suite struct ATCommandTests {
    @Test func sendPDUComputesLength() throws {
        let command = try ATCommand.sendPDU("0011000D91683108000000F10008AA046D4B8BD5")
        #expect(command.text == "AT+CMGS=19")
        #expect(command.lineBytes == Array("AT+CMGS=19\r".utf8))
        #expect(command.expectsPrompt)
        #expect(command.kind == .smsSend)
        #expect(command.responsePrefix == "+CMGS")
    }

    @Test func payloadEndsWithCtrlZ() throws {
        let command = try ATCommand.sendPDU("0011000D91683108000000F10000AA04D4F29C0E")
        #expect(command.payloadBytes == Array("0011000D91683108000000F10000AA04D4F29C0E".utf8) + [0x1A])
    }

    @Test func sendPDUWithServiceCentre() throws {
        // 07 91 683108000000F0 is a 7-octet SMSC address in front of a 20-octet TPDU.
        let command = try ATCommand.sendPDU("0791683108000000F011000D91683108000000F10000AA04D4F29C0E")
        #expect(command.text == "AT+CMGS=20")
    }

    @Test(arguments: ["", "00", "0011000D9", "0011000D91ZZ", "FF11000D91"])
    func invalidPDURejected(pdu: String) {
        #expect(throws: ATProtocolError.self) {
            try ATCommand.sendPDU(pdu)
        }
    }

    @Test(arguments: [
        ("AT+CSQ", ATCommand.Form.execute),
        ("ATE0", .execute),
        ("AT+CREG?", .read),
        ("AT+CPMS=?", .test),
        ("AT+CMGF=0", .set),
    ])
    func form(text: String, expected: ATCommand.Form) {
        #expect(ATCommand(text).form == expected)
    }

    @Test func echoMatchIgnoresCase() {
        #expect(ATCommand("AT+CMGR=3").isEcho("at+cmgr=3"))
        #expect(ATCommand("AT+CMGR=3").isEcho("  AT+CMGR=3 "))
        #expect(!ATCommand("AT+CMGR=3").isEcho("AT+CMGR=4"))
        #expect(!ATCommand("AT").isEcho(""))
    }

    @Test func payloadEchoMatches() throws {
        let command = try ATCommand.sendPDU("0011000D91683108000000F10000AA04D4F29C0E")
        #expect(command.isEcho("0011000D91683108000000F10000AA04D4F29C0E\u{1A}"))
    }

    @Test func pinHiddenInDescription() throws {
        let command = try ATCommand.enterPIN("1234")
        #expect(command.description == "AT+CPIN=****")
        #expect(command.isSensitive)
        #expect(command.text == "AT+CPIN=\"1234\"")
    }

    @Test(arguments: ["12", "123456789", "12a4", ""])
    func invalidPINRejected(pin: String) {
        #expect(throws: ATProtocolError.self) {
            try ATCommand.enterPIN(pin)
        }
    }

    @Test func invalidPINErrorHidesPIN() {
        do {
            _ = try ATCommand.enterPIN("12a4")
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("12a4"))
        }
    }

    @Test func phoneNumberMaskedInDescription() throws {
        let command = try ATCommand.setServiceCentre("+8613800000000")
        #expect(command.text == "AT+CSCA=\"+8613800000000\",145")
        #expect(!command.description.contains("13800000000"))
    }

    @Test func invalidServiceCentreRejected() {
        #expect(throws: ATProtocolError.self) {
            try ATCommand.setServiceCentre("+86-138")
        }
    }

    @Test(arguments: [
        (ATCommand.Kind.quick, Duration.seconds(5)),
        (.sim, .seconds(10)),
        (.network, .seconds(15)),
        (.networkScan, .seconds(180)),
        (.smsSend, .seconds(60)),
        (.smsStorage, .seconds(15)),
    ])
    func defaultTimeouts(kind: ATCommand.Kind, expected: Duration) {
        #expect(kind.timeout == expected)
    }

    @Test func promptTimeout() {
        #expect(ATCommand.promptTimeout == .seconds(5))
    }

    @Test(arguments: [
        (ATCommand.readRegistration(.eps), "AT+CEREG?", "+CEREG"),
        (ATCommand.readPINStatus, "AT+CPIN?", "+CPIN"),
        (ATCommand.listMessages(.all), "AT+CMGL=4", "+CMGL"),
        (ATCommand.listTextMessages(.all), "AT+CMGL=\"ALL\"", "+CMGL"),
        (ATCommand.readMessage(index: 3), "AT+CMGR=3", "+CMGR"),
        (ATCommand.sendStored(index: 3), "AT+CMSS=3", "+CMSS"),
        (ATCommand.setPreferredStorage(["SM", "SM", "SM"]), "AT+CPMS=\"SM\",\"SM\",\"SM\"", "+CPMS"),
        (ATCommand.readQuectelPINCounters, "AT+QPINC=\"SC\"", "+QPINC"),
        (ATCommand.readSIMComPINCounters, "AT+SPIC", "+SPIC"),
        (ATCommand.scanOperators, "AT+COPS=?", "+COPS"),
    ])
    func builtCommand(command: ATCommand, text: String, prefix: String) {
        #expect(command.text == text)
        #expect(command.responsePrefix == prefix)
    }

    @Test(arguments: [
        (ATCommand.setFunctionality(1, reset: true), "AT+CFUN=1,1"),
        (ATCommand.setMessageFormat(.pdu), "AT+CMGF=0"),
        (ATCommand.setCharacterSet("UCS2"), "AT+CSCS=\"UCS2\""),
        (ATCommand.setNewMessageIndications(), "AT+CNMI=2,1,0,2,0"),
        (ATCommand.setMoreMessagesToSend(1), "AT+CMMS=1"),
        (ATCommand.deleteMessage(index: 1, flag: 4), "AT+CMGD=1,4"),
        (ATCommand.deleteMessage(index: 3), "AT+CMGD=3"),
        (ATCommand.acknowledgeNewMessage, "AT+CNMA"),
        (ATCommand.setRegistrationReporting(.circuitSwitched, mode: 2), "AT+CREG=2"),
        (ATCommand.setTextModeParameters(firstOctet: 17, validityPeriod: 167, protocolIdentifier: 0, dataCodingScheme: 8), "AT+CSMP=17,167,0,8"),
        (ATCommand.iccid(.quectel), "AT+QCCID"),
        (ATCommand.iccid(.simcom), "AT+CICCID"),
    ])
    func setCommandText(command: ATCommand, text: String) {
        #expect(command.text == text)
    }
}

@Suite struct ATResponseFormatterTests {
    @Test func signalReplyBytes() {
        let bytes = ATResponseFormatter.reply([SignalQuality(rssi: 20, bitErrorRate: 99)])
        #expect(bytes == Array("\r\n+CSQ: 20,99\r\n\r\nOK\r\n".utf8))
    }

    @Test func finalOnlyBytes() {
        #expect(ATResponseFormatter.reply() == Array("\r\nOK\r\n".utf8))
    }

    @Test func errorBytes() {
        let bytes = ATResponseFormatter.reply(final: .cmsError(CMSError(code: 500)))
        #expect(bytes == Array("\r\n+CMS ERROR: 500\r\n".utf8))
    }

    @Test func listReplyBytes() {
        let pdu = "0891683108000000F0040D91683108000000F100004210508000002306D4F29C0E8A01"
        let bytes = ATResponseFormatter.reply([MessageHeader.pdu(prefix: "+CMGL", index: 1, status: .receivedRead, length: 26), pdu])
        #expect(bytes == Array("\r\n+CMGL: 1,1,,26\r\n\(pdu)\r\n\r\nOK\r\n".utf8))
    }

    @Test func promptStyles() {
        #expect(ATResponseFormatter.prompt(.spaceAfter) == Array("\r\n> ".utf8))
        #expect(ATResponseFormatter.prompt(.lineEnd) == Array("\r\n>\r\n".utf8))
        #expect(ATResponseFormatter.prompt(.bare) == Array("> ".utf8))
    }

    @Test func unsolicitedBytes() {
        #expect(ATResponseFormatter.unsolicited("+CMTI: \"SM\",3") == Array("\r\n+CMTI: \"SM\",3\r\n".utf8))
        #expect(ATResponseFormatter.unsolicited("+CMT: ,24", body: "00") == Array("\r\n+CMT: ,24\r\n00\r\n".utf8))
    }

    @Test func echoBytes() {
        #expect(ATResponseFormatter.echo("ATE0") == Array("ATE0\r".utf8))
    }

    @Test(arguments: ATResponseFormatter.PromptStyle.allCases)
    func simulatorOutputParsesBack(style: ATResponseFormatter.PromptStyle) throws {
        let command = try ATCommand.sendPDU("0011000D91683108000000F10000AA04D4F29C0E")
        var framer = ATLineFramer()
        var classifier = ATLineClassifier()
        framer.isPromptExpected = true

        var output = ATResponseFormatter.echo(command.text) + ATResponseFormatter.prompt(style)
        output += ATResponseFormatter.reply([MessageReference(reference: 17)])

        var classes: [ATLineClassifier.Classification] = []
        var prompts = 0
        for event in framer.feed(output) {
            switch event {
            case .line(let line): classes += classifier.classify(line, inFlight: command)
            case .prompt: prompts += 1
            case .overflow: break
            }
        }
        #expect(prompts == 1)
        #expect(classes == [.echo, .response("+CMGS: 17"), .finalResult(.ok)])
    }
}

@Suite struct ATProtocolErrorTests {
    @Test(arguments: [
        ("13800000001", "138****0001"),
        ("+8613800000001", "+861******0001"),
        ("+CSQ: 20,99", "+CSQ: 20,99"),
        ("123456", "123456"),
        ("1234567", "1234567"),
        ("12345678", "123*5678"),
        ("\"+8613800000000\",145", "\"+861******0000\",145"),
    ])
    func masking(input: String, expected: String) {
        #expect(ATProtocolError.masked(input) == expected)
    }

    @Test func errorLineMasked() {
        let error = ATProtocolError(.invalidField(name: "tosca"), context: "+CSCA", line: "+CSCA: \"+8613800000000\",x")
        #expect(!error.description.contains("13800000000"))
        #expect(error.description.contains("tosca"))
    }

    @Test func errorLineTruncated() {
        let error = ATProtocolError(.malformedLine, context: "+CSQ", line: String(repeating: "A", count: 1000))
        #expect(error.line.count == ATProtocolError.maximumLineLength)
    }

    @Test func parseErrorNamesField() {
        do {
            _ = try SignalQuality(line: "+CSQ: x,99")
            Issue.record("expected an error")
        } catch {
            #expect(error.reason == .invalidField(name: "rssi"))
            #expect(error.context == "+CSQ")
        }
    }
}
