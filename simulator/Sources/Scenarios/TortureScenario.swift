import Foundation
import Glibc
import ModemSimulator

/// The options of `alertbox-sim scenario torture`.
struct TortureOptions {
    var kills = 200
    var recipients = 1_000
    /// The seed of the kill points; a random one, printed, when not given.
    var seed: UInt64?
    /// The SMSC's time per part; by default sized so that the kills end about when the run does.
    var latencyMs: Int?
    /// The latest kill point after each start, in milliseconds.
    var maxLifeMs = 4_000

    /// The SMSC latency the run uses: about two seconds of sending per life of the box, the
    /// mean life with the default latest kill point of 4 s.
    var effectiveLatencyMs: Int {
        latencyMs ?? min(2_000, max(20, kills * 2_000 / max(1, recipients)))
    }
}

/// Crash torture: a 1,000-recipient run of P0 to P3 alerts over SMS and IM, during which the
/// box is killed with SIGKILL at seeded random points and started again each time. At the end
/// every recipient is accounted for from the simulator's records and the box's database.
enum TortureScenario {
    /// One alert of the run: its priority, its audience group and the marker its text carries.
    struct Plan {
        var priority: Int
        var group: String
        var marker: String
    }

    /// Returns the simulator's and the box's settings for a torture run.
    static func setup(_ options: TortureOptions) -> ScenarioStage.Setup {
        var setup = ScenarioStage.Setup()
        setup.torture = options
        setup.latencyMs = options.effectiveLatencyMs
        // A tenth responders (P0), three tenths floor wardens (P1), the rest staff (P2).
        setup.people = ScenarioPeople(
            responders: max(1, options.recipients / 10), wardens: max(1, options.recipients * 3 / 10), everyone: options.recipients)
        setup.budget = BoxFiles.SMSBudget(perMinute: 600, perHour: 36_000, perDay: 50_000)
        // The robots refuse connections until the alerts are planned, so the box plans P1 and
        // P2 with the uplink down and sends them by SMS.
        setup.robotProxyMode = "refuse"
        return setup
    }

    static func run(_ stage: ScenarioStage) throws {
        let n = stage.narrator
        let options = stage.setup.torture
        let people = stage.setup.people
        let seed = options.seed ?? UInt64.random(in: 1...UInt64(UInt32.max))
        var random = SeededRandom(seed: seed)
        let tag = String(seed, radix: 36)
        let plans = [
            Plan(priority: 0, group: ScenarioPeople.responderGroup, marker: "压测P0-\(tag)"),
            Plan(priority: 1, group: ScenarioPeople.wardenGroup, marker: "压测P1-\(tag)"),
            Plan(priority: 2, group: ScenarioPeople.staffGroup, marker: "压测P2-\(tag)"),
            Plan(priority: 3, group: ScenarioPeople.everyoneGroup, marker: "压测P3-\(tag)"),
        ]
        n.say(
            "种子 \(seed)，杀 \(options.kills) 次，\(options.recipients) 人，短信中心每条 \(stage.setup.latencyMs) 毫秒",
            "seed \(seed), \(options.kills) kills, \(options.recipients) recipients, SMSC \(stage.setup.latencyMs) ms a part")

        n.step(1, "发布 P1 到 P3 三条告警", "publishing three alerts, P1 to P3")
        for plan in plans.dropFirst() {
            try publish(stage, plan, tag: tag)
        }
        let planned = stage.waitFor(.seconds(60)) {
            stage.database?.count("SELECT COUNT(*) AS n FROM alerts WHERE identifier LIKE 'torture-\(tag)-%'") == plans.count - 1
        }
        n.expect(planned, "三条告警都已计划", "the three alerts are planned")
        guard planned else { return }
        try stage.setRobotProxies("pass")
        n.say("机器人的连接恢复", "the robots accept connections again")
        // The P0 arrives while the box is being killed, a quarter into the kills, so that its
        // sends and its planning meet the kills too.
        let fireKill = max(1, options.kills / 4)

        n.step(2, "随机时刻 SIGKILL 报警箱并重启，共 \(options.kills) 次", "SIGKILL the box at random points and restart it, \(options.kills) times")
        let started = ContinuousClock.now
        var lives: [TortureLife] = []
        var log = LogTail(path: stage.boxLog)
        log.skipToEnd()
        for kill in 1...options.kills {
            let life = TortureLife(number: kill, lifetimeMs: 100 + Int(random.unit() * Double(max(0, options.maxLifeMs - 100))))
            lives.append(watch(stage, life: life, log: &log, killAtEnd: true))
            if kill % 20 == 0 || kill == options.kills {
                n.say("已杀 \(kill) 次", "\(kill) kills done")
            }
            try stage.launchBox()
            if kill == fireKill {
                try publish(stage, plans[0], tag: tag)
                n.say("P0 告警在第 \(kill) 次重启后发布", "the P0 alert is published after restart \(kill)")
            }
        }
        let killPhase = ContinuousClock.now - started

        n.step(3, "最后一次启动后让报警箱发完", "after the last start the box finishes the run")
        let recovery = watch(stage, life: TortureLife(number: options.kills + 1, lifetimeMs: 60_000), log: &log, killAtEnd: false)
        lives.append(recovery)
        let ids = plans.map { "'torture-\(tag)-p\($0.priority)'" }.joined(separator: ",")
        let unfinished = "SELECT COUNT(*) AS n FROM deliveries d JOIN alerts a ON a.id = d.alert_id WHERE a.identifier IN (\(ids)) AND d.state IN ('pending', 'sending')"
        let remaining = stage.database?.count(unfinished) ?? 0
        let drainBound = Duration.milliseconds(remaining * stage.setup.latencyMs * 3) + .seconds(120)
        let drained = stage.waitFor(drainBound) { stage.database?.count(unfinished) == 0 }
        n.expect(drained, "所有投递都有了结果（剩 \(stage.database?.count(unfinished) ?? -1) 条未完成）", "every delivery has an outcome (\(stage.database?.count(unfinished) ?? -1) unfinished)")
        // The last SMS reaches its handset a moment after the box records it as sent.
        usleep(UInt32(min(5_000, stage.setup.latencyMs * 4 + 1_000)) * 1_000)
        let total = ContinuousClock.now - started

        n.step(4, "清点每位收件人", "accounting for every recipient")
        let ledger = TortureLedger.collect(stage, plans: plans, tag: tag, people: people)
        ledger.report(to: n)
        let readiness = lives.compactMap(\.readyMs)
        let firstSends = lives.compactMap(\.firstSendMs)
        n.say(
            "杀进程 \(options.kills) 次，其中发送中被杀 \(lives.filter(\.sendingAtKill).count) 次",
            "kills \(options.kills), of which \(lives.filter(\.sendingAtKill).count) while sending")
        n.say("重启到 box ready：\(percentiles(readiness))", "restart to box ready: \(percentiles(readiness))")
        n.say("重启到第一条新发送：\(percentiles(firstSends))", "restart to the first new send: \(percentiles(firstSends))")
        n.say(
            String(format: "杀进程阶段 %.0f 秒，总用时 %.0f 秒", seconds(killPhase), seconds(total)),
            String(format: "kill phase %.0f s, total %.0f s", seconds(killPhase), seconds(total)))
        let exits = lives.filter { $0.exitStatus != nil }
        n.expect(
            exits.isEmpty, "报警箱自行退出 \(exits.count) 次\(exitList(exits))", "the box exited by itself \(exits.count) times\(exitList(exits))")
        n.expect(ledger.lost.isEmpty, "丢失 \(ledger.lost.count) 条", "lost: \(ledger.lost.count)")
        n.expect(ledger.unrecordedDuplicates.isEmpty, "未记录的重复 \(ledger.unrecordedDuplicates.count) 条", "unrecorded duplicates: \(ledger.unrecordedDuplicates.count)")
        n.expect(ledger.phantoms.isEmpty, "数据库中没有记录的发送 \(ledger.phantoms.count) 条", "sends with no delivery in the database: \(ledger.phantoms.count)")
    }

    /// Publishes one alert of the run as a signed JSON alert on the notice publisher's topic.
    static func publish(_ stage: ScenarioStage, _ plan: Plan, tag: String) throws {
        let body = """
            {"identifier":"torture-\(tag)-p\(plan.priority)","sender":"torture","priority":\(plan.priority),"msgType":"Alert",\
            "status":"Actual","audience":["\(plan.group)"],"texts":[{"language":"zh","text":"\(plan.marker)：演练消息，请勿回复"}]}
            """
        try stage.publishInbound(publisher: BoxFiles.noticePublisher, body: body, messageID: "torture-\(tag)-\(plan.priority)")
    }

    /// Watches one life of the box: when it is ready and when it sends again, until its
    /// lifetime ends or, for the last life, until it is ready and has sent again.
    static func watch(_ stage: ScenarioStage, life: TortureLife, log: inout LogTail, killAtEnd: Bool) -> TortureLife {
        var life = life
        let born = ContinuousClock.now
        let sendsAtStart = sendCount(stage)
        var sends = sendsAtStart
        var lastSend: ContinuousClock.Instant?
        let deadline = born + .milliseconds(life.lifetimeMs)
        while ContinuousClock.now < deadline {
            if life.readyMs == nil, log.readLines().contains(where: { $0.contains("box ready") }) {
                life.readyMs = milliseconds(ContinuousClock.now - born)
            }
            let count = sendCount(stage)
            if count > sends {
                sends = count
                lastSend = ContinuousClock.now
                if life.firstSendMs == nil { life.firstSendMs = milliseconds(ContinuousClock.now - born) }
            }
            // The last life is watched until it is ready and sends, or 3 s after ready when nothing was left.
            if !killAtEnd, let ready = life.readyMs, life.firstSendMs != nil || milliseconds(ContinuousClock.now - born) > ready + 3_000 { break }
            if stage.box?.isRunning == false { break }
            usleep(25_000)
        }
        if stage.box?.isRunning == false {
            life.exitStatus = stage.box?.exitStatus
        }
        if killAtEnd {
            stage.killBox()
            // Lines the dead box wrote after the last read, such as its own `box ready`, must
            // not count for the next life.
            _ = log.readLines()
            // A send was in flight when one started within the SMSC's latency before the kill.
            if let lastSend {
                life.sendingAtKill = ContinuousClock.now - lastSend < .milliseconds(stage.setup.latencyMs + 50)
            }
        }
        return life
    }

    /// Counts the AT+CMGS lines the modem read and the requests the fake robots received.
    static func sendCount(_ stage: ScenarioStage) -> Int {
        let sms = (try? stage.control(["op": "sends", "since": Int.max / 2]))?["count"] as? Int ?? 0
        let im = [RobotCredentials.allStaffRobot, RobotCredentials.emergencyRobot].reduce(0) { sum, robot in
            sum + ((try? stage.control(["op": "im_received", "robot": robot, "since": Int.max / 2]))?["count"] as? Int ?? 0)
        }
        return sms + im
    }

    static func exitList(_ lives: [TortureLife]) -> String {
        lives.isEmpty ? "" : ": " + lives.prefix(5).map { "#\($0.number) status \($0.exitStatus ?? 0)" }.joined(separator: ", ")
    }

    static func percentiles(_ values: [Int]) -> String {
        guard !values.isEmpty else { return "n/a" }
        let sorted = values.sorted()
        func at(_ fraction: Double) -> Int { sorted[min(sorted.count - 1, Int((Double(sorted.count) * fraction).rounded(.up)) - 1)] }
        return "p50 \(at(0.5)) ms, p99 \(at(0.99)) ms, max \(sorted.last ?? 0) ms (n=\(sorted.count))"
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1_000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(milliseconds(duration)) / 1_000
    }
}

/// One start of the box in a torture run and what was measured in it.
struct TortureLife {
    var number: Int
    /// The time from the start to the SIGKILL.
    var lifetimeMs: Int
    var readyMs: Int?
    var firstSendMs: Int?
    var sendingAtKill = false
    /// The exit status of a box that ended before its SIGKILL, which no life should.
    var exitStatus: Int32?
}

/// Reads the lines a log file gained since the last read.
struct LogTail {
    let path: String
    private var offset: UInt64 = 0
    private var partial = Data()

    init(path: String) {
        self.path = path
    }

    mutating func skipToEnd() {
        offset = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? UInt64) ?? 0
    }

    mutating func readLines() -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        handle.seek(toFileOffset: offset)
        let chunk = handle.readDataToEndOfFile()
        offset += UInt64(chunk.count)
        partial += chunk
        guard let end = partial.lastIndex(of: 0x0A) else { return [] }
        let text = String(decoding: partial[..<end], as: UTF8.self)
        partial = Data(partial[(end + 1)...])
        return text.split(separator: "\n").map(String.init)
    }
}
