import Core
import Foundation
import ModemSimulator
import TestSupport

@testable import Uplink

/// An `alertbox-sim` child process running the fake IM servers with the given robots, and
/// the robots' URLs and secrets as `im_servers` reports them.
final class IMFakeSimulator: @unchecked Sendable {
    // @unchecked Sendable: `simulator` is used from one test at a time, and the process
    // it wraps serializes control requests on its socket.

    let simulator: SimulatorProcess
    private let configurationPath: String

    /// Writes the configuration, starts the simulator with `--im-config` and waits for its
    /// `ready` line, on a thread of its own so that the wait blocks no thread of the
    /// concurrency pool.
    static func start(robots: [[String: Any]], tls: Bool = false) async throws -> IMFakeSimulator {
        let configuration: [String: Any] = ["tls": tls, "robots": robots]
        let data = try JSONSerialization.data(withJSONObject: configuration)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("im-config-\(UUID().uuidString.prefix(8)).json").path
        try data.write(to: URL(fileURLWithPath: path))
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(with: Result { try IMFakeSimulator(configurationPath: path) })
            }
        }
    }

    private init(configurationPath: String) throws {
        self.configurationPath = configurationPath
        simulator = try SimulatorProcess(["--im-config", configurationPath])
    }

    /// Sends SIGTERM now and waits for the exit on a thread of its own.
    /// `Process.waitUntilExit()`, which `SimulatorProcess.stop()` calls, blocks its thread,
    /// and tests that block both threads of a 2-core machine's concurrency pool stall the
    /// whole run.
    deinit {
        simulator.requestStop()
        let process = SimulatorHandle(simulator)
        Thread.detachNewThread {
            process.simulator.stop()
        }
        try? FileManager.default.removeItem(atPath: configurationPath)
    }

    /// Sends one control request and returns the reply; throws when `ok` is false.
    @discardableResult
    func control(_ request: [String: Any]) throws -> [String: Any] {
        try simulator.control(request)
    }

    /// Sends one control request that must fail and returns its `error`.
    func controlError(_ request: [String: Any]) throws -> String {
        let data = try JSONSerialization.data(withJSONObject: request)
        let reply = try ControlClient.send(String(decoding: data, as: UTF8.self), to: simulator.directory + "/control.sock")
        let object = try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any] ?? [:]
        guard object["ok"] as? Bool == false, let error = object["error"] as? String else {
            throw IMFakeTestError("the request succeeded: \(reply)")
        }
        return error
    }

    /// Returns the robot named `name` as `im_servers` lists it.
    func robot(_ name: String) throws -> [String: Any] {
        let robots = try control(["op": "im_servers"])["robots"] as? [[String: Any]] ?? []
        guard let robot = robots.first(where: { $0["name"] as? String == name }) else {
            throw IMFakeTestError("im_servers lists no robot \(name)")
        }
        return robot
    }

    /// Returns the base URL of the server of `api`, such as `http://127.0.0.1:40123`.
    func baseURL(_ api: String) throws -> String {
        let servers = try control(["op": "im_servers"])["servers"] as? [[String: Any]] ?? []
        guard let url = servers.first(where: { $0["api"] as? String == api })?["base_url"] as? String else {
            throw IMFakeTestError("im_servers lists no server for \(api)")
        }
        return url
    }

    /// Returns the CA file that makes a client trust the TLS servers.
    func caFile() throws -> String? {
        try control(["op": "im_servers"])["ca_file"] as? String
    }

    /// Returns the requests recorded for `robot`, in arrival order.
    func received(robot: String, since: Int = 0) throws -> [[String: Any]] {
        try control(["op": "im_received", "robot": robot, "since": since])["requests"] as? [[String: Any]] ?? []
    }

    /// Builds the WeCom robot settings of `name`, pointed at the fake.
    func weComRobot(_ name: String) throws -> WeComRobot {
        let robot = try robot(name)
        return WeComRobot(key: robot["key"] as? String ?? "", baseURL: robot["base_url"] as? String ?? "")
    }

    func dingTalkRobot(_ name: String, secret: String? = nil, keywords: [String] = []) throws -> DingTalkRobot {
        let robot = try robot(name)
        return DingTalkRobot(
            accessToken: robot["access_token"] as? String ?? "", secret: secret ?? robot["secret"] as? String, keywords: keywords,
            baseURL: robot["base_url"] as? String ?? "")
    }

    func feishuBot(_ name: String, secret: String? = nil, keywords: [String] = []) throws -> FeishuBot {
        let robot = try robot(name)
        return FeishuBot(
            token: robot["token"] as? String ?? "", secret: secret ?? robot["secret"] as? String, keywords: keywords,
            baseURL: robot["base_url"] as? String ?? "")
    }

    func signedWebhook(_ name: String, secret: String? = nil) throws -> SignedWebhook {
        let robot = try robot(name)
        let text = secret ?? robot["secret"] as? String ?? ""
        return SignedWebhook(url: robot["url"] as? String ?? "", secret: try WebhookSecret(whsec: text))
    }
}

/// Posts requests with the real uplink client and classifies the results as the runtime does.
struct UplinkDriver {
    let client: HTTPClient

    init(caFile: String? = nil, totalTimeout: Duration = .seconds(20)) throws {
        client = try HTTPClient(
            settings: .init(connectTimeout: .seconds(10), totalTimeout: totalTimeout, caFile: caFile), logger: Logger(label: "im-fakes-test", level: .warning))
    }

    /// Posts `request` and returns the response, or the error the client threw.
    func post(_ request: IMRequest) async -> Result<HTTPResponse, UplinkError> {
        do {
            return .success(try await client.post(request.http))
        } catch {
            return .failure(error)
        }
    }

    /// Posts `request` and returns the outcome `ResponseClassifier` gives it.
    func outcome(_ request: IMRequest) async -> DeliveryOutcome {
        switch await post(request) {
        case .success(let response): ResponseClassifier().classify(response, channel: request.channel)
        case .failure(let error): ResponseClassifier().classify(error)
        }
    }

    /// Returns the JSON code at `key` of a response body, or nil.
    static func code(_ response: HTTPResponse, key: String) -> Int? {
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return (object?[key] as? NSNumber)?.intValue
    }

    /// Returns the text at `key` of a response body, or nil.
    static func message(_ response: HTTPResponse, key: String) -> String? {
        let object = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
        return object?[key] as? String
    }
}

/// The wall clock, for signing.
var now: WallTime {
    SystemClock().wallNow
}

/// A simulator handed to the thread that stops it.
private final class SimulatorHandle: @unchecked Sendable {
    // @unchecked Sendable: only the stopping thread uses it after the hand-over.

    let simulator: SimulatorProcess

    init(_ simulator: SimulatorProcess) {
        self.simulator = simulator
    }
}

struct IMFakeTestError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
