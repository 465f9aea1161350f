public import Core

/// One received part, as the reassembler takes it.
public struct ReceivedPart: Sendable, Equatable {
    /// The sender as written in the PDU (`+8613800000001`, `10086`, `ALERT`).
    public var sender: String
    public var alphabet: SMSAlphabet
    /// Septets for GSM 7-bit, octets otherwise, without the header.
    public var payload: [UInt8]
    public var concatenation: Concatenation?
    /// TP-SCTS: when the SMSC received the part, or nil when the source has no timestamp.
    public var serviceCentreTimestamp: SMSTimestamp?

    public init(
        sender: String, alphabet: SMSAlphabet, payload: [UInt8], concatenation: Concatenation?, serviceCentreTimestamp: SMSTimestamp? = nil
    ) {
        self.sender = sender
        self.alphabet = alphabet
        self.payload = payload
        self.concatenation = concatenation
        self.serviceCentreTimestamp = serviceCentreTimestamp
    }

    /// Takes the sender, timestamp and user data of a received SMS-DELIVER.
    public init(_ deliver: SMSDeliver) {
        self.init(
            sender: deliver.originator.description, alphabet: deliver.userData.alphabet,
            payload: deliver.userData.payload, concatenation: deliver.userData.concatenation,
            serviceCentreTimestamp: deliver.serviceCentreTimestamp)
    }
}

/// The identity of a concatenated message: sender, reference (with its width) and part count.
public struct ReassemblyKey: Hashable, Sendable {
    public var sender: String
    public var referenceBits: Int
    public var reference: UInt16
    public var total: Int
}

/// A message put together from its parts, whole or with gaps.
public struct ReassembledMessage: Sendable, Equatable {
    /// The key of a concatenated message, nil for a single-part one.
    public var key: ReassemblyKey?
    public var sender: String
    /// The text, with a gap marker where a part is missing.
    public var text: String
    /// The part numbers received, from 1.
    public var receivedParts: [Int]
    /// The part numbers still missing.
    public var missingParts: [Int]
    /// The earliest TP-SCTS of the parts received, or nil when no part had one.
    public var serviceCentreTimestamp: SMSTimestamp? = nil

    public var isComplete: Bool {
        missingParts.isEmpty
    }
}

/// An outcome of reassembly.
public enum ReassemblyEvent: Sendable, Equatable {
    /// Every part arrived in time; the message is whole.
    case complete(ReassembledMessage)
    /// The timeout passed with parts missing; the text carries gap markers.
    case partial(ReassembledMessage)
    /// A part arrived after its message went out as partial; this text replaces that one.
    /// It is whole when `isComplete`, else it still has gaps.
    case correction(ReassembledMessage)
}

/// Puts concatenated SMS back together.
///
/// Parts are keyed by sender, reference and part count, and ordered by sequence number.
/// Duplicates, as a periodic re-listing of the modem's storage produces, are dropped. When the
/// timeout passes after a message's first part, it goes out as partial text with gap markers,
/// and nothing else waits on it. Its parts are remembered for `lateRetention`, so a late part
/// produces a correction of that message instead of a new one. Payloads are joined before
/// decoding, so a character whose escape or surrogate pair a sender split across parts stays
/// whole.
/// - Note: The reference is one octet for most senders, so a sender that reuses it for a new
///   message with the same part count inside `lateRetention` is taken as a late part when the
///   part number is missing from the earlier message. A part whose number is already present
///   with other content starts a new message.
/// 3GPP TS 23.040 §9.2.3.24.1.
public struct Reassembler: Sendable {
    public struct Configuration: Sendable {
        /// The time after a message's first part at which it goes out with gaps.
        public var timeout: Duration
        /// How long parts of a partial message are kept for corrections.
        public var lateRetention: Duration
        /// The maximum messages waiting for parts. Past it the oldest goes out as partial.
        public var maximumPendingMessages: Int
        /// The marker written where part `sequence` of `total` is missing.
        public var gapMarker: @Sendable (_ sequence: Int, _ total: Int) -> String

        /// Creates a configuration; 10 minutes matches Gammu SMSD's `MultipartTimeout` and the
        /// time real networks take to deliver the parts of a long message.
        public init(
            timeout: Duration = .seconds(600), lateRetention: Duration = .seconds(24 * 3600),
            maximumPendingMessages: Int = 1000,
            gapMarker: @escaping @Sendable (_ sequence: Int, _ total: Int) -> String = { "[…missing part \($0)/\($1)…]" }
        ) {
            self.timeout = timeout
            self.lateRetention = lateRetention
            self.maximumPendingMessages = maximumPendingMessages
            self.gapMarker = gapMarker
        }
    }

    private struct Group {
        var key: ReassemblyKey
        var firstSeen: MonotonicInstant
        var order: UInt64
        var parts: [Int: (alphabet: SMSAlphabet, payload: [UInt8])]
        var earliestTimestamp: SMSTimestamp?
        /// For a group already sent out as partial, when its parts are forgotten.
        var retainUntil: MonotonicInstant?

        mutating func note(_ timestamp: SMSTimestamp?) {
            guard let timestamp else { return }
            if let earliest = earliestTimestamp, earliest.secondsSinceEpoch <= timestamp.secondsSinceEpoch { return }
            earliestTimestamp = timestamp
        }
    }

    public let configuration: Configuration
    private var pending: [ReassemblyKey: Group] = [:]
    private var delivered: [ReassemblyKey: Group] = [:]
    private var counter: UInt64 = 0

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// The messages waiting for parts.
    public var pendingCount: Int {
        pending.count
    }

    /// The earliest instant at which `expire(at:)` has work, for the owner's timer.
    public var nextDeadline: MonotonicInstant? {
        pending.values.map { $0.firstSeen.advanced(by: configuration.timeout) }.min()
    }

    /// Takes one part and returns what became ready, expired messages included.
    public mutating func receive(_ part: ReceivedPart, at now: MonotonicInstant) -> [ReassemblyEvent] {
        var events = expire(at: now)
        guard let concatenation = part.concatenation else {
            let message = ReassembledMessage(
                key: nil, sender: part.sender, text: UserData.text(from: part.payload, alphabet: part.alphabet),
                receivedParts: [1], missingParts: [], serviceCentreTimestamp: part.serviceCentreTimestamp)
            return events + [.complete(message)]
        }

        let key = ReassemblyKey(
            sender: part.sender, referenceBits: concatenation.referenceBits, reference: concatenation.reference,
            total: concatenation.total)
        let entry = (alphabet: part.alphabet, payload: part.payload)
        let sequence = concatenation.sequence

        if var group = pending[key] {
            guard group.parts[sequence] == nil else { return events }
            group.parts[sequence] = entry
            group.note(part.serviceCentreTimestamp)
            if group.parts.count == key.total {
                pending[key] = nil
                events.append(.complete(message(of: group)))
            } else {
                pending[key] = group
            }
            return events
        }

        if var group = delivered[key] {
            if let known = group.parts[sequence] {
                if known.alphabet == entry.alphabet, known.payload == entry.payload {
                    return events
                }
                // The same part number with other content: the sender reused the reference.
                delivered[key] = nil
            } else {
                group.parts[sequence] = entry
                group.note(part.serviceCentreTimestamp)
                let corrected = message(of: group)
                delivered[key] = corrected.isComplete ? nil : group
                return events + [.correction(corrected)]
            }
        }

        if pending.count >= configuration.maximumPendingMessages,
            let oldest = pending.values.min(by: { $0.order < $1.order })
        {
            events.append(.partial(release(oldest, at: now)))
        }
        counter += 1
        let group = Group(
            key: key, firstSeen: now, order: counter, parts: [sequence: entry], earliestTimestamp: part.serviceCentreTimestamp, retainUntil: nil)
        if key.total == 1 {
            events.append(.complete(message(of: group)))
        } else {
            pending[key] = group
        }
        return events
    }

    /// Sends out every message whose timeout has passed, with gap markers, oldest first, and
    /// drops partial messages kept longer than `lateRetention`.
    public mutating func expire(at now: MonotonicInstant) -> [ReassemblyEvent] {
        delivered = delivered.filter { ($0.value.retainUntil ?? now) > now }
        let due = pending.values
            .filter { $0.firstSeen.advanced(by: configuration.timeout) <= now }
            .sorted { $0.order < $1.order }
        return due.map { .partial(release($0, at: now)) }
    }

    private mutating func release(_ group: Group, at now: MonotonicInstant) -> ReassembledMessage {
        pending[group.key] = nil
        var kept = group
        kept.retainUntil = now.advanced(by: configuration.lateRetention)
        delivered[group.key] = kept
        // Keep memory bounded when a flood of broken messages arrives.
        if delivered.count > configuration.maximumPendingMessages,
            let oldest = delivered.values.min(by: { $0.order < $1.order })
        {
            delivered[oldest.key] = nil
        }
        return message(of: group)
    }

    /// Builds the text, decoding each run of consecutive parts as one payload.
    private func message(of group: Group) -> ReassembledMessage {
        var text = ""
        var run: [UInt8] = []
        var runAlphabet: SMSAlphabet?
        var missing: [Int] = []

        func flush() {
            if let alphabet = runAlphabet {
                text += UserData.text(from: run, alphabet: alphabet)
            }
            run = []
            runAlphabet = nil
        }

        for sequence in 1...group.key.total {
            guard let part = group.parts[sequence] else {
                flush()
                missing.append(sequence)
                text += configuration.gapMarker(sequence, group.key.total)
                continue
            }
            if runAlphabet != part.alphabet {
                flush()
                runAlphabet = part.alphabet
            }
            run += part.payload
        }
        flush()
        return ReassembledMessage(
            key: group.key, sender: group.key.sender, text: text, receivedParts: group.parts.keys.sorted(),
            missingParts: missing, serviceCentreTimestamp: group.earliestTimestamp)
    }
}
