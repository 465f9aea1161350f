public import Alerting
public import Core
public import SMS
import Storage

extension AlertScheduler {
    /// Queues one SMS to one number outside any audience, such as the box's reply to an SMS
    /// command, and returns the id of the alert row that carries it.
    ///
    /// The message is stored as a CAP `System` alert of type `Ack` with a single delivery, so
    /// it goes through the SMS worker like every other send. It is durable, counts against
    /// the SIM's budget, and waits behind every delivery of a higher priority. A `System`
    /// alert never takes an acknowledgement, so a reply such as `1` still acknowledges the
    /// last real alert sent to that number.
    /// - Parameters:
    ///   - priority: the queue priority; anything but P0 leaves the SIM's P0 reserve alone.
    ///   - expiresAfter: the time after which the message is dropped unsent.
    ///   - actor: who the audit row names, such as `sms-command`.
    /// - Throws: `SchedulerError` for an empty text or one longer than an SMS can be; storage
    ///   errors pass through.
    @discardableResult
    public func sendDirectSMS(
        _ text: String, to number: PhoneNumber, language: Language, priority: AlertPriority, expiresAfter: Duration, actor: String
    ) async throws -> Int64 {
        let time = now
        // The identifier must be unique among alerts; two replies in one millisecond differ by the random part.
        let alert = Alert(
            identifier: "direct-\(time.wallMillis)-\(String(UInt32.random(in: .min ... .max), radix: 16))", sender: "alertbox", sentAt: time.wallMillis, status: .system,
            messageType: .ack, priority: priority, expiresAt: time.wallMillis + expiresAfter.milliseconds, source: .smsCommand,
            audience: [], texts: [AlertText(language: language, smsText: text, imText: text)])
        try Self.validate(alert)

        let (alertID, written) = try await database.transaction("queue direct SMS") { connection -> (Int64, [DeliveryRecord]) in
            let id = try SchedulerStore.insertAlert(alert, state: "active", at: time.wallMillis, in: connection)
            let written = try DeliveryStore.insertReturning(
                [NewDelivery(channel: "sms", recipient: number.e164, language: language.rawValue)], alertID: id,
                priority: priority.rawValue, at: time.wallMillis, in: connection)
            try AuditLog.append(
                actor: actor, action: "message.queued", channel: "sms", subject: "alert:\(id)",
                detail: "direct SMS at \(priority) to \(number.masked)", at: time.wallMillis, in: connection)
            return (id, written)
        }
        core.setExpiry(alert.expiresAt, alertID: alertID)
        cacheAlert(alertID, CachedAlert(identifier: alert.identifier, priority: priority.rawValue, texts: alert.texts))
        await enqueue(written, at: time)
        logger.info("direct SMS queued", ["alert.id": .plain(String(alertID)), "sms.to": .phone(number.e164), "sms.text": .body(text)])
        return alertID
    }
}
