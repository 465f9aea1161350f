import Foundation
import Glibc
import ModemSimulator

/// Soak: the box under steady mixed traffic for a set time (alerts of every priority, inbound
/// SMS, uplink flaps, modem reboots), with its resident memory and open descriptors sampled
/// from /proc. The run fails when either grows past its bound after the warm-up, or when
/// memory still grows over the last third of the run about as fast as over the first.
enum SoakScenario {
    /// Allowed growth of VmRSS from the warm-up baseline to the end, in KiB.
    static let rssGrowthBoundKiB = 16 * 1_024
    /// Allowed growth of the open descriptor count from the warm-up baseline to the end.
    static let descriptorGrowthBound = 8
    /// Growth in KiB over the last third of a run that always passes the levelling check, because
    /// short runs cannot tell a slow leak from noise and the 16 MiB bound covers them.
    static let lateGrowthAllowanceKiB = 1_024
    static let sampleSeconds = 5

    static func setup() -> ScenarioStage.Setup {
        var setup = ScenarioStage.Setup()
        // A small roster and a fast SMSC keep the queues short, so that growth means a leak
        // and not a backlog: about 80 SMS every 24 s at worst, within 600 a minute.
        setup.people = ScenarioPeople(responders: 5, wardens: 15, everyone: 60)
        setup.latencyMs = 50
        setup.budget = BoxFiles.SMSBudget(perMinute: 600, perHour: 36_000, perDay: 50_000)
        return setup
    }

    /// One reading of the box's process.
    struct Sample {
        var seconds: Double
        var rssKiB: Int
        var descriptors: Int
    }

    static func run(_ stage: ScenarioStage) throws {
        let n = stage.narrator
        let people = stage.setup.people
        let duration = stage.setup.soakMinutes * 60
        guard let pid = stage.box?.processIdentifier else { throw ScenarioError("the box is not running") }
        var random = SeededRandom(seed: 12)
        let groups = [ScenarioPeople.responderGroup, ScenarioPeople.wardenGroup, ScenarioPeople.everyoneGroup, ScenarioPeople.everyoneGroup]
        let phones = people.responderNumbers + people.wardenNumbers
        let replies = ["1", "收到", "ok", "状态", "谁在值班？"]
        var samples: [Sample] = []
        var counts = (alerts: 0, inbound: 0, flaps: 0, reboots: 0)
        var flapEnds: Int?

        n.step(1, String(format: "稳定混合负载 %.1f 分钟", stage.setup.soakMinutes), String(format: "steady mixed traffic for %.1f minutes", stage.setup.soakMinutes))
        let started = ContinuousClock.now
        var tick = 0
        while TortureScenario.seconds(ContinuousClock.now - started) < duration {
            guard stage.box?.isRunning == true else {
                n.expect(false, "报警箱在第 \(tick) 秒退出", "the box exited at \(tick) s")
                return
            }
            if tick % 6 == 0 {
                let priority = (tick / 6) % 4
                let body = """
                    {"identifier":"soak-\(tick)","sender":"soak","priority":\(priority),"msgType":"Alert","status":"Actual",\
                    "audience":["\(groups[priority])"],"texts":[{"language":"zh","text":"浸泡测试 \(tick)：例行消息"}]}
                    """
                try stage.publishInbound(publisher: BoxFiles.noticePublisher, body: body, messageID: "soak-\(tick)")
                counts.alerts += 1
            }
            if tick % 10 == 5 {
                let phone = phones[Int(random.next() % UInt64(phones.count))]
                let text = replies[Int(random.next() % UInt64(replies.count))]
                try stage.control(["op": "send", "modem": 0, "from": phone, "text": text])
                counts.inbound += 1
            }
            if tick % 60 == 30 {
                try stage.setProxies(counts.flaps % 2 == 0 ? "blackhole" : "refuse")
                flapEnds = tick + 8
                counts.flaps += 1
            }
            if tick == flapEnds {
                try stage.setProxies("pass")
                flapEnds = nil
            }
            if tick % 90 == 75 {
                try stage.control(["op": "fault", "modem": 0, "fault": "reboot"])
                counts.reboots += 1
            }
            if tick % sampleSeconds == 0, let sample = sample(pid: pid, at: TortureScenario.seconds(ContinuousClock.now - started)) {
                samples.append(sample)
            }
            tick += 1
            let next = started + .seconds(tick)
            let wait = next - ContinuousClock.now
            if wait > .zero { usleep(UInt32(TortureScenario.milliseconds(wait)) * 1_000) }
        }
        try stage.setProxies("pass")
        if let last = sample(pid: pid, at: TortureScenario.seconds(ContinuousClock.now - started)) { samples.append(last) }
        n.say(
            "告警 \(counts.alerts) 条，上行短信 \(counts.inbound) 条，上行链路中断 \(counts.flaps) 次，模块重启 \(counts.reboots) 次",
            "alerts \(counts.alerts), inbound SMS \(counts.inbound), uplink flaps \(counts.flaps), modem reboots \(counts.reboots)")

        n.step(2, "内存和文件描述符", "memory and file descriptors")
        report(samples, to: n)
    }

    /// Reads VmRSS and the descriptor count of `pid`; nil when the process is gone.
    static func sample(pid: Int32, at seconds: Double) -> Sample? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? ""),
            let descriptors = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")
        else { return nil }
        return Sample(seconds: seconds, rssKiB: kib, descriptors: descriptors.count)
    }

    /// Prints start, end, maximum and slope, and checks the growth after the warm-up: the
    /// first tenth of the run, at least one minute, when caches and queues fill.
    static func report(_ samples: [Sample], to n: Narrator) {
        guard samples.count >= 4, let first = samples.first, let last = samples.last else {
            n.expect(false, "样本太少（\(samples.count)）", "too few samples (\(samples.count))")
            return
        }
        let warmUp = max(60, last.seconds / 10)
        let steady = samples.filter { $0.seconds >= warmUp }
        let window = max(1, steady.count / 10)
        let baseline = steady.isEmpty ? [first] : Array(steady.prefix(window))
        let ending = steady.isEmpty ? [last] : Array(steady.suffix(window))
        func mean(_ values: [Int]) -> Double { Double(values.reduce(0, +)) / Double(max(1, values.count)) }
        let rssGrowth = mean(ending.map(\.rssKiB)) - mean(baseline.map(\.rssKiB))
        let fdGrowth = mean(ending.map(\.descriptors)) - mean(baseline.map(\.descriptors))
        let rssSlope = slope(steady.map { ($0.seconds / 60, Double($0.rssKiB)) })
        let fdSlope = slope(steady.map { ($0.seconds / 60, Double($0.descriptors)) })

        n.say(
            "样本 \(samples.count) 个，每 \(sampleSeconds) 秒一次，预热 \(Int(warmUp)) 秒",
            "\(samples.count) samples, one every \(sampleSeconds) s, warm-up \(Int(warmUp)) s")
        n.say(
            String(
                format: "VmRSS：开始 %d KiB，结束 %d KiB，最大 %d KiB，预热后增长 %.0f KiB，斜率 %.1f KiB/分钟", first.rssKiB, last.rssKiB,
                samples.map(\.rssKiB).max() ?? 0, rssGrowth, rssSlope),
            String(
                format: "VmRSS: start %d KiB, end %d KiB, max %d KiB, growth after warm-up %.0f KiB, slope %.1f KiB/min", first.rssKiB, last.rssKiB,
                samples.map(\.rssKiB).max() ?? 0, rssGrowth, rssSlope))
        n.say(
            String(
                format: "文件描述符：开始 %d，结束 %d，最大 %d，预热后增长 %.1f，斜率 %.3f 个/分钟", first.descriptors, last.descriptors,
                samples.map(\.descriptors).max() ?? 0, fdGrowth, fdSlope),
            String(
                format: "descriptors: start %d, end %d, max %d, growth after warm-up %.1f, slope %.3f/min", first.descriptors, last.descriptors,
                samples.map(\.descriptors).max() ?? 0, fdGrowth, fdSlope))
        // One value a minute shows whether growth levels off or keeps on.
        let perMinute = stride(from: 0, to: samples.count, by: max(1, 60 / sampleSeconds)).map { samples[$0] }
        n.say(
            "每分钟 VmRSS（KiB）：" + perMinute.map { String($0.rssKiB) }.joined(separator: " "),
            "VmRSS each minute (KiB): " + perMinute.map { String($0.rssKiB) }.joined(separator: " "))
        // Caches (SQLite's page cache above all) fill early, so memory that levels off grows
        // much less over the last third than over the first, and a leak about as much.
        let third = last.seconds / 3
        let earlyGrowth = level(samples, at: third) - level(samples, at: 0)
        let lateGrowth = level(samples, at: last.seconds) - level(samples, at: 2 * third)
        let lateBound = max(Double(lateGrowthAllowanceKiB), earlyGrowth / 2)
        n.say(
            String(format: "VmRSS 增长：前三分之一 %.0f KiB，后三分之一 %.0f KiB", earlyGrowth, lateGrowth),
            String(format: "VmRSS growth: first third %.0f KiB, last third %.0f KiB", earlyGrowth, lateGrowth))
        n.expect(
            rssGrowth <= Double(rssGrowthBoundKiB), "VmRSS 增长不超过 \(rssGrowthBoundKiB) KiB", "VmRSS grew by at most \(rssGrowthBoundKiB) KiB")
        n.expect(
            lateGrowth <= lateBound, String(format: "VmRSS 趋于平稳：后三分之一增长不超过 %.0f KiB", lateBound),
            String(format: "VmRSS levels off: it grew by at most %.0f KiB over the last third", lateBound))
        n.expect(
            fdGrowth <= Double(descriptorGrowthBound), "文件描述符增长不超过 \(descriptorGrowthBound) 个", "open descriptors grew by at most \(descriptorGrowthBound)")
    }

    /// Returns the mean VmRSS of the samples within 30 s of `seconds`, or of the nearest sample.
    static func level(_ samples: [Sample], at seconds: Double) -> Double {
        var chosen = samples.filter { abs($0.seconds - seconds) <= 30 }
        if chosen.isEmpty, let nearest = samples.min(by: { abs($0.seconds - seconds) < abs($1.seconds - seconds) }) {
            chosen = [nearest]
        }
        return Double(chosen.map(\.rssKiB).reduce(0, +)) / Double(max(1, chosen.count))
    }

    /// Returns the least-squares slope of y over x.
    static func slope(_ points: [(Double, Double)]) -> Double {
        guard points.count >= 2 else { return 0 }
        let count = Double(points.count)
        let meanX = points.map(\.0).reduce(0, +) / count
        let meanY = points.map(\.1).reduce(0, +) / count
        let covariance = points.reduce(0) { $0 + ($1.0 - meanX) * ($1.1 - meanY) }
        let variance = points.reduce(0) { $0 + ($1.0 - meanX) * ($1.0 - meanX) }
        return variance == 0 ? 0 : covariance / variance
    }
}
