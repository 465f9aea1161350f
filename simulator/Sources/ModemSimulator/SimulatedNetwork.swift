public import Core
import SMS

/// The carrier's treatment of a SIM's messages past its hourly or daily cap.
public enum CapBehaviour: Sendable, Equatable {
    /// `AT+CMGS` fails with this CMS cause (Chinese carriers reply with a network error).
    case reject(cmsCause: Int)
    /// The SMSC accepts the message and never delivers it.
    case silentDrop
}

/// The behaviour of a simulated handset towards what it receives.
public struct HandsetBehaviour: Sendable, Equatable {
    /// The TP-ST of its status reports; nil sends none, as an SMSC that lost the report.
    public var reportStatus: UInt8?
    /// The time from SMSC acceptance to the handset.
    public var deliveryDelay: LatencyDistribution
    /// Replies sent when a whole message arrives.
    public var replies: [ReplyRule]

    public init(reportStatus: UInt8? = 0x00, deliveryDelay: LatencyDistribution = .fixed(.milliseconds(100)), replies: [ReplyRule] = []) {
        self.reportStatus = reportStatus
        self.deliveryDelay = deliveryDelay
        self.replies = replies
    }
}

/// A scripted reply: when a message containing `trigger` arrives (any message when nil), the
/// handset replies `text` after `delay`.
public struct ReplyRule: Sendable, Equatable {
    public var trigger: String?
    public var text: String
    public var delay: Duration

    public init(trigger: String? = nil, text: String, delay: Duration = .seconds(1)) {
        self.trigger = trigger
        self.text = text
        self.delay = delay
    }
}

/// A message as a handset received it, after reassembly.
public struct HandsetMessage: Sendable, Equatable {
    public var from: String
    public var to: String
    public var text: String
    public var parts: Int
    /// False when the handset gave up waiting for a part.
    public var complete: Bool
    public var receivedAt: MonotonicInstant
}

/// Settings of the simulated carrier.
public struct NetworkConfiguration: Sendable {
    public var smscAddress: String
    /// The time the SMSC takes to accept a submitted part.
    public var submitLatency: LatencyDistribution
    public var capPerHour: Int?
    public var capPerDay: Int?
    public var capBehaviour: CapBehaviour
    public var defaultHandset: HandsetBehaviour
    /// The wall time at monotonic zero, for the timestamps in PDUs.
    public var wallStart: WallTime
    public var utcOffsetMinutes: Int
    public var seed: UInt64

    public init(
        smscAddress: String = "+8613800000000", submitLatency: LatencyDistribution = .fixed(.zero),
        capPerHour: Int? = nil, capPerDay: Int? = nil, capBehaviour: CapBehaviour = .reject(cmsCause: 38),
        defaultHandset: HandsetBehaviour = HandsetBehaviour(), wallStart: WallTime = WallTime(secondsSinceEpoch: 1_704_412_800),
        utcOffsetMinutes: Int = 480, seed: UInt64 = 1
    ) {
        self.smscAddress = smscAddress
        self.submitLatency = submitLatency
        self.capPerHour = capPerHour
        self.capPerDay = capPerDay
        self.capBehaviour = capBehaviour
        self.defaultHandset = defaultHandset
        self.wallStart = wallStart
        self.utcOffsetMinutes = utcOffsetMinutes
        self.seed = seed
    }
}

/// Something the network hands to a SIM.
public enum NetworkDelivery: Sendable, Equatable {
    /// An SMS-DELIVER PDU, SMSC field first.
    case message(toSIM: String, pdu: [UInt8])
    /// An SMS-STATUS-REPORT PDU, SMSC field first.
    case statusReport(toSIM: String, pdu: [UInt8])

    public var sim: String {
        switch self {
        case .message(let sim, _), .statusReport(let sim, _): sim
        }
    }
}

/// The SMSC's result for a submitted part.
public enum SubmitOutcome: Sendable, Equatable {
    /// Accepted after the latency; `+CMGS` follows then.
    case accepted(after: Duration)
    /// Rejected after the latency with a CMS cause.
    case rejected(cmsCause: Int, after: Duration)
}

/// The carrier behind the simulated modems: an SMSC with latency and per-SIM caps, and
/// handsets that reassemble what they get, return status reports and reply by script.
///
/// It is a pure value: the simulator feeds it submissions and time, and sends what
/// `advance(to:)` returns to the modems.
public struct SimulatedNetwork: Sendable {
    private enum Pending: Sendable {
        case arriveAtHandset(from: String, to: String, pdu: [UInt8], reference: UInt8, reportRequested: Bool, submitted: SMSTimestamp)
        case handsetSends(from: String, to: String, text: String)
        case deliverToSIM(NetworkDelivery)
    }

    public var configuration: NetworkConfiguration
    /// Behaviour per handset number (E.164); others use the default.
    public var handsets: [String: HandsetBehaviour] = [:]
    /// CMS causes that `AT+CMGS` returns for chosen destinations; `*` matches every one.
    public var destinationFaults: [String: Int] = [:]
    /// Every message the handsets put together, in arrival order.
    public private(set) var received: [HandsetMessage] = []
    /// Parts accepted per SIM, with their times, for the caps.
    public private(set) var acceptedParts: [String: [MonotonicInstant]] = [:]
    /// Parts silently dropped because a cap was reached.
    public private(set) var droppedParts = 0

    private var queue = TimerQueue<Pending>()
    private var reassemblers: [String: Reassembler] = [:]
    private var random: SeededRandom
    private var handsetReferences: [String: UInt8] = [:]

    public init(configuration: NetworkConfiguration = NetworkConfiguration()) {
        self.configuration = configuration
        random = SeededRandom(seed: configuration.seed)
    }

    /// The earliest instant at which `advance(to:)` has work.
    public var nextDue: MonotonicInstant? {
        queue.nextDue
    }

    public func behaviour(of number: String) -> HandsetBehaviour {
        handsets[number] ?? configuration.defaultHandset
    }

    /// Takes one part from a SIM's `AT+CMGS`, with the TP-MR the modem gave it.
    public mutating func submit(_ pdu: [UInt8], fromSIM sim: String, reference: UInt8, at now: MonotonicInstant) -> SubmitOutcome {
        let latency = configuration.submitLatency.sample(&random)
        guard case .submit(let submit) = try? PDUDecoder.decode(pdu) else {
            // 27.005 §3.2.5: 304 is an invalid PDU mode parameter.
            return .rejected(cmsCause: 304, after: latency)
        }
        let destination = submit.destination.description
        if let cause = destinationFaults[destination] ?? destinationFaults["*"] {
            return .rejected(cmsCause: cause, after: latency)
        }

        let accepted = now.advanced(by: latency)
        var history = acceptedParts[sim, default: []].filter { $0.advanced(by: .seconds(86_400)) > accepted }
        let lastHour = history.filter { $0.advanced(by: .seconds(3600)) > accepted }.count
        let overHour = configuration.capPerHour.map { lastHour >= $0 } ?? false
        let overDay = configuration.capPerDay.map { history.count >= $0 } ?? false
        if overHour || overDay {
            switch configuration.capBehaviour {
            case .reject(let cause):
                return .rejected(cmsCause: cause, after: latency)
            case .silentDrop:
                droppedParts += 1
                return .accepted(after: latency)
            }
        }
        history.append(accepted)
        acceptedParts[sim] = history

        let arrival = accepted.advanced(by: behaviour(of: destination).deliveryDelay.sample(&random))
        queue.schedule(
            .arriveAtHandset(
                from: sim, to: destination, pdu: pdu, reference: reference, reportRequested: submit.statusReportRequest,
                submitted: timestamp(at: accepted)),
            at: arrival)
        return .accepted(after: latency)
    }

    /// Makes a handset send `text` to a SIM now, as a person typing a reply.
    public mutating func handsetSends(from handset: String, to sim: String, text: String, at now: MonotonicInstant) {
        queue.schedule(.handsetSends(from: handset, to: sim, text: text), at: now)
    }

    /// Hands a delivery back to be retried later, as an SMSC does while a SIM is unreachable.
    public mutating func retryLater(_ delivery: NetworkDelivery, at instant: MonotonicInstant) {
        queue.schedule(.deliverToSIM(delivery), at: instant)
    }

    /// Runs every event due by `now` and returns what goes to the SIMs.
    public mutating func advance(to now: MonotonicInstant) -> [NetworkDelivery] {
        var deliveries: [NetworkDelivery] = []
        while let due = queue.nextDue, due <= now {
            for event in queue.popDue(at: due) {
                deliveries += handle(event, at: due)
            }
        }
        for number in reassemblers.keys {
            let events = reassemblers[number]?.expire(at: now) ?? []
            record(events, to: number, at: now)
        }
        return deliveries
    }

    private mutating func handle(_ event: Pending, at now: MonotonicInstant) -> [NetworkDelivery] {
        switch event {
        case .arriveAtHandset(let sim, let handset, let pdu, let reference, let reportRequested, let submitted):
            var output: [NetworkDelivery] = []
            if case .submit(let submit) = try? PDUDecoder.decode(pdu) {
                let part = ReceivedPart(
                    sender: sim, alphabet: submit.userData.alphabet, payload: submit.userData.payload,
                    concatenation: submit.userData.concatenation)
                var reassembler = reassemblers[handset] ?? Reassembler(configuration: .init(timeout: .seconds(600)))
                let events = reassembler.receive(part, at: now)
                reassemblers[handset] = reassembler
                record(events, to: handset, at: now)
            }
            if reportRequested, let status = behaviour(of: handset).reportStatus,
                let report = try? NetworkPDUEncoder.statusReport(
                    reference: reference, recipient: .international(handset),
                    smsc: .international(configuration.smscAddress), submitted: submitted,
                    discharged: timestamp(at: now), status: DeliveryStatus(rawValue: status))
            {
                output.append(.statusReport(toSIM: sim, pdu: report))
            }
            return output

        case .handsetSends(let handset, let sim, let text):
            let reference = handsetReferences[handset, default: 0] &+ 1
            handsetReferences[handset] = reference
            let pdus = (try? NetworkPDUEncoder.deliver(
                text, from: .international(handset), smsc: .international(configuration.smscAddress),
                timestamp: timestamp(at: now), reference: .eightBit(reference))) ?? []
            return pdus.map { .message(toSIM: sim, pdu: $0) }

        case .deliverToSIM(let delivery):
            return [delivery]
        }
    }

    /// Stores whole and timed-out messages and schedules scripted replies.
    private mutating func record(_ events: [ReassemblyEvent], to handset: String, at now: MonotonicInstant) {
        for event in events {
            let message: ReassembledMessage
            let complete: Bool
            switch event {
            case .complete(let whole), .correction(let whole):
                message = whole
                complete = whole.isComplete
            case .partial(let part):
                message = part
                complete = false
            }
            received.append(
                HandsetMessage(
                    from: message.sender, to: handset, text: message.text, parts: message.key?.total ?? 1,
                    complete: complete, receivedAt: now))
            guard complete else { continue }
            for rule in behaviour(of: handset).replies where rule.trigger.map({ message.text.contains($0) }) ?? true {
                queue.schedule(.handsetSends(from: handset, to: message.sender, text: rule.text), at: now.advanced(by: rule.delay))
            }
        }
    }

    private func timestamp(at instant: MonotonicInstant) -> SMSTimestamp {
        let wall = configuration.wallStart.advanced(by: .nanoseconds(instant.nanoseconds))
        return SMSTimestamp(secondsSinceEpoch: wall.secondsSinceEpoch, utcOffsetMinutes: configuration.utcOffsetMinutes)
    }
}
