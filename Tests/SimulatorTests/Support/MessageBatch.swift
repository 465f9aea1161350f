/// One message that an SMS daemon test queues, with what the handset must receive.
struct OutgoingMessage: CustomStringConvertible {
    enum Kind {
        case gsm
        case chinese
    }

    let recipient: String
    let text: String
    let kind: Kind

    /// Parts after splitting: 160 or 153 GSM septets, 70 or 67 UCS-2 units, with an 8-bit
    /// concatenation header once split. The batch uses no GSM extension characters.
    var expectedParts: Int {
        switch kind {
        case .gsm:
            let length = text.count
            return length <= 160 ? 1 : (length + 152) / 153
        case .chinese:
            let units = text.utf16.count
            return units <= 70 ? 1 : (units + 66) / 67
        }
    }

    /// The form the handsets report it in, for comparing whole batches.
    var key: String {
        "\(recipient) \(expectedParts) \(text)"
    }

    var description: String {
        key
    }
}

/// A batch of GSM and Chinese messages, single and multipart, spread over five handsets.
enum MessageBatch {
    static let gsmTail =
        "Smoke detected on floor 3 of building 3. Leave by the nearest stairs, do not use the lifts, and gather on the sports field."
    static let chineseTail = "三号楼三层东侧走廊发现火情，请所有人员立即沿楼梯撤离到操场集合点，不要乘坐电梯。"

    /// `count` messages cycling through four kinds: short GSM, short Chinese, Chinese in two
    /// parts and GSM in two parts.
    static func make(count: Int = 22) -> [OutgoingMessage] {
        (0..<count).map { index in
            let recipient = "+86138000001\(10 + index % 5)"
            switch index % 4 {
            case 0:
                return OutgoingMessage(recipient: recipient, text: "Alert \(index): evacuate building 3 by the east stairs.", kind: .gsm)
            case 1:
                return OutgoingMessage(recipient: recipient, text: "第\(index)号警报：三号楼三层火警，请立即疏散。", kind: .chinese)
            case 2:
                return OutgoingMessage(recipient: recipient, text: "第\(index)号警报：" + String(repeating: chineseTail, count: 3), kind: .chinese)
            default:
                return OutgoingMessage(recipient: recipient, text: "Alert \(index): \(gsmTail) \(gsmTail)", kind: .gsm)
            }
        }
    }

    /// Returns the batch's keys and the handsets' keys, each sorted, for one equality check.
    static func compare(_ batch: [OutgoingMessage], _ received: [HandsetRecord]) -> (expected: [String], actual: [String]) {
        let expected = batch.map(\.key).sorted()
        let actual = received.map { "\($0.to) \($0.parts) \($0.text)" }.sorted()
        return (expected, actual)
    }
}
