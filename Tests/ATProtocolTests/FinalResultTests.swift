import Testing

@testable import ATProtocol

@Suite struct FinalResultTests {
    @Test(arguments: [
        ("OK", FinalResult.ok),
        ("ok", .ok),
        ("  OK  ", .ok),
        ("ERROR", .error),
        ("NO CARRIER", .noCarrier),
        ("BUSY", .busy),
        ("NO ANSWER", .noAnswer),
        ("NO DIALTONE", .noDialtone),
        ("CONNECT", .connect(nil)),
        ("CONNECT 150000000", .connect("150000000")),
        ("+CME ERROR: 16", .cmeError(CMEError(code: 16))),
        ("+CME ERROR:10", .cmeError(CMEError(code: 10))),
        ("+CMS ERROR: 500", .cmsError(CMSError(code: 500))),
        ("+CMS ERROR: 305", .cmsError(CMSError(code: 305))),
    ])
    func parsesFinalResult(line: String, expected: FinalResult) {
        #expect(FinalResult(line: line) == expected)
    }

    @Test(arguments: ["+CSQ: 20,99", "OKAY", "RING", "0", "", "+CMGS: 5", "> "])
    func rejectsNonFinalLine(line: String) {
        #expect(FinalResult(line: line) == nil)
    }

    @Test(arguments: [("0", FinalResult.ok), ("4", .error), ("3", .noCarrier), ("7", .busy)])
    func numericCodesWhenEnabled(line: String, expected: FinalResult) {
        #expect(FinalResult(line: line, acceptsNumericCodes: true) == expected)
    }

    @Test func verboseCMEKnownText() {
        guard case .cmeError(let error) = FinalResult(line: "+CME ERROR: SIM PIN required") else {
            Issue.record("not a CME error")
            return
        }
        #expect(error.code == 11)
        #expect(error.text == "SIM PIN required")
    }

    @Test(arguments: [
        ("incorrect password", 16),
        ("SIM not inserted", 10),
        ("sim busy", 14),
        ("operation not allowed", 3),
        ("Unknown error", 100),
        ("phone failure", 0),
        ("invalid index", 21),
        ("network not allowed - emergency calls only", 32),
        ("(U)SIM PUK required", 12),
        ("SIM PIN2 required", 17),
        ("no network service", 30),
    ])
    func verboseCMEMapping(text: String, code: Int) {
        #expect(CMEError(parameter: text).code == code)
    }

    @Test func verboseCMEUnknownTextKept() {
        let error = CMEError(parameter: "modem on fire")
        #expect(error.code == nil)
        #expect(error.text == "modem on fire")
        #expect(error.parameter == "modem on fire")
    }

    @Test(arguments: [
        ("unknown error", 500),
        ("ME failure", 300),
        ("SMS service of ME reserved", 301),
        ("operation not allowed", 302),
        ("invalid PDU mode parameter", 304),
        ("(U)SIM not inserted", 310),
        ("SIM PIN required", 311),
        ("memory full", 322),
        ("invalid memory index", 321),
        ("SMSC address unknown", 330),
        ("no network service", 331),
        ("network timeout", 332),
        ("Network out of order", 38),
        ("Congestion", 42),
    ])
    func verboseCMSMapping(text: String, code: Int) {
        #expect(CMSError(parameter: text).code == code)
    }

    @Test func verboseCMSUnknownTextKept() {
        let error = CMSError(parameter: "SMS rejected by policy")
        #expect(error.code == nil)
        #expect(error.sendFailureKind == .unknown)
    }

    @Test(arguments: [
        (FinalResult.ok, FinalResult.Category.success),
        (.connect(nil), .connected),
        (.error, .failure),
        (.cmeError(CMEError(code: 3)), .failure),
        (.cmsError(CMSError(code: 42)), .failure),
        (.noCarrier, .callFailure),
        (.busy, .callFailure),
        (.noAnswer, .callFailure),
        (.noDialtone, .callFailure),
    ])
    func category(result: FinalResult, expected: FinalResult.Category) {
        #expect(result.category == expected)
    }

    @Test func successFlag() {
        #expect(FinalResult.ok.isSuccess)
        #expect(FinalResult.connect("9600").isSuccess)
        #expect(!FinalResult.error.isSuccess)
    }

    @Test(arguments: [
        "OK", "ERROR", "+CME ERROR: 16", "+CMS ERROR: 500", "+CMS ERROR: unknown error", "NO CARRIER", "CONNECT 9600",
    ])
    func formatRoundTrip(line: String) {
        #expect(FinalResult(line: line)?.line == line)
    }

    @Test func incorrectPasswordFlag() {
        #expect(CMEError(code: 16).isIncorrectPassword)
        #expect(!CMEError(code: 11).isIncorrectPassword)
    }

    @Test(arguments: [10, 11, 12, 13, 14, 15, 17, 18])
    func simProblemCodes(code: Int) {
        #expect(CMEError(code: code).isSIMProblem)
    }

    @Test func cmeMeaningTable() {
        #expect(CMEError(code: 16).meaning == "incorrect password")
        #expect(CMEError(code: 30).meaning == "no network service")
        #expect(CMEError(code: 133).meaning == "requested service option not subscribed")
        #expect(CMEError(code: 9999).meaning == nil)
    }

    @Test func cmeDescriptionNamesCode() {
        #expect(CMEError(code: 16).description == "CME error 16 (incorrect password)")
    }
}

@Suite struct CMSErrorClassificationTests {
    @Test(arguments: [17, 38, 41, 42, 47, 81, 192, 194, 300, 301, 310, 311, 314, 320, 322, 330, 331, 332])
    func temporaryCauses(code: Int) {
        #expect(CMSError(code: code).sendFailureKind == .temporary)
    }

    @Test(arguments: [1, 8, 10, 21, 27, 28, 29, 30, 50, 69, 95, 96, 97, 98, 99, 111, 127, 144, 193, 195, 196, 197, 303, 304, 305, 321])
    func permanentCauses(code: Int) {
        #expect(CMSError(code: code).sendFailureKind == .permanent)
    }

    @Test(arguments: [0, 255, 302, 340, 500, 512, 515, 999])
    func unknownCauses(code: Int) {
        #expect(CMSError(code: code).sendFailureKind == .unknown)
    }

    @Test(arguments: [300, 301, 310, 311, 313, 316, 320, 330])
    func modemConditions(code: Int) {
        #expect(CMSError(code: code).isModemCondition)
    }

    @Test(arguments: [1, 21, 38, 42, 331, 500])
    func messageConditions(code: Int) {
        #expect(!CMSError(code: code).isModemCondition)
    }

    @Test func sendErrorFromFinalLine() {
        guard case .cmsError(let error) = FinalResult(line: "+CMS ERROR: 500") else {
            Issue.record("not a CMS error")
            return
        }
        #expect(error.sendFailureKind == .unknown)
        #expect(error.meaning == "unknown error")
    }

    @Test func meaningTable() {
        #expect(CMSError(code: 1).meaning == "unassigned (unallocated) number")
        #expect(CMSError(code: 42).meaning == "congestion")
        #expect(CMSError(code: 192).meaning == "SC busy")
        #expect(CMSError(code: 331).meaning == "no network service")
        #expect(CMSError.meanings.count >= 70)
    }
}
