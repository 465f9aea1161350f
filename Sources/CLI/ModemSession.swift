import Core
import Modem
import SMS

/// The findings of a modem command, for `ModemReport` to print.
enum ModemOutcome: Sendable {
    case status(ModemStatus)
    case send(SendOutcome)
    case inbox([IncomingMessage])
    case reset(readyAfter: Duration)
}

/// The result of `alertbox modem send`.
struct SendOutcome: Sendable {
    let recipient: PhoneNumber
    let result: SendResult
    let reportRequested: Bool
    let reportWait: Duration
    /// The latest status report per accepted part, in part order; nil where none arrived.
    let reports: [DeliveryStatus?]
}

/// Runs one modem command against a fresh `ModemDriver`: start, wait until ready, act, stop.
enum ModemSession {
    static func perform(
        _ action: ModemCommand.Action, settings: ModemSettings, logger: Logger, readyTimeout: Duration
    ) async -> Result<ModemOutcome, CLIError> {
        let driver = ModemDriver(settings: settings, logger: logger)
        let recorder = EventRecorder(driver)
        await driver.start()

        let outcome: Result<ModemOutcome, CLIError>
        if await driver.waitUntilReady(timeout: readyTimeout) {
            outcome = await act(action, driver: driver, recorder: recorder, readyTimeout: readyTimeout)
        } else {
            outcome = .failure(notReady(await driver.state, timeout: readyTimeout, afterRestart: false))
        }

        await driver.stop()
        await recorder.finish()
        if case .success(.inbox) = outcome {
            return .success(.inbox(recorder.receivedMessages))
        }
        return outcome
    }

    private static func act(
        _ action: ModemCommand.Action, driver: ModemDriver, recorder: EventRecorder, readyTimeout: Duration
    ) async -> Result<ModemOutcome, CLIError> {
        switch action {
        case .status:
            return .success(.status(await driver.status))

        case .send(let recipient, let text, let report, let reportWait):
            let mark = recorder.count
            let result = await driver.send(OutgoingSMS(id: "cli", recipient: recipient, text: text, statusReport: report))
            var reports: [DeliveryStatus?] = []
            if report, case .accepted(let references) = result {
                reports = await waitForReports(references, to: recipient, after: mark, recorder: recorder, timeout: reportWait)
            }
            return .success(
                .send(SendOutcome(recipient: recipient, result: result, reportRequested: report, reportWait: reportWait, reports: reports)))

        case .inbox(let wait):
            if wait > .zero {
                try? await Task.sleep(for: wait)
            }
            await driver.deliverIncompleteMessages()
            // The messages are read from the recorder once the driver has stopped.
            return .success(.inbox([]))

        case .reset:
            let started = ContinuousClock.now
            do {
                try await driver.restartModem()
            } catch {
                return .failure(
                    .failure(
                        LocalizedText(
                            zh: "模块重启失败：\(error)", en: "modem restart failed: \(error)")))
            }
            guard await driver.waitUntilReady(timeout: readyTimeout) else {
                return .failure(notReady(await driver.state, timeout: readyTimeout, afterRestart: true))
            }
            return .success(.reset(readyAfter: ContinuousClock.now - started))
        }
    }

    /// Waits until every part has a final status report or `timeout` passes; returns the
    /// latest status per part.
    private static func waitForReports(
        _ references: [UInt8], to recipient: PhoneNumber, after mark: Int, recorder: EventRecorder, timeout: Duration
    ) async -> [DeliveryStatus?] {
        let deadline = ContinuousClock.now + timeout
        var statuses = [DeliveryStatus?](repeating: nil, count: references.count)
        while true {
            for event in recorder.events(after: mark) {
                guard case .statusReport(let reference, let reported, let status) = event,
                    sameNumber(reported, recipient.e164), let part = references.firstIndex(of: reference)
                else { continue }
                statuses[part] = status
            }
            let done = statuses.allSatisfy { $0?.category.isFinal ?? false }
            if done || ContinuousClock.now >= deadline {
                return statuses
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Compares two numbers by their last 11 digits, because an SMSC may report the
    /// recipient in national form.
    static func sameNumber(_ first: String, _ second: String) -> Bool {
        let digits = { (text: String) in text.filter(\.isASCII).filter(\.isNumber).suffix(11) }
        return !digits(first).isEmpty && digits(first) == digits(second)
    }

    static func notReady(_ state: ModemState, timeout: Duration, afterRestart: Bool) -> CLIError {
        let seconds = timeout.components.seconds
        let stateText = ModemReport.stateName(state)
        let hint: LocalizedText
        switch state {
        case .connecting:
            hint = LocalizedText(
                zh: "模块不应答 AT；请检查 --baud、模块电源，以及是否有其他程序占用该串口",
                en: "the modem does not answer AT; check --baud, the modem's power, and that no other program uses the port")
        case .unavailable:
            hint = LocalizedText(zh: "需要人工处理后才能使用短信", en: "a person must act before SMS works")
        default:
            hint = LocalizedText(zh: "请加 --verbose 查看驱动日志", en: "add --verbose to see the driver's log")
        }
        let lead = afterRestart
            ? LocalizedText(zh: "模块重启后未在 \(seconds) 秒内就绪", en: "modem not ready within \(seconds) s after the restart")
            : LocalizedText(zh: "模块未在 \(seconds) 秒内就绪", en: "modem not ready within \(seconds) s")
        return .failure(
            LocalizedText(
                zh: "\(lead.chinese)；最后状态：\(stateText.chinese)；\(hint.chinese)",
                en: "\(lead.english); last state: \(stateText.english); \(hint.english)"))
    }
}

/// Collects the driver's events from its stream in the background.
final class EventRecorder: Sendable {
    private let storage = Locked<[ModemEvent]>([])
    private let reader = Locked<Task<Void, Never>?>(nil)

    init(_ driver: ModemDriver) {
        let task = Task { [self] in
            for await event in driver.events {
                storage.withLock { $0.append(event) }
            }
        }
        reader.withLock { $0 = task }
    }

    var count: Int {
        storage.withLock { $0.count }
    }

    func events(after mark: Int) -> [ModemEvent] {
        storage.withLock { Array($0.dropFirst(mark)) }
    }

    /// The messages received, in order.
    var receivedMessages: [IncomingMessage] {
        storage.withLock { events in
            events.compactMap { event in
                if case .received(let message) = event { message } else { nil }
            }
        }
    }

    /// Waits until the stream has ended, which `ModemDriver.stop()` causes.
    func finish() async {
        let task = reader.withLock { $0 }
        await task?.value
    }
}
