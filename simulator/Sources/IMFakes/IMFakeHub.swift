public import Core
import Dispatch
import Foundation

/// The fake WeCom, DingTalk, Feishu and webhook servers of the simulator, one per API, and
/// the control ops that configure them, inject faults and read what they received.
///
/// Every server binds 127.0.0.1 only. `alertbox-sim` forwards each control request whose op
/// starts with `im_` to `perform`; docs/simulator.md lists the ops.
public final class IMFakeHub: Sendable {
    /// The fake servers by API.
    private let fakes: [FakeAPI: FakeIMServer]
    /// `http://127.0.0.1:PORT` or `https://…` per API.
    private let baseURLs: [FakeAPI: String]
    /// The certificate that clients must trust for the TLS servers, or nil without TLS.
    public let certificatePath: String?
    public let clock: FakeClock
    private let sequence: RecordSequence
    private let logger: Logger

    private init(
        fakes: [FakeAPI: FakeIMServer], baseURLs: [FakeAPI: String], certificatePath: String?, clock: FakeClock, sequence: RecordSequence,
        logger: Logger
    ) {
        self.fakes = fakes
        self.baseURLs = baseURLs
        self.certificatePath = certificatePath
        self.clock = clock
        self.sequence = sequence
        self.logger = logger
    }

    /// Starts one server per API with the configured robots.
    /// - Parameter directory: where generated TLS certificates go, under `im-tls/`.
    /// - Throws: `IMFakeError` when a port cannot be bound or TLS cannot be set up.
    public static func start(_ configuration: IMFakeConfiguration, directory: String, logger: Logger) async throws(IMFakeError) -> IMFakeHub {
        let logger = logger.labeled("im-fakes")
        var tls: TLSContext?
        var untrusted: TLSContext?
        if configuration.tls {
            let certificates = directory + "/im-tls"
            if let certificate = configuration.certificatePath, let key = configuration.keyPath {
                tls = try TLSContext(certificatePath: certificate, keyPath: key)
            } else {
                tls = try TLSContext.selfSigned(name: "trusted", in: certificates)
            }
            untrusted = try TLSContext.selfSigned(name: "untrusted", in: certificates)
        }

        let clock = FakeClock()
        let sequence = RecordSequence()
        let started = SystemClock().now
        var fakes: [FakeAPI: FakeIMServer] = [:]
        var baseURLs: [FakeAPI: String] = [:]
        for api in FakeAPI.allCases {
            let fake = FakeIMServer(api: api, clock: clock, sequence: sequence, started: started, logger: logger)
            let server = try await fake.bind(port: configuration.ports[api] ?? 0, tls: tls, untrustedTLS: untrusted)
            fakes[api] = fake
            baseURLs[api] = "\(tls == nil ? "http" : "https")://127.0.0.1:\(server.port)"
        }
        for robot in configuration.robots {
            fakes[robot.api]?.put(robot)
            logger.info("robot configured", ["im.robot": .plain(robot.name), "im.api": .plain(robot.api.rawValue)])
        }
        return IMFakeHub(
            fakes: fakes, baseURLs: baseURLs, certificatePath: tls?.certificatePath, clock: clock, sequence: sequence, logger: logger)
    }

    /// Runs `start` and waits for it, for the simulator's synchronous start-up. Never call
    /// it from a task of the shared concurrency pool.
    public static func startAndWait(_ configuration: IMFakeConfiguration, directory: String, logger: Logger) throws(IMFakeError) -> IMFakeHub {
        let result = Locked<Result<IMFakeHub, IMFakeError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do throws(IMFakeError) {
                let hub = try await start(configuration, directory: directory, logger: logger)
                result.withLock { $0 = .success(hub) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        // The task stores a result before it signals.
        return try result.withLock { $0! }.get()
    }

    /// Stops every server.
    public func stop() async {
        for fake in fakes.values {
            await fake.server?.stop()
        }
    }

    /// Runs `stop` and waits for it.
    public func stopAndWait() {
        let done = DispatchSemaphore(value: 0)
        Task {
            await stop()
            done.signal()
        }
        done.wait()
    }

    /// Returns the base URL of the server of `api`.
    public func baseURL(_ api: FakeAPI) -> String {
        baseURLs[api]!  // every API has a server from start
    }

    /// Returns the robot named `name` and its server, or nil.
    private func robot(named name: String) -> (FakeRobot, FakeIMServer)? {
        for fake in fakes.values {
            if let robot = fake.robots.first(where: { $0.name == name }) {
                return (robot, fake)
            }
        }
        return nil
    }

    // MARK: Control

    /// Performs one `im_*` control request and returns the reply fields besides `ok`.
    /// - Throws: `IMFakeError` for an unknown op or a missing or invalid field.
    public func perform(_ fields: [String: Any]) throws(IMFakeError) -> [String: Any] {
        let op = fields["op"] as? String ?? ""
        switch op {
        case "im_servers":
            return servers()
        case "im_received":
            return received(fields)
        case "im_fault":
            try injectFault(fields)
            return [:]
        case "im_clear_faults":
            for api in try apis(fields) {
                fakes[api]?.clearFaults()
            }
            return [:]
        case "im_robot":
            return try configureRobot(fields)
        case "im_clock":
            guard let advance = FakeFields.duration(fields, "advance"), advance >= .zero else {
                throw IMFakeError("missing \"advance_ms\" (or \"advance\" in seconds): how far to move the fake servers' clock forward")
            }
            clock.advance(by: advance)
            logger.notice("fake clock advanced", ["im.advance_ms": .plain(String(advance.nanoseconds / 1_000_000))])
            return ["clock_offset_ms": clock.advanced.nanoseconds / 1_000_000]
        default:
            throw IMFakeError("unknown op \"\(op)\"; use im_servers, im_received, im_fault, im_clear_faults, im_robot or im_clock")
        }
    }

    private func servers() -> [String: Any] {
        let servers: [[String: Any]] = FakeAPI.allCases.map { api in
            ["api": api.rawValue, "base_url": baseURL(api), "port": fakes[api]?.server?.port ?? 0, "tls": certificatePath != nil]
        }
        let robots = FakeAPI.allCases.flatMap { api in
            (fakes[api]?.robots ?? []).map { $0.json(baseURL: baseURL(api)) }
        }
        return [
            "servers": servers, "robots": robots, "ca_file": certificatePath ?? NSNull(),
            "clock_offset_ms": clock.advanced.nanoseconds / 1_000_000,
        ]
    }

    private func received(_ fields: [String: Any]) -> [String: Any] {
        let since = (fields["since"] as? NSNumber)?.intValue ?? 0
        let robot = fields["robot"] as? String
        let api = (fields["api"] as? String).flatMap(FakeAPI.init(rawValue:))
        let records = fakes.values
            .filter { api == nil || $0.api == api }
            .flatMap { $0.records(since: since, robot: robot) }
            .sorted { $0.index < $1.index }
        return ["count": sequence.count, "requests": records.map(\.json)]
    }

    private func injectFault(_ fields: [String: Any]) throws(IMFakeError) {
        var target: FakeIMServer?
        if let name = fields["robot"] as? String {
            guard let (_, fake) = robot(named: name) else {
                throw IMFakeError("no robot named \(name); im_servers lists the robots")
            }
            target = fake
        } else if let name = fields["api"] as? String {
            target = FakeAPI(rawValue: name).flatMap { fakes[$0] }
        }
        guard let target else {
            throw IMFakeError("give \"robot\" (a robot name) or \"api\" (wecom, dingtalk, feishu or webhook) for the fault")
        }

        let fault = try FakeFault.decode(fields, now: SystemClock().now)
        guard !fault.kind.isConnectionLevel || certificatePath != nil else {
            throw IMFakeError("fault \(fault.kind.name) needs TLS servers; start alertbox-sim with --im-tls or \"tls\": true")
        }
        target.inject(fault)
        // A request on a reused connection that fails is retried by libcurl on a new one,
        // which would hide the fault, so the next request must open a new connection.
        target.server?.closeIdleConnectionsAndWait()
    }

    private func apis(_ fields: [String: Any]) throws(IMFakeError) -> [FakeAPI] {
        guard let name = fields["api"] as? String else { return FakeAPI.allCases }
        guard let api = FakeAPI(rawValue: name) else {
            throw IMFakeError("unknown \"api\" \(name); use wecom, dingtalk, feishu or webhook")
        }
        return [api]
    }

    private func configureRobot(_ fields: [String: Any]) throws(IMFakeError) -> [String: Any] {
        guard let name = fields["name"] as? String else {
            throw IMFakeError("missing \"name\" of the robot to create or change")
        }
        var updated: FakeRobot
        if let (existing, _) = robot(named: name) {
            if let api = fields["api"] as? String, api != existing.api.rawValue {
                throw IMFakeError("robot \(name) is a \(existing.api) robot; leave out \"api\" or use another name")
            }
            updated = existing
            try updated.apply(fields)
        } else {
            updated = try IMFakeConfiguration.robot(fields, position: nil)
        }
        let fake = fakes[updated.api]!  // every API has a server from start
        let credential = updated.credential
        guard !fake.robots.contains(where: { $0.name != name && $0.credential == credential }) else {
            throw IMFakeError("robot \(name): its \(updated.api.credentialField) is used by another \(updated.api) robot")
        }
        fake.put(updated)
        logger.info("robot configured", ["im.robot": .plain(name), "im.api": .plain(updated.api.rawValue)])
        return ["robot": updated.json(baseURL: baseURL(updated.api))]
    }
}
