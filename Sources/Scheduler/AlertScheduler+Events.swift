import Alerting
import Core
import Storage

extension AlertScheduler {
    /// Returns a stream of the scheduler's events from now on. The stream keeps the newest 256
    /// events for a slow reader and ends when the caller stops iterating.
    public func events() -> AsyncStream<SchedulerEvent> {
        let (stream, continuation) = AsyncStream.makeStream(of: SchedulerEvent.self, bufferingPolicy: .bufferingNewest(256))
        let id = nextObserverID
        nextObserverID += 1
        observers[id] = continuation
        continuation.onTermination = { [weak self] _ in
            Task { await self?.removeObserver(id) }
        }
        return stream
    }

    func publish(_ event: SchedulerEvent) {
        for continuation in observers.values { continuation.yield(event) }
    }

    private func removeObserver(_ id: Int) {
        observers[id] = nil
    }

    /// Counts an alert's deliveries by channel and state, and its acknowledgements.
    public func progress(of alertID: Int64) async throws -> AlertProgress {
        try await database.read { connection in
            var progress = AlertProgress()
            progress.state = try connection.query("SELECT state FROM alerts WHERE id = ?", [.integer(alertID)], operation: "alerts.state").first?["state"].string ?? ""
            let rows = try connection.query(
                "SELECT channel, state, count(*) AS n FROM deliveries WHERE alert_id = ? GROUP BY channel, state", [.integer(alertID)],
                operation: "deliveries.progress")
            for row in rows {
                let count = row["n"].int ?? 0
                let sms = row["channel"].string == "sms"
                switch row["state"].string ?? "" {
                case "sent", "delivered":
                    if sms { progress.smsSent += count } else { progress.imSent += count }
                case "pending", "sending":
                    if sms { progress.smsOpen += count } else { progress.imOpen += count }
                case "failed", "unknown":
                    if sms { progress.smsFailed += count } else { progress.imFailed += count }
                default:
                    break  // cancelled and superseded deliveries were withdrawn, not attempted
                }
            }
            progress.acknowledgements =
                try connection.query("SELECT count(*) AS n FROM acknowledgements WHERE alert_id = ?", [.integer(alertID)], operation: "acknowledgements.count")
                .first?["n"].int ?? 0
            return progress
        }
    }
}
