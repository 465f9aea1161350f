import Alerting
import Core
import Storage

/// The counts of a resume from the database: what a crash left and what was queued again.
public struct RecoveryReport: Sendable, Equatable {
    /// Deliveries a crash left in `sending`.
    public var interrupted = 0
    /// Of those, life-safety deliveries queued again, because a duplicate beats a missed alarm.
    public var resent = 0
    /// Deliveries queued again from the database.
    public var queued = 0
    /// Alerts that expired while the box was down.
    public var expiredAlerts = 0
}

extension AlertScheduler {
    /// Resumes from the database after a start or a crash, by the durability rules.
    ///
    /// Rows a crash left in `sending` become `unknown`, and P0 ones are queued again. Alerts
    /// that expired meanwhile close. Every pending delivery is queued, and each SIM's budget
    /// is rebuilt from the parts it sent in the last day.
    public func resume() async throws -> RecoveryReport {
        let time = now
        let lifeSafetyAttempts = settings.retry.attempts[0]
        let escalationTimeout = settings.escalationTimeout
        let (report, pending, expiries, parts) = try await database.transaction("resume") {
            connection -> (RecoveryReport, [DeliveryRecord], [(Int64, Int64)], [(sim: String, at: Int64)]) in
            var report = RecoveryReport()
            let interrupted = try DeliveryStore.markInterruptedUnknown(at: time.wallMillis, in: connection)
            report.interrupted = interrupted.count
            for delivery in interrupted {
                let alert = try SchedulerStore.alert(id: delivery.alertID, in: connection)
                let active = alert?.state == "active"
                // A P0 row is resent while its alert is active and attempts remain, because a
                // duplicate beats a missed alarm. A send that keeps crashing the box stops at the limit.
                let resend = delivery.priority == 0 && active && delivery.attempt < lifeSafetyAttempts
                var action = "delivery.unknown"
                if resend {
                    try DeliveryStore.markOutcome(
                        delivery.id, state: "pending", cause: "resent: the outcome of attempt \(delivery.attempt) is unknown after a restart",
                        at: time.wallMillis, in: connection)
                    report.resent += 1
                    action = "delivery.resendAfterRestart"
                } else if let alert, !active, alert.state != "done" {
                    try DeliveryStore.markOutcome(
                        delivery.id, state: alert.closedDeliveryState,
                        cause: "alert \(alert.state) while attempt \(delivery.attempt) was interrupted", at: time.wallMillis, in: connection)
                    action = "delivery.closedAfterRestart"
                } else if delivery.channel == "sms", let contactID = delivery.contactID {
                    // The SMS may never have left, so a sequenced group moves on after the timeout.
                    try EscalationStore.arm(
                        alertID: delivery.alertID, contactID: contactID, dueAt: time.wallMillis + escalationTimeout.milliseconds, in: connection)
                }
                try AuditLog.append(
                    actor: "scheduler", action: action, channel: delivery.channel == "sms" ? "sms" : "im", subject: "delivery:\(delivery.id)",
                    detail: "attempt \(delivery.attempt) interrupted by a restart", at: time.wallMillis, in: connection)
            }

            let expired = try connection.query(
                "SELECT id FROM alerts WHERE state = 'active' AND expires_at IS NOT NULL AND expires_at <= ?", [.integer(time.wallMillis)],
                operation: "alerts.expired"
            ).compactMap { $0["id"].int64 }
            for alertID in expired {
                try SchedulerStore.expire(alertID, cause: "alert expired while the box was down", at: time.wallMillis, in: connection)
            }
            report.expiredAlerts = expired.count

            let pending = try DeliveryStore.pending(in: connection)
            report.queued = pending.count
            let expiries = try connection.query(
                "SELECT id, expires_at FROM alerts WHERE state = 'active' AND expires_at IS NOT NULL", operation: "alerts.expiries"
            ).compactMap { row in row["id"].int64.flatMap { id in row["expires_at"].int64.map { (id, $0) } } }
            let parts = try connection.query(
                "SELECT sim, submitted_at FROM sms_parts WHERE submitted_at > ? ORDER BY submitted_at", [.integer(time.wallMillis - 86_400_000)],
                operation: "smsParts.lastDay"
            ).map { (sim: $0["sim"].string ?? "", at: $0["submitted_at"].int64 ?? 0) }
            return (report, pending, expiries, parts)
        }

        for (alertID, expiresAt) in expiries {
            core.setExpiry(expiresAt, alertID: alertID)
        }
        // Parts sent before the restart count against the budget at their age.
        for part in parts {
            let age = Duration.milliseconds(max(time.wallMillis - part.at, 0))
            core.recordSMS(parts: 1, sim: part.sim, at: SchedulerTime(wallMillis: part.at, monotonic: time.monotonic.advanced(by: .zero - age)))
        }
        await enqueue(pending, at: time)
        await planMissingFallbacks()
        logger.notice(
            "scheduler resumed",
            [
                "deliveries.interrupted": .plain(String(report.interrupted)), "deliveries.resent": .plain(String(report.resent)),
                "deliveries.queued": .plain(String(report.queued)), "alerts.expired": .plain(String(report.expiredAlerts)),
            ])
        return report
    }

    /// Plans the SMS fallbacks a crash may have lost: an IM delivery of an active P1 alert
    /// that failed or ended unknown has its SMS, unless the fallback was already written.
    private func planMissingFallbacks() async {
        await planFallbacks(priorities: [1], states: ["failed", "unknown"], reason: "IM delivery failed before a restart")
    }
}
