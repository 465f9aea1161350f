import ModemSimulator
import Testing

/// The bridge's electrical model and ownership rules, without a socket.
@Suite struct GPIOBridgeCoreTests {
    static let board = GPIOBoard(lines: [
        GPIOLineDefinition(role: "button", direction: .input, contact: .normallyOpen),
        GPIOLineDefinition(role: "relay", direction: .input, contact: .normallyClosed, externalPull: .high),
        GPIOLineDefinition(role: "led", direction: .output),
        GPIOLineDefinition(role: "enable", direction: .output, defaultLevel: .high, modemPin: .powerEnable),
    ])

    @Test(arguments: [(GPIOBridge.Bias.pullUp, false), (.pullDown, true), (.asIs, true)])
    func openButtonFollowsBias(bias: GPIOBridge.Bias, activeExpected: Bool) throws {
        // An active-low button to ground without a board resistor: only a pull-up makes it idle.
        var bridge = GPIOBridge(board: Self.board)
        let (active, _) = try bridge.request("button", client: 1, output: false, activeLow: true, bias: bias, edges: true, initialActive: false, at: 0)
        #expect(active == activeExpected)
    }

    @Test func closedButtonIsActive() throws {
        var bridge = GPIOBridge(board: Self.board)
        _ = try bridge.request("button", client: 1, output: false, activeLow: true, bias: .pullUp, edges: true, initialActive: false, at: 0)
        let effects = try bridge.setContact("button", closed: true, at: 10)
        #expect(effects == [.edge(client: 1, role: "button", active: true, nanoseconds: 10)])
        #expect(try bridge.value("button", client: 1))
    }

    @Test func normallyClosedRelayAlarmOpens() throws {
        var bridge = GPIOBridge(board: Self.board)
        _ = try bridge.request("relay", client: 1, output: false, activeLow: false, bias: .asIs, edges: true, initialActive: false, at: 0)
        #expect(try bridge.value("relay", client: 1) == false)
        #expect(try bridge.contactClosed("relay", active: true) == false)
        let effects = try bridge.setContact("relay", closed: false, at: 5)
        #expect(effects == [.edge(client: 1, role: "relay", active: true, nanoseconds: 5)])
    }

    @Test func unchangedLevelGivesNoEdge() throws {
        var bridge = GPIOBridge(board: Self.board)
        _ = try bridge.request("button", client: 1, output: false, activeLow: true, bias: .pullUp, edges: true, initialActive: false, at: 0)
        #expect(try bridge.setContact("button", closed: false, at: 1).isEmpty)
    }

    @Test func releasedOutputReturnsToDefault() throws {
        var bridge = GPIOBridge(board: Self.board)
        _ = try bridge.request("led", client: 1, output: true, activeLow: false, bias: .asIs, edges: false, initialActive: true, at: 1)
        _ = bridge.releaseAll(client: 1, at: 2)
        let history = try bridge.history("led")
        #expect(history.map(\.on) == [true, false])
        #expect(history.map(\.nanoseconds) == [1, 2])
    }

    @Test func loadSwitchAssertsModemPin() throws {
        var bridge = GPIOBridge(board: Self.board)
        _ = try bridge.request("enable", client: 1, output: true, activeLow: false, bias: .asIs, edges: false, initialActive: true, at: 0)
        let effects = try bridge.set("enable", client: 1, active: false, at: 3)
        #expect(effects == [.modemPin(.powerEnable, modem: 0, asserted: false, nanoseconds: 3)])
    }

    @Test func sameClientCannotRequestTwice() throws {
        var bridge = GPIOBridge(board: Self.board)
        _ = try bridge.request("led", client: 1, output: true, activeLow: false, bias: .asIs, edges: false, initialActive: false, at: 0)
        #expect(throws: GPIOBridge.Rejection.self) {
            try bridge.request("led", client: 1, output: true, activeLow: false, bias: .asIs, edges: false, initialActive: false, at: 0)
        }
    }

    @Test func outputCannotBeDrivenByTest() {
        let bridge = GPIOBridge(board: Self.board)
        #expect(throws: GPIOBridge.Rejection.self) { try bridge.contactClosed("led", active: true) }
    }
}
