import Foundation

/// A control request, decoded from one JSON line.
///
/// The protocol is documented in `docs/simulator.md`: every request is an object with an
/// `op` field; every reply is an object with `ok` and, on failure, `error`.
struct ControlRequest {
    let fields: [String: Any]

    init(fields: [String: Any]) {
        self.fields = fields
    }

    init(json line: String) throws(ControlError) {
        guard let data = line.data(using: .utf8),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw ControlError("request is not a JSON object: send one object per line, such as {\"op\":\"status\"}")
        }
        fields = object
    }

    var op: String {
        fields["op"] as? String ?? ""
    }

    func string(_ key: String) -> String? {
        fields[key] as? String
    }

    func int(_ key: String) -> Int? {
        (fields[key] as? NSNumber)?.intValue
    }

    func double(_ key: String) -> Double? {
        (fields[key] as? NSNumber)?.doubleValue
    }

    func bool(_ key: String) -> Bool? {
        (fields[key] as? NSNumber)?.boolValue
    }

    /// A duration from `<key>_ms` or `<key>` in seconds.
    func duration(_ key: String) -> Duration? {
        if let milliseconds = double(key + "_ms") {
            return .milliseconds(Int64(milliseconds))
        }
        return double(key).map { .milliseconds(Int64($0 * 1000)) }
    }

    func require<T>(_ value: T?, _ key: String, _ what: String) throws(ControlError) -> T {
        guard let value else { throw ControlError("missing or invalid \"\(key)\": \(what)") }
        return value
    }

    /// Decodes the fault this request names in `fault`.
    func fault() throws(ControlError) -> Fault {
        let name = try require(string("fault"), "fault", "name a fault such as no_answer, reboot or reenumerate")
        switch name {
        case "cms_error":
            return .cmsError(cause: try require(int("cause"), "cause", "a CMS cause such as 500"), destinations: fields["destinations"] as? [String] ?? [])
        case "no_answer":
            return .noAnswer(prefix: string("prefix"), duration: try require(duration("duration"), "duration", "seconds"))
        case "slow_answer":
            return .slowAnswer(delay: try require(duration("delay"), "delay", "seconds"), duration: try require(duration("duration"), "duration", "seconds"))
        case "garbage":
            return .garbage(count: int("count") ?? 64)
        case "urc_storm":
            return .urcStorm(interval: duration("interval") ?? .milliseconds(200), duration: try require(duration("duration"), "duration", "seconds"))
        case "vendor_noise":
            return .vendorNoise(interval: duration("interval") ?? .seconds(2), duration: try require(duration("duration"), "duration", "seconds"))
        case "reboot_during_send":
            return .rebootDuringSend(reachedNetwork: bool("reached_network") ?? true)
        case "reboot":
            return .reboot
        case "reenumerate":
            return .reenumerate(downFor: duration("down_for") ?? .seconds(3))
        case "sim_removed":
            return .simRemoved
        case "sim_inserted":
            return .simInserted
        case "registration":
            return .registration(domain: string("domain") ?? "eps", state: try require(int("state"), "state", "0-11 as +CREG prints it"))
        case "registration_flap":
            return .registrationFlap(
                state: int("state") ?? 0, interval: duration("interval") ?? .seconds(5),
                duration: try require(duration("duration"), "duration", "seconds"))
        case "signal":
            let rssi = try require(int("rssi"), "rssi", "0-31, or 99 for unknown")
            guard (0...31).contains(rssi) || rssi == 99 else {
                throw ControlError("invalid \"rssi\" \(rssi); give 0-31, or 99 for unknown")
            }
            return .signal(rssi: rssi)
        case "doubled_echo":
            return .doubledEcho(bool("enabled") ?? true)
        case "stuck_echo":
            return .stuckEcho(bool("enabled") ?? true)
        default:
            throw ControlError("unknown fault \"\(name)\"; see docs/simulator.md for the list")
        }
    }
}

struct ControlError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// Renders a JSON reply on one line.
func controlReply(_ object: [String: Any]) -> String {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
        return "{\"ok\":false,\"error\":\"reply could not be encoded\"}"
    }
    return String(decoding: data, as: UTF8.self)
}
