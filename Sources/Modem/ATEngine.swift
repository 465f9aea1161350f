public import ATProtocol
public import Core

/// The reply to one command: information lines and the final result.
public struct ATResponse: Sendable, Equatable {
    public var lines: [String]
    public var result: FinalResult

    public init(lines: [String], result: FinalResult) {
        self.lines = lines
        self.result = result
    }

    /// The first line that parses as `T`.
    public func first<T: ATInformationResponse>(_ type: T.Type) -> T? {
        for line in lines {
            if let value = try? T(line: line) { return value }
        }
        return nil
    }
}

/// The reason a command got no final result.
public enum ATEngineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No final result by the command's absolute deadline. `payloadSent` tells whether a PDU
    /// had been written after the prompt, which leaves the outcome of a send unknown.
    case timedOut(command: String, after: Duration, payloadSent: Bool)
    /// No `>` prompt by its deadline; ESC was sent to leave the prompt state.
    case promptTimedOut(command: String)
    /// The port closed or the modem was reset while the command was pending.
    case portClosed(command: String, payloadSent: Bool)

    /// Whether a PDU reached the modem, so the SMSC may have the message.
    public var payloadSent: Bool {
        switch self {
        case .timedOut(_, _, let sent), .portClosed(_, let sent): sent
        case .promptTimedOut: false
        }
    }

    public var description: String {
        switch self {
        case .timedOut(let command, let after, _): "\(command) timed out after \(after)"
        case .promptTimedOut(let command): "\(command) got no '>' prompt in time"
        case .portClosed(let command, _): "\(command) was cut off: the port closed"
        }
    }
}

/// The AT command engine: one command in flight, a queue behind it, an absolute deadline
/// per command, URCs dispatched at any moment, and the prompt-PDU-Ctrl-Z exchange.
///
/// It is a value fed bytes and instants; the driver performs the actions it returns. Lines
/// that arrive while a command waits never extend its deadline, which is fixed when the
/// command is written (and once more when its payload is written after the prompt).
/// ITU-T V.250 §5.7, 3GPP TS 27.005 §3.5.1.
public struct ATEngine: Sendable {
    public typealias CommandID = UInt64

    /// Something the driver must do.
    public enum Action: Sendable, Equatable {
        /// Write these bytes to the port.
        case write([UInt8])
        /// A command finished.
        case complete(CommandID, Result<ATResponse, ATEngineError>)
        /// An unsolicited result code arrived.
        case unsolicited(URC)
        /// A line that is neither a reply nor a known URC (vendor noise, garbage).
        case unexpected(String)
    }

    private struct Pending: Sendable {
        let id: CommandID
        let command: ATCommand
    }

    private enum Phase: Sendable, Equatable {
        case awaitingPrompt
        case awaitingResult
    }

    private var framer = ATLineFramer()
    private var classifier = ATLineClassifier()
    private var queue: [Pending] = []
    private var inFlight: Pending?
    private var phase: Phase = .awaitingResult
    private var lines: [String] = []
    private var sentAt: MonotonicInstant?
    /// The instant by which the in-flight command must end.
    public private(set) var deadline: MonotonicInstant?
    private var nextID: CommandID = 0
    /// Counts of lines that were not replies nor URCs, for the driver's logs.
    public private(set) var unexpectedLineCount = 0
    /// Echoed command lines seen, so the driver can check that `ATE0` took effect.
    public private(set) var echoLineCount = 0
    /// Timeouts per command kind, defaulting to `ATCommand.Kind.timeout`.
    public var timeouts: [ATCommand.Kind: Duration] = [:]
    public var promptTimeout: Duration = ATCommand.promptTimeout

    public init() {}

    /// Whether a command is in flight or queued.
    public var isBusy: Bool {
        inFlight != nil || !queue.isEmpty
    }

    public var queuedCount: Int {
        queue.count
    }

    /// The command in flight, for logs.
    public var inFlightCommand: ATCommand? {
        inFlight?.command
    }

    /// Queues a command and writes it at once when the line is free.
    public mutating func enqueue(_ command: ATCommand, at now: MonotonicInstant) -> (CommandID, [Action]) {
        nextID += 1
        queue.append(Pending(id: nextID, command: command))
        return (nextID, startNext(at: now))
    }

    /// Takes bytes read from the port.
    public mutating func receive(_ bytes: [UInt8], at now: MonotonicInstant) -> [Action] {
        var actions: [Action] = []
        for event in framer.feed(bytes) {
            switch event {
            case .prompt:
                actions += promptArrived(at: now)
            case .overflow:
                unexpectedLineCount += 1
                actions.append(.unexpected("<over-long line discarded>"))
            case .line(let line):
                actions += classify(line, at: now)
            }
        }
        return actions
    }

    /// Ends the command in flight when its deadline has passed.
    public mutating func tick(at now: MonotonicInstant) -> [Action] {
        guard let pending = inFlight, let deadline, now >= deadline else { return [] }
        var actions: [Action] = []
        let error: ATEngineError
        if phase == .awaitingPrompt {
            // ESC leaves the prompt state without sending anything.
            actions.append(.write([0x1B]))
            error = .promptTimedOut(command: pending.command.description)
        } else {
            error = .timedOut(
                command: pending.command.description, after: sentAt.map { $0.duration(to: now) } ?? .zero,
                payloadSent: pending.command.expectsPrompt)
        }
        actions.append(.complete(pending.id, .failure(error)))
        finishInFlight()
        return actions + startNext(at: now)
    }

    /// Fails every pending command, as when the port closes or the modem resets.
    public mutating func reset() -> [Action] {
        var actions: [Action] = []
        if let pending = inFlight {
            let sent = pending.command.expectsPrompt && phase == .awaitingResult
            actions.append(.complete(pending.id, .failure(.portClosed(command: pending.command.description, payloadSent: sent))))
        }
        for pending in queue {
            actions.append(.complete(pending.id, .failure(.portClosed(command: pending.command.description, payloadSent: false))))
        }
        queue = []
        finishInFlight()
        framer.reset()
        classifier.reset()
        return actions
    }

    // MARK: Steps

    private mutating func startNext(at now: MonotonicInstant) -> [Action] {
        guard inFlight == nil, !queue.isEmpty else { return [] }
        let pending = queue.removeFirst()
        inFlight = pending
        lines = []
        sentAt = now
        if pending.command.expectsPrompt {
            phase = .awaitingPrompt
            framer.isPromptExpected = true
            deadline = now.advanced(by: promptTimeout)
        } else {
            phase = .awaitingResult
            framer.isPromptExpected = false
            deadline = now.advanced(by: timeout(for: pending.command))
        }
        return [.write(pending.command.lineBytes)]
    }

    private func timeout(for command: ATCommand) -> Duration {
        timeouts[command.kind] ?? command.timeout
    }

    private mutating func promptArrived(at now: MonotonicInstant) -> [Action] {
        guard let pending = inFlight, phase == .awaitingPrompt, let payload = pending.command.payloadBytes else {
            unexpectedLineCount += 1
            return [.unexpected(">")]
        }
        phase = .awaitingResult
        framer.isPromptExpected = false
        deadline = now.advanced(by: timeout(for: pending.command))
        return [.write(payload)]
    }

    private mutating func classify(_ line: ATLine, at now: MonotonicInstant) -> [Action] {
        var actions: [Action] = []
        for classification in classifier.classify(line, inFlight: inFlight?.command) {
            switch classification {
            case .echo:
                echoLineCount += 1
            case .response(let text):
                lines.append(text)
            case .finalResult(let result):
                guard let pending = inFlight else { continue }
                actions.append(.complete(pending.id, .success(ATResponse(lines: lines, result: result))))
                finishInFlight()
                actions += startNext(at: now)
            case .urc(let urc):
                actions.append(.unsolicited(urc))
            case .urcHeader:
                continue
            case .unknown(let text):
                unexpectedLineCount += 1
                actions.append(.unexpected(text))
            }
        }
        return actions
    }

    private mutating func finishInFlight() {
        inFlight = nil
        deadline = nil
        sentAt = nil
        lines = []
        phase = .awaitingResult
        framer.isPromptExpected = false
    }
}
