import Alerting
import Core
import Foundation
import Hardware
import LocalControl
import Modem
import Scheduler
import Storage
import TestSupport
import Testing

/// The box's panel over the real simulator: GPIO through the bridge, SMS through the simulated
/// modem and its handsets, alerts planned in a real SQLite file.
final class PanelRig: Sendable {
    static let logger = Logger(label: "panel-test", level: .critical)
    /// The reference board's lines as a board profile requests them.
    static let requests: [GPIOLineRequest] = [
        GPIOLineRequest(role: "panic_1", chip: "sim", line: .name("panic_1"), direction: .input(bias: .pullUp, edges: true), activeLow: true),
        GPIOLineRequest(role: "test_key", chip: "sim", line: .name("test_key"), direction: .input(bias: .pullUp, edges: true), activeLow: true),
        GPIOLineRequest(role: "fire_panel", chip: "sim", line: .name("fire_panel"), direction: .input(bias: .pullUp, edges: true)),
        GPIOLineRequest(role: "nurse_call", chip: "sim", line: .name("nurse_call"), direction: .input(bias: .pullUp, edges: true)),
        GPIOLineRequest(role: "led_status", chip: "sim", line: .name("led_status"), direction: .output(initialActive: false)),
        GPIOLineRequest(role: "led_feedback", chip: "sim", line: .name("led_feedback"), direction: .output(initialActive: false)),
        GPIOLineRequest(role: "siren", chip: "sim", line: .name("siren"), direction: .output(initialActive: false)),
    ]
    static let guards = ["+8613800070001", "+8613800070002"]
    static let firefighters = ["+8613800070011"]
    static let maintainers = ["+8613800070021"]
    static let testers = ["+8613800070031"]

    let simulator: SimulatorProcess
    let lines: GPIOBridgeLines
    let database: Database
    let scheduler: AlertScheduler
    let driver: ModemDriver
    let annunciator: Annunciator
    let panel: LocalPanel
    let directory: String
    private let forwarding: Task<Void, Never>

    /// The panel's inputs: a panic button (P0 active threat), the fire panel (P0, a 2 s stuck
    /// limit) and the nurse call (P2).
    static func panelConfig() -> PanelConfig {
        let fast = ContactTiming(minimumHold: .milliseconds(100), cooldown: .seconds(60), stuckAfter: .seconds(30), chatterEdges: 10, chatterWindow: .seconds(2))
        return PanelConfig(
            inputs: [
                ContactInputConfig(
                    role: "panic_1", kind: .normallyOpen,
                    trigger: LocalTrigger(name: "panic-1", template: "active-threat", audience: ["保卫处"], location: "1号楼大厅"), timing: fast),
                ContactInputConfig(
                    role: "fire_panel", kind: .normallyClosed,
                    trigger: LocalTrigger(name: "fire-panel", template: "fire-alarm", audience: ["消防组"], event: "火警", location: "3号楼"),
                    timing: ContactTiming(minimumHold: .milliseconds(300), cooldown: .seconds(60), stuckAfter: .seconds(2))),
                ContactInputConfig(
                    role: "nurse_call", kind: .normallyClosed,
                    trigger: LocalTrigger(
                        name: "nurse-call", template: "reminder", priority: .routine, audience: ["保卫处"], location: "2层护士站",
                        instruction: "护士呼叫"),
                    timing: fast),
            ],
            testKey: "test_key", testLongPress: .seconds(2),
            boxTest: LocalTrigger(name: "box-test", template: "drill-notice", audience: ["测试组"], event: "整机自检"))
    }

    private init(
        simulator: SimulatorProcess, lines: GPIOBridgeLines, database: Database, scheduler: AlertScheduler, driver: ModemDriver,
        annunciator: Annunciator, panel: LocalPanel, directory: String, forwarding: Task<Void, Never>
    ) {
        self.simulator = simulator
        self.lines = lines
        self.database = database
        self.scheduler = scheduler
        self.driver = driver
        self.annunciator = annunciator
        self.panel = panel
        self.directory = directory
        self.forwarding = forwarding
    }

    static func start(timing: AnnunciatorTiming = AnnunciatorTiming()) async throws -> PanelRig {
        let simulator = try await SimulatorProcess.launch(["--gpio"])
        let directory = try MosquittoBroker.temporaryDirectory(prefix: "panel")
        let database = Database(path: directory + "/alertbox.db", logger: logger)
        try await database.open(migrations: Schema.migrations)
        try await addGroup("保卫处", guards, database)
        try await addGroup("消防组", firefighters, database)
        try await addGroup("维护组", maintainers, database)
        try await addGroup("测试组", testers, database)

        let scheduler = AlertScheduler(database: database, settings: SchedulerSettings(), clock: SystemClock(), logger: logger)
        let driver = ModemDriver(settings: ModemSettings(devicePath: simulator.portPath, stateDirectory: directory), logger: logger)
        await driver.start()
        #expect(await driver.waitUntilReady(timeout: .seconds(45)))
        await scheduler.addSMSChannel(ModemSMSChannel(name: "modem0", driver: driver))
        let events = driver.events
        let forwarding = Task {
            for await event in events {
                if case .received(let message) = event {
                    await scheduler.receiveSMS(from: message.sender, text: message.text, reassemblyKey: nil, complete: true)
                }
            }
        }
        // No IM robots on this box: the uplink counts as down, so P2 alerts go by SMS too.
        await scheduler.setUplink(.down)
        await scheduler.start()

        let lines = try await GPIOBridgeLines.open(socketPath: simulator.gpioSocketPath, requests: requests, logger: logger)
        let annunciator = Annunciator(
            lines: lines, roles: AnnunciatorRoles(status: "led_status", feedback: "led_feedback", siren: "siren"), timing: timing,
            clock: SystemClock(), logger: logger)
        let panel = LocalPanel(
            lines: lines,
            settings: LocalPanel.Settings(
                panel: panelConfig(), sender: "alertbox-test",
                faultTrigger: LocalTrigger(name: "device-fault", template: "device-fault", audience: ["维护组"])),
            scheduler: scheduler, database: database, annunciator: annunciator, composer: AlertComposer(), clock: SystemClock(), logger: logger)
        try await panel.start()
        return PanelRig(
            simulator: simulator, lines: lines, database: database, scheduler: scheduler, driver: driver, annunciator: annunciator, panel: panel,
            directory: directory, forwarding: forwarding)
    }

    func stop() async {
        await panel.stop()
        await annunciator.stop()
        await lines.close()
        await scheduler.stop()
        await driver.stop()
        forwarding.cancel()
        await database.close()
        await simulator.shutDown()
        try? FileManager.default.removeItem(atPath: directory)
    }

    private static func addGroup(_ name: String, _ phones: [String], _ database: Database) async throws {
        try await database.transaction("test group") { connection in
            try connection.query("INSERT INTO groups (name, created_at) VALUES (?, 0)", [.text(name)], operation: "test")
            let groupID = connection.lastInsertRowID
            for (index, phone) in phones.enumerated() {
                try connection.query(
                    "INSERT INTO contacts (name, created_at, updated_at) VALUES (?, 0, 0)", [.text("\(name)\(index)")], operation: "test")
                let contactID = connection.lastInsertRowID
                try connection.query("INSERT INTO contact_phones (contact_id, e164) VALUES (?, ?)", [.integer(contactID), .text(phone)], operation: "test")
                try connection.query(
                    "INSERT INTO group_members (group_id, contact_id, position) VALUES (?, ?, ?)",
                    [.integer(groupID), .integer(contactID), .integer(Int64(index))], operation: "test")
            }
        }
    }

    // MARK: Driving and observing

    /// Plays levels on an input: each step is the alarm state and how long it lasts.
    func play(_ role: String, _ steps: [(Bool, Int)]) throws {
        _ = try simulator.control(["op": "gpio_sequence", "role": role, "steps": steps.map { [$0.0, $0.1] as [Any] }])
    }

    func set(_ role: String, active: Bool) throws {
        _ = try simulator.control(["op": "gpio_set", "role": role, "active": active])
    }

    /// An output's transitions: when, in milliseconds from the first, and the level after.
    func history(_ role: String, clear: Bool = false) throws -> [(ms: Int64, on: Bool)] {
        let reply = try simulator.control(["op": "gpio_history", "role": role, "clear": clear])
        let entries = (reply["history"] as? [String: [[String: Any]]])?[role] ?? []
        let points = entries.compactMap { entry -> (Int64, Bool)? in
            guard let ns = (entry["ns"] as? NSNumber)?.int64Value else { return nil }
            let on = (entry["active"] as? Bool) ?? (entry["on"] as? Bool) ?? false
            return (ns / 1_000_000, on)
        }
        guard let first = points.first?.0 else { return [] }
        return points.map { ($0.0 - first, $0.1) }
    }

    /// The alerts planned so far, oldest first: source, status, priority, audience.
    func alerts() async throws -> [(source: String, status: String, priority: Int, audience: String)] {
        try await database.read { connection in
            try connection.query("SELECT source, status, priority, audience FROM alerts ORDER BY id", operation: "test").map {
                ($0["source"].string ?? "", $0["status"].string ?? "", $0["priority"].int ?? -1, $0["audience"].string ?? "")
            }
        }
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` passes (a hang bound, not a measure).
    func eventually(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return try await condition()
    }
}

/// The on and off durations of a blinking output, from its history.
func steps(_ history: [(ms: Int64, on: Bool)]) -> (on: [Int64], off: [Int64]) {
    var on: [Int64] = []
    var off: [Int64] = []
    for index in 1..<max(history.count, 1) where index < history.count {
        let length = history[index].ms - history[index - 1].ms
        if history[index - 1].on { on.append(length) } else { off.append(length) }
    }
    return (on, off)
}

/// The middle value of durations in milliseconds; 0 for none.
func median(_ values: [Int64]) -> Int64 {
    guard !values.isEmpty else { return 0 }
    return values.sorted()[values.count / 2]
}
