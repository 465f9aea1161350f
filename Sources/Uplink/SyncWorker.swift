public import Core
public import Hardware
public import Scheduler
public import Storage

/// The receiver of events going upstream: a campus system behind a signed webhook, or an MQTT topic.
public protocol Upstream: Sendable {
    /// The name logs use; never a key or a URL with credentials.
    var name: String { get }
    /// Sends one event and returns its outcome.
    func publish(_ entry: SyncOutbox.Entry) async -> UpstreamOutcome
}

/// What became of one event sent upstream.
public enum UpstreamOutcome: Sendable, Equatable {
    case acknowledged
    /// The receiver did not take the event. The reason is meant for logs: it names no key,
    /// secret or URL.
    case notAcknowledged(reason: String)
}

/// Takes the events the box recorded (SMS sent, status reports, replies, acknowledgements,
/// inbound SMS) upstream in the order they happened, once the uplink is up.
///
/// Each event goes with its idempotency key and is marked synced only after the receiver
/// acknowledged it, so a crash in between sends it again with the same key and the receiver
/// keeps one. The worker stops at the first failure to keep the order, and yields to live
/// alerts: it sends nothing while IM deliveries are queued.
public actor SyncWorker {
    let database: Database
    let upstream: any Upstream
    let scheduler: AlertScheduler
    let clock: any BoxClock
    let logger: Logger
    let batchSize: Int
    private var task: Task<Void, Never>?

    public init(database: Database, upstream: any Upstream, scheduler: AlertScheduler, clock: any BoxClock, logger: Logger, batchSize: Int = 50) {
        self.database = database
        self.upstream = upstream
        self.scheduler = scheduler
        self.clock = clock
        self.logger = logger.labeled("sync").with("sync.upstream", .plain(upstream.name))
        self.batchSize = batchSize
    }

    /// The result of one pass.
    public enum Pass: Sendable, Equatable {
        /// This many events went upstream, and the backlog may hold more.
        case sent(Int)
        /// Nothing to send.
        case empty
        /// The uplink is not up, or live alerts are queued.
        case deferred
        /// The upstream did not acknowledge an event; it is tried again later.
        case failed
    }

    /// Sends what may go now, oldest first.
    public func runOnce() async -> Pass {
        guard await scheduler.uplinkHealth == .up, await scheduler.pendingIMCount == 0 else { return .deferred }
        let entries: [SyncOutbox.Entry]
        let limit = batchSize
        do {
            entries = try await database.read { try SyncOutbox.unsynced(limit: limit, in: $0) }
        } catch {
            logger.error("sync backlog not read", ["error": .plain(String(describing: error))])
            return .failed
        }
        guard !entries.isEmpty else { return .empty }

        var sent = 0
        for entry in entries {
            // Live alerts that arrived meanwhile go first.
            if await scheduler.pendingIMCount > 0 { break }
            // nil when the receiver acknowledged the event.
            var failure: String?
            if case .notAcknowledged(let reason) = await upstream.publish(entry) { failure = reason }
            let acknowledged = failure == nil
            let time = clock.wallNow.nanosecondsSinceEpoch / 1_000_000
            do {
                try await database.transaction("sync mark") { connection in
                    if acknowledged {
                        try SyncOutbox.markSynced(entry.id, at: time, in: connection)
                    } else {
                        try SyncOutbox.recordFailedAttempt(entry.id, in: connection)
                    }
                }
            } catch {
                logger.error("sync state not recorded", ["sync.key": .plain(entry.key), "error": .plain(String(describing: error))])
                return .failed
            }
            if let failure {
                logger.warning(
                    "upstream did not acknowledge an event; retrying later",
                    ["sync.key": .plain(entry.key), "sync.attempts": .plain(String(entry.attempts + 1)), "error": .plain(failure)])
                return sent > 0 ? .sent(sent) : .failed
            }
            sent += 1
        }
        if sent > 0 {
            logger.info("events sent upstream", ["sync.count": .plain(String(sent))])
        }
        return .sent(sent)
    }

    /// Starts a loop that passes every `interval`, at once again while a backlog remains,
    /// and after `retryDelay` when the upstream failed.
    public func start(interval: Duration = .seconds(5), retryDelay: Duration = .seconds(30)) {
        guard task == nil else { return }
        task = Task {
            while !Task.isCancelled {
                let pause: Duration
                switch await runOnce() {
                case .sent(let count): pause = count > 0 ? .zero : interval
                case .empty, .deferred: pause = interval
                case .failed: pause = retryDelay
                }
                if pause > .zero {
                    try? await clock.sleep(for: pause)
                }
            }
        }
    }

    /// Stops the loop after the event in flight.
    public func stop() async {
        task?.cancel()
        await task?.value
        task = nil
    }
}

/// The upstream behind a signed webhook: each event is the body, its key the `webhook-id`.
public struct WebhookUpstream: Upstream {
    public let name: String
    let webhook: SignedWebhook
    let client: HTTPClient
    let classifier: ResponseClassifier
    let clock: any BoxClock
    let clockTrust: ClockTrust

    public init(name: String, webhook: SignedWebhook, client: HTTPClient, clock: any BoxClock, clockTrust: ClockTrust) {
        self.name = name
        self.webhook = webhook
        self.client = client
        self.classifier = ResponseClassifier()
        self.clock = clock
        self.clockTrust = clockTrust
    }

    public func publish(_ entry: SyncOutbox.Entry) async -> UpstreamOutcome {
        do {
            let request = try webhook.request(
                webhookID: entry.key, json: Array(entry.payload.utf8), time: clock.wallNow, clockTrusted: clockTrust.isTrusted)
            let response = try await client.post(request.http)
            guard classifier.classify(response, channel: .webhook) == .sent else {
                return .notAcknowledged(reason: "the webhook returned HTTP \(response.status)")
            }
            return .acknowledged
        } catch {
            // A rejected TLS certificate ends here, with the fix in the error's detail. The
            // reason leaves out the URL, because a receiver's URL may carry a credential that
            // redaction does not know.
            return .notAcknowledged(reason: error.curlCode == 0 ? error.detail : "\(error.detail) (curl \(error.curlCode))")
        }
    }
}
