/// The people of the scenario's hospital: a responder roster, floor wardens and the rest of
/// the staff, 2,000 in all, each in the group 全体 (everyone). The rest of the staff are also
/// in 职工 (staff), which no robot serves.
struct ScenarioPeople {
    static let responderGroup = "应急小组"
    static let wardenGroup = "楼层负责人"
    static let everyoneGroup = "全体"
    static let staffGroup = "职工"

    var responders = 10
    var wardens = 40
    var everyone = 2_000

    func responder(_ index: Int) -> String { "+861380010" + digits(index + 1, 4) }
    func warden(_ index: Int) -> String { "+861380020" + digits(index + 1, 4) }
    func staff(_ index: Int) -> String { "+86150" + digits(index + 1, 8) }

    /// The duty officers on the SMS command allow-list, and a number that is not on it.
    let commandOperators = ["+8613900030001", "+8613900030002"]
    let stranger = "+8613900039999"

    var responderNumbers: [String] { (0..<responders).map(responder) }
    /// Every number of the scenario, in E.164.
    var allNumbers: [String] {
        responderNumbers + wardenNumbers + (0..<max(0, everyone - responders - wardens)).map(staff) + commandOperators + [stranger]
    }
    var wardenNumbers: [String] { (0..<wardens).map(warden) }
    var staffNumbers: [String] { (0..<max(0, everyone - responders - wardens)).map(staff) }

    /// The contacts file in CSV, with Chinese column names as an office exports them.
    func csv() -> String {
        var lines = ["姓名,手机,分组,排序"]
        for index in 0..<responders {
            lines.append("应急队员\(index + 1),\(responder(index)),\(Self.responderGroup);\(Self.everyoneGroup),10")
        }
        for index in 0..<wardens {
            lines.append("楼层负责人\(index + 1),\(warden(index)),\(Self.wardenGroup);\(Self.everyoneGroup),20")
        }
        for index in 0..<max(0, everyone - responders - wardens) {
            lines.append("职工\(index + 1),\(staff(index)),\(Self.staffGroup);\(Self.everyoneGroup),100")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func digits(_ value: Int, _ count: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, count - text.count)) + text
    }
}
