import Alerting
import Core
import SMS
import Scheduler
import Storage

extension SMSCommandRouter {
    /// Runs a command that passed every check.
    func run(_ command: SMSCommand, request: Request, operator sender: SMSCommandOperator, ageKnown: Bool) async -> SMSCommandOutcome {
        let ageNote = ageKnown ? "" : "; age unknown"
        switch command {
        case .status:
            let status = await statusProvider.currentStatus()
            await reply(.status(status), to: sender)
            return await audit(request, .executed(.status, alertID: nil), detail: "status sent" + ageNote)

        case .alarm(let name, let note):
            guard let trigger = settings.trigger(named: name) else {
                let known = settings.triggers.map(\.name)
                return await reject(request, .unknownTrigger, reply: .unknownTrigger(name: name, known: known), to: sender)
            }
            guard !trigger.confirms else {
                return await hold(.alarm(trigger, note: note), request: request, operator: sender, detail: trigger.name + ageNote)
            }
            return await raise(trigger, note: note, request: request, operator: sender, detail: ageNote)

        case .cancel(let alertNumber):
            let found: RaisedAlert?
            do {
                found = try await database.read { connection in
                    if let alertNumber { return try SMSCommandStore.raisedAlert(alertNumber, in: connection) }
                    return try SMSCommandStore.latestActiveAlert(raisedBy: sender.number.e164, in: connection)
                }
            } catch {
                logger.error("alert to cancel not read", ["error": .plain(String(describing: error))])
                return await reject(request, .failed, reply: .failed, to: sender)
            }
            guard let raised = found, raised.state == "active" || raised.state == "done" else {
                return await reject(request, .nothingToCancel, reply: .nothingToCancel(alertNumber: alertNumber), to: sender)
            }
            // A cancel confirms when raising its alarm does, so a life-safety alarm stops at once.
            guard settings.trigger(named: raised.triggerName)?.confirms != true else {
                return await hold(.cancel(raised), request: request, operator: sender, detail: "alert \(raised.alertID)" + ageNote)
            }
            return await cancel(raised, request: request, operator: sender)

        case .confirm(let code):
            let e164 = sender.number.e164
            guard let pending = pendingConfirmations[e164], pending.code == code, clock.now < pending.expiresAt else {
                // One wrong code voids the held command, so its code cannot be guessed; the
                // operator sends the command again for a new one.
                pendingConfirmations[e164] = nil
                return await reject(request, .confirmationInvalid, reply: .confirmationInvalid, to: sender)
            }
            pendingConfirmations[e164] = nil
            switch pending.action {
            case .alarm(let trigger, let note):
                return await raise(trigger, note: note, request: request, operator: sender, detail: "confirmed")
            case .cancel(let raised):
                return await cancel(raised, request: request, operator: sender)
            }
        }
    }

    /// Holds an alarm or a cancel until the sender replies with a fresh one-time code.
    private func hold(
        _ action: PendingConfirmation.Action, request: Request, operator sender: SMSCommandOperator, detail: String
    ) async -> SMSCommandOutcome {
        var generator = SystemRandomNumberGenerator()
        let code = String(Int.random(in: 1000...9999, using: &generator))
        pendingConfirmations[sender.number.e164] = PendingConfirmation(action: action, code: code, expiresAt: clock.now.advanced(by: settings.confirmationWindow))
        let minutes = max(1, Int(settings.confirmationWindow.components.seconds / 60))
        switch action {
        case .alarm(let trigger, _):
            await reply(.confirmAlarm(name: trigger.name, code: code, minutes: minutes), to: sender)
        case .cancel(let raised):
            await reply(.confirmCancel(alertNumber: raised.alertID, name: raised.triggerName, code: code, minutes: minutes), to: sender)
        }
        return await audit(request, .awaitingConfirmation(request.kind, code: code), detail: "held for confirmation: " + detail)
    }

    /// Raises the trigger's alert with its template, and records who raised it for `取消`.
    private func raise(_ trigger: SMSTrigger, note: String, request: Request, operator sender: SMSCommandOperator, detail: String) async -> SMSCommandOutcome {
        let time = clock.wallNow
        let identifier = "sms-\(time.millis)-\(String(UInt32.random(in: .min ... .max), radix: 16))"
        let result: SubmitResult
        do {
            let templates = try await database.read { try TemplateStore.templates(named: trigger.template, in: $0) }
            guard !templates.isEmpty else {
                logger.error(
                    "SMS trigger names a template that does not exist; save it or correct the trigger",
                    ["trigger": .plain(trigger.name), "template": .plain(trigger.template)])
                return await reject(request, .failed, reply: .failed, to: sender, detail: "template \(trigger.template) not found")
            }
            let values = TemplateValues(
                event: trigger.name, location: trigger.location, sender: sender.name, instruction: note, identifier: identifier, sent: time,
                priority: trigger.priority)
            let alert = Alert(
                identifier: identifier, sender: settings.alertSender, sentAt: time.millis, priority: trigger.priority, source: .smsCommand,
                event: trigger.name, audience: trigger.audience, texts: composer.texts(from: templates, values: values),
                triggerKey: "sms:\(trigger.name)")
            result = try await scheduler.submit(alert)
            if result.disposition == .planned {
                let e164 = sender.number.e164
                try await database.transaction("record SMS alarm") { connection in
                    try SMSCommandStore.recordAlert(result.alertID, raisedBy: e164, trigger: trigger.name, at: time.millis, in: connection)
                }
            }
        } catch {
            logger.error("SMS alarm not raised", ["trigger": .plain(trigger.name), "error": .plain(String(describing: error))])
            return await reject(request, .failed, reply: .failed, to: sender, detail: String(describing: error))
        }

        switch result.disposition {
        case .planned:
            await reply(.alarmRaised(name: trigger.name, alertNumber: result.alertID, sms: result.smsDeliveries, im: result.imDeliveries), to: sender)
            return await audit(
                request, .executed(.alarm, alertID: result.alertID), subject: result.alertID,
                detail: "\(trigger.name) at \(trigger.priority)" + (detail.isEmpty ? "" : "; " + detail))
        case .duplicateTrigger:
            await reply(.alarmAlreadyRaised(name: trigger.name, alertNumber: result.alertID), to: sender)
            return await audit(request, .executed(.alarm, alertID: result.alertID), subject: result.alertID, detail: "\(trigger.name) already raised")
        default:
            return await reject(request, .failed, reply: .failed, to: sender, detail: "scheduler: \(result.disposition)")
        }
    }

    /// Cancels an alert an SMS command raised: its pending deliveries stop and the all-clear goes out.
    private func cancel(_ raised: RaisedAlert, request: Request, operator sender: SMSCommandOperator) async -> SMSCommandOutcome {
        let time = clock.wallNow
        let sent = SMSTimestamp(secondsSinceEpoch: raised.sentAt / 1000, utcOffsetMinutes: settings.utcOffsetMinutes).description
        let cancel = Alert(
            identifier: "sms-cancel-\(time.millis)-\(String(UInt32.random(in: .min ... .max), radix: 16))", sender: raised.sender, sentAt: time.millis,
            messageType: .cancel, references: [CAPReference(sender: raised.sender, identifier: raised.identifier, sent: sent)], priority: .urgent,
            source: .smsCommand, event: raised.triggerName, audience: [], texts: [])
        let result: SubmitResult
        do {
            result = try await scheduler.submit(cancel)
        } catch {
            logger.error("SMS cancel not submitted", ["alert.id": .plain(String(raised.alertID)), "error": .plain(String(describing: error))])
            return await reject(request, .failed, reply: .failed, to: sender, detail: String(describing: error))
        }
        guard result.closedAlerts.contains(raised.alertID) else {
            return await reject(request, .nothingToCancel, reply: .nothingToCancel(alertNumber: raised.alertID), to: sender)
        }
        await reply(.cancelled(alertNumber: raised.alertID, name: raised.triggerName), to: sender)
        return await audit(request, .executed(.cancel, alertID: raised.alertID), subject: raised.alertID, detail: "cancel alert \(raised.identifier)")
    }

    /// Rejects a command: sends `reply` when there is one, and writes the audit row.
    func reject(
        _ request: Request, _ reason: SMSCommandRejection, reply message: SMSCommandReply?, to sender: SMSCommandOperator? = nil, detail: String = ""
    ) async -> SMSCommandOutcome {
        if let message, let sender {
            await reply(message, to: sender)
        }
        let sender = request.number?.e164 ?? request.sender
        if let suppressed = rejectionLog.admit(sender: sender, reason: reason, at: clock.now) {
            let level: LogLevel = reason == .failed ? .error : .warning
            logger.log(
                level, "SMS command rejected",
                ["sms.from": .phone(sender), "command": .plain(request.kind.rawValue), "reason": .plain(reason.rawValue),
                 "sms.rejections_not_logged": .plain(String(suppressed))])
        }
        return await audit(request, .rejected(request.kind, reason), detail: reason.rawValue + (detail.isEmpty ? "" : "; " + detail))
    }

    /// Writes the command's audit row with the sender masked, and returns `outcome`.
    private func audit(_ request: Request, _ outcome: SMSCommandOutcome, subject: Int64? = nil, detail: String) async -> SMSCommandOutcome {
        let action: String
        switch outcome {
        case .executed: action = "sms.command.executed"
        case .awaitingConfirmation: action = "sms.command.held"
        case .rejected: action = "sms.command.rejected"
        case .passedOn: return outcome
        }
        if case .executed = outcome {
            logger.notice("SMS command run", ["sms.from": .phone(request.number?.e164 ?? request.sender), "command": .plain(request.kind.rawValue)])
        }
        let now = clock.wallNow.millis
        let actor = "sms:\(request.maskedSender)"
        let kind = request.kind.rawValue
        do {
            try await database.transaction("audit SMS command") { connection in
                try AuditLog.append(
                    actor: actor, action: action, channel: "sms", subject: subject.map { "alert:\($0)" }, detail: "\(kind): \(detail)", at: now,
                    in: connection)
            }
        } catch {
            logger.error("SMS command audit row not written", ["command": .plain(kind), "error": .plain(String(describing: error))])
        }
        return outcome
    }

    /// Queues a reply to the operator through the scheduler, within the SIM's budget.
    private func reply(_ message: SMSCommandReply, to sender: SMSCommandOperator) async {
        do {
            try await scheduler.sendDirectSMS(
                message.text(sender.language), to: sender.number, language: sender.language, priority: settings.replyPriority,
                expiresAfter: settings.replyExpiry, actor: "sms-command")
        } catch {
            logger.error("SMS command reply not queued", ["sms.to": .phone(sender.number.e164), "error": .plain(String(describing: error))])
        }
    }
}
