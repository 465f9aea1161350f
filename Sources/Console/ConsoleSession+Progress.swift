import Core
import Scheduler

extension ConsoleSession {
    /// Shows an alert's progress on one line, rewritten as the scheduler reports outcomes,
    /// until every delivery has finished or the user presses a key.
    func startProgress(_ alertID: Int64) {
        guard let scheduler = runner.context.scheduler else {
            perform(machine.commandPrompt())
            return
        }
        mode = .progress
        let status = runner.context.status
        let clock = self.clock
        progressTask = Task {
            let events = await scheduler.events()
            let limits = await status().smsLimits
            var estimator = ProgressEstimator(perMinuteLimit: limits.perMinute, startedAt: clock.now)
            var progress = (try? await scheduler.progress(of: alertID)) ?? AlertProgress()
            estimator.observe(smsSent: progress.smsSent + progress.smsFailed, at: clock.now)
            showProgress(alertID, progress, estimator)
            if progress.isFinished || progress.state != "active" {
                endProgress(alertID, progress)
                return
            }
            for await event in events {
                switch event {
                case .outcome(let id, _, _) where id == alertID, .acknowledged(let id) where id == alertID:
                    break
                case .closed(let ids, _) where ids.contains(alertID):
                    break
                default:
                    continue
                }
                guard !Task.isCancelled else { return }
                progress = (try? await scheduler.progress(of: alertID)) ?? progress
                estimator.observe(smsSent: progress.smsSent + progress.smsFailed, at: clock.now)
                showProgress(alertID, progress, estimator)
                if progress.isFinished || progress.state != "active" {
                    endProgress(alertID, progress)
                    return
                }
            }
        }
    }

    private func showProgress(_ alertID: Int64, _ progress: AlertProgress, _ estimator: ProgressEstimator) {
        guard case .progress = mode else { return }
        write("\r\u{1B}[K" + ProgressEstimator.line(alertID: alertID, progress, estimator.remaining(smsOpen: progress.smsOpen), language: language))
    }

    private func endProgress(_ alertID: Int64, _ progress: AlertProgress) {
        guard case .progress = mode else { return }
        mode = .normal
        progressTask = nil
        write("\r\n")
        writeLines([
            LocalizedText(
                zh: "警报 #\(alertID) 投递结束：成功 \(progress.smsSent + progress.imSent)，失败 \(progress.smsFailed + progress.imFailed)。",
                en: "Alert #\(alertID) finished: \(progress.smsSent + progress.imSent) sent, \(progress.smsFailed + progress.imFailed) failed.")(language)
        ])
        perform(machine.commandPrompt())
    }

    /// Ends the progress line at a key press; the alert goes on.
    func stopProgress(redraw: Bool = true) {
        guard case .progress = mode else { return }
        progressTask?.cancel()
        progressTask = nil
        mode = .normal
        guard redraw else { return }
        write("\r\n")
        writeLines([LocalizedText(zh: "已返回提示符，警报继续发送；用 show deliveries 查看进度。", en: "Back at the prompt; the alert goes on. Use show deliveries to follow it.")(language)])
        perform(machine.commandPrompt())
    }
}

/// The time left for an alert's SMS, from the budget's per-minute limit and the rate the
/// modem has shown since the progress line started.
struct ProgressEstimator: Sendable {
    let perMinuteLimit: Int
    let startedAt: MonotonicInstant
    private var firstCount: Int?
    private var lastCount = 0
    private var lastAt: MonotonicInstant

    init(perMinuteLimit: Int, startedAt: MonotonicInstant) {
        self.perMinuteLimit = perMinuteLimit
        self.startedAt = startedAt
        lastAt = startedAt
    }

    mutating func observe(smsSent: Int, at now: MonotonicInstant) {
        if firstCount == nil { firstCount = smsSent }
        lastCount = smsSent
        lastAt = now
    }

    /// SMS per minute measured so far, nil until two sends were seen.
    var measuredPerMinute: Double? {
        guard let firstCount, lastCount - firstCount >= 2 else { return nil }
        let seconds = Double(startedAt.duration(to: lastAt).components.seconds) + Double(startedAt.duration(to: lastAt).components.attoseconds) / 1e18
        guard seconds > 0 else { return nil }
        return Double(lastCount - firstCount) / seconds * 60
    }

    /// Returns the estimated time until `smsOpen` more SMS are sent, nil when nothing is left.
    func remaining(smsOpen: Int) -> Duration? {
        guard smsOpen > 0 else { return nil }
        let rate = min(Double(perMinuteLimit), measuredPerMinute ?? Double(perMinuteLimit))
        guard rate > 0 else { return nil }
        return .seconds(Int((Double(smsOpen) / rate * 60).rounded(.up)))
    }

    static func line(alertID: Int64, _ progress: AlertProgress, _ remaining: Duration?, language: Language) -> String {
        let done = progress.smsSent + progress.imSent + progress.smsFailed + progress.imFailed
        let smsTotal = progress.smsSent + progress.smsFailed + progress.smsOpen
        let imTotal = progress.imSent + progress.imFailed + progress.imOpen
        let eta = remaining.map { duration -> String in
            let seconds = Int(duration.components.seconds)
            let secondsPart = seconds % 60 < 10 ? "0\(seconds % 60)" : "\(seconds % 60)"
            let text = "\(seconds / 60):\(secondsPart)"
            return LocalizedText(zh: "，预计还需 \(text)", en: ", about \(text) left")(language)
        } ?? ""
        return LocalizedText(
            zh: "#\(alertID) 已发 \(done)/\(progress.total)（短信 \(progress.smsSent + progress.smsFailed)/\(smsTotal)，即时通讯 \(progress.imSent + progress.imFailed)/\(imTotal)），失败 \(progress.smsFailed + progress.imFailed)，确认 \(progress.acknowledgements)\(eta)  [任意键返回]",
            en: "#\(alertID) sent \(done)/\(progress.total) (SMS \(progress.smsSent + progress.smsFailed)/\(smsTotal), IM \(progress.imSent + progress.imFailed)/\(imTotal)), failed \(progress.smsFailed + progress.imFailed), acknowledged \(progress.acknowledgements)\(eta)  [any key returns]"
        )(language)
    }
}
