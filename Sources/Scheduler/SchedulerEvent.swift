public import Alerting

/// What the scheduler tells its observers: the LEDs and the siren, the console's progress line.
///
/// Events follow the commit of the change they report. An observer that falls behind loses the
/// oldest events, not the scheduler's time: the database stays the truth, and `progress(of:)`
/// reads it.
public enum SchedulerEvent: Sendable, Equatable {
    /// An alert was planned with its deliveries.
    case planned(alertID: Int64, priority: AlertPriority, status: CAPAlert.Status, source: Alert.Source, deliveries: Int)
    /// A delivery's attempt ended in `state` (`sent`, `pending` for a retry, `failed`, `unknown`).
    case outcome(alertID: Int64, lane: Lane, state: String)
    /// A recipient acknowledged the alert.
    case acknowledged(alertID: Int64)
    /// Alerts were cancelled or superseded, so their pending deliveries stopped.
    case closed(alertIDs: [Int64], state: String)
    /// The uplink's health changed: IM goes, or SMS takes over.
    case uplink(UplinkHealth)
}

/// How far an alert's deliveries have got, read from the database.
public struct AlertProgress: Sendable, Equatable {
    public var smsSent = 0
    public var smsFailed = 0
    public var smsOpen = 0
    public var imSent = 0
    public var imFailed = 0
    public var imOpen = 0
    public var acknowledgements = 0
    /// The alert's own state: `active`, `done`, `cancelled`, `superseded` or `expired`.
    public var state = ""

    public init() {}

    public var total: Int { smsSent + smsFailed + smsOpen + imSent + imFailed + imOpen }
    /// Whether nothing is left to send or being sent.
    public var isFinished: Bool { smsOpen + imOpen == 0 }
}
