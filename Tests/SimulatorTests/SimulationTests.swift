import ATProtocol
import Core
import SMS
import Testing

@testable import ModemSimulator

/// Drives the simulation directly with chosen instants, as a host on the tty would.
struct SimulationHarness {
    var simulation: Simulation
    var now = MonotonicInstant(nanoseconds: 0)
    var received: [UInt8] = []
    var portEvents: [SimulationOutput] = []

    init(_ configuration: ModemConfiguration = ModemConfiguration(), network: NetworkConfiguration = NetworkConfiguration()) {
        simulation = Simulation(modems: [configuration], network: network)
        collect(simulation.start(at: now))
    }

    mutating func collect(_ outputs: [SimulationOutput]) {
        for output in outputs {
            switch output {
            case .write(_, let bytes): received += bytes
            default: portEvents.append(output)
            }
        }
    }

    /// Moves time forward by `duration`.
    mutating func wait(_ duration: Duration) {
        now = now.advanced(by: duration)
        collect(simulation.advance(to: now))
    }

    /// Writes bytes as the host and returns everything the modem printed since the last call.
    mutating func send(_ text: String, wait duration: Duration = .milliseconds(10)) -> String {
        received = []
        collect(simulation.hostWrote(Array(text.utf8), modem: 0, at: now))
        wait(duration)
        let text = String(decoding: received, as: UTF8.self)
        received = []
        return text
    }

    /// Boots the modem to SMS ready with echo off.
    mutating func boot() {
        wait(.seconds(3))
        received = []
        _ = send("ATE0\r")
    }
}

@Suite struct SimulationTests {
    @Test func bootBannerThenSMSReady() {
        var harness = SimulationHarness()
        harness.wait(.seconds(3))
        let banner = String(decoding: harness.received, as: UTF8.self)
        #expect(banner.contains("\r\nRDY\r\n"))
        #expect(banner.contains("+CPIN: READY"))
        #expect(banner.contains("+QIND: SMS DONE"))
    }

    @Test func echoThenOK() {
        var harness = SimulationHarness()
        harness.wait(.seconds(3))
        #expect(harness.send("AT\r") == "AT\r\r\nOK\r\n")
        #expect(harness.send("ATE0\r") == "ATE0\r\r\nOK\r\n")
        #expect(harness.send("AT\r") == "\r\nOK\r\n")
    }

    @Test func concatenatedCommands() {
        var harness = SimulationHarness()
        harness.boot()
        #expect(harness.send("AT+CMGF=0;+CMEE=1;+CMGF?\r") == "\r\n+CMGF: 0\r\n\r\nOK\r\n")
    }

    @Test func unknownCommandIsError() {
        var harness = SimulationHarness()
        harness.boot()
        #expect(harness.send("AT+FOOBAR\r") == "\r\nERROR\r\n")
    }

    @Test func sendPDUReachesHandset() throws {
        var harness = SimulationHarness()
        harness.boot()
        #expect(harness.send("AT+CMGS=19\r") == "\r\n> ")
        let reply = harness.send("0011000D91683108000000F10008AA046D4B8BD5\u{1A}")
        #expect(reply == "\r\n+CMGS: 0\r\n\r\nOK\r\n")
        harness.wait(.seconds(1))
        #expect(harness.simulation.network.received.map(\.text) == ["测试"])
        #expect(harness.simulation.network.received.first?.to == "+8613800000001")
    }

    @Test func sendCommandRecordsArrivalAndDestination() throws {
        var harness = SimulationHarness()
        harness.boot()
        let arrival = harness.now
        _ = harness.send("AT+CMGS=19\r")
        _ = harness.send("0011000D91683108000000F10008AA046D4B8BD5\u{1A}")
        _ = harness.send("AT+CMGS=19\r")
        let records = harness.simulation.modems[0].sendCommands
        #expect(records.count == 2)
        #expect(records.first?.arrival == arrival)
        #expect(records.first?.destination == "+8613800000001")
        #expect(records.last?.destination == nil)
    }

    @Test func simcomPromptOnItsOwnLine() {
        var harness = SimulationHarness(ModemConfiguration(dialect: .simcom))
        harness.boot()
        #expect(harness.send("AT+CMGS=19\r") == "\r\n>\r\n")
    }

    @Test(arguments: [(ModemDialect.quectel, "GSM"), (.simcom, "IRA")])
    func characterSetDefault(dialect: ModemDialect, expected: String) {
        var harness = SimulationHarness(ModemConfiguration(dialect: dialect))
        harness.boot()
        #expect(harness.send("AT+CSCS?\r") == "\r\n+CSCS: \"\(expected)\"\r\n\r\nOK\r\n")
    }

    @Test func voiceHangupControl() {
        var harness = SimulationHarness()
        harness.boot()
        #expect(harness.send("AT+CVHU=0\r") == "\r\nOK\r\n")
        #expect(harness.send("AT+CVHU?\r") == "\r\n+CVHU: 0\r\n\r\nOK\r\n")
        #expect(harness.send("AT+CVHU=?\r") == "\r\n+CVHU: (0,1)\r\n\r\nOK\r\n")
        #expect(harness.send("AT+CVHU=2\r") == "\r\nERROR\r\n")
    }

    @Test func wrongLengthRejected() {
        var harness = SimulationHarness()
        harness.boot()
        _ = harness.send("AT+CMEE=1\r")
        _ = harness.send("AT+CMGS=18\r")
        #expect(harness.send("0011000D91683108000000F10008AA046D4B8BD5\u{1A}") == "\r\n+CMS ERROR: 304\r\n")
    }

    @Test func statusReportRoutedAsCDS() {
        var harness = SimulationHarness()
        harness.boot()
        _ = harness.send("AT+CNMI=2,1,0,1,0\r")
        _ = harness.send("AT+CMGS=19\r")
        _ = harness.send("0031000D91683108000000F20000AA04D4F29C0E\u{1A}")
        harness.wait(.seconds(1))
        let text = String(decoding: harness.received, as: UTF8.self)
        #expect(text.contains("+CDS: 26\r\n0891683108000000F006000D91683108000000F2"))
    }

    @Test func handsetReplyStoredAndListed() {
        var harness = SimulationHarness()
        harness.boot()
        harness.collect(harness.simulation.handsetSends(from: "+8613800000001", toModem: 0, text: "Test 1", at: harness.now))
        harness.wait(.milliseconds(10))
        #expect(String(decoding: harness.received, as: UTF8.self) == "\r\n+CMTI: \"SM\",1\r\n")
        let listing = harness.send("AT+CMGL=4\r")
        #expect(listing.hasPrefix("\r\n+CMGL: 1,0,,26\r\n0891683108000000F0040D91683108000000F10000"))
        #expect(listing.hasSuffix("\r\n\r\nOK\r\n"))
    }

    @Test func pinRequiredThenBusyThenReady() {
        var harness = SimulationHarness(ModemConfiguration(pin: "1234"))
        harness.wait(.seconds(3))
        _ = harness.send("ATE0;+CMEE=1\r")
        #expect(harness.send("AT+CPIN?\r") == "\r\n+CPIN: SIM PIN\r\n\r\nOK\r\n")
        #expect(harness.send("AT+CPIN=\"0000\"\r") == "\r\n+CME ERROR: 16\r\n")
        #expect(harness.send("AT+QPINC=\"SC\"\r") == "\r\n+QPINC: \"SC\",2,10\r\n\r\nOK\r\n")
        #expect(harness.send("AT+CPIN=\"1234\"\r") == "\r\nOK\r\n\r\n+CPIN: READY\r\n")
        #expect(harness.send("AT+CIMI\r") == "\r\n+CME ERROR: 14\r\n")
        harness.wait(.seconds(3))
        #expect(harness.send("AT+CIMI\r") == "\r\n460001234567890\r\n\r\nOK\r\n")
    }

    @Test func noAnswerFaultSilencesCommand() {
        var harness = SimulationHarness()
        harness.boot()
        harness.collect(harness.simulation.inject(.noAnswer(prefix: "AT+CMGL", duration: .seconds(5)), modem: 0, at: harness.now))
        #expect(harness.send("AT+CMGL=4\r") == "")
        #expect(harness.send("AT\r") == "\r\nOK\r\n")
        harness.wait(.seconds(6))
        #expect(harness.send("AT+CMGL=4\r") == "\r\nOK\r\n")
    }

    @Test func registrationURCs() {
        var harness = SimulationHarness()
        harness.wait(.milliseconds(600))
        _ = harness.send("ATE0;+CREG=2\r")
        harness.wait(.seconds(2))
        let text = String(decoding: harness.received, as: UTF8.self)
        #expect(text.contains("+CREG: 1,\"5A1E\",\"0B28BE06\",7"))
        #expect(harness.send("AT+CREG?\r") == "\r\n+CREG: 2,1,\"5A1E\",\"0B28BE06\",7\r\n\r\nOK\r\n")
    }

    @Test func carrierCapRejects() {
        var harness = SimulationHarness(network: NetworkConfiguration(capPerHour: 2, capBehaviour: .reject(cmsCause: 38)))
        harness.boot()
        _ = harness.send("AT+CMEE=1\r")
        for expected in ["+CMGS: 0", "+CMGS: 1", "+CMS ERROR: 38"] {
            _ = harness.send("AT+CMGS=19\r")
            #expect(harness.send("0011000D91683108000000F10008AA046D4B8BD5\u{1A}").contains(expected))
        }
    }
}
