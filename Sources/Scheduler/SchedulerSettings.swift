public import Alerting
public import Core

/// The scheduler's configuration: limits, retries, keywords, windows and audiences.
public struct SchedulerSettings: Sendable {
    /// The all-clear a `Cancel` sends besides dropping the pending deliveries of the alerts it cancels.
    public enum AllClear: String, Sendable, CaseIterable {
        /// Nothing: the cancelled deliveries just stop.
        case none
        /// The all-clear goes to every recipient and IM target the cancelled alerts reached.
        case reached
        /// The all-clear goes to the cancelled alerts' whole audience.
        case audience
    }

    public var smsLimits: SMSBudget.Limits
    /// Messages per period each IM robot may take, by channel: the published API limits.
    public var imRates: [String: [IMRate]]
    public var retry: RetryPolicy
    /// Replies that acknowledge an alert, compared after trimming, case-insensitively and
    /// with full-width digits read as ASCII.
    public var acknowledgementKeywords: [String]
    /// How long after an SMS went out a reply still acknowledges that alert.
    public var acknowledgementWindow: Duration
    /// How long a sequenced group's current contact has to acknowledge before the next is alerted.
    public var escalationTimeout: Duration
    /// A trigger repeated within this window raises no new alert.
    public var triggerWindow: Duration
    public var allClear: AllClear
    /// The groups that `Test` and `Exercise` alerts go to, instead of their own audience.
    public var testAudience: [String]
    /// The box's language first, then the fallback order for texts.
    public var languages: [Language]
    /// Minutes east of UTC of the box's local time, for quiet hours.
    public var utcOffsetMinutes: Int
    /// How long after an SMS part was sent its status report is still paired with it.
    public var statusReportWindow: Duration
    /// Renders the texts the scheduler composes itself, such as the all-clear, with the
    /// configured SMS signature.
    public var composer: AlertComposer

    public init(
        smsLimits: SMSBudget.Limits = SMSBudget.Limits(), imRates: [String: [IMRate]] = Self.publishedIMRates,
        retry: RetryPolicy = RetryPolicy(), acknowledgementKeywords: [String] = ["1", "收到", "安全", "确认", "ok", "yes", "safe"],
        acknowledgementWindow: Duration = .seconds(24 * 3600), escalationTimeout: Duration = .seconds(300),
        triggerWindow: Duration = .seconds(60), allClear: AllClear = .reached, testAudience: [String] = ["测试组"],
        languages: [Language] = [.chinese, .english], utcOffsetMinutes: Int = 480, statusReportWindow: Duration = .seconds(3 * 24 * 3600),
        composer: AlertComposer = AlertComposer()
    ) {
        self.smsLimits = smsLimits
        self.imRates = imRates
        self.retry = retry
        self.acknowledgementKeywords = acknowledgementKeywords
        self.acknowledgementWindow = acknowledgementWindow
        self.escalationTimeout = escalationTimeout
        self.triggerWindow = triggerWindow
        self.allClear = allClear
        self.testAudience = testAudience
        self.languages = languages
        self.utcOffsetMinutes = utcOffsetMinutes
        self.statusReportWindow = statusReportWindow
        self.composer = composer
    }

    /// WeCom and DingTalk robots take 20 messages a minute, and Feishu bots 100 a minute and 5
    /// a second. Webhooks and MQTT have no published limit, so the box keeps them to a rate
    /// receivers can bear.
    public static let publishedIMRates: [String: [IMRate]] = [
        "wecom": [IMRate(count: 20, period: .seconds(60))],
        "dingtalk": [IMRate(count: 20, period: .seconds(60))],
        "feishu": [IMRate(count: 100, period: .seconds(60)), IMRate(count: 5, period: .seconds(1))],
        "webhook": [IMRate(count: 60, period: .seconds(60))],
        "mqtt": [IMRate(count: 600, period: .seconds(60))],
    ]
}

/// One rate limit of an IM API: `count` messages per `period`.
public struct IMRate: Sendable, Equatable {
    public var count: Int
    public var period: Duration

    public init(count: Int, period: Duration) {
        self.count = count
        self.period = period
    }
}
