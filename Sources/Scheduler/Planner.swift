public import Alerting
public import Core

/// A person who may receive an alert, as the audience resolved to.
public struct PlanRecipient: Sendable, Equatable {
    public var contactID: Int64
    public var name: String
    /// Phone numbers in E.164, the first being the one SMS goes to.
    public var phones: [String]
    /// Lower ranks are alerted first.
    public var roleRank: Int
    /// Quiet hours as minutes after local midnight; the period may wrap past midnight.
    public var quietStartMinute: Int?
    public var quietEndMinute: Int?
    /// The language of the texts this person reads.
    public var language: Language

    public init(
        contactID: Int64, name: String, phones: [String], roleRank: Int = 100, quietStartMinute: Int? = nil, quietEndMinute: Int? = nil,
        language: Language = .chinese
    ) {
        self.contactID = contactID
        self.name = name
        self.phones = phones
        self.roleRank = roleRank
        self.quietStartMinute = quietStartMinute
        self.quietEndMinute = quietEndMinute
        self.language = language
    }

    /// Minutes until the quiet period ends, 0 when `minute` (after local midnight) is outside it.
    func minutesOfQuietLeft(at minute: Int) -> Int {
        guard let start = quietStartMinute, let end = quietEndMinute, start != end else { return 0 }
        let inside = start < end ? (minute >= start && minute < end) : (minute >= start || minute < end)
        guard inside else { return 0 }
        return (end - minute + 1440) % 1440
    }
}

/// An IM robot or broker topic the alert may go to.
public struct PlanTarget: Sendable, Equatable {
    public var targetID: Int64
    /// `wecom`, `dingtalk`, `feishu`, `webhook` or `mqtt`.
    public var channel: String

    public init(targetID: Int64, channel: String) {
        self.targetID = targetID
        self.channel = channel
    }
}

/// The health of the IM uplink at planning time.
public enum UplinkHealth: Sendable, Equatable {
    case up
    case degraded
    case down
}

/// A sequenced group in the audience: its members in the order they are alerted.
public struct PlanSequence: Sendable, Equatable {
    public var groupID: Int64
    /// Contact ids, first to be alerted first.
    public var contactIDs: [Int64]

    public init(groupID: Int64, contactIDs: [Int64]) {
        self.groupID = groupID
        self.contactIDs = contactIDs
    }
}

/// One delivery to write before anything is sent.
public struct PlannedDelivery: Sendable, Equatable {
    public var channel: String
    public var recipient: String?
    public var contactID: Int64?
    public var targetID: Int64?
    /// Minutes to hold the delivery back, for a recipient's quiet hours.
    public var delayMinutes: Int
    public var language: Language = .chinese
}

/// An escalation to arm: the group's contact at `nextPosition` is alerted when no one has
/// acknowledged in time.
public struct PlannedEscalation: Sendable, Equatable {
    public var groupID: Int64
    public var nextPosition: Int
}

/// Everything a plan writes: the deliveries and the escalations of sequenced groups.
public struct Plan: Sendable, Equatable {
    public var deliveries: [PlannedDelivery]
    public var escalations: [PlannedEscalation]
}

/// Turns an alert's audience into deliveries, by the priority rules.
///
/// - P0: every IM target and an SMS to every recipient at once, quiet hours ignored.
/// - P1: IM; SMS too while the uplink is down (IM failures fall back to SMS later).
/// - P2: IM; SMS while the uplink is down (the SIM budget decides at send time).
/// - P3: IM only; the IM worker keeps it waiting while the uplink is down.
/// Each person gets one SMS, to their first number, however many groups they are in; a
/// number shared by two contacts also gets one. Recipients are ordered by role rank, then name.
///
/// A sequenced group (an on-call roster) is alerted one contact at a time for P1: its first
/// member gets an SMS whatever the uplink, and the next only when no one acknowledges in time.
/// P0 alerts every member at once, and P2 and P3 treat a sequenced group as a plain one.
public enum Planner {
    /// Plans an alert whose audience has no sequenced group.
    public static func plan(
        priority: AlertPriority, recipients: [PlanRecipient], targets: [PlanTarget], uplink: UplinkHealth,
        localMinute: Int
    ) -> [PlannedDelivery] {
        plan(priority: priority, recipients: recipients, sequences: [], targets: targets, uplink: uplink, localMinute: localMinute).deliveries
    }

    /// Plans an alert: IM targets, SMS recipients and the escalations of sequenced groups.
    /// - Parameters:
    ///   - recipients: every member of the audience, including those of sequenced groups.
    ///   - sequences: the sequenced groups, each with its members in order.
    ///   - localMinute: minutes after local midnight now, for quiet hours.
    public static func plan(
        priority: AlertPriority, recipients: [PlanRecipient], sequences: [PlanSequence], targets: [PlanTarget],
        uplink: UplinkHealth, localMinute: Int
    ) -> Plan {
        var deliveries: [PlannedDelivery] = []
        var seenTargets: Set<Int64> = []
        for target in targets where seenTargets.insert(target.targetID).inserted {
            deliveries.append(PlannedDelivery(channel: target.channel, recipient: nil, contactID: nil, targetID: target.targetID, delayMinutes: 0))
        }

        let smsNow: Bool
        switch priority {
        case .lifeSafety: smsNow = true
        case .urgent, .routine: smsNow = uplink == .down
        case .reminder: smsNow = false
        }

        // For P1, members of sequenced groups wait their turn unless a plain group also has them.
        var escalations: [PlannedEscalation] = []
        var onlyInSequence: Set<Int64> = []
        var firstOfSequence: Set<Int64> = []
        if priority == .urgent {
            let sequenced = Set(sequences.flatMap(\.contactIDs))
            let membership = Dictionary(recipients.map { ($0.contactID, 1) }, uniquingKeysWith: +)
            let sequencedCounts = Dictionary(sequences.flatMap(\.contactIDs).map { ($0, 1) }, uniquingKeysWith: +)
            for contactID in sequenced where membership[contactID, default: 0] <= sequencedCounts[contactID, default: 0] {
                onlyInSequence.insert(contactID)
            }
            // The first member who can receive an SMS starts the sequence; one without a phone
            // number is skipped, or the group would never be alerted.
            let reachable = Set(recipients.filter { !$0.phones.isEmpty }.map(\.contactID))
            for sequence in sequences {
                guard let index = sequence.contactIDs.firstIndex(where: reachable.contains) else { continue }
                firstOfSequence.insert(sequence.contactIDs[index])
                if index + 1 < sequence.contactIDs.count {
                    escalations.append(PlannedEscalation(groupID: sequence.groupID, nextPosition: index + 1))
                }
            }
        }

        let ordered = recipients.sorted { ($0.roleRank, $0.name, $0.contactID) < ($1.roleRank, $1.name, $1.contactID) }
        var seenContacts: Set<Int64> = []
        var seenPhones: Set<String> = []
        for recipient in ordered {
            let wanted: Bool
            if onlyInSequence.contains(recipient.contactID) {
                wanted = firstOfSequence.contains(recipient.contactID)
            } else {
                wanted = smsNow || firstOfSequence.contains(recipient.contactID)
            }
            guard wanted, seenContacts.insert(recipient.contactID).inserted, let phone = recipient.phones.first,
                seenPhones.insert(phone).inserted
            else { continue }
            let delay = priority == .lifeSafety ? 0 : recipient.minutesOfQuietLeft(at: localMinute)
            deliveries.append(
                PlannedDelivery(
                    channel: "sms", recipient: phone, contactID: recipient.contactID, targetID: nil, delayMinutes: delay,
                    language: recipient.language))
        }
        return Plan(deliveries: deliveries, escalations: escalations)
    }
}
