import Foundation

/// Faults at chosen times, read from a file or drawn at random with a seed.
public enum FaultSchedule {
    /// Reads a JSON array of `{"at": seconds, "modem": n, "fault": name, ...}` objects; the
    /// other fields are the fault's parameters as the control socket takes them.
    public static func load(path: String) throws -> [(at: Duration, modem: Int, fault: Fault)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ControlError("cannot read the fault schedule \(path): no such readable file")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let entries = object as? [[String: Any]] else {
            throw ControlError("\(path) is not a JSON array of fault objects; see docs/simulator.md for the format")
        }
        return try entries.enumerated().map { index, entry in
            let request = ControlRequest(fields: entry)
            guard let at = request.double("at"), at >= 0 else {
                throw ControlError("\(path): fault \(index + 1) needs \"at\", the seconds from start (0 or more)")
            }
            do {
                return (.milliseconds(Int64(at * 1000)), request.int("modem") ?? 0, try request.fault())
            } catch {
                throw ControlError("\(path): fault \(index + 1): \(error)")
            }
        }
    }

    /// Draws faults for `modems` modems, about one every `every`, for `total`, from `seed`.
    ///
    /// Only faults a healthy driver recovers from are drawn; SIM removal and denied
    /// registration need a person and are left to explicit schedules.
    public static func random(seed: UInt64, modems: Int, every: Duration, total: Duration) -> [(at: Duration, modem: Int, fault: Fault)] {
        var random = SeededRandom(seed: seed)
        var schedule: [(at: Duration, modem: Int, fault: Fault)] = []
        var at = every
        while at < total {
            let modem = Int(random.next() % UInt64(max(1, modems)))
            let faults: [Fault] = [
                .noAnswer(prefix: nil, duration: .seconds(3)),
                .slowAnswer(delay: .seconds(2), duration: .seconds(10)),
                .garbage(count: 48),
                .urcStorm(interval: .milliseconds(200), duration: .seconds(5)),
                .vendorNoise(interval: .seconds(1), duration: .seconds(10)),
                .reboot,
                .reenumerate(downFor: .seconds(3)),
                .registrationFlap(state: 0, interval: .seconds(2), duration: .seconds(10)),
                .signal(rssi: Int(random.next() % 32)),
                .rebootDuringSend(reachedNetwork: random.next() % 2 == 0),
            ]
            schedule.append((at, modem, faults[Int(random.next() % UInt64(faults.count))]))
            let jitter = Duration.milliseconds(Int64(random.next() % UInt64(max(1, every.nanoseconds / 1_000_000))))
            at += every / 2 + jitter
        }
        return schedule
    }
}
