import Foundation

/// The start-up settings of the fake IM servers, from `alertbox-sim run --im-config FILE`.
///
/// The file is one JSON object:
/// ```json
/// {"tls": false, "ports": {"wecom": 0},
///  "robots": [{"name": "fire-wecom", "api": "wecom", "key": "693a91f6-…"},
///             {"name": "ding", "api": "dingtalk", "secret": "SEC…", "keywords": ["告警"]}]}
/// ```
/// Each robot takes the fields of the `im_robot` control op. Ports default to 0, a free
/// port chosen by the kernel.
public struct IMFakeConfiguration: Sendable {
    /// Whether the servers speak TLS with a self-signed certificate for 127.0.0.1.
    public var tls: Bool
    /// A PEM certificate and key to serve in place of the generated one.
    public var certificatePath: String?
    public var keyPath: String?
    public var ports: [FakeAPI: Int]
    public var robots: [FakeRobot]

    public init(tls: Bool = false, ports: [FakeAPI: Int] = [:], robots: [FakeRobot] = []) {
        self.tls = tls
        self.ports = ports
        self.robots = robots
    }

    /// Reads and checks a configuration file.
    /// - Throws: `IMFakeError` naming the file, the robot and the field at fault.
    public static func load(path: String) throws(IMFakeError) -> IMFakeConfiguration {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw IMFakeError("cannot read the IM configuration \(path); check the path given to --im-config")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw IMFakeError("\(path): not a JSON object; see docs/simulator.md for the IM configuration format")
        }
        do {
            return try IMFakeConfiguration(json: object)
        } catch {
            throw IMFakeError("\(path): \(error)")
        }
    }

    /// Decodes a configuration object.
    /// - Throws: `IMFakeError` naming the robot and the field at fault.
    public init(json object: [String: Any]) throws(IMFakeError) {
        tls = object["tls"] as? Bool ?? false
        certificatePath = object["tls_certificate"] as? String
        keyPath = object["tls_key"] as? String
        guard (certificatePath == nil) == (keyPath == nil) else {
            throw IMFakeError("give both \"tls_certificate\" and \"tls_key\", or neither")
        }

        ports = [:]
        for (name, value) in object["ports"] as? [String: Any] ?? [:] {
            guard let api = FakeAPI(rawValue: name) else {
                throw IMFakeError("unknown API \"\(name)\" in \"ports\"; use wecom, dingtalk, feishu or webhook")
            }
            guard let port = (value as? NSNumber)?.intValue, (0...65_535).contains(port) else {
                throw IMFakeError("invalid port for \(name): give 0 for a free port, or 1-65535")
            }
            ports[api] = port
        }

        robots = []
        for (position, entry) in (object["robots"] as? [[String: Any]] ?? []).enumerated() {
            let robot = try Self.robot(entry, position: position)
            guard !robots.contains(where: { $0.name == robot.name }) else {
                throw IMFakeError("robot \(position): the name \(robot.name) is used twice; give each robot its own name")
            }
            guard !robots.contains(where: { $0.api == robot.api && $0.credential == robot.credential }) else {
                throw IMFakeError("robot \(robot.name): its \(robot.api.credentialField) is used by another \(robot.api) robot")
            }
            robots.append(robot)
        }
    }

    /// Creates a robot from one configuration entry or `im_robot` request.
    static func robot(_ entry: [String: Any], position: Int?) throws(IMFakeError) -> FakeRobot {
        let place = position.map { "robot \($0)" } ?? "im_robot"
        guard let name = entry["name"] as? String, !name.isEmpty else {
            throw IMFakeError("\(place): missing \"name\"; give each robot a unique name such as fire-wecom")
        }
        guard let apiName = entry["api"] as? String, let api = FakeAPI(rawValue: apiName) else {
            throw IMFakeError("\(place) (\(name)): missing or unknown \"api\"; use wecom, dingtalk, feishu or webhook")
        }
        var robot = FakeRobot(name: name, api: api)
        try robot.apply(entry)
        return robot
    }
}
