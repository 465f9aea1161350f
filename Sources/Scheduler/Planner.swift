public import Alerting

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

    public init(contactID: Int64, name: String, phones: [String], roleRank: Int = 100, quietStartMinute: Int? = nil, quietEndMinute: Int? = nil) {
        self.contactID = contactID
        self.name = name
        self.phones = phones
        self.roleRank = roleRank
        self.quietStartMinute = quietStartMinute
        self.quietEndMinute = quietEndMinute
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

/// One delivery to write before anything is sent.
public struct PlannedDelivery: Sendable, Equatable {
    public var channel: String
    public var recipient: String?
    public var contactID: Int64?
    public var targetID: Int64?
    /// Minutes to hold the delivery back, for a recipient's quiet hours.
    public var delayMinutes: Int
}

/// Turns an alert's audience into deliveries, by the priority rules.
///
/// - P0: every IM target and an SMS to every recipient at once, quiet hours ignored.
/// - P1: IM; SMS too while the uplink is down (IM failures fall back to SMS later).
/// - P2: IM; SMS while the uplink is down (the SIM budget decides at send time).
/// - P3: IM only; the IM worker keeps it waiting while the uplink is down.
/// Each person gets one SMS, to their first number, however many groups they are in; a
/// number shared by two contacts also gets one. Recipients are ordered by role rank, then name.
public enum Planner {
    public static func plan(
        priority: AlertPriority, recipients: [PlanRecipient], targets: [PlanTarget], uplink: UplinkHealth,
        localMinute: Int
    ) -> [PlannedDelivery] {
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
        guard smsNow else { return deliveries }

        let ordered = recipients.sorted { ($0.roleRank, $0.name, $0.contactID) < ($1.roleRank, $1.name, $1.contactID) }
        var seenContacts: Set<Int64> = []
        var seenPhones: Set<String> = []
        for recipient in ordered {
            guard seenContacts.insert(recipient.contactID).inserted, let phone = recipient.phones.first,
                seenPhones.insert(phone).inserted
            else { continue }
            let delay = priority == .lifeSafety ? 0 : recipient.minutesOfQuietLeft(at: localMinute)
            deliveries.append(PlannedDelivery(channel: "sms", recipient: phone, contactID: recipient.contactID, targetID: nil, delayMinutes: delay))
        }
        return deliveries
    }
}
