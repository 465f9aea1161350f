import Testing

@testable import ATProtocol

@Suite struct SignalParserTests {
    @Test(arguments: [("+CSQ: 20,99", 20, -73), ("+CSQ: 31,0", 31, -51), ("+CSQ: 0,99", 0, -113), ("+CSQ:  18, 99", 18, -77)])
    func knownSignal(line: String, rssi: Int, dBm: Int) throws {
        let quality = try SignalQuality(line: line)
        #expect(quality.rssi == rssi)
        #expect(quality.rssiDBm == dBm)
        #expect(quality.isKnown)
    }

    @Test func unknownSignalIsNeverZero() throws {
        let quality = try SignalQuality(line: "+CSQ: 99,99")
        #expect(!quality.isKnown)
        #expect(quality.rssiDBm == nil)
        #expect(quality.percent == nil)
    }

    @Test func zeroSignalIsZeroPercent() throws {
        #expect(try SignalQuality(line: "+CSQ: 0,0").percent == 0)
        #expect(try SignalQuality(line: "+CSQ: 31,0").percent == 100)
    }

    @Test func tdscdmaRangeKeptRaw() throws {
        let quality = try SignalQuality(line: "+CSQ: 120,99")
        #expect(quality.rssi == 120)
        #expect(quality.rssiDBm == nil)
    }

    @Test func signalFormat() {
        #expect(SignalQuality(rssi: 20, bitErrorRate: 99).line == "+CSQ: 20,99")
    }

    @Test func invalidSignalRejected() {
        #expect(throws: ATProtocolError.self) {
            try SignalQuality(line: "+CSQ: x,99")
        }
    }

    @Test func extendedSignalLTE() throws {
        let quality = try ExtendedSignalQuality(line: "+CESQ: 99,99,255,255,20,41")
        #expect(quality.rxlevDBm == nil)
        #expect(quality.rscpDBm == nil)
        #expect(quality.rsrqDB == -10)
        #expect(quality.rsrpDBm == -100)
        #expect(quality.isKnown)
    }

    @Test func extendedSignalAllUnknown() throws {
        let quality = try ExtendedSignalQuality(line: "+CESQ: 99,99,255,255,255,255")
        #expect(!quality.isKnown)
        #expect(quality.line == "+CESQ: 99,99,255,255,255,255")
    }

    @Test func extendedSignalGSM() throws {
        let quality = try ExtendedSignalQuality(line: "+CESQ: 40,0,255,255,255,255")
        #expect(quality.rxlevDBm == -71)
    }

    @Test func extendedSignalUTRAN() throws {
        let quality = try ExtendedSignalQuality(line: "+CESQ: 99,99,40,30,255,255")
        #expect(quality.rscpDBm == -81)
        #expect(quality.ecnoDB == -9.5)
    }

    @Test func quectelLTE() throws {
        let quality = try QuectelSignalQuality(line: "+QCSQ: \"LTE\",-52,-81,195,-10")
        #expect(quality.systemMode == "LTE")
        #expect(quality.rssiDBm == -52)
        #expect(quality.rsrpDBm == -81)
        #expect(quality.sinrRaw == 195)
        #expect(quality.rsrqDB == -10)
        #expect(quality.hasService)
    }

    @Test func quectelNoService() throws {
        let quality = try QuectelSignalQuality(line: "+QCSQ: \"NOSERVICE\"")
        #expect(!quality.hasService)
        #expect(quality.rssiDBm == nil)
    }

    @Test func quectelGSM() throws {
        let quality = try QuectelSignalQuality(line: "+QCSQ: \"GSM\",-69")
        #expect(quality.rssiDBm == -69)
        #expect(quality.rsrpDBm == nil)
    }

    @Test func quectelServingCellLTE() throws {
        let cell = try QuectelServingCell(line: "+QENG: \"servingcell\",\"NOCONN\",\"LTE\",\"FDD\",460,00,5A1E2B0,268,1650,3,5,5,5A1E,-96,-9,-66,16,-")
        #expect(cell.state == "NOCONN")
        #expect(cell.technology == "LTE")
        #expect(cell.mobileCountryCode == 460)
        #expect(cell.mobileNetworkCode == 0)
        #expect(cell.cellID == 0x5A1E2B0)
        #expect(cell.trackingAreaCode == 0x5A1E)
        #expect(cell.rsrpDBm == -96)
        #expect(cell.rsrqDB == -9)
        #expect(cell.rssiDBm == -66)
    }

    @Test func quectelServingCellSearching() throws {
        let cell = try QuectelServingCell(line: "+QENG: \"servingcell\",\"SEARCH\"")
        #expect(cell.state == "SEARCH")
        #expect(cell.technology == nil)
    }

    @Test func simcomLTE() throws {
        let info = try SIMComSystemInfo(line: "+CPSI: LTE,Online,460-00,0x5A1E,187214780,257,EUTRAN-BAND3,1650,5,5,-94,-850,-545,15")
        #expect(info.systemMode == "LTE")
        #expect(info.operationMode == "Online")
        #expect(info.mobileCountryCode == 460)
        #expect(info.mobileNetworkCode == 0)
        #expect(info.areaCode == 0x5A1E)
        #expect(info.cellID == 187_214_780)
        #expect(info.hasService)
    }

    @Test func simcomGSM() throws {
        let info = try SIMComSystemInfo(line: "+CPSI: GSM,Online,460-00,0x182d,12401,27 EGSM 900,-64,2110,42-42")
        #expect(info.areaCode == 0x182D)
        #expect(info.cellID == 12401)
    }

    @Test func simcomNoService() throws {
        let info = try SIMComSystemInfo(line: "+CPSI: NO SERVICE,Online")
        #expect(!info.hasService)
        #expect(info.line == "+CPSI: NO SERVICE,Online")
    }
}

@Suite struct SIMParserTests {
    @Test(arguments: [
        ("+CPIN: READY", true, false, false),
        ("+CPIN: SIM PIN", false, true, false),
        ("+CPIN: SIM PUK", false, false, true),
        ("+CPIN: PH-SIM PIN", false, false, false),
        ("+CPIN: SIM PIN2", false, false, false),
        ("+CPIN: SIM PUK2", false, false, true),
        ("+CPIN: NOT INSERTED", false, false, false),
        ("+CPIN: \"READY\"", true, false, false),
        // Found by the fuzzer: spaces inside the quotes.
        ("+CPIN: \" READY \"", true, false, false),
    ])
    func pinStatus(line: String, ready: Bool, needsPIN: Bool, needsPUK: Bool) throws {
        let status = try PINStatus(line: line)
        #expect(status.isReady == ready)
        #expect(status.needsPIN == needsPIN)
        #expect(status.needsPUK == needsPUK)
    }

    @Test(arguments: ["+CPIN: NOT INSERTED", "+CPIN: SIM REMOVED", "+CPIN: NOT READY"])
    func simAbsent(line: String) throws {
        #expect(try PINStatus(line: line).isAbsent)
    }

    @Test func pinStatusFormat() {
        #expect(PINStatus.simPIN.line == "+CPIN: SIM PIN")
    }

    @Test func quectelCounters() throws {
        let counts = try PINRetryCounts(line: "+QPINC: \"SC\",3,10")
        #expect(counts.pin == 3)
        #expect(counts.puk == 10)
        #expect(counts.line == "+QPINC: \"SC\",3,10")
    }

    @Test func quectelPIN2Counters() throws {
        let counts = try PINRetryCounts(line: "+QPINC: \"P2\",2,10")
        #expect(counts.pin2 == 2)
        #expect(counts.pin == nil)
    }

    @Test func simcomCounters() throws {
        let counts = try PINRetryCounts(line: "+SPIC: 3,10,0,10")
        #expect(counts.pin == 3)
        #expect(counts.puk == 10)
        #expect(counts.pin2 == 0)
        #expect(counts.puk2 == 10)
        #expect(counts.line == "+SPIC: 3,10,0,10")
    }

    @Test func standardCountersMerged() throws {
        let pin = try PINRetryCounts(line: "+CPINR: SIM PIN,2,3")
        let puk = try PINRetryCounts(line: "+CPINR: SIM PUK,10,10")
        let merged = pin.merging(puk)
        #expect(merged.pin == 2)
        #expect(merged.puk == 10)
    }

    @Test func unknownFacilityRejected() {
        #expect(throws: ATProtocolError.self) {
            try PINRetryCounts(line: "+QPINC: \"PN\",3,10")
        }
    }
}

@Suite struct NetworkParserTests {
    @Test func operatorLong() throws {
        let selection = try OperatorSelection(line: "+COPS: 0,0,\"CHINA MOBILE\",7")
        #expect(selection.mode == 0)
        #expect(selection.format == 0)
        #expect(selection.operatorName == "CHINA MOBILE")
        #expect(selection.accessTechnology == .eutran)
    }

    @Test func operatorNumericWithoutAcT() throws {
        let selection = try OperatorSelection(line: "+COPS: 1,2,\"46000\"")
        #expect(selection.operatorName == "46000")
        #expect(selection.accessTechnology == nil)
    }

    @Test func operatorNone() throws {
        let selection = try OperatorSelection(line: "+COPS: 0")
        #expect(selection.operatorName == nil)
        #expect(selection.line == "+COPS: 0")
    }

    /// A format with an empty operator field names nothing and round-trips as no operator.
    @Test func operatorFormatWithoutOperator() throws {
        let selection = try OperatorSelection(line: "+COPS: 1,2,")
        #expect(selection.mode == 1)
        #expect(selection.format == nil)
        #expect(selection.operatorName == nil)
        #expect(selection.line == "+COPS: 1")
    }

    /// An operator whose format field is empty cannot be read and round-trips as no operator.
    @Test func operatorWithoutFormat() throws {
        let selection = try OperatorSelection(line: "+COPS: 0,,\"46000\"")
        #expect(selection.operatorName == nil)
        #expect(selection.line == "+COPS: 0")
    }

    @Test func operatorFormatRoundTrip() throws {
        let line = "+COPS: 0,2,\"46011\",7"
        #expect(try OperatorSelection(line: line).line == line)
    }

    /// Two supported modes far apart format as a list, without building the range between them.
    @Test func operatorScanFarApartModes() throws {
        let scan = try OperatorScan(line: "+COPS: ,,(3,68719476736),(0-2)")
        #expect(scan.supportedModes == [3, 68_719_476_736])
        #expect(scan.line == "+COPS: ,(3,68719476736),(0-2)")
    }

    @Test func operatorScan() throws {
        let line = "+COPS: (2,\"CHINA MOBILE\",\"CMCC\",\"46000\",7),(1,\"CHN-UNICOM\",\"UNICOM\",\"46001\",7),(3,\"CHN-CT\",\"CT\",\"46011\",7),,(0-4),(0-2)"
        let scan = try OperatorScan(line: line)
        #expect(scan.networks.count == 3)
        #expect(scan.networks[0].status == 2)
        #expect(scan.networks[0].shortName == "CMCC")
        #expect(scan.networks[1].numericCode == "46001")
        #expect(scan.networks[2].accessTechnology == .eutran)
        #expect(scan.supportedModes == [0, 1, 2, 3, 4])
        #expect(scan.supportedFormats == [0, 1, 2])
        #expect(scan.line == line)
    }

    @Test func operatorScanHuaweiWithoutAcT() throws {
        let scan = try OperatorScan(line: "+COPS: (2,\"T-Mobile\",\"TMO\",\"26201\"),(1,\"o2 - de\",\"o2 - de\",\"26207\"),,(0,1,3),(0,2)")
        #expect(scan.networks.count == 2)
        #expect(scan.networks[0].accessTechnology == nil)
        #expect(scan.supportedModes == [0, 1, 3])
    }

    @Test func functionality() throws {
        let reply = try SingleValueResponse(line: "+CFUN: 1")
        #expect(reply.value == 1)
        #expect(reply.line == "+CFUN: 1")
    }

    @Test func moreMessagesToSend() throws {
        #expect(try SingleValueResponse(line: "+CMMS: 2").value == 2)
    }
}

@Suite struct IdentityParserTests {
    @Test(arguments: [
        (["Quectel"], "Quectel"),
        (["+CGMI: SIMCOM INCORPORATED"], "SIMCOM INCORPORATED"),
        (["\"Motorola\""], "Motorola"),
        (["", "EC25"], "EC25"),
        (["+CGMR: LE11B08SIM7600M22"], "LE11B08SIM7600M22"),
    ])
    func singleValue(lines: [String], expected: String) throws {
        #expect(try DeviceIdentity.value(in: lines, context: "+CGMI") == expected)
    }

    @Test(arguments: [
        (["866758040000000"], "866758040000000"),
        (["+CGSN: 866758040000000"], "866758040000000"),
        (["129512359199159,SE393939TS"], "129512359199159"),
        (["\"626936926396996\""], "626936926396996"),
    ])
    func imei(lines: [String], expected: String) throws {
        #expect(try DeviceIdentity.imei(in: lines) == expected)
    }

    @Test func imsi() throws {
        #expect(try DeviceIdentity.imsi(in: ["460001234567890"]) == "460001234567890")
    }

    @Test(arguments: [
        (["+QCCID: 89860012345678901234"], "89860012345678901234"),
        (["+ICCID: 89860012345678901234"], "89860012345678901234"),
        (["+CCID: 8986001234567890123F"], "8986001234567890123F"),
        (["89860012345678901234"], "89860012345678901234"),
    ])
    func iccid(lines: [String], expected: String) throws {
        #expect(try DeviceIdentity.iccid(in: lines) == expected)
    }

    @Test func missingValueRejected() {
        #expect(throws: ATProtocolError.self) {
            try DeviceIdentity.imei(in: ["ERROR"])
        }
    }

    @Test func identificationQuectel() {
        let identity = ProductIdentification(lines: ["Quectel", "EC25", "Revision: EC25EFAR06A06M4G"])
        #expect(identity.manufacturer == "Quectel")
        #expect(identity.model == "EC25")
        #expect(identity.revision == "EC25EFAR06A06M4G")
    }

    @Test func identificationSIMCom() {
        let identity = ProductIdentification(lines: [
            "Manufacturer: SIMCOM INCORPORATED", "Model: SIMCOM_SIM7600CE-T", "Revision: SIM7600M22_V2.0", "IMEI: 866758040000000",
            "+GCAP: +CGSM",
        ])
        #expect(identity.manufacturer == "SIMCOM INCORPORATED")
        #expect(identity.model == "SIMCOM_SIM7600CE-T")
        #expect(identity.revision == "SIM7600M22_V2.0")
        #expect(identity.imei == "866758040000000")
    }

    @Test func identificationHuawei() {
        let identity = ProductIdentification(lines: ["Manufacturer: huawei", "Model: E1550", "Revision: 11.608.09.01.21", "IMEI: 235012412595195", "+GCAP: +CGSM,+FCLASS,+DS"])
        #expect(identity.model == "E1550")
        #expect(identity.lines.count == 4)
    }
}

@Suite struct SMSParserTests {
    @Test func messageFormat() throws {
        #expect(try MessageFormat(line: "+CMGF: 0") == .pdu)
        #expect(try MessageFormat(line: "+CMGF: 1") == .text)
        #expect(MessageFormat.pdu.line == "+CMGF: 0")
    }

    @Test func messageFormatOutOfRange() {
        #expect(throws: ATProtocolError.self) {
            try MessageFormat(line: "+CMGF: 7")
        }
    }

    @Test func characterSetRead() throws {
        #expect(try CharacterSet(line: "+CSCS: \"GSM\"").current == "GSM")
    }

    @Test func characterSetTest() throws {
        let sets = try CharacterSet(line: "+CSCS: (\"IRA\",\"GSM\",\"UCS2\")")
        #expect(sets.names == ["IRA", "GSM", "UCS2"])
        #expect(sets.testLine == "+CSCS: (\"IRA\",\"GSM\",\"UCS2\")")
    }

    @Test func serviceCentre() throws {
        let address = try ServiceCentreAddress(line: "+CSCA: \"+8613800000000\",145")
        #expect(address.address == "+8613800000000")
        #expect(address.typeOfAddress == 145)
        #expect(address.line == "+CSCA: \"+8613800000000\",145")
    }

    @Test func serviceCentreUCS2() throws {
        let address = try ServiceCentreAddress(line: "+CSCA: \"002B0038003600310033003800300030003000300030003000300030\",145")
        #expect(address.decodedAddress == "+8613800000000")
    }

    @Test func serviceCentreDescriptionMasked() {
        let address = ServiceCentreAddress(address: "+8613800000000", typeOfAddress: 145)
        #expect(!address.description.contains("13800000000"))
    }

    @Test func textModeParameters() throws {
        let parameters = try TextModeParameters(line: "+CSMP: 17,167,0,0")
        #expect(parameters.firstOctet == 17)
        #expect(parameters.validityPeriod.integer == 167)
        #expect(parameters.dataCodingScheme == 0)
        #expect(parameters.line == "+CSMP: 17,167,0,0")
    }

    @Test func preferredStorageRead() throws {
        let storage = try PreferredStorage(line: "+CPMS: \"SM\",3,50,\"SM\",3,50,\"SM\",3,50")
        #expect(storage.storages.count == 3)
        #expect(storage.storages[0].memory == "SM")
        #expect(storage.storages[0].used == 3)
        #expect(storage.storages[0].total == 50)
        #expect(!storage.storages[0].isFull)
    }

    @Test func preferredStorageSetReply() throws {
        let storage = try PreferredStorage(line: "+CPMS: 0,255,0,255,0,255")
        #expect(storage.storages.count == 3)
        #expect(storage.storages[1].memory == nil)
        #expect(storage.storages[1].total == 255)
        #expect(storage.line == "+CPMS: 0,255,0,255,0,255")
    }

    @Test func preferredStorageFull() throws {
        #expect(try PreferredStorage(line: "+CPMS: \"ME\",23,23").storages[0].isFull)
    }

    @Test func supportedStoragesWithSpaces() throws {
        let supported = try SupportedStorages(line: "+CPMS:     (  \"ME\"  ,  \"MT\"  )   ,  \"ME\" ,   (  \"SM\"  )")
        #expect(supported.memories == [["ME", "MT"], ["ME"], ["SM"]])
    }

    @Test func supportedStoragesStandard() throws {
        let line = "+CPMS: (\"SM\",\"ME\",\"MT\"),(\"SM\",\"ME\",\"MT\"),(\"SM\",\"ME\",\"MT\")"
        let supported = try SupportedStorages(line: line)
        #expect(supported.memories[2] == ["SM", "ME", "MT"])
        #expect(supported.line == line)
    }

    @Test func preferredStorageRejectsTestShape() {
        #expect(throws: ATProtocolError.self) {
            try PreferredStorage(line: "+CPMS: (\"SM\"),(\"SM\"),(\"SM\")")
        }
    }

    @Test func newMessageIndications() throws {
        let settings = try NewMessageIndicationSettings(line: "+CNMI: 2,1,0,2,0")
        #expect(settings.mode == 2)
        #expect(settings.messageIndication == 1)
        #expect(settings.statusReportIndication == 2)
        #expect(settings.line == "+CNMI: 2,1,0,2,0")
    }

    @Test func newMessageIndicationsShort() throws {
        let settings = try NewMessageIndicationSettings(line: "+CNMI: 1,1")
        #expect(settings.bufferHandling == nil)
    }

    @Test(arguments: [("+CMGS: 21", 21), ("+CMGS: 0", 0), ("+CMGS:255", 255), ("+CMSS: 7", 7)])
    func messageReference(line: String, reference: Int) throws {
        #expect(try MessageReference(line: line).reference == reference)
    }

    @Test func messageReferenceWithTimestamp() throws {
        let reference = try MessageReference(line: "+CMGS: 22,\"24/01/05,08:00:00+32\"")
        #expect(reference.serviceCentreTimestamp == "24/01/05,08:00:00+32")
        #expect(reference.line == "+CMGS: 22,\"24/01/05,08:00:00+32\"")
    }

    @Test func messageReferenceOutOfRange() {
        #expect(throws: ATProtocolError.self) {
            try MessageReference(line: "+CMGS: 300")
        }
    }

    @Test func storedMessageIndication() throws {
        let indication = try StoredMessageIndication(line: "+CMTI: \"SM\",3")
        #expect(indication.memory == "SM")
        #expect(indication.index == 3)
        #expect(indication.line == "+CMTI: \"SM\",3")
    }

    @Test func statusReportStored() throws {
        let indication = try StoredMessageIndication(line: "+CDSI: \"SR\",1")
        #expect(indication.prefix == "+CDSI")
        #expect(indication.memory == "SR")
    }

    @Test func readHeaderTextMode() throws {
        let header = try MessageHeader(line: "+CMGR: \"REC UNREAD\",\"+8613800000001\",,\"24/01/05,08:00:00+32\"")
        #expect(header.mode == .text)
        #expect(header.status == .receivedUnread)
        #expect(header.address == "+8613800000001")
    }

    @Test func readHeaderWithAlpha() throws {
        let header = try MessageHeader(line: "+CMGR: 1,\"Alice\",26")
        #expect(header.alpha == "Alice")
        #expect(header.status == .receivedRead)
    }

    @Test func deliverHeaderPDU() throws {
        let header = try MessageHeader(line: "+CMT: ,24")
        #expect(header.mode == .pdu)
        #expect(header.length == 24)
        #expect(header.expectsHexBody)
    }

    @Test func deliverHeaderWithoutFieldsIsMissingLength() {
        #expect(throws: ATProtocolError.self) { try MessageHeader(line: "+CMT:") }
    }

    @Test func deliverHeaderQuectelText() throws {
        let header = try MessageHeader(line: "+CMT: \"+8615021012496\",,\"13/03/18,17:07:21+32\",145,4,0,0,\"+8613800551500\",145,28")
        #expect(header.mode == .text)
        #expect(header.address == "+8615021012496")
        #expect(!header.expectsHexBody)
    }

    @Test func statusReportHeaders() throws {
        #expect(try MessageHeader(line: "+CDS: 25").expectsBody)
        #expect(!(try MessageHeader(line: "+CDS: 6,17,\"+8613800000002\",145,\"24/01/05,08:00:00+32\",\"24/01/05,08:00:00+32\",0").expectsBody))
    }

    @Test func pduHeaderFormat() {
        #expect(MessageHeader.pdu(prefix: "+CMGR", status: .receivedUnread, length: 26) == "+CMGR: 0,,26")
        #expect(MessageHeader.pdu(prefix: "+CMGL", index: 1, status: .receivedRead, length: 26) == "+CMGL: 1,1,,26")
        #expect(MessageHeader.pdu(prefix: "+CMT", length: 24) == "+CMT: ,24")
        #expect(MessageHeader.pdu(prefix: "+CDS", length: 25) == "+CDS: 25")
    }

    @Test func missingPDUNotSwallowed() throws {
        let messages = try StoredMessage.messages(in: ["+CMGL: 1,1,,26", "+CMGL: 2,1,,24", "0891683108000000F0040D91683108000000F1000842105080000023046D4B8BD5"])
        #expect(messages.count == 2)
        #expect(messages[0].body == nil)
        #expect(messages[1].header.index == 2)
    }

    @Test func deletableMessages() throws {
        let deletable = try DeletableMessages(line: "+CMGD: (1,2,5),(0-4)")
        #expect(deletable.indexes == [1, 2, 5])
        #expect(deletable.deleteFlags == [0, 1, 2, 3, 4])
    }

    @Test func deletableMessagesEmpty() throws {
        #expect(try DeletableMessages(line: "+CMGD: (),(0-4)").indexes.isEmpty)
    }
}
