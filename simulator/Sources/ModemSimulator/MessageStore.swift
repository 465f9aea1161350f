import ATProtocol

/// One message memory of the simulated modem: `SM` (the SIM), `ME` (the module) or `SR`
/// (status reports), with fixed capacity and 1-based indexes as modules number them.
/// 3GPP TS 27.005 §3.1 (`<mem>`, `<index>`, `<stat>`).
struct MessageStore: Sendable {
    struct Record: Sendable {
        var status: MessageStatus
        /// The PDU, SMSC field first.
        var pdu: [UInt8]
        /// The TPDU length that `+CMGR` and `+CMGL` print.
        var tpduLength: Int
    }

    let name: String
    let capacity: Int
    private(set) var records: [Int: Record] = [:]

    init(name: String, capacity: Int) {
        self.name = name
        self.capacity = capacity
    }

    var used: Int {
        records.count
    }

    var isFull: Bool {
        records.count >= capacity
    }

    /// Stores a PDU at the lowest free index and returns it, or nil when the memory is full.
    mutating func store(_ pdu: [UInt8], status: MessageStatus) -> Int? {
        guard let index = (1...capacity).first(where: { records[$0] == nil }) else { return nil }
        let smscLength = pdu.isEmpty ? 0 : Int(pdu[0]) + 1
        records[index] = Record(status: status, pdu: pdu, tpduLength: pdu.count - smscLength)
        return index
    }

    func record(at index: Int) -> Record? {
        records[index]
    }

    mutating func markRead(_ index: Int) {
        if records[index]?.status == .receivedUnread {
            records[index]?.status = .receivedRead
        }
    }

    @discardableResult
    mutating func delete(_ index: Int) -> Bool {
        records.removeValue(forKey: index) != nil
    }

    /// Deletes by `AT+CMGD` flag: 1 read, 2 read and sent, 3 read, sent and unsent, 4 all.
    mutating func delete(flag: Int) {
        let statuses: Set<MessageStatus>
        switch flag {
        case 1: statuses = [.receivedRead]
        case 2: statuses = [.receivedRead, .storedSent]
        case 3: statuses = [.receivedRead, .storedSent, .storedUnsent]
        default: statuses = Set(MessageStatus.allCases)
        }
        records = records.filter { !statuses.contains($0.value.status) }
    }

    /// The records with `status` (all when nil), by index.
    func list(_ status: MessageStatus?) -> [(index: Int, record: Record)] {
        records.keys.sorted().compactMap { index in
            // The index comes from the dictionary's own keys.
            let record = records[index]!
            guard status == nil || record.status == status else { return nil }
            return (index, record)
        }
    }
}
