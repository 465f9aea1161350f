import Testing

@testable import ATProtocol

/// Expected values of one registration line.
struct RegistrationCase: Sendable, CustomTestStringConvertible {
    let line: String
    let layout: NetworkRegistration.Layout
    let mode: Int?
    let state: Int
    let area: UInt64?
    let cell: UInt64?
    let accessTechnology: Int?

    var testDescription: String { line }
}

/// Real lines from Qualcomm Gobi, Huawei, Sierra, Sony Ericsson, Iridium, u-blox, Samsung,
/// Alcatel, Ericsson, Altair, Thuraya, Quectel and SIMCom modules.
let registrationCases: [RegistrationCase] = [
    // Spaces inside fields.
    .init(line: "+CREG: 2,1,  0 5, 2715", layout: .readReply, mode: 2, state: 1, area: 0x05, cell: 0x2715, accessTechnology: nil),
    // Multi-digit state and extra fields.
    .init(line: "+CREG: 2,11,003F,8FE3, B, C2816", layout: .readReply, mode: 2, state: 11, area: 0x3F, cell: 0x8FE3, accessTechnology: nil),
    // Leading zeros, no space after the colon.
    .init(line: "+CREG:002,001,\"18d8\",\"ffff\"", layout: .readReply, mode: 2, state: 1, area: 0x18D8, cell: 0xFFFF, accessTechnology: nil),
    .init(line: "+CEREG: 2, 0001, 00000100, 7", layout: .unsolicited, mode: nil, state: 2, area: 0x1, cell: 0x100, accessTechnology: 7),
    // Empty LAC.
    .init(line: "+CREG: 2,1,\"\",\"605F\"", layout: .readReply, mode: 2, state: 1, area: nil, cell: 0x605F, accessTechnology: nil),
    // Unquoted hex.
    .init(line: "+CREG: 2,1,4CA,81DE445", layout: .readReply, mode: 2, state: 1, area: 0x4CA, cell: 0x81DE445, accessTechnology: nil),
    .init(line: "+CREG: 5", layout: .unsolicited, mode: nil, state: 5, area: nil, cell: nil, accessTechnology: nil),
    .init(line: "+CGREG: 0", layout: .unsolicited, mode: nil, state: 0, area: nil, cell: nil, accessTechnology: nil),
    .init(line: "+CREG: 1,3", layout: .readReply, mode: 1, state: 3, area: nil, cell: nil, accessTechnology: nil),
    .init(line: "+CREG: 1,1,84CD,00D30173", layout: .readReply, mode: 1, state: 1, area: 0x84CD, cell: 0xD30173, accessTechnology: nil),
    .init(line: "+CREG: 1,84CD,00D30156", layout: .unsolicited, mode: nil, state: 1, area: 0x84CD, cell: 0xD30156, accessTechnology: nil),
    .init(line: "+CREG: 2,1,\"CE00\",\"01CEAD8F\"", layout: .readReply, mode: 2, state: 1, area: 0xCE00, cell: 0x01CEAD8F, accessTechnology: nil),
    .init(line: "+CREG: 1,\"CE00\",\"00005449\"", layout: .unsolicited, mode: nil, state: 1, area: 0xCE00, cell: 0x5449, accessTechnology: nil),
    .init(line: "+CREG: 2,0,00,0", layout: .readReply, mode: 2, state: 0, area: 0, cell: 0, accessTechnology: nil),
    .init(line: "+CREG: 2,1,8BE3,2BAF", layout: .readReply, mode: 2, state: 1, area: 0x8BE3, cell: 0x2BAF, accessTechnology: nil),
    .init(line: "+CREG: 1,8BE3,2BAF", layout: .unsolicited, mode: nil, state: 1, area: 0x8BE3, cell: 0x2BAF, accessTechnology: nil),
    .init(line: "+CREG: 2,,", layout: .unsolicited, mode: nil, state: 2, area: nil, cell: nil, accessTechnology: nil),
    .init(line: "+CREG:2,1,0001,0010", layout: .readReply, mode: 2, state: 1, area: 0x1, cell: 0x10, accessTechnology: nil),
    .init(line: "+CREG: 1,0001,0010,0", layout: .unsolicited, mode: nil, state: 1, area: 0x1, cell: 0x10, accessTechnology: 0),
    .init(line: "+CREG: 001,\"0001\",\"0010\",000", layout: .unsolicited, mode: nil, state: 1, area: 0x1, cell: 0x10, accessTechnology: 0),
    .init(line: "+CREG: 2,6,\"8B37\",\"0A265185\",7", layout: .readReply, mode: 2, state: 6, area: 0x8B37, cell: 0x0A265185, accessTechnology: 7),
    .init(line: "+CREG: 6,\"8B37\",\"0A265185\",7", layout: .unsolicited, mode: nil, state: 6, area: 0x8B37, cell: 0x0A265185, accessTechnology: 7),
    .init(line: "+CGREG: 2,1,\"8BE3\",\"00002B5D\",3", layout: .readReply, mode: 2, state: 1, area: 0x8BE3, cell: 0x2B5D, accessTechnology: 3),
    .init(line: "+CGREG: 1,\"8BE3\",\"00002B5D\",3", layout: .unsolicited, mode: nil, state: 1, area: 0x8BE3, cell: 0x2B5D, accessTechnology: 3),
    .init(line: "+CGREG: 5,\"0502\",\"0404736D\",2", layout: .unsolicited, mode: nil, state: 5, area: 0x0502, cell: 0x0404736D, accessTechnology: 2),
    .init(line: "+CGREG: 2,1, 81ED, 1A9CEB", layout: .readReply, mode: 2, state: 1, area: 0x81ED, cell: 0x1A9CEB, accessTechnology: nil),
    .init(line: "+CGREG: 1,\"1422\",\"00000142\",3,\"00\"", layout: .unsolicited, mode: nil, state: 1, area: 0x1422, cell: 0x142, accessTechnology: 3),
    .init(line: "+CEREG: 2,1, 1F00, 79D903 ,7", layout: .readReply, mode: 2, state: 1, area: 0x1F00, cell: 0x79D903, accessTechnology: 7),
    .init(line: "+CEREG: 1, 1F00, 79D903 ,7", layout: .unsolicited, mode: nil, state: 1, area: 0x1F00, cell: 0x79D903, accessTechnology: 7),
    .init(line: "+CEREG: 1, 2, 0001, 00000100, 7", layout: .readReply, mode: 1, state: 2, area: 0x1, cell: 0x100, accessTechnology: 7),
    .init(line: "+CGREG: 2, 1, \"0426\", \"F00F\"", layout: .readReply, mode: 2, state: 1, area: 0x0426, cell: 0xF00F, accessTechnology: nil),
    .init(line: "+CGREG: 1, \"0426\", \"F00F\"", layout: .unsolicited, mode: nil, state: 1, area: 0x0426, cell: 0xF00F, accessTechnology: nil),
    .init(line: "+C5GREG: 2,1,1F00,79D903,11,6,ABCDEF", layout: .readReply, mode: 2, state: 1, area: 0x1F00, cell: 0x79D903, accessTechnology: 11),
    .init(line: "+C5GREG: 1,1F00,79D903,11,6,ABCDEF", layout: .unsolicited, mode: nil, state: 1, area: 0x1F00, cell: 0x79D903, accessTechnology: 11),
    // Quectel EC25 and SIMCom SIM7600 on LTE.
    .init(line: "+CEREG: 2,1,\"5A1E\",\"0B2C3D4\",7", layout: .readReply, mode: 2, state: 1, area: 0x5A1E, cell: 0x0B2C3D4, accessTechnology: 7),
    .init(line: "+CREG: 0,1", layout: .readReply, mode: 0, state: 1, area: nil, cell: nil, accessTechnology: nil),
    .init(line: "+CEREG: 4", layout: .unsolicited, mode: nil, state: 4, area: nil, cell: nil, accessTechnology: nil),
]

@Suite struct NetworkRegistrationTests {
    @Test(arguments: registrationCases)
    func layout(of testCase: RegistrationCase) throws {
        let fields = try #require(ATPrefixedLine(testCase.line)).fields
        #expect(NetworkRegistration.Layout(fields: fields) == testCase.layout)
    }

    @Test(arguments: registrationCases)
    func parsedValues(of testCase: RegistrationCase) throws {
        let registration = try NetworkRegistration(line: testCase.line)
        #expect(registration.reportingMode == testCase.mode)
        #expect(registration.state.rawValue == testCase.state)
        #expect(registration.areaCode == testCase.area)
        #expect(registration.cellID == testCase.cell)
        #expect(registration.accessTechnology?.rawValue == testCase.accessTechnology)
    }

    @Test func domainFromPrefix() throws {
        #expect(try NetworkRegistration(line: "+CREG: 1").domain == .circuitSwitched)
        #expect(try NetworkRegistration(line: "+CGREG: 1").domain == .packetSwitched)
        #expect(try NetworkRegistration(line: "+CEREG: 1").domain == .eps)
        #expect(try NetworkRegistration(line: "+C5GREG: 1").domain == .fiveGS)
    }

    @Test func extraFieldsKept() throws {
        let registration = try NetworkRegistration(line: "+CREG: 2,11,003F,8FE3, B, C2816")
        #expect(registration.additionalFields == [.bare("C2816")])
    }

    @Test func readReplyFormat() {
        let registration = NetworkRegistration(domain: .eps, reportingMode: 2, state: .home, areaCode: 0x5A1E, cellID: 0xB2C3D4, accessTechnology: .eutran)
        #expect(registration.line == "+CEREG: 2,1,\"5A1E\",\"00B2C3D4\",7")
    }

    @Test func unsolicitedFormat() {
        #expect(NetworkRegistration(domain: .circuitSwitched, state: .roaming).line == "+CREG: 5")
    }

    @Test(arguments: ["+CREG: 2,1,\"18D8\",\"FFFF\"", "+CGREG: 1,\"8BE3\",\"00002B5D\",2", "+CGREG: 1,\"8BE3\",\"2B5D\",3", "+CEREG: 0,4", "+C5GREG: 3"])
    func formatRoundTrip(line: String) throws {
        #expect(try NetworkRegistration(line: line).line == line)
    }

    @Test func registeredStates() {
        #expect(RegistrationState.home.isRegistered)
        #expect(RegistrationState.roaming.isRegistered)
        #expect(RegistrationState.homeSMSOnly.isRegistered)
        #expect(!RegistrationState.denied.isRegistered)
        #expect(!RegistrationState.searching.isRegistered)
    }

    @Test func emptyLineRejected() {
        #expect(throws: ATProtocolError.self) {
            try NetworkRegistration(line: "+CREG:")
        }
    }

    @Test func invalidHexRejected() {
        #expect(throws: ATProtocolError.self) {
            try NetworkRegistration(line: "+CREG: 2,1,\"XYZ\",\"0001\"")
        }
    }

    @Test func wrongPrefixRejected() {
        #expect(throws: ATProtocolError.self) {
            try NetworkRegistration(line: "+CSQ: 20,99")
        }
    }
}
