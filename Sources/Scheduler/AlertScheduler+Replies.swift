import Alerting
import Core
public import SMS
import Storage

/// An acknowledgement matched to an alert.
public struct Acknowledgement: Sendable, Equatable {
    public var alertID: Int64
    public var alertIdentifier: String
    public var contactID: Int64?
    /// Escalations the acknowledgement ended.
    public var escalationsEnded: Int
}

extension AlertScheduler {
    /// Stores an inbound SMS, keeps it for upstream, and reads it as an acknowledgement when
    /// it is complete.
    ///
    /// A message delivered as partial and later completed by late parts is one row: the
    /// correction replaces the text under the same reassembly key.
    /// - Parameters:
    ///   - reassemblyKey: identifies a concatenated message across its corrections; nil for a
    ///     single-part message.
    /// - Returns: the acknowledgement the message made, if any.
    @discardableResult
    public func receiveSMS(from sender: String, text: String, reassemblyKey: String?, complete: Bool) async -> Acknowledgement? {
        let time = now
        let e164 = (try? PhoneNumber(parsing: sender))?.e164 ?? sender
        do {
            try await database.transaction("store inbound SMS") { connection in
                let messageID =
                    try connection.query(
                        """
                        INSERT INTO messages (direction, channel, peer, body, reassembly_key, complete, at) VALUES ('in', 'sms', ?, ?, ?, ?, ?)
                        ON CONFLICT (reassembly_key) WHERE reassembly_key IS NOT NULL
                        DO UPDATE SET body = excluded.body, complete = excluded.complete, at = excluded.at
                        RETURNING id
                        """, [.text(e164), .text(text), SQLValue(reassemblyKey), SQLValue(complete), .integer(time.wallMillis)],
                        operation: "messages.inbound"
                    ).first?["id"].int64 ?? 0
                try SyncEvent.inboundSMS(messageID: messageID, from: e164, text: text, complete: complete, at: time.wallMillis, in: connection)
            }
            logger.info("SMS received", ["sms.from": .phone(e164), "sms.complete": .plain(String(complete)), "sms.text": .body(text)])
        } catch {
            logger.error("inbound SMS not stored", ["sms.from": .phone(e164), "error": .plain(String(describing: error))])
        }
        guard complete else { return nil }
        return await handleReply(from: e164, text: text)
    }

    /// Reads an SMS reply: a configured keyword acknowledges the latest alert sent to that
    /// number within the acknowledgement window (a `System` message such as a command reply
    /// never counts), ends its escalations in the sender's groups
    /// and stops what is still queued to that person for it.
    /// - Returns: the acknowledgement, or nil when the text is no keyword or no alert went to the number.
    public func handleReply(from sender: String, text: String) async -> Acknowledgement? {
        guard Self.isAcknowledgement(text, keywords: settings.acknowledgementKeywords) else { return nil }
        guard let number = try? PhoneNumber(parsing: sender) else {
            logger.info("acknowledgement from an unreadable number ignored", ["sms.from": .phone(sender)])
            return nil
        }
        let time = now
        let since = time.wallMillis - settings.acknowledgementWindow.milliseconds
        let keyword = text.trimmingWhitespace()
        do {
            let matched = try await database.transaction("record acknowledgement") { connection -> Acknowledgement? in
                guard
                    let row = try connection.query(
                        """
                        SELECT d.alert_id, d.contact_id, a.identifier FROM deliveries d JOIN alerts a ON a.id = d.alert_id
                        WHERE d.recipient_e164 = ? AND d.sent_at > ? AND a.status <> 'System' ORDER BY d.sent_at DESC, d.id DESC LIMIT 1
                        """, [.text(number.e164), .integer(since)], operation: "acknowledgements.match"
                    ).first, let alertID = row["alert_id"].int64
                else { return nil }
                let contactID = row["contact_id"].int64
                try connection.query(
                    "INSERT INTO acknowledgements (alert_id, contact_id, from_e164, channel, keyword, at) VALUES (?, ?, ?, 'sms', ?, ?)",
                    [.integer(alertID), SQLValue(contactID), .text(number.e164), .text(keyword), .integer(time.wallMillis)],
                    operation: "acknowledgements.insert")
                try SyncEvent.acknowledgement(
                    id: connection.lastInsertRowID, alertID: alertID, contactID: contactID, keyword: keyword, at: time.wallMillis, in: connection)
                var ended = 0
                if let contactID {
                    ended = try EscalationStore.acknowledge(alertID: alertID, contactID: contactID, in: connection)
                    try connection.query(
                        """
                        UPDATE deliveries SET state = 'cancelled', cause = 'acknowledged', updated_at = ?
                        WHERE alert_id = ? AND contact_id = ? AND state = 'pending'
                        """, [.integer(time.wallMillis), .integer(alertID), .integer(contactID)], operation: "deliveries.acknowledged")
                }
                try AuditLog.append(
                    actor: "sms:reply", action: "alert.acknowledged", channel: "sms", subject: "alert:\(alertID)",
                    detail: "contact \(contactID.map(String.init) ?? "unknown"); \(ended) escalations ended", at: time.wallMillis, in: connection)
                return Acknowledgement(
                    alertID: alertID, alertIdentifier: row["identifier"].string ?? "", contactID: contactID, escalationsEnded: ended)
            }
            guard let matched else {
                logger.info("reply matches no recent alert", ["sms.from": .phone(number.e164)])
                return nil
            }
            publish(.acknowledged(alertID: matched.alertID))
            if let contactID = matched.contactID {
                _ = core.remove(alertID: matched.alertID) { $0.contactID == contactID && $0.lane == .sms }
            }
            logger.notice(
                "alert acknowledged",
                [
                    "alert.id": .plain(String(matched.alertID)), "sms.from": .phone(number.e164),
                    "escalations.ended": .plain(String(matched.escalationsEnded)),
                ])
            return matched
        } catch {
            logger.error("acknowledgement not recorded", ["sms.from": .phone(number.e164), "error": .plain(String(describing: error))])
            return nil
        }
    }

    /// Returns whether a reply is one of the keywords: trimmed, case-insensitive, full-width
    /// letters and digits read as ASCII, trailing punctuation and symbols (such as `。`, `…`,
    /// `；`, `~` or an emoji) ignored.
    static func isAcknowledgement(_ text: String, keywords: [String]) -> Bool {
        let normalized = normalizedReply(text)
        return !normalized.isEmpty && keywords.contains { normalizedReply($0) == normalized }
    }

    static func normalizedReply(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            // Full-width forms U+FF01...U+FF5E map to ASCII 0x21...0x7E.
            if (0xFF01...0xFF5E).contains(scalar.value), let ascii = Unicode.Scalar(scalar.value - 0xFEE0) {
                scalars.append(ascii)
            } else {
                scalars.append(scalar)
            }
        }
        var result = String(scalars).trimmingWhitespace().lowercased()
        while let last = result.last, last.isPunctuation || last.isSymbol || last.isWhitespace {
            result.removeLast()
        }
        return result
    }

    /// Records a status report against the part it reports on. The delivery becomes
    /// `delivered` when every part of its attempt is, or `failed` when a final report is a failure.
    /// 3GPP TS 23.040 §9.2.3.15 for the status values.
    public func handleStatusReport(sim: String, reference: Int, recipient: String, status: DeliveryStatus) async {
        await handleStatusReport(sim: sim, reference: reference, recipient: recipient, status: status, firstSeen: nil)
    }

    /// `firstSeen` is when a parked report first arrived, so that it ages from then.
    func handleStatusReport(sim: String, reference: Int, recipient: String, status: DeliveryStatus, firstSeen: SchedulerTime?) async {
        let time = now
        let e164 = (try? PhoneNumber(parsing: recipient))?.e164 ?? recipient
        let since = time.wallMillis - settings.statusReportWindow.milliseconds
        do {
            let result = try await database.transaction("record status report") { connection -> (Int64, String)? in
                guard
                    let part = try connection.query(
                        """
                        SELECT p.delivery_id, p.attempt FROM sms_parts p JOIN deliveries d ON d.id = p.delivery_id
                        WHERE p.sim = ? AND p.message_reference = ? AND p.submitted_at > ? AND d.recipient_e164 = ?
                        ORDER BY p.submitted_at DESC LIMIT 1
                        """, [.text(sim), .integer(Int64(reference)), .integer(since), .text(e164)], operation: "smsParts.matchReport"
                    ).first, let deliveryID = part["delivery_id"].int64, let attempt = part["attempt"].int
                else { return nil }
                try connection.query(
                    """
                    UPDATE sms_parts SET report_status = ?, report_at = ?
                    WHERE delivery_id = ? AND attempt = ? AND sim = ? AND message_reference = ?
                    """,
                    [.integer(Int64(status.rawValue)), .integer(time.wallMillis), .integer(deliveryID), .integer(Int64(attempt)), .text(sim), .integer(Int64(reference))],
                    operation: "smsParts.report")
                guard status.category.isFinal else { return (deliveryID, "sent") }

                let parts = try connection.query(
                    "SELECT report_status FROM sms_parts WHERE delivery_id = ? AND attempt = ?", [.integer(deliveryID), .integer(Int64(attempt))],
                    operation: "smsParts.ofAttempt")
                let statuses = parts.map { $0["report_status"].int.map { DeliveryStatus(rawValue: UInt8(clamping: $0)) } }
                var state = "sent"
                if status.category != .delivered {
                    state = "failed"
                    try DeliveryStore.markOutcome(
                        deliveryID, state: state, cause: "status report: \(status.description)", at: time.wallMillis, in: connection)
                } else if statuses.allSatisfy({ $0?.category == .delivered }) {
                    state = "delivered"
                    try DeliveryStore.markOutcome(deliveryID, state: state, cause: nil, at: time.wallMillis, in: connection)
                }
                if state != "sent" {
                    try SyncEvent.statusReport(
                        deliveryID: deliveryID, attempt: attempt, state: state, status: Int(status.rawValue), at: time.wallMillis, in: connection)
                    try AuditLog.append(
                        actor: "sms:\(sim)", action: "delivery.\(state)", channel: "sms", subject: "delivery:\(deliveryID)",
                        detail: "status report \(status.rawValue)", at: time.wallMillis, in: connection)
                }
                return (deliveryID, state)
            }
            guard let (deliveryID, state) = result else {
                // A report can overtake the record of its own send: the modem hands it over as
                // soon as the SMSC has delivered, while the outcome transaction may still be on
                // its way. It is kept and matched again after the next SMS outcome is recorded.
                if parkedReports.count >= Self.parkedReportLimit { parkedReports.removeFirst() }
                parkedReports.append(ParkedReport(sim: sim, reference: reference, recipient: recipient, status: status, at: firstSeen ?? time))
                logger.info("status report matches no part yet", ["sms.sim": .plain(sim), "sms.reference": .plain(String(reference)), "sms.to": .phone(e164)])
                return
            }
            logger.info("status report recorded", ["delivery.id": .plain(String(deliveryID)), "delivery.state": .plain(state), "sms.status": .plain(status.description)])
        } catch {
            logger.error("status report not recorded", ["sms.sim": .plain(sim), "error": .plain(String(describing: error))])
        }
    }

    /// Matches again the parked status reports of a send just recorded on `sim` with these
    /// message references; reports older than `parkedReportAge` are dropped.
    func matchParkedReports(sim: String, references: [Int]) async {
        guard !parkedReports.isEmpty else { return }
        let time = now
        parkedReports.removeAll { $0.at.monotonic.duration(to: time.monotonic) >= Self.parkedReportAge }
        let due = parkedReports.filter { $0.sim == sim && references.contains($0.reference) }
        guard !due.isEmpty else { return }
        parkedReports.removeAll { $0.sim == sim && references.contains($0.reference) }
        for report in due {
            await handleStatusReport(sim: report.sim, reference: report.reference, recipient: report.recipient, status: report.status, firstSeen: report.at)
        }
    }

    /// Alerts the next contact of every sequenced group whose escalation is due.
    /// - Returns: how long until the next armed escalation falls due, if one is armed.
    public func escalate() async -> Duration? {
        let time = now
        do {
            let (added, nextDue) = try await database.transaction("escalate") { connection -> ([DeliveryRecord], Int64?) in
                var added: [DeliveryRecord] = []
                for due in try EscalationStore.due(at: time.wallMillis, in: connection) {
                    guard let alert = try SchedulerStore.alert(id: due.alertID, in: connection), alert.state == "active" else {
                        try EscalationStore.close(alertID: due.alertID, groupID: due.groupID, state: "cancelled", in: connection)
                        continue
                    }
                    let members = try EscalationStore.members(groupID: due.groupID, in: connection)
                    let existing = try SchedulerStore.smsRecipients(alertID: due.alertID, in: connection)
                    var position = due.nextPosition
                    while position < members.count, members[position].phone.map(existing.contains) ?? true {
                        position += 1
                    }
                    guard position < members.count, let phone = members[position].phone else {
                        try EscalationStore.close(alertID: due.alertID, groupID: due.groupID, state: "exhausted", in: connection)
                        try AuditLog.append(
                            actor: "scheduler", action: "escalation.exhausted", subject: "alert:\(due.alertID)",
                            detail: "group \(due.groupID): no one acknowledged", at: time.wallMillis, in: connection)
                        continue
                    }
                    added += try DeliveryStore.insertReturning(
                        [NewDelivery(channel: "sms", recipient: phone, contactID: members[position].contactID, language: members[position].language)],
                        alertID: due.alertID, priority: alert.priority, at: time.wallMillis, in: connection)
                    try EscalationStore.advance(alertID: due.alertID, groupID: due.groupID, to: position + 1, in: connection)
                    try AuditLog.append(
                        actor: "scheduler", action: "escalation.next", channel: "sms", subject: "alert:\(due.alertID)",
                        detail: "group \(due.groupID): contact \(members[position].contactID) at position \(position)", at: time.wallMillis,
                        in: connection)
                }
                return (added, try EscalationStore.nextDue(in: connection))
            }
            if !added.isEmpty {
                logger.notice("escalated to the next contact", ["deliveries": .plain(added.map { String($0.id) }.joined(separator: ","))])
                await enqueue(added, at: time)
            }
            return nextDue.map { .milliseconds(max($0 - time.wallMillis, 0)) }
        } catch {
            logger.error("escalation failed; retrying in a minute", ["error": .plain(String(describing: error))])
            return .seconds(60)
        }
    }
}
