/// The preferred message storage from `+CPMS`, in its three shapes.
///
/// - Read reply to `AT+CPMS?`: `+CPMS: "SM",0,50,"SM",0,50,"SM",0,50`, a memory name with
///   its used and total counts for each of up to three storages.
/// - Set reply to `AT+CPMS=...`: `+CPMS: 0,50,0,50,0,50`, counts only.
/// - Test reply to `AT+CPMS=?`: lists of supported memories, parsed by
///   ``SupportedStorages``.
///
/// The storages are, in order: read and delete (`<mem1>`), write and send (`<mem2>`), and
/// receive (`<mem3>`).
/// 3GPP TS 27.005 §3.2.2
public struct PreferredStorage: ATInformationResponse {
    /// One storage and its occupancy.
    public struct Storage: Sendable, Hashable {
        /// The memory name, such as `SM` or `ME`; nil in a set reply.
        public var memory: String?
        /// Messages stored.
        public var used: Int
        /// Capacity.
        public var total: Int

        public init(memory: String?, used: Int, total: Int) {
            self.memory = memory
            self.used = used
            self.total = total
        }

        /// Whether no further message fits.
        public var isFull: Bool { used >= total }
    }

    public static let prefixes: Set<String> = ["+CPMS"]

    /// One to three storages, in the order of the command's parameters.
    public var storages: [Storage]

    /// Creates a reply.
    public init(storages: [Storage]) {
        self.storages = storages
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let reader = FieldReader(fields: fields, context: prefix, line: line)
        if fields.contains(where: { if case .list = $0 { true } else { false } }) {
            throw reader.error(.malformedLine)
        }

        let hasNames = fields.first?.isQuoted == true || fields.first?.integer == nil
        let stride = hasNames ? 3 : 2
        guard fields.count >= stride, fields.count % stride == 0 else {
            throw reader.error(.malformedLine)
        }

        var storages: [Storage] = []
        for start in Swift.stride(from: 0, to: fields.count, by: stride) {
            let offset = hasNames ? 1 : 0
            storages.append(
                Storage(
                    memory: hasNames ? try reader.string(start, "mem").uppercased() : nil,
                    used: try reader.integer(start + offset, "used"),
                    total: try reader.integer(start + offset + 1, "total")
                ))
        }
        self.storages = storages
    }

    public var line: String {
        let parameters = storages.flatMap { storage in
            var values: [String] = []
            if let memory = storage.memory {
                values.append(ATFormat.quoted(memory))
            }
            values.append(String(storage.used))
            values.append(String(storage.total))
            return values
        }
        return ATFormat.line("+CPMS", parameters)
    }
}

/// The test reply to `AT+CPMS=?`: the memories supported for each storage.
///
/// Example: `+CPMS: ("SM","ME","MT"),("SM","ME","MT"),("SM","ME","MT")`. A storage with a
/// single memory may be printed without parentheses, and spaces may appear anywhere:
/// `+CPMS:     (  "ME"  ,  "MT"  )   ,  "ME" ,   (  "SM"  )`.
/// 3GPP TS 27.005 §3.2.2
public struct SupportedStorages: ATInformationResponse {
    public static let prefixes: Set<String> = ["+CPMS"]

    /// For each storage, the memory names it accepts, in upper case.
    public var memories: [[String]]

    /// Creates a test reply.
    public init(memories: [[String]]) {
        self.memories = memories
    }

    public init(prefix: String, fields: [ATField], line: String) throws(ATProtocolError) {
        let memories = fields.map { field in
            field.items.compactMap(\.string).map { $0.uppercased() }
        }
        guard !memories.isEmpty, memories.allSatisfy({ !$0.isEmpty }) else {
            throw ATProtocolError(.malformedLine, context: prefix, line: line)
        }
        self.memories = memories
    }

    public var line: String {
        ATFormat.line("+CPMS", memories.map { "(" + $0.map(ATFormat.quoted).joined(separator: ",") + ")" })
    }
}
