public import Alerting
public import Core
import Storage

/// The outcome of handing an alert to the scheduler.
public struct SubmitResult: Sendable, Equatable {
    public enum Disposition: Sendable, Equatable {
        /// Planned: its deliveries are written and queued.
        case planned
        /// The same trigger raised an alert within the window; this one was dropped.
        case duplicateTrigger
        /// An alert with this identifier was already accepted (a feed or a broker sent it again).
        case alreadyAccepted
        /// It had expired on arrival; it is recorded and nothing is sent.
        case expired
        /// A `Cancel` with no all-clear to send; the cancelled alerts stopped.
        case cancelledOnly
        /// A `Cancel` whose references match no active alert of its sender; nothing changed.
        case nothingToCancel
    }

    public var disposition: Disposition
    /// The alert's row id: the new one, or the one it duplicates.
    public var alertID: Int64
    public var smsDeliveries: Int = 0
    public var imDeliveries: Int = 0
    /// Audience group names that matched no group.
    public var unknownGroups: [String] = []
    /// Contacts in the audience with no valid phone number, by id.
    public var unreachableContacts: [Int64] = []
    /// Earlier alerts this one cancelled or superseded, by row id.
    public var closedAlerts: [Int64] = []
}

/// The reason the scheduler rejected an alert, in both languages.
public struct SchedulerError: Error, Equatable, Sendable, CustomStringConvertible {
    public let reason: LocalizedText

    public var description: String { reason.english }
}

extension AlertScheduler {
    /// Accepts an alert: drops a repeated trigger, stops what a `Cancel` or an `Update`
    /// replaces, plans the audience and writes every delivery in one transaction, then queues
    /// them for the workers.
    ///
    /// `Test` and `Exercise` alerts go to the test audience with their label in the texts.
    /// An alert that expired on arrival is recorded and not sent.
    /// - Throws: `SchedulerError` for an invalid identifier or sender, for missing or blank
    ///   texts, or for a text longer than an SMS can be. Storage errors pass through.
    @discardableResult
    public func submit(_ submitted: Alert) async throws -> SubmitResult {
        try Self.validate(submitted)
        let time = now
        var labelled = submitted
        if labelled.isForTestAudience {
            labelled.audience = settings.testAudience
            labelled.texts = labelled.texts.map { Self.labelled($0, status: submitted.status) }
        }

        let settings = self.settings
        let uplink = self.uplink
        let localMinute = localMinute(at: time)
        let submittedAlert = labelled
        let outcome = try await database.transaction("submit alert") { connection -> (SubmitResult, [Int64], Alert, [DeliveryRecord]) in
            var alert = submittedAlert
            if let existing = try SchedulerStore.alert(sender: alert.sender, identifier: alert.identifier, in: connection) {
                return (SubmitResult(disposition: .alreadyAccepted, alertID: existing.id), [], alert, [])
            }
            if let key = alert.triggerKey,
                let earlier = try SchedulerStore.alert(triggerKey: key, since: time.wallMillis - settings.triggerWindow.milliseconds, in: connection)
            {
                try AuditLog.append(
                    actor: "trigger:\(key)", action: "alert.duplicateTrigger", subject: "alert:\(earlier.id)",
                    detail: "repeat within \(settings.triggerWindow) dropped: \(alert.identifier)", at: time.wallMillis, in: connection)
                return (SubmitResult(disposition: .duplicateTrigger, alertID: earlier.id), [], alert, [])
            }

            if alert.isExpired(at: time.wallMillis) {
                let id = try SchedulerStore.insertAlert(alert, state: "expired", at: time.wallMillis, in: connection)
                try AuditLog.append(
                    actor: alert.source.rawValue, action: "alert.expiredOnArrival", subject: "alert:\(id)", at: time.wallMillis, in: connection)
                return (SubmitResult(disposition: .expired, alertID: id), [], alert, [])
            }

            // A Cancel or an Update first stops what it replaces.
            var closed: [StoredAlert] = []
            if alert.messageType == .cancel || alert.messageType == .update {
                closed = try Self.close(references: alert.references, by: alert, at: time.wallMillis, in: connection)
                if alert.messageType == .cancel, closed.isEmpty {
                    let id = try SchedulerStore.insertAlert(alert, state: "done", at: time.wallMillis, in: connection)
                    try AuditLog.append(
                        actor: alert.source.rawValue, action: "alert.cancelMatchedNothing", subject: "alert:\(id)",
                        detail: "references: \(alert.references.map(\.identifier).joined(separator: ", "))", at: time.wallMillis, in: connection)
                    return (SubmitResult(disposition: .nothingToCancel, alertID: id), [], alert, [])
                }
                if alert.audience.isEmpty {
                    alert.audience = Array(Set(closed.flatMap(\.audience))).sorted()
                }
            }

            var deliveries: [NewDelivery] = []
            var escalations: [PlannedEscalation] = []
            var unknownGroups: [String] = []
            var unreachableContacts: [Int64] = []
            if alert.messageType == .cancel {
                if alert.texts.isEmpty {
                    alert.texts = Self.allClearTexts(for: closed, cancel: alert, composer: settings.composer)
                }
                // The all-clear goes at the cancelled alerts' priority, but never as life safety.
                if let highest = closed.compactMap({ AlertPriority(rawValue: $0.priority) }).min() {
                    alert.priority = highest
                }
                alert.priority = max(alert.priority, .urgent)
                switch settings.allClear {
                case .none:
                    let id = try SchedulerStore.insertAlert(alert, state: "done", at: time.wallMillis, in: connection)
                    return (SubmitResult(disposition: .cancelledOnly, alertID: id, closedAlerts: closed.map(\.id)), closed.map(\.id), alert, [])
                case .reached:
                    deliveries = try Self.reached(by: closed.map(\.id), in: connection)
                case .audience:
                    break
                }
            }
            if deliveries.isEmpty && !(alert.messageType == .cancel && settings.allClear == .reached) {
                let audience = try SchedulerStore.resolve(alert.audience, in: connection)
                unknownGroups = audience.unknownGroups
                unreachableContacts = audience.unreachableContacts
                let plan = Planner.plan(
                    priority: alert.priority, recipients: audience.recipients, sequences: audience.sequences, targets: audience.targets,
                    uplink: uplink, localMinute: localMinute)
                deliveries = plan.deliveries.map { planned in
                    NewDelivery(
                        channel: planned.channel, recipient: planned.recipient, contactID: planned.contactID, targetID: planned.targetID,
                        notBefore: planned.delayMinutes > 0 ? time.wallMillis + Int64(planned.delayMinutes) * 60_000 : 0,
                        language: planned.language.rawValue)
                }
                escalations = plan.escalations
            }

            let id = try SchedulerStore.insertAlert(alert, state: deliveries.isEmpty ? "done" : "active", at: time.wallMillis, in: connection)
            let written = try DeliveryStore.insertReturning(deliveries, alertID: id, priority: alert.priority.rawValue, at: time.wallMillis, in: connection)
            for escalation in escalations {
                try EscalationStore.insert(alertID: id, groupID: escalation.groupID, nextPosition: escalation.nextPosition, in: connection)
            }
            let sms = deliveries.filter { $0.channel == "sms" }.count
            try AuditLog.append(
                actor: alert.source.rawValue, action: "alert.planned", subject: "alert:\(id)",
                detail: "\(alert.messageType.rawValue) \(alert.status.rawValue) \(alert.priority): \(sms) SMS, \(deliveries.count - sms) IM"
                    + (unknownGroups.isEmpty ? "" : "; unknown groups: \(unknownGroups.joined(separator: ", "))"),
                at: time.wallMillis, in: connection)
            let result = SubmitResult(
                disposition: .planned, alertID: id, smsDeliveries: sms, imDeliveries: deliveries.count - sms, unknownGroups: unknownGroups,
                unreachableContacts: unreachableContacts,
                closedAlerts: closed.map(\.id))
            return (result, closed.map(\.id), alert, written)
        }

        let (result, closedIDs, alert, written) = outcome
        for closedID in closedIDs {
            _ = core.removeAlert(closedID)
            alertCache[closedID] = nil
        }
        log(result, alert: alert)
        if !closedIDs.isEmpty {
            publish(.closed(alertIDs: closedIDs, state: alert.messageType == .cancel ? "cancelled" : "superseded"))
        }
        guard result.disposition == .planned else { return result }
        publish(
            .planned(
                alertID: result.alertID, priority: alert.priority, status: alert.status, source: alert.source,
                deliveries: result.smsDeliveries + result.imDeliveries))

        core.setExpiry(alert.expiresAt, alertID: result.alertID)
        cacheAlert(result.alertID, CachedAlert(identifier: alert.identifier, priority: alert.priority.rawValue, texts: alert.texts))
        await enqueue(written, at: time)
        return result
    }

    private func log(_ result: SubmitResult, alert: Alert) {
        let fields: KeyValuePairs<String, LogValue> = [
            "alert.id": .plain(String(result.alertID)), "alert.identifier": .plain(alert.identifier),
            "alert.priority": .plain(alert.priority.description), "alert.type": .plain(alert.messageType.rawValue),
            "alert.status": .plain(alert.status.rawValue), "deliveries.sms": .plain(String(result.smsDeliveries)),
            "deliveries.im": .plain(String(result.imDeliveries)), "alerts.closed": .plain(String(result.closedAlerts.count)),
        ]
        switch result.disposition {
        case .planned: logger.notice("alert planned", fields)
        case .duplicateTrigger: logger.notice("repeated trigger dropped", fields)
        case .alreadyAccepted: logger.info("alert already accepted", fields)
        case .expired: logger.warning("alert expired on arrival; not sent", fields)
        case .cancelledOnly: logger.notice("alerts cancelled", fields)
        case .nothingToCancel:
            logger.warning(
                "Cancel matched no active alert of its sender; nothing changed",
                ["alert.identifier": .plain(alert.identifier), "alert.references": .plain(alert.references.map(\.identifier).joined(separator: ","))])
        }
        if !result.unreachableContacts.isEmpty {
            logger.error(
                "contacts without a valid phone number get no SMS; correct their numbers",
                ["alert.id": .plain(String(result.alertID)), "contacts": .plain(result.unreachableContacts.map(String.init).joined(separator: ","))])
        }
        if !result.unknownGroups.isEmpty {
            logger.error("audience names unknown groups", ["alert.id": .plain(String(result.alertID)), "groups": .plain(result.unknownGroups.joined(separator: ","))])
        }
        if result.disposition == .planned, result.smsDeliveries + result.imDeliveries == 0 {
            logger.critical("alert reaches no one: its audience is empty", ["alert.id": .plain(String(result.alertID))])
        }
    }

    /// Stops the alerts a Cancel or an Update refers to: pending deliveries closed, escalations ended.
    ///
    /// Only the sender of an alert may cancel or update it, and a `Test` or `Exercise` message
    /// only touches alerts of the same status, so a drill can never withdraw a real alarm. An
    /// expired alert still matches, so the people it reached get the all-clear.
    private static func close(references: [CAPReference], by alert: Alert, at now: Int64, in connection: Connection) throws -> [StoredAlert] {
        let cancel = alert.messageType == .cancel
        var closed: [StoredAlert] = []
        for reference in references {
            guard reference.sender == alert.sender,
                let earlier = try SchedulerStore.alert(sender: reference.sender, identifier: reference.identifier, in: connection),
                ["active", "done", "expired"].contains(earlier.state),
                earlier.status == alert.status.rawValue
            else { continue }
            let count = try DeliveryStore.closePending(
                alertID: earlier.id, state: cancel ? "cancelled" : "superseded", cause: "\(alert.messageType.rawValue) \(alert.identifier)",
                at: now, in: connection)
            try EscalationStore.close(alertID: earlier.id, state: "cancelled", in: connection)
            try SchedulerStore.setAlertState(earlier.id, cancel ? "cancelled" : "superseded", in: connection)
            try AuditLog.append(
                actor: alert.source.rawValue, action: cancel ? "alert.cancelled" : "alert.superseded", subject: "alert:\(earlier.id)",
                detail: "by \(alert.identifier); \(count) pending deliveries closed", at: now, in: connection)
            closed.append(earlier)
        }
        return closed
    }

    /// Returns one delivery per SMS recipient and IM target that the alerts reached, for an
    /// all-clear. A send still in flight counts, because it may well arrive.
    private static func reached(by alertIDs: [Int64], in connection: Connection) throws -> [NewDelivery] {
        guard !alertIDs.isEmpty else { return [] }
        return try connection.query(
            """
            SELECT channel, recipient_e164, min(contact_id) AS contact_id, target_id, min(language) AS language FROM deliveries
            WHERE alert_id IN (SELECT value FROM json_each(?)) AND state IN ('sending', 'sent', 'delivered', 'unknown')
            GROUP BY channel, recipient_e164, target_id ORDER BY min(id)
            """, [.text("[" + alertIDs.map(String.init).joined(separator: ",") + "]")], operation: "deliveries.reached"
        ).map {
            NewDelivery(
                channel: $0["channel"].string ?? "sms", recipient: $0["recipient_e164"].string, contactID: $0["contact_id"].int64,
                targetID: $0["target_id"].int64, language: $0["language"].string ?? "zh")
        }
    }

    /// Renders the all-clear that a Cancel without text of its own sends, from the built-in
    /// all-clear template, naming the event of the first alert it cancels.
    static func allClearTexts(for closed: [StoredAlert], cancel: Alert, composer: AlertComposer) -> [AlertText] {
        let values = TemplateValues(
            event: closed.first?.event ?? cancel.event ?? "", sender: cancel.sender,
            identifier: closed.first?.identifier ?? cancel.references.first?.identifier ?? cancel.identifier,
            sent: WallTime(nanosecondsSinceEpoch: cancel.sentAt * 1_000_000), priority: .urgent, status: cancel.status)
        let templates = composer.languages.map { BuiltInTemplates.template(.allClear, language: $0) }
        return composer.texts(from: templates, values: values)
    }

    /// Puts the test or exercise label into the SMS and plain IM texts, unless a template
    /// already rendered it (after a signature, so it is searched, not only at the start).
    static func labelled(_ text: AlertText, status: CAPAlert.Status) -> AlertText {
        guard let label = AlertLabel(status: status)?.text(in: text.language) else { return text }
        let mark = label.trimmingWhitespace()
        var labelled = text
        if !labelled.smsText.contains(mark) { labelled.smsText = label + labelled.smsText }
        if !labelled.imText.contains(mark) { labelled.imText = label + labelled.imText }
        for (channel, message) in labelled.imRenders where !message.text.contains(mark) {
            labelled.imRenders[channel]?.text = label + message.text
        }
        return labelled
    }

    /// Checks what a submitted alert must satisfy before anything is stored.
    ///
    /// CAP 1.2 forbids white space, commas and the characters `<` and `&` in identifiers and
    /// senders, and the stored references are "sender,identifier,sent" entries separated by
    /// spaces, so such a value could never be referenced.
    static func validate(_ alert: Alert) throws(SchedulerError) {
        for (field, value) in [("identifier", alert.identifier), ("sender", alert.sender)] {
            guard !value.isEmpty else {
                throw SchedulerError(
                    reason: LocalizedText(zh: "警报缺少 \(field)；请为每条警报设置唯一的 \(field)", en: "the alert has no \(field); give every alert one"))
            }
            let forbidden = value.unicodeScalars.first {
                $0.properties.isWhitespace || $0 == "," || $0 == "<" || $0 == "&" || $0.properties.generalCategory == .control
            }
            if let forbidden {
                let shown =
                    forbidden.properties.generalCategory == .control || forbidden.properties.isWhitespace
                    ? "U+" + String(forbidden.value, radix: 16, uppercase: true) : String(forbidden)
                let visible = value.escapingControlCharacters()
                throw SchedulerError(
                    reason: LocalizedText(
                        zh: "警报的 \(field)“\(visible)”含有不允许的字符 \(shown)；CAP 不允许空白、逗号、< 和 &，请删除这些字符",
                        en: "the alert's \(field) '\(visible)' contains \(shown); CAP forbids white space, commas, < and &, so remove them"))
            }
        }

        guard !alert.texts.isEmpty || alert.messageType == .cancel else {
            throw SchedulerError(
                reason: LocalizedText(
                    zh: "警报“\(alert.identifier)”没有任何语言的文本；请至少提供中文文本",
                    en: "alert '\(alert.identifier)' has no text in any language; give at least the Chinese text"))
        }
        for text in alert.texts {
            let language = LocalizedText(zh: text.language == .chinese ? "中文" : "英文", en: text.language == .chinese ? "Chinese" : "English")
            guard !text.smsText.trimmingWhitespace().isEmpty else {
                throw SchedulerError(
                    reason: LocalizedText(
                        zh: "警报“\(alert.identifier)”的\(language.chinese)短信文本为空；请填写要发送的内容",
                        en: "alert '\(alert.identifier)' has a blank \(language.english) SMS text; write the text to send"))
            }
            do {
                _ = try SMSSegments.count(text.smsText)
            } catch {
                throw SchedulerError(
                    reason: LocalizedText(
                        zh: "警报“\(alert.identifier)”的\(language.chinese)短信文本超过一条长短信的上限 255 段；请缩短文本（\(error.message(.chinese))）",
                        en: "alert '\(alert.identifier)' has an \(language.english) SMS text longer than 255 parts, the most one concatenated SMS can have; shorten it (\(error.description))"))
            }
        }
    }
}
