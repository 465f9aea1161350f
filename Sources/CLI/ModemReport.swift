import ATProtocol
import Core
import Modem
import SMS

/// Prints what a modem command found, as labelled lines or as JSON.
struct ModemReport {
    let language: Language
    let json: Bool

    /// Prints `outcome` and returns the exit status.
    func render(_ outcome: ModemOutcome, into output: inout CommandOutput) -> Int32 {
        switch outcome {
        case .status(let status):
            if json {
                output.print(Self.statusJSON(status).rendered())
            } else {
                statusLines(status, into: &output)
            }
            return 0
        case .send(let send):
            return sendReport(send, into: &output)
        case .inbox(let messages):
            inboxReport(messages, into: &output)
            return 0
        case .reset(let readyAfter):
            let milliseconds = Self.milliseconds(readyAfter)
            if json {
                output.print(JSONValue.object([("restarted", true), ("ready_after_ms", .number(milliseconds))]).rendered())
            } else {
                let seconds = Self.decimalSeconds(milliseconds)
                output.print(LocalizedText(zh: "模块已重启，\(seconds) 秒后再次就绪", en: "Modem restarted; ready again after \(seconds) s"))
            }
            return 0
        }
    }

    // MARK: status

    private func statusLines(_ status: ModemStatus, into output: inout CommandOutput) {
        let unknown = LocalizedText(zh: "未知", en: "unknown")
        let model = [status.manufacturer, status.model].compactMap { $0 }.joined(separator: " ")
        let revision = status.revision.map { LocalizedText(zh: "，固件 \($0)", en: ", revision \($0)") }

        output.print(LocalizedText(zh: "状态：\(Self.stateName(status.state).chinese)", en: "State: \(Self.stateName(status.state).english)"))
        output.print(
            LocalizedText(
                zh: "模块：\(model.isEmpty ? unknown.chinese : model)\(revision?.chinese ?? "")",
                en: "Modem: \(model.isEmpty ? unknown.english : model)\(revision?.english ?? "")"))
        output.print("IMEI" + label(status.imei ?? unknown(language)))
        let sim = status.simState.map(Self.simStateName) ?? unknown
        output.print(LocalizedText(zh: "SIM 卡：\(sim.chinese)", en: "SIM: \(sim.english)"))
        output.print("IMSI" + label(status.imsi.map(Self.maskIdentifier) ?? unknown(language)))
        output.print("ICCID" + label(status.iccid.map(Self.maskIdentifier) ?? unknown(language)))

        output.print(LocalizedText(zh: "网络注册：", en: "Registration:"))
        for domain in Self.domains {
            let state = status.registrations[domain].map(Self.registrationName) ?? LocalizedText(zh: "未报告", en: "not reported")
            output.print("  " + Self.domainName(domain)(language) + label(state(language)))
        }

        output.print(LocalizedText(zh: "信号：", en: "Signal: ")(language) + signalText(status))
        output.print(LocalizedText(zh: "运营商：", en: "Operator: ")(language) + (status.operatorName ?? unknown(language)))
        output.print(LocalizedText(zh: "短信中心：", en: "SMSC: ")(language) + (status.smscAddress ?? unknown(language)))

        output.print(LocalizedText(zh: "计数：", en: "Counters:"))
        if status.counters.isEmpty {
            output.print(LocalizedText(zh: "  无", en: "  none"))
        }
        for (name, value) in status.counters.sorted(by: { $0.key < $1.key }) {
            output.print("  \(name)" + label(String(value)))
        }
    }

    /// Joins a label to its value with the colon each language uses.
    private func label(_ value: String) -> String {
        (language == .chinese ? "：" : ": ") + value
    }

    private func signalText(_ status: ModemStatus) -> String {
        guard let signal = status.signal else {
            return LocalizedText(zh: "尚无读数", en: "no reading yet")(language)
        }
        var parts: [String] = []
        if let rssi = signal.rssiDBm { parts.append("RSSI \(rssi) dBm") }
        if let rsrp = signal.rsrpDBm { parts.append("RSRP \(rsrp) dBm") }
        if let bars = signal.bars { parts.append(LocalizedText(zh: "\(bars) 格", en: "\(bars) bars")(language)) }
        let age = status.signalAge.map { Int($0.components.seconds) } ?? 0
        parts.append(LocalizedText(zh: "\(age) 秒前测得", en: "taken \(age) s ago")(language))
        return parts.joined(separator: language == .chinese ? "，" : ", ")
    }

    static func statusJSON(_ status: ModemStatus) -> JSONValue {
        let registration = domains.map { domain -> (String, JSONValue) in
            guard let state = status.registrations[domain] else { return (domainKey(domain), .null) }
            return (
                domainKey(domain),
                .object([("value", .number(state.rawValue)), ("registered", .bool(state.isRegistered)), ("description", .string(state.description))])
            )
        }
        let signal: JSONValue = status.signal.map { reading in
            .object([
                ("rssi_dbm", JSONValue(reading.rssiDBm)),
                ("rsrp_dbm", JSONValue(reading.rsrpDBm)),
                ("bars", JSONValue(reading.bars)),
                ("age_s", JSONValue(status.signalAge.map { Int($0.components.seconds) })),
            ])
        } ?? .null
        return .object([
            ("state", .string(status.state.description)),
            ("ready", .bool(status.state == .ready)),
            ("manufacturer", JSONValue(status.manufacturer)),
            ("model", JSONValue(status.model)),
            ("revision", JSONValue(status.revision)),
            ("imei", JSONValue(status.imei)),
            (
                "sim",
                .object([
                    ("state", JSONValue(status.simState)),
                    ("imsi", JSONValue(status.imsi.map(maskIdentifier))),
                    ("iccid", JSONValue(status.iccid.map(maskIdentifier))),
                ])
            ),
            ("registration", .object(registration)),
            ("signal", signal),
            ("operator", JSONValue(status.operatorName)),
            ("smsc", JSONValue(status.smscAddress)),
            ("counters", .object(status.counters.sorted { $0.key < $1.key }.map { ($0.key, .number($0.value)) })),
        ])
    }

    static let domains: [NetworkRegistration.Domain] = [.circuitSwitched, .packetSwitched, .eps]

    static func domainKey(_ domain: NetworkRegistration.Domain) -> String {
        switch domain {
        case .circuitSwitched: "cs"
        case .packetSwitched: "ps"
        case .eps: "eps"
        case .fiveGS: "5gs"
        }
    }

    static func domainName(_ domain: NetworkRegistration.Domain) -> LocalizedText {
        switch domain {
        case .circuitSwitched: LocalizedText(zh: "电路域 CS (+CREG)", en: "CS, circuit-switched (+CREG)")
        case .packetSwitched: LocalizedText(zh: "分组域 PS (+CGREG)", en: "PS, packet-switched (+CGREG)")
        case .eps: LocalizedText(zh: "LTE EPS (+CEREG)", en: "EPS, LTE (+CEREG)")
        case .fiveGS: LocalizedText(zh: "5G (+C5GREG)", en: "5GS (+C5GREG)")
        }
    }

    /// Names a registration state in words. 3GPP TS 27.007 §7.2 `<stat>`.
    static func registrationName(_ state: RegistrationState) -> LocalizedText {
        switch state.rawValue {
        case 0: LocalizedText(zh: "未注册，未在搜索", en: "not registered, not searching")
        case 1: LocalizedText(zh: "已注册，本地网络", en: "registered, home network")
        case 2: LocalizedText(zh: "未注册，正在搜索", en: "not registered, searching")
        case 3: LocalizedText(zh: "注册被拒绝", en: "registration denied")
        case 4: LocalizedText(zh: "未知", en: "unknown")
        case 5: LocalizedText(zh: "已注册，漫游", en: "registered, roaming")
        case 6: LocalizedText(zh: "已注册（仅短信），本地网络", en: "registered for SMS only, home network")
        case 7: LocalizedText(zh: "已注册（仅短信），漫游", en: "registered for SMS only, roaming")
        case 8: LocalizedText(zh: "仅紧急服务", en: "emergency services only")
        case 9: LocalizedText(zh: "已注册，本地网络，不优先 CSFB", en: "registered, home network, CSFB not preferred")
        case 10: LocalizedText(zh: "已注册，漫游，不优先 CSFB", en: "registered, roaming, CSFB not preferred")
        case 11: LocalizedText(zh: "运营商仅提供受限的本地服务", en: "restricted local operator services")
        default: LocalizedText(zh: "状态 \(state.rawValue)", en: "state \(state.rawValue)")
        }
    }

    static func simStateName(_ code: String) -> LocalizedText {
        switch code {
        case "READY": LocalizedText(zh: "就绪", en: "ready")
        case "SIM PIN": LocalizedText(zh: "需要 PIN 码", en: "PIN required")
        case "SIM PUK": LocalizedText(zh: "需要 PUK 码（PIN 已锁）", en: "PUK required (PIN locked)")
        case "NOT INSERTED": LocalizedText(zh: "未插卡", en: "not inserted")
        default: LocalizedText(zh: code, en: code)
        }
    }

    static func stateName(_ state: ModemState) -> LocalizedText {
        switch state {
        case .connecting: LocalizedText(zh: "连接中", en: "connecting")
        case .initialising: LocalizedText(zh: "初始化中", en: "initialising")
        case .ready: LocalizedText(zh: "就绪", en: "ready")
        case .recovering(let step): LocalizedText(zh: "恢复中（\(step.rawValue)）", en: "recovering (\(step.rawValue))")
        case .unavailable(let reason): LocalizedText(zh: "不可用（\(reason)）", en: "unavailable (\(reason))")
        case .stopped: LocalizedText(zh: "已停止", en: "stopped")
        }
    }

    /// Masks an IMSI or ICCID, keeping its first 6 and last 4 digits; a shorter value keeps
    /// only its last 4.
    static func maskIdentifier(_ value: String) -> String {
        let characters = Array(value)
        guard characters.count > 10 else {
            return String(repeating: "*", count: max(0, characters.count - 4)) + String(characters.suffix(4))
        }
        return String(characters.prefix(6)) + String(repeating: "*", count: characters.count - 10) + String(characters.suffix(4))
    }

    // MARK: send

    private func sendReport(_ send: SendOutcome, into output: inout CommandOutput) -> Int32 {
        if json {
            output.print(Self.sendJSON(send).rendered())
            return send.isAccepted ? 0 : 1
        }
        switch send.result {
        case .accepted(let references):
            let total = references.count
            output.print(LocalizedText(zh: "已发往 \(send.recipient.e164)，共 \(total) 段：", en: "Sent to \(send.recipient.e164) in \(total) part\(total == 1 ? "" : "s"):"))
            for (index, reference) in references.enumerated() {
                output.print(
                    LocalizedText(
                        zh: "  第 \(index + 1)/\(total) 段：短信中心已接受，参考号 TP-MR \(reference)",
                        en: "  Part \(index + 1)/\(total): accepted by the SMSC, TP-MR \(reference)"))
            }
            if send.reportRequested {
                reportLines(send, total: total, into: &output)
            }
            return 0
        case .failed(let kind, let cause, let acceptedParts, let reason):
            let kindName = Self.failureKindName(kind)
            let causeText = cause.map { LocalizedText(zh: "，CMS 错误 \($0)", en: ", CMS cause \($0)") }
            output.printFailure(
                LocalizedText(
                    zh: "第 \(acceptedParts + 1) 段发送失败：\(kindName.chinese)\(causeText?.chinese ?? "")（\(reason)）；此前已接受 \(acceptedParts) 段",
                    en: "part \(acceptedParts + 1) not sent: \(kindName.english)\(causeText?.english ?? "") (\(reason)); \(acceptedParts) part\(acceptedParts == 1 ? "" : "s") accepted before it"))
            return 1
        case .outcomeUnknown(let acceptedParts, let reason):
            output.printFailure(
                LocalizedText(
                    zh: "第 \(acceptedParts + 1) 段结果未知：写入 PDU 后模块中断（\(reason)），短信中心可能已收到；此前已接受 \(acceptedParts) 段",
                    en: "part \(acceptedParts + 1) has an unknown outcome: the modem was cut off after the PDU was written (\(reason)), so the SMSC may have it; \(acceptedParts) part\(acceptedParts == 1 ? "" : "s") accepted before it"))
            return 1
        }
    }

    private func reportLines(_ send: SendOutcome, total: Int, into output: inout CommandOutput) {
        let seconds = send.reportWait.components.seconds
        output.print(LocalizedText(zh: "状态报告：", en: "Status reports:"))
        for (index, status) in send.reports.enumerated() {
            let text: LocalizedText
            if let status {
                let outcome = Self.deliveryName(status.category)
                text = LocalizedText(
                    zh: "\(outcome.chinese)（\(status.name.chinese)，TP-ST \(status.rawValue)）",
                    en: "\(outcome.english) (\(status.name.english), TP-ST \(status.rawValue))")
            } else {
                text = LocalizedText(zh: "\(seconds) 秒内未收到", en: "none within \(seconds) s")
            }
            output.print(
                LocalizedText(
                    zh: "  第 \(index + 1)/\(total) 段：\(text.chinese)", en: "  Part \(index + 1)/\(total): \(text.english)"))
        }
    }

    static func deliveryName(_ category: DeliveryStatus.Category) -> LocalizedText {
        switch category {
        case .delivered: LocalizedText(zh: "已送达", en: "delivered")
        case .temporaryFailureStillTrying: LocalizedText(zh: "暂未送达，短信中心仍在重试", en: "not yet delivered, the SMSC is still trying")
        case .temporaryFailure: LocalizedText(zh: "失败（临时性）", en: "failed (temporary)")
        case .permanentFailure: LocalizedText(zh: "失败（永久性）", en: "failed (permanent)")
        }
    }

    static func failureKindName(_ kind: CMSError.SendFailureKind) -> LocalizedText {
        switch kind {
        case .temporary: LocalizedText(zh: "临时性错误，稍后重试可能成功", en: "temporary, a later retry may succeed")
        case .permanent: LocalizedText(zh: "永久性错误，重试不会成功", en: "permanent, a retry cannot succeed")
        case .unknown: LocalizedText(zh: "原因未知", en: "cause unknown")
        }
    }

    static func failureKindKey(_ kind: CMSError.SendFailureKind) -> String {
        switch kind {
        case .temporary: "temporary"
        case .permanent: "permanent"
        case .unknown: "unknown"
        }
    }

    static func sendJSON(_ send: SendOutcome) -> JSONValue {
        var fields: [(String, JSONValue)] = [("to", .string(send.recipient.e164))]
        switch send.result {
        case .accepted(let references):
            fields.append(("result", "accepted"))
            fields.append(("references", .array(references.map { .number(Int($0)) })))
        case .failed(let kind, let cause, let acceptedParts, let reason):
            fields.append(("result", "failed"))
            fields.append(("failure", .string(failureKindKey(kind))))
            fields.append(("cms_cause", JSONValue(cause)))
            fields.append(("accepted_parts", .number(acceptedParts)))
            fields.append(("reason", .string(reason)))
        case .outcomeUnknown(let acceptedParts, let reason):
            fields.append(("result", "unknown"))
            fields.append(("accepted_parts", .number(acceptedParts)))
            fields.append(("reason", .string(reason)))
        }
        if send.reportRequested, send.isAccepted {
            let reports = send.reports.enumerated().map { index, status -> JSONValue in
                guard let status else { return .object([("part", .number(index + 1)), ("status", .null)]) }
                return .object([
                    ("part", .number(index + 1)),
                    ("status", .number(Int(status.rawValue))),
                    ("category", .string(status.category.rawValue)),
                    ("description", .string(status.description)),
                ])
            }
            fields.append(("reports", .array(reports)))
        }
        return .object(fields)
    }

    // MARK: inbox

    private func inboxReport(_ messages: [IncomingMessage], into output: inout CommandOutput) {
        if json {
            let items = messages.map { message -> JSONValue in
                .object([
                    ("from", .string(message.sender)),
                    ("kind", .string(Self.kindKey(message.kind))),
                    ("parts", .number(message.parts)),
                    ("missing_parts", .array(message.missingParts.map { .number($0) })),
                    ("text", .string(message.text)),
                ])
            }
            output.print(JSONValue.object([("messages", .array(items))]).rendered())
            return
        }
        guard !messages.isEmpty else {
            output.print(LocalizedText(zh: "没有短信。", en: "No messages."))
            return
        }
        output.print(
            LocalizedText(
                zh: "\(messages.count) 条短信（已从模块中删除）：",
                en: "\(messages.count) message\(messages.count == 1 ? "" : "s") (deleted from the modem):"))
        for message in messages {
            let parts = LocalizedText(zh: "\(message.parts) 段", en: "\(message.parts) part\(message.parts == 1 ? "" : "s")")
            var kind: LocalizedText?
            switch message.kind {
            case .complete: kind = nil
            case .partial:
                let missing = message.missingParts.map(String.init).joined(separator: ",")
                kind = LocalizedText(zh: "不完整，缺第 \(missing) 段", en: "partial, missing part \(missing)")
            case .correction: kind = LocalizedText(zh: "补全了之前不完整的短信", en: "completes an earlier partial message")
            }
            let suffix = kind.map { LocalizedText(zh: "，\($0.chinese)", en: ", \($0.english)") }
            output.print(
                LocalizedText(
                    zh: "来自 \(message.sender.escapingControlCharacters())，\(parts.chinese)\(suffix?.chinese ?? "")：",
                    en: "From \(message.sender.escapingControlCharacters()), \(parts.english)\(suffix?.english ?? ""):"))
            output.print("  " + message.text.escapingControlCharacters())
        }
    }

    static func kindKey(_ kind: IncomingMessage.Kind) -> String {
        switch kind {
        case .complete: "complete"
        case .partial: "partial"
        case .correction: "correction"
        }
    }

    // MARK: Numbers

    static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }

    /// Formats milliseconds as seconds with one decimal, such as `3.4`.
    static func decimalSeconds(_ milliseconds: Int) -> String {
        let tenths = (milliseconds + 50) / 100
        return "\(tenths / 10).\(tenths % 10)"
    }
}

extension SendOutcome {
    var isAccepted: Bool {
        if case .accepted = result { true } else { false }
    }
}
