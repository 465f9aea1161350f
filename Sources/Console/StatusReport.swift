import ATProtocol
import Core
import Modem
import Scheduler

/// Renders `status` and `modem info` in the operator's language.
enum StatusReport {
    static func lines(_ snapshot: StatusSnapshot, language: Language) -> [String] {
        let text = { (zh: String, en: String) in LocalizedText(zh: zh, en: en)(language) }
        var rows: [(String, String)] = []
        let uplink: String
        switch snapshot.uplink {
        case .up: uplink = text("正常", "up")
        case .degraded: uplink = text("降级", "degraded")
        case .down: uplink = text("中断（警报改走短信）", "down (alerts go by SMS)")
        case nil: uplink = text("未配置", "not configured")
        }
        rows.append((text("上行链路", "Uplink"), uplink))
        if let modem = snapshot.modem {
            rows += modemSummary(modem, language: language)
        } else {
            rows.append((text("模块", "Modem"), text("无", "none")))
        }
        rows.append((text("待发队列", "Queue"), text("\(snapshot.queued) 条待投递", "\(snapshot.queued) deliveries waiting")))
        let limits = snapshot.smsLimits
        rows.append(
            (
                text("短信额度", "SMS budget"),
                text(
                    "本分钟 \(snapshot.smsUsedLastMinute)/\(limits.perMinute)，本小时 \(snapshot.smsUsedLastHour)/\(limits.perHour)，今天 \(snapshot.smsUsedLastDay)/\(limits.perDay)",
                    "minute \(snapshot.smsUsedLastMinute)/\(limits.perMinute), hour \(snapshot.smsUsedLastHour)/\(limits.perHour), day \(snapshot.smsUsedLastDay)/\(limits.perDay)")
            ))
        return CommandGrammar.table(rows)
    }

    static func modemSummary(_ modem: ModemStatus, language: Language) -> [(String, String)] {
        let text = { (zh: String, en: String) in LocalizedText(zh: zh, en: en)(language) }
        var rows: [(String, String)] = []
        rows.append(("SIM", simText(modem.simState, language: language)))
        let domains: [(NetworkRegistration.Domain, String)] = [(.eps, "EPS"), (.packetSwitched, "PS"), (.circuitSwitched, "CS")]
        let registration = domains.compactMap { domain, name in modem.registrations[domain].map { "\(name) \(registrationText($0, language: language))" } }
        rows.append((text("网络注册", "Registration"), registration.isEmpty ? text("未知", "unknown") : registration.joined(separator: ", ")))
        if let signal = modem.signal {
            let bars = signal.bars.map { String(repeating: "▮", count: $0) + String(repeating: "▯", count: 4 - $0) } ?? "?"
            var value = "\(bars) " + text("\(signal.bars ?? 0) 格", "\(signal.bars ?? 0) bars")
            if let rssi = signal.rssiDBm { value += ", RSSI \(rssi) dBm" }
            if let age = modem.signalAge {
                value += text("（\(age.components.seconds) 秒前）", " (\(age.components.seconds) s ago)")
            }
            rows.append((text("信号", "Signal"), value))
        } else {
            rows.append((text("信号", "Signal"), text("无读数", "no reading")))
        }
        rows.append((text("运营商", "Operator"), modem.operatorName ?? text("未知", "unknown")))
        return rows
    }

    static func modemLines(_ modem: ModemStatus, language: Language) -> [String] {
        let text = { (zh: String, en: String) in LocalizedText(zh: zh, en: en)(language) }
        var rows: [(String, String)] = [
            (text("状态", "State"), "\(modem.state)"),
            (text("型号", "Model"), [modem.manufacturer, modem.model].compactMap { $0 }.joined(separator: " ")),
            (text("固件", "Firmware"), modem.revision ?? "-"),
            ("IMEI", modem.imei ?? "-"),
            ("IMSI", masked(modem.imsi)),
            ("ICCID", masked(modem.iccid)),
            (text("短信中心", "SMSC"), modem.smscAddress ?? "-"),
        ]
        rows += modemSummary(modem, language: language)
        return CommandGrammar.table(rows)
    }

    /// Shows an IMSI or ICCID's first 6 and last 4 digits, as `alertbox modem status` does.
    static func masked(_ value: String?) -> String {
        guard let value else { return "-" }
        guard value.count > 10 else { return String(repeating: "*", count: value.count) }
        return value.prefix(6) + String(repeating: "*", count: value.count - 10) + value.suffix(4)
    }

    static func simText(_ state: String?, language: Language) -> String {
        let text = { (zh: String, en: String) in LocalizedText(zh: zh, en: en)(language) }
        switch state {
        case "READY": return text("就绪", "ready")
        case "SIM PIN": return text("需要 PIN", "PIN needed")
        case "SIM PUK": return text("需要 PUK（已锁）", "PUK needed (locked)")
        case "NOT INSERTED": return text("未插卡", "not inserted")
        case nil: return text("未知", "unknown")
        case let other?: return other
        }
    }

    static func registrationText(_ state: RegistrationState, language: Language) -> String {
        let text = { (zh: String, en: String) in LocalizedText(zh: zh, en: en)(language) }
        switch state {
        case .home, .homeSMSOnly: return text("本地网", "home")
        case .roaming, .roamingSMSOnly: return text("漫游", "roaming")
        case .searching: return text("搜索中", "searching")
        case .denied: return text("被拒绝", "denied")
        case .notRegistered: return text("未注册", "not registered")
        case .emergencyOnly: return text("仅紧急呼叫", "emergency only")
        default: return text("未知", "unknown")
        }
    }
}
