public import Alerting
public import Core
public import Hardware
public import Modem
import SMS
public import Scheduler
public import Storage

/// An inbound SMS as the router takes it.
public struct InboundSMS: Sendable, Equatable {
    public var sender: String
    public var text: String
    /// TP-SCTS: when the SMSC received the message; nil when the source has none.
    public var serviceCentreTime: WallTime?
    /// Identifies a concatenated message across its corrections; nil for a single part.
    public var reassemblyKey: String?
    /// False for a message delivered with parts missing.
    public var complete: Bool

    public init(sender: String, text: String, serviceCentreTime: WallTime?, reassemblyKey: String? = nil, complete: Bool = true) {
        self.sender = sender
        self.text = text
        self.serviceCentreTime = serviceCentreTime
        self.reassemblyKey = reassemblyKey
        self.complete = complete
    }

    /// Takes a message the modem driver put together.
    public init(_ message: IncomingMessage) {
        let key = message.key.map { "\($0.sender)/\($0.referenceBits)/\($0.reference)/\($0.total)" }
        self.init(
            sender: message.sender, text: message.text,
            serviceCentreTime: message.serviceCentreTimestamp.map { WallTime(secondsSinceEpoch: $0.secondsSinceEpoch) }, reassemblyKey: key,
            complete: message.kind == .complete || message.missingParts.isEmpty)
    }
}

/// The reason a command was not run.
public enum SMSCommandRejection: String, Sendable, Equatable {
    case notAllowListed = "sender not on the allow-list"
    case lockedOut = "sender locked out"
    case duplicate = "copy of a command already handled"
    case tooOld = "older than the replay window"
    case inFuture = "time stamp ahead of the box's clock"
    case incomplete = "parts missing"
    case malformed = "unreadable command"
    case wrongPIN = "wrong PIN"
    case notPermitted = "command not allowed for this number"
    case unknownTrigger = "unknown alarm name"
    case nothingToCancel = "no alarm raised by SMS to cancel"
    case confirmationInvalid = "confirmation code invalid or expired"
    case failed = "failed on the box"
}

/// The router's handling of an inbound SMS.
public enum SMSCommandOutcome: Sendable, Equatable {
    /// Not a command: handed to the scheduler unchanged.
    case passedOn
    /// Run; `alertID` is the alert raised or cancelled, if any.
    case executed(SMSCommandKind, alertID: Int64?)
    /// Held until the sender replies `确认 <code>`.
    case awaitingConfirmation(SMSCommandKind, code: String)
    case rejected(SMSCommandKind, SMSCommandRejection)
}

/// Sits in front of the scheduler's `receiveSMS`: runs SMS commands from allow-listed numbers
/// and passes every other message on unchanged, so acknowledgements keep working.
///
/// A command is checked in this order. The sender is on the allow-list and not locked out.
/// The message is no copy of one already handled, and its TP-SCTS is within the replay
/// window. It can be read, the PIN is right, and the number may send that command. Strangers get no
/// reply at all, so the command path stays invisible to them, and a locked-out sender gets
/// one reply when the lockout starts. Every command, run or not, leaves one audit row.
///
/// The PIN never leaves this actor: the scheduler stores and syncs the text with the PIN
/// replaced by `****`, and only that form reaches a debug log.
public actor SMSCommandRouter {
    let settings: SMSCommandSettings
    let commandGuard: SMSCommandGuard
    let scheduler: AlertScheduler
    let database: Database
    let statusProvider: any BoxStatusProvider
    let clock: any BoxClock
    let clockTrust: ClockTrust?
    let composer: AlertComposer
    let logger: Logger
    let triggerNames: [String]

    var networkTime = NetworkTimeEstimate()
    var rejectionLog = RejectionLogThrottle()
    /// Commands held for a confirmation code, by sender in E.164. Lost on restart, which
    /// only means the operator sends the command again.
    var pendingConfirmations: [String: PendingConfirmation] = [:]

    struct PendingConfirmation: Sendable {
        enum Action: Sendable {
            case alarm(SMSTrigger, note: String)
            case cancel(RaisedAlert)
        }

        var action: Action
        var code: String
        var expiresAt: MonotonicInstant
    }

    /// - Parameters:
    ///   - clockTrust: whether the box's wall clock may judge a command's age; nil trusts it.
    ///     While it is untrusted, the age is judged against the network time of earlier SMS.
    ///   - composer: renders the triggers' templates; give the scheduler's.
    /// - Throws: `SMSCommandSettingsError` when the settings are invalid.
    public init(
        settings: SMSCommandSettings, scheduler: AlertScheduler, database: Database, status: any BoxStatusProvider, clock: any BoxClock,
        clockTrust: ClockTrust? = nil, composer: AlertComposer = AlertComposer(), logger: Logger
    ) throws(SMSCommandSettingsError) {
        try settings.validate()
        self.settings = settings
        commandGuard = SMSCommandGuard(settings: settings)
        self.scheduler = scheduler
        self.database = database
        statusProvider = status
        self.clock = clock
        self.clockTrust = clockTrust
        self.composer = composer
        self.logger = logger.labeled("sms-command")
        triggerNames = settings.triggers.flatMap(\.names)
    }

    /// Takes a message the modem driver put together.
    @discardableResult
    public func receive(_ message: IncomingMessage) async -> SMSCommandOutcome {
        await receive(InboundSMS(message))
    }

    /// Runs `message` as a command, or hands it to the scheduler unchanged when it is no command.
    @discardableResult
    public func receive(_ message: InboundSMS) async -> SMSCommandOutcome {
        // The reference time is taken before this message's own SCTS moves the estimate.
        let trusted = clockTrust?.isTrusted ?? true
        let reference = trusted ? clock.wallNow : networkTime.estimate(at: clock.now)
        if let serviceCentreTime = message.serviceCentreTime {
            networkTime.observe(serviceCentreTime, at: clock.now)
        }

        let parsed = SMSCommandParser.parse(message.text, triggerNames: triggerNames)
        guard let redacted = parsed.redacted else {
            await scheduler.receiveSMS(from: message.sender, text: message.text, reassemblyKey: message.reassemblyKey, complete: message.complete)
            return .passedOn
        }
        // Only the masked text is stored and synced upstream.
        await scheduler.receiveSMS(from: message.sender, text: redacted, reassemblyKey: message.reassemblyKey, complete: message.complete)

        let kind: SMSCommandKind
        switch parsed {
        case .command(let command, _, _): kind = command.kind
        case .malformed(let malformedKind, _): kind = malformedKind
        case .notCommand: return .passedOn
        }
        let request = Request(
            sender: message.sender, number: try? PhoneNumber(parsing: message.sender), kind: kind, redacted: redacted)
        logger.debug("SMS command text", ["sms.from": .phone(message.sender), "sms.text": .body(redacted)])

        guard message.complete else {
            return await reject(request, .incomplete, reply: nil)
        }
        guard let number = request.number, let sender = settings.operator(for: number) else {
            return await reject(request, .notAllowListed, reply: nil)
        }
        let age = commandGuard.age(of: message.serviceCentreTime, reference: reference, checksFuture: trusted)
        let admitted: Admission
        do {
            admitted = try await admit(number, serviceCentreTime: message.serviceCentreTime, redacted: redacted)
        } catch {
            logger.error("SMS command state not read", ["sms.from": .phone(number.e164), "error": .plain(String(describing: error))])
            return await reject(request, .failed, reply: .failed, to: sender)
        }
        switch admitted {
        case .lockedOut: return await reject(request, .lockedOut, reply: nil)
        case .duplicate: return await reject(request, .duplicate, reply: nil)
        case .admitted: break
        }
        switch age {
        case .tooOld(let age):
            return await reject(request, .tooOld, reply: .tooOld(minutes: Int(age.components.seconds / 60)), to: sender)
        case .inFuture:
            return await reject(request, .inFuture, reply: .inFuture, to: sender)
        case .fresh, .unknown:
            break
        }

        guard case .command(let command, let pin, _) = parsed else {
            return await reject(request, .malformed, reply: .usage, to: sender)
        }
        if let pin {
            guard await settings.pin.matches(pin) else {
                return await wrongPIN(request, operator: sender)
            }
            await clearFailures(number)
        }
        guard sender.allows(command.kind) else {
            return await reject(request, .notPermitted, reply: .notAllowed(command.kind), to: sender)
        }
        return await run(command, request: request, operator: sender, ageKnown: age != .unknown)
    }

    /// The facts about one command that the audit row and the logs carry.
    struct Request: Sendable {
        var sender: String
        var number: PhoneNumber?
        var kind: SMSCommandKind
        var redacted: String

        var maskedSender: String {
            number?.masked ?? PhoneMask.mask(sender)
        }
    }

    enum Admission {
        case admitted
        case lockedOut
        case duplicate
    }

    /// Checks the lockout and records the command as handled, in one transaction.
    private func admit(_ number: PhoneNumber, serviceCentreTime: WallTime?, redacted: String) async throws -> Admission {
        let now = clock.wallNow.millis
        let hash = SMSCommandStore.sha256(redacted)
        return try await database.transaction("admit SMS command") { connection -> Admission in
            if try SMSCommandStore.lockout(for: number.e164, in: connection).isLocked(at: now) {
                return .lockedOut
            }
            if let serviceCentreTime {
                let claimed = try SMSCommandStore.claim(
                    sender: number.e164, serviceCentreTime: serviceCentreTime.millis, textHash: hash, at: now, in: connection)
                if !claimed { return .duplicate }
            }
            return .admitted
        }
    }

    private func wrongPIN(_ request: Request, operator sender: SMSCommandOperator) async -> SMSCommandOutcome {
        let now = clock.wallNow.millis
        let commandGuard = self.commandGuard
        let e164 = sender.number.e164
        let outcome: SMSCommandGuard.FailureOutcome
        do {
            outcome = try await database.transaction("record wrong PIN") { connection in
                let (record, outcome) = commandGuard.recordFailure(try SMSCommandStore.lockout(for: e164, in: connection), at: now)
                try SMSCommandStore.save(record, for: e164, at: now, in: connection)
                if case .lockedOut(let until) = outcome {
                    try AuditLog.append(
                        actor: "sms:\(request.maskedSender)", action: "sms.command.lockout", channel: "sms",
                        detail: "\(commandGuard.maximumFailures) wrong PINs; commands ignored until \(until)", at: now, in: connection)
                }
                return outcome
            }
        } catch {
            logger.error("wrong PIN not recorded", ["sms.from": .phone(e164), "error": .plain(String(describing: error))])
            return await reject(request, .failed, reply: .failed, to: sender)
        }
        switch outcome {
        case .counted(let remaining):
            return await reject(request, .wrongPIN, reply: .wrongPIN(remaining: remaining), to: sender, detail: "\(remaining) tries left")
        case .lockedOut:
            let minutes = Int(settings.lockoutDuration.components.seconds / 60)
            logger.critical(
                "SMS command sender locked out after wrong PINs",
                ["sms.from": .phone(e164), "operator": .plain(sender.name), "lockout.minutes": .plain(String(minutes))])
            return await reject(request, .wrongPIN, reply: .lockedOut(minutes: minutes), to: sender, detail: "lockout started")
        }
    }

    private func clearFailures(_ number: PhoneNumber) async {
        let now = clock.wallNow.millis
        let commandGuard = self.commandGuard
        do {
            try await database.transaction("clear wrong PINs") { connection in
                let record = try SMSCommandStore.lockout(for: number.e164, in: connection)
                guard !record.failures.isEmpty else { return }
                try SMSCommandStore.save(commandGuard.recordSuccess(record, at: now), for: number.e164, at: now, in: connection)
            }
        } catch {
            logger.error("wrong PIN count not cleared", ["sms.from": .phone(number.e164), "error": .plain(String(describing: error))])
        }
    }
}

extension WallTime {
    /// Milliseconds since the Unix epoch.
    var millis: Int64 {
        nanosecondsSinceEpoch / 1_000_000
    }
}

/// Keeps a flood of rejected commands from one number out of the log.
///
/// A stranger or a locked-out number gets no reply, so nothing slows it down: each of its
/// rejections is still audited, but only the first in a window is logged, and the next one
/// logged after the window says how many were left out.
struct RejectionLogThrottle {
    static let window: Duration = .seconds(600)
    /// Reasons that get no reply and so may repeat without end.
    static let throttled: Set<SMSCommandRejection> = [.notAllowListed, .lockedOut, .duplicate, .incomplete]
    /// Senders held at once; the oldest is forgotten first.
    static let capacity = 1_000

    private var entries: [String: (since: MonotonicInstant, suppressed: Int)] = [:]

    /// Returns nil when this rejection is not logged, else how many were left out before it.
    mutating func admit(sender: String, reason: SMSCommandRejection, at now: MonotonicInstant) -> Int? {
        guard Self.throttled.contains(reason) else { return 0 }
        let key = reason.rawValue + " " + sender
        if let entry = entries[key], now < entry.since.advanced(by: Self.window) {
            entries[key]?.suppressed += 1
            return nil
        }
        let suppressed = entries[key]?.suppressed ?? 0
        if entries.count >= Self.capacity, let oldest = entries.min(by: { $0.value.since < $1.value.since })?.key {
            entries[oldest] = nil
        }
        entries[key] = (now, 0)
        return suppressed
    }
}
