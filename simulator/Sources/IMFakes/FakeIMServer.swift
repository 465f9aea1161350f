import Core
import Synchronization

/// The fake of one IM API: an HTTP server on 127.0.0.1, its robots, its faults and its
/// recording.
///
/// Requests are checked on the server's thread. Control requests read and change the same
/// state from the simulator's thread, so the state is behind a mutex.
public final class FakeIMServer: FakeHTTPHandler, Sendable {
    /// The number of records kept per server; older ones are dropped, so a long run stays
    /// within memory.
    static let recordLimit = 100_000

    public let api: FakeAPI
    private let state = Locked(FakeServerState())
    private let clock: FakeClock
    private let sequence: RecordSequence
    private let started: MonotonicInstant
    private let logger: Logger
    /// Set once by `bind`, before the server accepts its first connection.
    private let http = Locked<FakeHTTPServer?>(nil)

    /// Creates the fake without a socket; `bind` opens one.
    /// - Parameters:
    ///   - sequence: the counter shared by all fakes, so that record indexes are unique and
    ///     in arrival order across servers.
    init(api: FakeAPI, clock: FakeClock, sequence: RecordSequence, started: MonotonicInstant, logger: Logger) {
        self.api = api
        self.clock = clock
        self.sequence = sequence
        self.started = started
        self.logger = logger.with("im.api", .plain(api.rawValue))
    }

    /// Binds the server to 127.0.0.1:`port` and starts it.
    func bind(port: Int, tls: TLSContext?, untrustedTLS: TLSContext?) async throws(IMFakeError) -> FakeHTTPServer {
        let server = try FakeHTTPServer(name: api.rawValue, port: port, tls: tls, untrustedTLS: untrustedTLS, handler: self, logger: logger)
        http.withLock { $0 = server }
        await server.start()
        return server
    }

    var server: FakeHTTPServer? {
        http.withLock { $0 }
    }

    // MARK: Control

    func put(_ robot: FakeRobot) {
        state.withLock { $0.put(robot) }
    }

    var robots: [FakeRobot] {
        state.withLock { Array($0.robots.values) }.sorted { $0.name < $1.name }
    }

    func inject(_ fault: FakeFault) {
        state.withLock { $0.faults.append(fault) }
        logger.notice("fault injected", ["im.fault": .plain(fault.kind.name), "im.robot": .plain(fault.robot ?? "all")])
    }

    func clearFaults() {
        state.withLock { $0.faults.removeAll() }
    }

    func records(since index: Int, robot: String?) -> [IMRecord] {
        state.withLock { state in
            state.records.filter { $0.index >= index && (robot == nil || $0.robot == robot) }
        }
    }

    // MARK: FakeHTTPHandler

    public func connectionFault() -> FakeConnectionFault? {
        let fault = state.withLock { $0.takeFault(robot: nil, connectionLevel: true, at: SystemClock().now) }
        switch fault?.kind {
        case .tlsUntrusted?: return .untrustedCertificate
        case .tlsGarbage?: return .plaintextGarbage
        case .tlsReset?: return .resetAfterHandshake
        default: return nil
        }
    }

    public func rejectedUnparsed(status: Int, reason: String) {
        let request = FakeHTTPRequest(method: "", target: "", headers: [], body: [])
        let verdict = FakeVerdict.rejected(.json("{}", status: status), robot: nil, code: nil, reason: reason)
        state.withLock { state in
            record(request, connection: nil, verdict: verdict, robot: nil, action: .respond(verdict.response, delay: .zero), fault: nil, in: &state)
        }
    }

    public func handle(_ request: FakeHTTPRequest, connection: Int) -> FakeHTTPAction {
        let now = clock.now
        let wallNow = clock.wallNow
        return state.withLock { state in
            let robot = robotName(of: request, in: state)
            let fault = state.takeFault(robot: robot, connectionLevel: false, at: SystemClock().now)

            // Faults that replace the check get no verdict; the others check the request first.
            var verdict: FakeVerdict?
            let action: FakeHTTPAction
            switch fault?.kind {
            case .httpStatus(let status)?:
                action = .respond(.html(status: status), delay: .zero)
            case .reply(let status, let body)?:
                let headers = [FakeHTTPResponse.HTTPField("Content-Type", "application/json; charset=utf-8")]
                action = .respond(FakeHTTPResponse(status: status, headers: headers, body: Array(body.utf8)), delay: .zero)
            case .rateLimited?:
                action = .respond(rateLimitedResponse(robot: robot, in: state), delay: .zero)
            case .noAnswer?:
                action = .neverRespond
            case .reset?:
                action = .reset
            case .close?:
                action = .close
            case .slowAnswer(let delay)?:
                let checked = evaluate(request, in: &state, now: now, wallNow: wallNow)
                verdict = checked
                action = .respond(checked.response, delay: delay)
            case .acceptThenClose?:
                verdict = evaluate(request, in: &state, now: now, wallNow: wallNow)
                action = .close
            case .tlsUntrusted?, .tlsGarbage?, .tlsReset?, nil:
                let checked = evaluate(request, in: &state, now: now, wallNow: wallNow)
                verdict = checked
                action = .respond(checked.response, delay: .zero)
            }

            record(request, connection: connection, verdict: verdict, robot: robot, action: action, fault: fault?.kind, in: &state)
            return action
        }
    }

    // MARK: Rules

    private func robotName(of request: FakeHTTPRequest, in state: FakeServerState) -> String? {
        switch api {
        case .weCom: WeComRules.robot(of: request, in: state)?.name
        case .dingTalk: DingTalkRules.robot(of: request, in: state)?.name
        case .feishu: FeishuRules.robot(of: request, in: state)?.name
        case .webhook: WebhookRules.robot(of: request, in: state)?.name
        }
    }

    private func evaluate(_ request: FakeHTTPRequest, in state: inout FakeServerState, now: MonotonicInstant, wallNow: WallTime) -> FakeVerdict {
        switch api {
        case .weCom: WeComRules.evaluate(request, in: &state, now: now)
        case .dingTalk: DingTalkRules.evaluate(request, in: &state, now: now, wallNow: wallNow)
        case .feishu: FeishuRules.evaluate(request, in: &state, now: now, wallNow: wallNow)
        case .webhook: WebhookRules.evaluate(request, in: &state, now: now, wallNow: wallNow)
        }
    }

    private func rateLimitedResponse(robot name: String?, in state: FakeServerState) -> FakeHTTPResponse {
        let robot = name.flatMap { state.robots[$0] } ?? FakeRobot(name: "any", api: api)
        switch api {
        case .weCom: return WeComRules.rateLimited(robot)
        case .dingTalk: return DingTalkRules.rateLimited(robot)
        case .feishu: return FeishuRules.rateLimited(robot)
        case .webhook: return WebhookRules.rateLimited(robot)
        }
    }

    private func record(
        _ request: FakeHTTPRequest, connection: Int?, verdict: FakeVerdict?, robot: String?, action: FakeHTTPAction,
        fault: FakeFault.Kind?, in state: inout FakeServerState
    ) {
        let status: Int?
        var reason: String?
        switch action {
        case .respond(let response, _):
            status = response.status
            if verdict == nil {
                reason = "fault \(fault?.name ?? "")"
            }
        case .neverRespond, .reset, .close:
            status = nil
            if verdict == nil || fault == .acceptThenClose {
                reason = (verdict?.accepted == true ? "accepted, then " : "") + "fault \(fault?.name ?? ""): no response sent"
            }
        }
        let index = sequence.next()
        let recorded = SystemClock().now
        let entry = IMRecord(
            index: index, api: api, connection: connection, request: request, verdict: verdict, robot: robot, status: status, fault: fault, reason: reason,
            atMilliseconds: started.duration(to: recorded).nanoseconds / 1_000_000, monotonicNanoseconds: recorded.nanoseconds)
        state.records.append(entry)
        if state.records.count > Self.recordLimit {
            state.records.removeFirst(state.records.count - Self.recordLimit)
        }

        let fields: KeyValuePairs<String, LogValue> = [
            "im.index": .plain(String(index)), "im.robot": .plain(entry.robot ?? "none"), "http.status": .plain(status.map(String.init) ?? "none"),
            "im.code": .plain(entry.code.map(String.init) ?? "none"), "im.reason": .plain(entry.reason), "im.text": .body(entry.text ?? ""),
        ]
        if entry.accepted {
            logger.debug("message accepted", fields)
        } else {
            logger.info("request rejected", fields)
        }
    }
}

/// The counter of requests over all fake servers, which numbers the records.
final class RecordSequence: Sendable {
    private let counter = Atomic<Int>(0)

    /// Returns the next index, from 0.
    func next() -> Int {
        counter.add(1, ordering: .relaxed).oldValue
    }

    /// The number of requests recorded so far.
    var count: Int {
        counter.load(ordering: .relaxed)
    }
}
