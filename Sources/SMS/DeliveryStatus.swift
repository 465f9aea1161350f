public import Core

/// A TP-Status from a status report, with its class.
/// 3GPP TS 23.040 §9.2.3.15.
public struct DeliveryStatus: Hashable, Sendable, CustomStringConvertible {
    /// The meaning of a status for the message.
    public enum Category: String, Sendable, Codable {
        /// The short message reached the recipient (or was forwarded or replaced).
        case delivered
        /// A temporary error, and the SMSC is still trying; another report may follow.
        case temporaryFailureStillTrying
        /// A temporary error, and the SMSC has stopped trying; sending again may succeed.
        case temporaryFailure
        /// A permanent error; sending again will fail the same way.
        case permanentFailure

        /// Whether no further report for this part is expected.
        public var isFinal: Bool {
            self != .temporaryFailureStillTrying
        }
    }

    public let rawValue: UInt8

    public init(rawValue: UInt8) {
        self.rawValue = rawValue
    }

    /// The class of the value. Reserved values are read by their range, and values from 0x80
    /// on, which the standard reserves, as permanent failures.
    public var category: Category {
        switch rawValue {
        case 0x00...0x1F: .delivered
        case 0x20...0x3F: .temporaryFailureStillTrying
        case 0x40...0x5F: .permanentFailure
        case 0x60...0x7F: .temporaryFailure
        default: .permanentFailure
        }
    }

    /// The standard's name for the value, in English.
    public var description: String {
        name.english
    }

    /// The standard's name for the value, in both operator languages.
    public var name: LocalizedText {
        switch rawValue {
        case 0x00: LocalizedText(zh: "接收方已收到", en: "received by the recipient")
        case 0x01: LocalizedText(zh: "已转发，未确认送达", en: "forwarded, delivery unconfirmed")
        case 0x02: LocalizedText(zh: "已被短信中心替换", en: "replaced by the SMSC")
        case 0x20, 0x60: LocalizedText(zh: "网络拥塞", en: "congestion")
        case 0x21, 0x61: LocalizedText(zh: "接收方忙", en: "recipient busy")
        case 0x22, 0x62: LocalizedText(zh: "接收方无响应", en: "no response from recipient")
        case 0x23, 0x63: LocalizedText(zh: "服务被拒绝", en: "service rejected")
        case 0x24, 0x44, 0x64: LocalizedText(zh: "服务质量不可用", en: "quality of service not available")
        case 0x25, 0x65: LocalizedText(zh: "接收方出错", en: "error in recipient")
        case 0x40: LocalizedText(zh: "远端过程错误", en: "remote procedure error")
        case 0x41: LocalizedText(zh: "目的地不兼容", en: "incompatible destination")
        case 0x42: LocalizedText(zh: "接收方拒绝连接", en: "connection rejected by recipient")
        case 0x43: LocalizedText(zh: "无法接通", en: "not obtainable")
        case 0x45: LocalizedText(zh: "无互通", en: "no interworking available")
        case 0x46: LocalizedText(zh: "有效期已过", en: "validity period expired")
        case 0x47: LocalizedText(zh: "已被发送方删除", en: "deleted by the sender")
        case 0x48: LocalizedText(zh: "已被短信中心管理删除", en: "deleted by SMSC administration")
        case 0x49: LocalizedText(zh: "消息不存在", en: "message does not exist")
        default:
            LocalizedText(
                zh: "保留或短信中心自定义的状态 0x\(Hex.encode([rawValue]))",
                en: "reserved or SMSC-specific status 0x\(Hex.encode([rawValue]))")
        }
    }
}
