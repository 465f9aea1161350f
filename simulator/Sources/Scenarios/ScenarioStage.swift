import Foundation
import Glibc
import ModemSimulator

/// Everything a scenario runs against: a mosquitto broker, an `alertbox-sim` child with its
/// modem, handsets, GPIO bridge, fake IM servers and proxies, and the `alertbox` child built
/// from the files the stage writes. The scenario observes the box only from outside: the
/// simulator's control ops, the broker, the box's database opened read-only and its log.
final class ScenarioStage {
    /// The settings a scenario changes in the simulator and the box.
    struct Setup {
        /// SMSC time to accept each part, in milliseconds.
        var latencyMs = 300
        /// The SIM's PIN in the simulator, and the PIN the box is given.
        var simPIN: String?
        var boxPIN: String?
        var capPerHour: Int?
        var uplink = true
        /// Whether the box can use the modem; false when the scenario locks it out.
        var modemUsable = true
        /// The SMS command PIN; nil leaves SMS commands off.
        var commandPIN: String?
        /// The box's log level unless `ALERTBOX_LOG_LEVEL` sets one.
        var logLevel = "info"
        var people = ScenarioPeople()
        var budget = BoxFiles.SMSBudget()
        /// The proxy mode of the robots' endpoints (not the broker's) before the box starts:
        /// `refuse` makes the box start with its IM uplink down, so P1 and P2 go by SMS.
        var robotProxyMode: String?
        /// The torture and soak runs' options from the command line.
        var torture = TortureOptions()
        var soakMinutes = 20.0
    }

    let setup: Setup
    let directory: String
    let executables: Executables
    let narrator: Narrator
    private(set) var broker: ScenarioBroker?
    private(set) var simulator: ChildProcess?
    private(set) var box: ChildProcess?
    private(set) var proxyPorts: [String: Int] = [:]
    private(set) var files: BoxFiles?
    private(set) var database: BoxDatabase?
    /// Secrets the scenario typed or sent, beyond those in the box's files.
    private var typedSecrets: [SecurityAudit.Secret] = []

    var simulatorDirectory: String { directory + "/sim" }
    var boxLog: String { directory + "/alertbox.log" }
    var stateDirectory: String { directory + "/state" }
    var consoleSocket: String { directory + "/console.sock" }
    /// Every secret of the run: those in the box's files and those the scenario typed.
    var secrets: [SecurityAudit.Secret] { (files?.secrets ?? []) + typedSecrets }
    /// Every phone number of the run.
    var roster: [String] { setup.people.allNumbers }

    init(setup: Setup, executables: Executables, narrator: Narrator, directory: String) {
        self.setup = setup
        self.executables = executables
        self.narrator = narrator
        self.directory = directory
    }

    // MARK: Start and stop

    /// Starts the broker and the simulator, writes the box's files and starts the box.
    func start() throws {
        try FileManager.default.createDirectory(atPath: simulatorDirectory, withIntermediateDirectories: true)
        var simulatorArguments = [
            "run", "--dir", simulatorDirectory, "--boot-ms", "300", "--latency", String(setup.latencyMs), "--gpio",
        ]
        if let pin = setup.simPIN { simulatorArguments += ["--pin", pin] }
        if let cap = setup.capPerHour { simulatorArguments += ["--cap-hour", String(cap)] }

        let credentials = RobotCredentials()
        if setup.uplink {
            let broker = try ScenarioBroker(directory: directory + "/broker")
            self.broker = broker
            let ports = try FakePorts()
            let imConfiguration = directory + "/im-fakes.json"
            try credentials.fakeConfiguration(ports: ports).write(toFile: imConfiguration, atomically: true, encoding: .utf8)
            simulatorArguments += [
                "--im-config", imConfiguration, "--proxy",
                "wecom=0:\(ports.wecom),dingtalk=0:\(ports.dingtalk),webhook=0:\(ports.webhook),mqtt=0:\(broker.port)",
            ]
        }
        let simulator = try ChildProcess(
            name: "alertbox-sim", executable: executables.simulator, arguments: simulatorArguments, logPath: directory + "/alertbox-sim.log")
        self.simulator = simulator
        guard simulator.firstLine(timeout: .seconds(30))?.hasPrefix("ready") == true else {
            throw ScenarioError("alertbox-sim did not start; see \(directory)/alertbox-sim.log")
        }
        if setup.uplink {
            for proxy in try control(["op": "proxy"])["proxies"] as? [[String: Any]] ?? [] {
                if let name = proxy["name"] as? String, let port = proxy["listen_port"] as? Int { proxyPorts[name] = port }
            }
            if let mode = setup.robotProxyMode { try setRobotProxies(mode) }
        }

        let files = try BoxFiles(
            directory: directory, simulatorDirectory: simulatorDirectory, profile: executables.simulatorProfile, people: setup.people,
            proxies: setup.uplink ? proxyPorts : nil, credentials: credentials, brokerPassword: broker?.password, boxPIN: setup.boxPIN,
            commandPIN: setup.commandPIN, budget: setup.budget)
        self.files = files
        try startBox()
    }

    /// Starts `alertbox run` on the stage's files and waits for its `box ready` line.
    func startBox() throws {
        let linesBefore = logLines().count
        try launchBox()
        let ready = waitFor(.seconds(60)) { self.logLines().dropFirst(linesBefore).contains { $0.contains("box ready") } || self.box?.isRunning == false }
        guard ready, box?.isRunning == true else {
            throw ScenarioError("alertbox did not start; the end of \(boxLog):\n" + logLines().suffix(15).joined(separator: "\n"))
        }
        database = BoxDatabase(path: stateDirectory + "/alertbox.db")
    }

    /// Starts `alertbox run` on the stage's files without waiting for it to be ready.
    func launchBox() throws {
        guard let files else { throw ScenarioError("the box's files are not written") }
        var environment = ProcessInfo.processInfo.environment
        environment["ALERTBOX_LOG_LEVEL"] = environment["ALERTBOX_LOG_LEVEL"] ?? setup.logLevel
        box = try ChildProcess(
            name: "alertbox", executable: executables.box, arguments: ["run", "--config", files.configPath], logPath: boxLog,
            environment: environment)
        database = BoxDatabase(path: stateDirectory + "/alertbox.db")
    }

    /// Kills the box as a power loss does.
    func killBox() {
        box?.killNow()
    }

    /// Stops every child: the box first, then the simulator and the broker.
    func stop() {
        box?.stop()
        simulator?.stop()
        broker?.stop()
    }

    // MARK: The simulator

    /// Sends one control request to the simulator and returns its reply.
    @discardableResult
    func control(_ request: [String: Any]) throws -> [String: Any] {
        let data = try JSONSerialization.data(withJSONObject: request)
        let reply = try ControlClient.send(String(decoding: data, as: UTF8.self), to: simulatorDirectory + "/control.sock")
        guard let object = try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any] else {
            throw ScenarioError("invalid reply from the simulator: \(reply)")
        }
        guard object["ok"] as? Bool == true else {
            throw ScenarioError("the simulator rejected op \(request["op"] ?? ""): \(object["error"] ?? reply)")
        }
        return object
    }

    /// Returns the messages the handsets put together, in arrival order.
    func handsetMessages() -> [HandsetMessage] {
        let messages = (try? control(["op": "received"]))?["messages"] as? [[String: Any]] ?? []
        return messages.map(HandsetMessage.init)
    }

    /// Returns the requests a fake IM robot received.
    func imRequests(_ robot: String) -> [[String: Any]] {
        (try? control(["op": "im_received", "robot": robot]))?["requests"] as? [[String: Any]] ?? []
    }

    /// The simulator's time in milliseconds since it started.
    func simulatorMillis() -> Int {
        (try? control(["op": "status"]))?["elapsed_ms"] as? Int ?? 0
    }

    /// Whether the simulated modem is ready for SMS.
    func modemReady() -> Bool {
        let modems = (try? control(["op": "status"]))?["modems"] as? [[String: Any]] ?? []
        return modems.first?["sms_ready"] as? Bool == true
    }

    /// Presses a button or raises a contact's alarm for `holdMs`, then releases it.
    func press(_ role: String, holdMs: Int = 300) throws {
        try control(["op": "gpio_sequence", "role": role, "steps": [[true, holdMs], [false, 0]]])
    }

    /// Whether the siren was switched on since the last clear, and clears the history.
    func sirenSounded() -> Bool {
        let history = (try? control(["op": "gpio_history", "role": "siren", "clear": true]))?["history"] as? [String: Any]
        let changes = history?["siren"] as? [[String: Any]] ?? []
        return changes.contains { $0["on"] as? Bool == true }
    }

    /// Sets the proxies in front of the fake robots and the upstream, but not the broker's.
    func setRobotProxies(_ mode: String) throws {
        for name in proxyPorts.keys.sorted() where name != "mqtt" {
            try control(["op": "proxy", "name": name, "mode": mode])
        }
    }

    func setProxies(_ mode: String) throws {
        for name in proxyPorts.keys.sorted() {
            try control(["op": "proxy", "name": name, "mode": mode])
        }
    }

    // MARK: The box

    /// The box's log lines so far.
    func logLines() -> [String] {
        guard let text = try? String(contentsOfFile: boxLog, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").map(String.init)
    }

    /// Records a secret the scenario typed or sent, so that the log audit looks for it.
    func addSecret(_ name: String, _ value: String) {
        typedSecrets.append(SecurityAudit.Secret(name: name, value: value))
    }

    /// Publishes a signed inbound alert to the broker, as a campus system does.
    func publishInbound(publisher: String, body: String, messageID: String) throws {
        guard let files, let secret = files.publisherSecrets[publisher] else {
            throw ScenarioError("no publisher \(publisher)")
        }
        try publishInbound(topicPublisher: publisher, body: body, messageID: messageID, secret: secret)
    }

    /// Publishes an inbound alert to `<prefix>/inbound/<topicPublisher>`, signed with `secret`
    /// as `signingPublisher`, or without a signature line when `secret` is nil.
    func publishInbound(topicPublisher: String, body: String, messageID: String, secret: String?, signingPublisher: String? = nil) throws {
        guard let broker else { throw ScenarioError("no broker in this scenario") }
        var payload = body
        if let secret {
            let seconds = Int(Date().timeIntervalSince1970)
            let signature = InboundSigner.sign(
                secret: secret, publisher: signingPublisher ?? topicPublisher, messageID: messageID, seconds: seconds, body: body)
            payload = "v1 \(messageID) \(seconds) \(signature)\n" + body
        }
        try broker.publish(topic: "\(BoxFiles.topicPrefix)/inbound/\(topicPublisher)", payload: payload)
    }

    /// Polls `condition` every 200 ms until it holds or `timeout` passes; returns whether it held.
    func waitFor(_ timeout: Duration, _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            usleep(200_000)
        }
    }
}

/// One message a simulated handset received.
struct HandsetMessage {
    var index: Int
    var to: String
    var text: String
    var atMillis: Int

    init(_ object: [String: Any]) {
        index = object["index"] as? Int ?? 0
        to = object["to"] as? String ?? ""
        text = object["text"] as? String ?? ""
        atMillis = object["at_ms"] as? Int ?? 0
    }
}

/// Where the executables and the simulator's board profile are.
public struct Executables: Sendable {
    public var box: String
    public var simulator: String
    public var simulatorProfile: String

    /// The CAP sample with XML external entities, DTDs and XInclude from the test fixtures
    /// of the checkout that contains the board profile.
    var xxeSample: String {
        get throws {
            let checkout = ((simulatorProfile as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
            let path = (checkout as NSString).deletingLastPathComponent + "/Tests/AlertingTests/Fixtures/xee.cap"
            guard FileManager.default.fileExists(atPath: path) else {
                throw ScenarioError("no CAP sample at \(path); run from the checkout without --profile")
            }
            return path
        }
    }

    /// Finds `alertbox` next to this executable and the board profile in the checkout.
    public static func locate(box: String?, profile: String?) throws -> Executables {
        let own = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let folder = (own as NSString).deletingLastPathComponent
        let boxPath = box ?? folder + "/alertbox"
        guard FileManager.default.isExecutableFile(atPath: boxPath) else {
            throw ScenarioError("no alertbox executable at \(boxPath); build it with swift build, or give --alertbox PATH")
        }
        var candidates = [FileManager.default.currentDirectoryPath + "/board/profiles/simulator.toml"]
        var up = folder
        for _ in 0..<5 {
            up = (up as NSString).deletingLastPathComponent
            candidates.append(up + "/board/profiles/simulator.toml")
        }
        if let profile { candidates = [profile] }
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw ScenarioError("no board profile at \(candidates[0]); run from the checkout or give --profile FILE")
        }
        return Executables(box: boxPath, simulator: own, simulatorProfile: found)
    }
}
