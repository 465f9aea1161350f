import Foundation
import Glibc
import IMFakes

/// The fake IM servers' ports, chosen free before the simulator starts so that the proxies in
/// front of them can name them.
public struct FakePorts {
    var wecom: Int
    var dingtalk: Int
    var webhook: Int

    init() throws {
        let ports = try Self.freePorts(3)
        (wecom, dingtalk, webhook) = (ports[0], ports[1], ports[2])
    }

    /// Returns a 127.0.0.1 port with no listener.
    public static func freePort() throws -> Int {
        try freePorts(1)[0]
    }

    /// Returns `count` different 127.0.0.1 ports with no listener. Each is bound to port 0 and
    /// read, and all stay bound until the last is read, because the kernel may hand a port
    /// closed at once to the next bind.
    public static func freePorts(_ count: Int) throws -> [Int] {
        var descriptors: [Int32] = []
        defer { descriptors.forEach { close($0) } }
        var ports: [Int] = []
        for _ in 0..<count {
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            descriptors.append(descriptor)
            var address = loopback(port: 0)
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let result = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                    bind(descriptor, pointer, length) == 0 ? getsockname(descriptor, pointer, &length) : -1
                }
            }
            guard descriptor >= 0, result == 0 else { throw ScenarioError("no free 127.0.0.1 port: \(String(cString: strerror(errno)))") }
            ports.append(Int(UInt16(bigEndian: address.sin_port)))
        }
        return ports
    }

    /// Returns whether a TCP connection to `127.0.0.1:port` succeeds.
    public static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        return address
    }
}

/// The credentials of the scenario's robots, made fresh for each run: the fakes check them
/// and the box reads them from files of mode 0600.
struct RobotCredentials {
    static let allStaffRobot = "all-staff"
    static let emergencyRobot = "emergency"
    static let upstreamRobot = "upstream"
    static let upstreamPath = "/hooks/upstream"

    var wecomKey = randomToken(18)
    var dingTalkToken = randomToken(24)
    var dingTalkSecret = "SEC" + randomToken(20)
    var upstreamSecret = "whsec_" + Data((0..<24).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()

    /// The `--im-config` file of the simulator.
    func fakeConfiguration(ports: FakePorts) throws -> String {
        let object: [String: Any] = [
            "ports": ["wecom": ports.wecom, "dingtalk": ports.dingtalk, "webhook": ports.webhook, "feishu": 0],
            "robots": [
                ["name": Self.allStaffRobot, "api": "wecom", "key": wecomKey],
                ["name": Self.emergencyRobot, "api": "dingtalk", "access_token": dingTalkToken, "secret": dingTalkSecret],
                ["name": Self.upstreamRobot, "api": "webhook", "path": Self.upstreamPath, "secret": upstreamSecret],
            ],
        ]
        return String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    /// Random letters and digits.
    static func randomToken(_ count: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<count).map { _ in alphabet.randomElement()! })
    }
}

/// Signs inbound MQTT alerts the way `MQTTInboundVerifier` checks them: HMAC-SHA256 with the
/// publisher's secret over `v1.<publisher>.<message-id>.<unix-seconds>.` and the body.
enum InboundSigner {
    static func sign(secret: String, publisher: String, messageID: String, seconds: Int, body: String) -> String {
        let message = Array("v1.\(publisher).\(messageID).\(seconds).".utf8) + Array(body.utf8)
        let mac = FakeSigning.hmacSHA256(key: Array(secret.utf8), message: message) ?? []
        return Data(mac).base64EncodedString()
    }
}
