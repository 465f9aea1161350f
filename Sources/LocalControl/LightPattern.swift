import Core
public import Modem

/// How an output (an LED, the siren relay) moves over time: off, on, or a repeating cycle.
public enum LightPattern: Sendable, Hashable {
    case off
    case on
    /// Durations that alternate on and off, starting with on, repeated from the pattern's start.
    case cycle([Duration])

    /// Checks a cycle: an even number of steps, each above zero.
    public func validate(name: String) throws(LocalControlError) {
        guard case .cycle(let steps) = self else { return }
        if steps.isEmpty || steps.count % 2 != 0 {
            throw .invalidPattern(name: name, fix: "give pairs of on and off durations, such as [250, 250]")
        }
        if steps.contains(where: { $0 < .milliseconds(20) }) {
            throw .invalidPattern(name: name, fix: "make every step at least 20 ms so the eye and a relay can follow")
        }
    }

    /// The level `elapsed` after the pattern started, and how long that level lasts (nil: for ever).
    public func level(after elapsed: Duration) -> (on: Bool, remaining: Duration?) {
        switch self {
        case .off: return (false, nil)
        case .on: return (true, nil)
        case .cycle(let steps):
            let period = steps.reduce(Duration.zero, +)
            guard period > .zero else { return (false, nil) }
            let periodNanoseconds = period.nanoseconds
            var offset = max(elapsed.nanoseconds, 0) % periodNanoseconds
            for (index, step) in steps.enumerated() {
                let length = step.nanoseconds
                if offset < length { return (index % 2 == 0, .nanoseconds(length - offset)) }
                offset -= length
            }
            return (false, .nanoseconds(1))
        }
    }
}

/// What the box's status LED shows, from the worst condition to the best.
public enum BoxIndication: String, Sendable, Hashable, CaseIterable {
    /// Hardware or configuration needs a person: the SIM is locked or missing, the modem's
    /// recovery is exhausted, a contact is stuck or chattering.
    case fault
    /// Deliveries of an alert are being sent.
    case sending
    /// The latest alert was acknowledged by a recipient (shown for a while).
    case acknowledged
    /// The uplink is down and alerts go by SMS.
    case smsMode = "sms-mode"
    /// The uplink is down and the cellular side is not ready either (searching, no signal),
    /// but neither has failed for good.
    case uplinkDown = "uplink-down"
    /// All is well.
    case idle
}

/// What the feedback LED by the button tells the person who pressed it about their alert.
public enum FeedbackIndication: String, Sendable, Hashable, CaseIterable {
    /// Nothing raised recently.
    case none
    /// Raised and planned; nothing has gone out yet.
    case raised
    /// At least one IM message went out; no SMS yet.
    case sentIM = "sent-im"
    /// At least one SMS went out; no IM.
    case sentSMS = "sent-sms"
    /// Both IM and SMS went out.
    case sentBoth = "sent-both"
    /// A recipient acknowledged.
    case acknowledged
    /// Nothing could be sent: every delivery failed.
    case failed
}

/// The patterns of both LEDs and the siren. The defaults are chosen so that each state is
/// told apart at a glance: a rare blip when idle, a slow blink in SMS mode, a fast one while
/// sending, steady when acknowledged, a flicker on a fault.
public struct IndicatorPatterns: Sendable, Hashable {
    public var status: [BoxIndication: LightPattern]
    public var feedback: [FeedbackIndication: LightPattern]
    /// The siren's cadence on a P0; a steady tone when `.on`.
    public var siren: LightPattern

    public init(
        status: [BoxIndication: LightPattern] = IndicatorPatterns.defaultStatus,
        feedback: [FeedbackIndication: LightPattern] = IndicatorPatterns.defaultFeedback, siren: LightPattern = .cycle([.seconds(1), .milliseconds(500)])
    ) {
        self.status = status
        self.feedback = feedback
        self.siren = siren
    }

    public static let defaultStatus: [BoxIndication: LightPattern] = [
        .idle: .cycle([.milliseconds(100), .milliseconds(2900)]),
        .uplinkDown: .cycle([.milliseconds(100), .milliseconds(200), .milliseconds(100), .milliseconds(2600)]),
        .smsMode: .cycle([.seconds(1), .seconds(1)]),
        .sending: .cycle([.milliseconds(250), .milliseconds(250)]),
        .acknowledged: .on,
        .fault: .cycle([.milliseconds(100), .milliseconds(100)]),
    ]

    public static let defaultFeedback: [FeedbackIndication: LightPattern] = [
        .none: .off,
        .raised: .cycle([.milliseconds(250), .milliseconds(250)]),
        .sentIM: .cycle([.seconds(1), .seconds(1)]),
        .sentSMS: .cycle([.milliseconds(150), .milliseconds(150), .milliseconds(150), .milliseconds(1550)]),
        .sentBoth: .cycle([
            .seconds(1), .milliseconds(300), .milliseconds(150), .milliseconds(150), .milliseconds(150), .milliseconds(1250),
        ]),
        .acknowledged: .on,
        .failed: .cycle([.milliseconds(100), .milliseconds(100)]),
    ]

    public func validate() throws(LocalControlError) {
        for (indication, pattern) in status { try pattern.validate(name: "status.\(indication.rawValue)") }
        for (indication, pattern) in feedback { try pattern.validate(name: "feedback.\(indication.rawValue)") }
        try siren.validate(name: "siren")
    }
}

/// The conditions the status LED summarises.
public struct BoxCondition: Sendable, Hashable {
    public var uplinkUp = true
    public var cellularReady = true
    /// Named faults that need a person, such as `contact:fire_panel stuck` or `sim: PIN locked`.
    public var faults: Set<String> = []
    public var sending = false
    public var acknowledged = false

    public init() {}

    /// The worst condition wins.
    public var indication: BoxIndication {
        if !faults.isEmpty { return .fault }
        if sending { return .sending }
        if acknowledged { return .acknowledged }
        if !uplinkUp { return cellularReady ? .smsMode : .uplinkDown }
        return .idle
    }
}

/// The feedback an alert's progress gives the person who raised it.
extension FeedbackIndication {
    public init(progress: AlertProgressSummary) {
        if progress.acknowledged {
            self = .acknowledged
        } else if progress.imSent && progress.smsSent {
            self = .sentBoth
        } else if progress.smsSent {
            self = .sentSMS
        } else if progress.imSent {
            self = .sentIM
        } else if progress.finished {
            self = .failed
        } else {
            self = .raised
        }
    }
}

/// What the feedback LED needs to know about an alert.
public struct AlertProgressSummary: Sendable, Hashable {
    public var imSent = false
    public var smsSent = false
    public var acknowledged = false
    /// Nothing left to send.
    public var finished = false

    public init(imSent: Bool = false, smsSent: Bool = false, acknowledged: Bool = false, finished: Bool = false) {
        self.imSent = imSent
        self.smsSent = smsSent
        self.acknowledged = acknowledged
        self.finished = finished
    }
}

extension BoxCondition {
    /// The fault the status LED shows for the modem, by this key.
    public static let modemFault = "modem"

    /// Takes the cellular side from the modem's state: ready for SMS, or not yet (connecting,
    /// initialising, recovering), or failed until a person acts (wrong PIN, no SIM), which is a
    /// fault.
    public mutating func apply(modemState: ModemState) {
        switch modemState {
        case .ready:
            cellularReady = true
            faults.remove(Self.modemFault)
        case .connecting, .initialising, .recovering, .stopped:
            cellularReady = false
            faults.remove(Self.modemFault)
        case .unavailable:
            cellularReady = false
            faults.insert(Self.modemFault)
        }
    }
}
