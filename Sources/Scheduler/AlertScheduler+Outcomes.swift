import Alerting
import Core
import SMS
import Storage

extension AlertScheduler {
    /// Commits an attempt's outcome, then retries, falls back or arms an escalation as it calls for.
    func record(_ outcome: ChannelOutcome, of delivery: QueuedDelivery, attempt: Int, channel: String) async {
        let time = now
        let waits = rateLimitWaits[delivery.id, default: 0]
        let decision = settings.retry.decide(outcome, priority: delivery.priority, attempt: attempt, rateLimitWaitsSoFar: waits)

        var state = "sent"
        var cause: String?
        var notBefore: Int64?
        switch (decision, outcome) {
        case (.sent, _):
            break
        case (.retry(let after, _), .failed(_, let reason)), (.retry(let after, _), .outcomeUnknown(let reason)):
            state = "pending"
            cause = reason
            notBefore = time.wallMillis + after.milliseconds
        case (.retry(let after, _), .accepted):
            state = "pending"
            notBefore = time.wallMillis + after.milliseconds
        case (.fail, .failed(_, let reason)):
            state = "failed"
            cause = reason
        case (.fail, _):
            state = "failed"
            cause = "gave up after \(attempt) attempts"
        case (.unknown, .outcomeUnknown(let reason)):
            state = "unknown"
            cause = reason
        case (.unknown, _):
            state = "unknown"
        }

        let references: [Int]
        if case .accepted(let accepted) = outcome { references = accepted } else { references = [] }
        let isSMS = delivery.lane == .sms
        let decidedState = state
        let decidedCause = cause
        let retryAt = notBefore
        let escalationTimeout = settings.escalationTimeout
        let recordedState: String
        do {
            recordedState = try await database.transaction("record outcome") { connection -> String in
                var finalState = decidedState
                var finalCause = decidedCause
                // A Cancel, an Update or the expiry may have closed the alert during the send;
                // a retry would then resend what was withdrawn.
                if finalState == "pending", let alert = try SchedulerStore.alert(id: delivery.alertID, in: connection), alert.state != "active" {
                    finalState = alert.closedDeliveryState
                    finalCause = "alert \(alert.state) during attempt \(attempt)"
                }
                try DeliveryStore.markOutcome(delivery.id, state: finalState, cause: finalCause, notBefore: retryAt, at: time.wallMillis, in: connection)
                if isSMS, finalState == "sent" {
                    for (index, reference) in references.enumerated() {
                        try DeliveryStore.recordPart(
                            deliveryID: delivery.id, attempt: attempt, part: index + 1, total: references.count, sim: channel,
                            reference: reference, at: time.wallMillis, in: connection)
                    }
                }
                if isSMS, let contactID = delivery.contactID, ["sent", "failed", "unknown", "pending"].contains(finalState) {
                    // A sent SMS starts the contact's time to acknowledge, and so does one whose
                    // outcome is unknown or that is being retried. A failed one hands over at once.
                    let due = finalState == "failed" ? time.wallMillis : time.wallMillis + escalationTimeout.milliseconds
                    try EscalationStore.arm(alertID: delivery.alertID, contactID: contactID, dueAt: due, in: connection)
                }
                if isSMS, finalState != "pending" {
                    try SyncEvent.smsOutcome(
                        deliveryID: delivery.id, alertID: delivery.alertID, attempt: attempt, state: finalState, recipient: delivery.recipient,
                        at: time.wallMillis, in: connection)
                }
                try AuditLog.append(
                    actor: "scheduler", action: "delivery.\(finalState)", channel: delivery.lane.auditChannel,
                    subject: "delivery:\(delivery.id)", detail: finalCause.map { "attempt \(attempt): \($0)" } ?? "attempt \(attempt)",
                    at: time.wallMillis, in: connection)
                return finalState
            }
        } catch {
            // The row stays `sending`; a restart turns it into `unknown` as for a crash.
            logger.error(
                "outcome not recorded", ["delivery.id": .plain(String(delivery.id)), "error": .plain(String(describing: error))])
            return
        }

        publish(.outcome(alertID: delivery.alertID, lane: delivery.lane, state: recordedState))
        if isSMS, case .accepted(let parts) = outcome {
            core.recordSMS(parts: max(parts.count, 1), sim: channel, at: time)
            await matchParkedReports(sim: channel, references: parts)
        }
        let fields: KeyValuePairs<String, LogValue> = [
            "delivery.id": .plain(String(delivery.id)), "alert.id": .plain(String(delivery.alertID)), "attempt": .plain(String(attempt)),
            "delivery.state": .plain(state), "cause": .plain(cause ?? ""),
        ]
        switch decision {
        case .sent:
            rateLimitWaits[delivery.id] = nil
            logger.info("delivery sent", fields)
        case .retry(_, let counts):
            guard recordedState == "pending" else {
                logger.notice("retry dropped: the alert was closed during the attempt", fields)
                return
            }
            if case .failed(.rateLimited(let retryAfter), _) = outcome, case .im(let targetID) = delivery.lane {
                core.blockTarget(targetID, for: retryAfter, at: time)
                rateLimitWaits[delivery.id] = waits + 1
            }
            logger.warning("delivery will be retried", fields)
            core.enqueue(QueuedDelivery(copying: delivery, notBefore: notBefore ?? time.wallMillis, attempt: counts ? attempt : attempt - 1), at: time)
            // People behind an IM target should not wait out its retries: SMS goes now as the
            // priority allows, and the IM retry still happens.
            await fallBack(from: delivery)
        case .fail:
            rateLimitWaits[delivery.id] = nil
            logger.error("delivery failed", fields)
            if case .failed(.channelBroken, let reason) = outcome, case .im(let targetID) = delivery.lane {
                await channelBroken(targetID: targetID, reason: reason)
            }
            if case .failed(.permanent, _) = outcome, recordedState == "failed" {
                await tryNextNumber(after: delivery)
            }
            await fallBack(from: delivery)
        case .unknown:
            logger.warning("delivery outcome unknown; not resent", fields)
            await fallBack(from: delivery)
        }
    }

    /// Plans an SMS to the contact's next valid number after one failed for good, such as an
    /// unassigned or barred number, so a person with a second phone is still reached.
    func tryNextNumber(after delivery: QueuedDelivery) async {
        guard delivery.lane == .sms, let contactID = delivery.contactID else { return }
        let time = now
        do {
            let added = try await database.transaction("plan next number") { connection -> [DeliveryRecord] in
                guard let alert = try SchedulerStore.alert(id: delivery.alertID, in: connection), alert.state == "active" else { return [] }
                let used = try SchedulerStore.smsRecipients(alertID: delivery.alertID, in: connection)
                let numbers = try connection.query(
                    "SELECT e164 FROM contact_phones WHERE contact_id = ? ORDER BY position, e164", [.integer(contactID)],
                    operation: "contactPhones.all"
                ).compactMap { $0["e164"].string.flatMap { try? PhoneNumber(parsing: $0).e164 } }
                guard let next = numbers.first(where: { !used.contains($0) }) else { return [] }
                let rows = try DeliveryStore.insertReturning(
                    [NewDelivery(channel: "sms", recipient: next, contactID: contactID, language: delivery.language.rawValue)],
                    alertID: delivery.alertID, priority: delivery.priority, at: time.wallMillis, in: connection)
                try AuditLog.append(
                    actor: "scheduler", action: "delivery.nextNumber", channel: "sms", subject: "delivery:\(delivery.id)",
                    detail: "contact \(contactID): delivery \(rows.first?.id ?? 0) to the next number", at: time.wallMillis, in: connection)
                return rows
            }
            guard !added.isEmpty else { return }
            logger.notice(
                "SMS goes to the contact's next number", ["delivery.id": .plain(String(delivery.id)), "contact.id": .plain(String(contactID))])
            await enqueue(added, at: time)
        } catch {
            logger.error("next number not planned", ["delivery.id": .plain(String(delivery.id)), "error": .plain(String(describing: error))])
        }
    }

    /// Fails every queued delivery of an IM target whose channel needs a person, and falls
    /// each back to SMS as its priority allows. The target is never retried in a loop.
    func channelBroken(targetID: Int64, reason: String) async {
        let lane = Lane.im(targetID: targetID)
        let drained = core.drain(lane)
        logger.critical(
            "IM channel needs a person; its deliveries fall back to SMS",
            ["im.target": .plain(lane.description), "deliveries": .plain(String(drained.count)), "cause": .plain(reason)])
        let time = now
        do {
            try await database.transaction("fail broken channel") { connection in
                for delivery in drained {
                    try DeliveryStore.markOutcome(delivery.id, state: "failed", cause: "channel broken: \(reason)", at: time.wallMillis, in: connection)
                }
                try AuditLog.append(
                    actor: "scheduler", action: "channel.broken", channel: "im", subject: "target:\(targetID)",
                    detail: "\(drained.count) queued deliveries failed: \(reason)", at: time.wallMillis, in: connection)
            }
        } catch {
            logger.error("broken channel not recorded", ["im.target": .plain(lane.description), "error": .plain(String(describing: error))])
            return
        }
        for delivery in drained {
            await fallBack(from: delivery)
        }
    }

    /// Plans SMS to the people an IM target serves after its delivery failed: for P1 always,
    /// for P2 while the uplink is down. P0 already has SMS to everyone and P3 is IM only.
    func fallBack(from delivery: QueuedDelivery) async {
        guard case .im(let targetID) = delivery.lane else { return }
        guard delivery.priority == 1 || (delivery.priority == 2 && uplink == .down) else { return }
        await planFallback(alertID: delivery.alertID, targetID: targetID, reason: "IM delivery \(delivery.id) failed")
    }

    /// Writes SMS deliveries to the members behind an IM target that have none for the alert yet, and queues them.
    func planFallback(alertID: Int64, targetID: Int64, reason: String) async {
        let time = now
        let localMinute = localMinute(at: time)
        do {
            let added = try await database.transaction("plan fallback") { connection -> [DeliveryRecord] in
                guard let alert = try SchedulerStore.alert(id: alertID, in: connection), alert.state == "active" else { return [] }
                let members = try SchedulerStore.members(servedBy: targetID, in: connection)
                let existing = try SchedulerStore.smsRecipients(alertID: alertID, in: connection)
                let priority = AlertPriority(rawValue: alert.priority) ?? .routine
                let planned = Planner.plan(
                    priority: .lifeSafety, recipients: members.filter { !existing.contains($0.phones.first ?? "") }, targets: [], uplink: .down,
                    localMinute: localMinute)
                let rows = planned.map { planned in
                    let delay = priority == .lifeSafety ? 0 : members.first { $0.contactID == planned.contactID }?.minutesOfQuietLeft(at: localMinute) ?? 0
                    return NewDelivery(
                        channel: "sms", recipient: planned.recipient, contactID: planned.contactID,
                        notBefore: delay > 0 ? time.wallMillis + Int64(delay) * 60_000 : 0, language: planned.language.rawValue)
                }
                guard !rows.isEmpty else { return [] }
                let added = try DeliveryStore.insertReturning(rows, alertID: alertID, priority: alert.priority, at: time.wallMillis, in: connection)
                try AuditLog.append(
                    actor: "scheduler", action: "delivery.fallback", channel: "sms", subject: "alert:\(alertID)",
                    detail: "\(rows.count) SMS for target \(targetID): \(reason)", at: time.wallMillis, in: connection)
                return added
            }
            guard !added.isEmpty else { return }
            logger.notice(
                "IM fell back to SMS",
                ["alert.id": .plain(String(alertID)), "im.target": .plain(String(targetID)), "deliveries": .plain(String(added.count))])
            await enqueue(added, at: time)
        } catch {
            logger.error("fallback not planned", ["alert.id": .plain(String(alertID)), "error": .plain(String(describing: error))])
        }
    }

    /// Sets the uplink's health. Going down falls the pending IM deliveries of P1 and P2
    /// alerts back to SMS, and IM lanes wait until it returns.
    public func setUplink(_ health: UplinkHealth) async {
        guard health != uplink else { return }
        let previous = uplink
        uplink = health
        core.setUplink(health)
        logger.notice("uplink health changed", ["uplink.from": .plain("\(previous)"), "uplink.to": .plain("\(health)")])
        publish(.uplink(health))
        wakeAll()
        guard health == .down else { return }
        await planFallbacks(priorities: [1, 2], states: Self.notReached, reason: "uplink down")
    }

    /// Sets whether an SMS channel's modem can send, as its driver's state says; a SIM that
    /// cannot holds its deliveries until it can, without spending their attempts.
    public func setSMSChannel(_ name: String, available: Bool) {
        guard core.simsUnavailable.contains(name) == available else { return }
        core.setSIM(name, available: available)
        logger.notice("SMS channel availability changed", ["sms.sim": .plain(name), "sms.available": .plain(String(available))])
        wakeAll()
    }

    /// IM delivery states whose people have not been reached, as far as the box knows.
    static let notReached = ["pending", "sending", "failed", "unknown"]

    /// Plans the SMS fallback of every active alert and IM target that `unreachedIM` finds.
    func planFallbacks(priorities: [Int], states: [String], targetID: Int64? = nil, reason: String) async {
        let unreached: [(alertID: Int64, targetID: Int64)]
        do {
            unreached = try await database.read { connection in
                try SchedulerStore.unreachedIM(priorities: priorities, states: states, targetID: targetID, in: connection)
            }
        } catch {
            logger.error(
                "IM deliveries to fall back not read",
                ["im.target": .plain(targetID.map(String.init) ?? "all"), "error": .plain(String(describing: error))])
            return
        }
        for entry in unreached {
            await planFallback(alertID: entry.alertID, targetID: entry.targetID, reason: reason)
        }
    }

    /// Sets one IM target's health, as the uplink monitor judges it. A target going down holds
    /// its queue and falls its pending P1 deliveries (and P2 ones while the whole uplink is
    /// down) back to SMS; coming back up releases the queue.
    public func setTargetHealth(_ targetID: Int64, _ health: UplinkHealth) async {
        let wasDown = core.targetsDown.contains(targetID)
        core.setTarget(targetID, health: health)
        guard wasDown != (health == .down) else { return }
        logger.notice("IM target health changed", ["im.target": .plain(String(targetID)), "health": .plain("\(health)")])
        wakeAll()
        guard health == .down else { return }
        await planFallbacks(priorities: uplink == .down ? [1, 2] : [1], states: Self.notReached, targetID: targetID, reason: "IM target down")
    }

    /// Queues delivery rows read from the database.
    ///
    /// An IM delivery to a target with no channel attached can never go: the robot is in the
    /// database but its settings are missing from the configuration. Such a delivery fails at
    /// once and falls back to SMS as its priority allows, instead of holding its lane forever.
    /// Before `start()` the channels may still be coming (`resume()` runs before the uplink
    /// attaches them), so until then such deliveries wait in `parkedIM` and `start()` decides.
    func enqueue(_ records: [DeliveryRecord], at time: SchedulerTime) async {
        var parts: [Int64: [String: Int]] = [:]
        var unconfigured: [Int64: [QueuedDelivery]] = [:]
        for record in records {
            var lane = Lane.sms
            if let targetID = record.targetID { lane = .im(targetID: targetID) }
            var count = 1
            if lane == .sms {
                if parts[record.alertID] == nil {
                    parts[record.alertID] = (try? await cachedAlert(record.alertID)).map(Self.partsPerLanguage) ?? [:]
                }
                count = parts[record.alertID]?[record.language] ?? 1
            }
            let delivery = QueuedDelivery(
                id: record.id, alertID: record.alertID, priority: record.priority, lane: lane, recipient: record.recipient,
                contactID: record.contactID, attempt: record.attempt, notBefore: record.notBefore, parts: count,
                language: Language(code: record.language) ?? .chinese)
            if let targetID = record.targetID, imChannels[targetID] == nil {
                if isStarted {
                    unconfigured[targetID, default: []].append(delivery)
                } else {
                    parkedIM[targetID, default: []].append(delivery)
                }
                continue
            }
            core.enqueue(delivery, at: time)
        }
        wakeAll()
        for (targetID, deliveries) in unconfigured.sorted(by: { $0.key < $1.key }) {
            await failUnconfigured(targetID: targetID, deliveries, at: time)
        }
    }

    /// Queues the IM deliveries parked before `start()` whose target now has a channel, and
    /// fails the rest as unconfigured.
    func releaseParkedIM() async {
        let parked = parkedIM
        parkedIM = [:]
        let time = now
        for (targetID, deliveries) in parked.sorted(by: { $0.key < $1.key }) {
            if imChannels[targetID] == nil {
                await failUnconfigured(targetID: targetID, deliveries, at: time)
            } else {
                for delivery in deliveries { core.enqueue(delivery, at: time) }
            }
        }
        wakeAll()
    }

    private func failUnconfigured(targetID: Int64, _ deliveries: [QueuedDelivery], at time: SchedulerTime) async {
        let cause = "IM target \(targetID) has no channel configured; add its settings to the configuration"
        logger.error("IM deliveries to a target without a channel failed", ["im.target": .plain(String(targetID)), "deliveries": .plain(String(deliveries.count))])
        do {
            try await database.transaction("fail unconfigured target") { connection in
                for delivery in deliveries {
                    try DeliveryStore.markOutcome(delivery.id, state: "failed", cause: cause, at: time.wallMillis, in: connection)
                }
                try AuditLog.append(
                    actor: "scheduler", action: "channel.missing", channel: "im", subject: "target:\(targetID)",
                    detail: "\(deliveries.count) deliveries failed", at: time.wallMillis, in: connection)
            }
        } catch {
            logger.error("unconfigured target not recorded", ["im.target": .plain(String(targetID)), "error": .plain(String(describing: error))])
            return
        }
        for delivery in deliveries {
            await fallBack(from: delivery)
        }
    }

    static func partsPerLanguage(_ alert: CachedAlert) -> [String: Int] {
        var parts: [String: Int] = [:]
        for text in alert.texts {
            parts[text.language.rawValue] = (try? SMSSegments.count(text.smsText)) ?? 1
        }
        return parts
    }

    func localMinute(at time: SchedulerTime) -> Int {
        let minutes = (time.wallMillis / 60_000 + Int64(settings.utcOffsetMinutes)) % 1440
        return Int(minutes < 0 ? minutes + 1440 : minutes)
    }
}

extension Duration {
    /// The duration in whole milliseconds, rounded down.
    var milliseconds: Int64 {
        components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
    }
}
