import Alerting
public import Core
import Scheduler

/// The box's SMS replies to commands, in Chinese and English.
///
/// Each Chinese reply fits one UCS-2 segment (70 characters) with names of up to 8
/// characters, and each English one fits one GSM 7-bit segment, so a reply costs one SMS of
/// the SIM's budget. The usage reply carries both languages and may take two.
public enum SMSCommandReply: Sendable, Equatable {
    case alarmRaised(name: String, alertNumber: Int64, sms: Int, im: Int)
    case alarmAlreadyRaised(name: String, alertNumber: Int64)
    case confirmAlarm(name: String, code: String, minutes: Int)
    case confirmCancel(alertNumber: Int64, name: String, code: String, minutes: Int)
    case cancelled(alertNumber: Int64, name: String)
    case nothingToCancel(alertNumber: Int64?)
    case unknownTrigger(name: String, known: [String])
    case status(BoxStatus)
    case wrongPIN(remaining: Int)
    case lockedOut(minutes: Int)
    case notAllowed(SMSCommandKind)
    case tooOld(minutes: Int)
    case inFuture
    case confirmationInvalid
    case usage
    case failed

    /// Returns the text in `language`.
    public func text(_ language: Language) -> String {
        let zh = language == .chinese
        switch self {
        case .alarmRaised(let name, let number, let sms, let im):
            return zh
                ? "已发出\(name)，编号\(number)，短信\(sms)人，群\(im)个。撤销请发：PIN 取消 \(number)"
                : "\(name) raised as no. \(number): SMS to \(sms), IM to \(im) groups. To withdraw it, send: PIN CANCEL \(number)"
        case .alarmAlreadyRaised(let name, let number):
            return zh ? "\(name)刚已发出（编号\(number)），本次未重复发送" : "\(name) was raised moments ago (no. \(number)); not raised again"
        case .confirmAlarm(let name, let code, let minutes):
            return zh
                ? "将发出\(name)。请在\(minutes)分钟内回复：确认 \(code)" : "About to raise \(name). To send it, reply within \(minutes) min: CONFIRM \(code)"
        case .confirmCancel(let number, let name, let code, let minutes):
            return zh
                ? "将取消编号\(number)（\(name)）。请在\(minutes)分钟内回复：确认 \(code)"
                : "About to cancel no. \(number) (\(name)). To do so, reply within \(minutes) min: CONFIRM \(code)"
        case .cancelled(let number, let name):
            return zh ? "已取消编号\(number)（\(name)），未发出的通知已停止" : "No. \(number) (\(name)) cancelled; messages not yet sent are stopped"
        case .nothingToCancel(let number):
            if let number {
                return zh ? "编号\(number)不是可取消的短信报警，未做任何操作" : "No. \(number) is no active alarm raised by SMS; nothing changed"
            }
            return zh ? "您没有可取消的短信报警，未做任何操作" : "You have no active alarm raised by SMS; nothing changed"
        case .unknownTrigger(let name, let known):
            let list = Self.fitting(known, separator: zh ? "、" : ", ", budget: zh ? 30 : 90)
            return zh ? "未知报警名称“\(Self.cut(name, 10))”。可用：\(list)" : "Unknown alarm name '\(Self.cut(name, 20))'. Known: \(list)"
        case .status(let status):
            return Self.statusText(status, zh: zh)
        case .wrongPIN(let remaining):
            return zh ? "PIN错误，未执行。再错\(remaining)次将暂停此号码的指令" : "Wrong PIN; nothing done. \(remaining) more wrong and this number is locked out"
        case .lockedOut(let minutes):
            return zh ? "PIN错误次数过多，此号码的指令将在\(minutes)分钟内被忽略" : "Too many wrong PINs: commands from this number are ignored for \(minutes) min"
        case .notAllowed(let kind):
            return zh ? "此号码无权执行“\(Self.chineseKeyword(kind))”指令" : "This number may not send \(kind.rawValue.uppercased()) commands"
        case .tooOld(let minutes):
            return zh ? "指令发出已超过\(minutes)分钟，未执行；如仍需要请重新发送" : "Command older than \(minutes) min; not run. Send it again if still needed"
        case .inFuture:
            return zh ? "指令时间晚于本机时间，未执行；请检查手机时间后重发" : "Command time is ahead of the box's clock; not run. Send it again"
        case .confirmationInvalid:
            return zh ? "确认码无效或已过期，未执行任何操作；如仍需要请重新发送指令" : "Confirmation code invalid or expired; nothing done. Send the command again"
        case .usage:
            return "格式：PIN 状态 / PIN 报警 名称 / PIN 取消 编号\nUsage: PIN STATUS / PIN ALARM name / PIN CANCEL no."
        case .failed:
            return zh ? "指令未能执行（本机故障），请改用电话等其他方式" : "Command failed on the box; use the phone or another way"
        }
    }

    private static func statusText(_ status: BoxStatus, zh: Bool) -> String {
        func flag(_ value: Bool?, _ yes: String, _ no: String) -> String { value.map { $0 ? yes : no } ?? "?" }
        let uplink: String
        switch status.uplink {
        case .up: uplink = zh ? "正常" : "up"
        case .degraded: uplink = zh ? "不稳" : "degraded"
        case .down: uplink = zh ? "中断" : "down"
        case nil: uplink = "?"
        }
        let signal = status.signalBars.map { bars in
            (zh ? "\(bars)格" : "\(bars)/4") + (status.signalDBm.map { "(\($0)dBm)" } ?? "")
        } ?? "?"
        let queue = status.queuedDeliveries.map(String.init) ?? "?"
        let used = status.smsUsedToday.map(String.init) ?? "?"
        let limit = status.smsDailyLimit.map { "/\($0)" } ?? ""
        if zh {
            return "状态：网络\(uplink)；SIM\(flag(status.simReady, "就绪", "异常"))；\(flag(status.registered, "已注册", "未注册"))；信号\(signal)；待发\(queue)条；今日短信\(used)\(limit)"
        }
        return "Status: uplink \(uplink); SIM \(flag(status.simReady, "ready", "not ready")); \(flag(status.registered, "registered", "not registered")); signal \(signal); queued \(queue); SMS today \(used)\(limit)"
    }

    /// Joins as many names as fit in `budget` characters, with `…` when some are left out.
    private static func fitting(_ names: [String], separator: String, budget: Int) -> String {
        var result = ""
        for name in names {
            let next = result.isEmpty ? name : result + separator + name
            guard next.count <= budget else { return result.isEmpty ? cut(name, budget) : result + "…" }
            result = next
        }
        return result
    }

    private static func cut(_ text: String, _ length: Int) -> String {
        text.count <= length ? text : String(text.prefix(length - 1)) + "…"
    }

    static func chineseKeyword(_ kind: SMSCommandKind) -> String {
        SMSCommandParser.keywords.first { $0.kind == kind }?.word ?? kind.rawValue
    }
}
