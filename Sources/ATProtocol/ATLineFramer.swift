/// A state machine that splits the byte stream from a modem into lines and SMS prompts.
///
/// Feed it every chunk that a read returns, however the bytes were split, and act on the
/// events it returns. It never blocks, never waits for more input than it needs, and keeps
/// at most ``maximumLineLength`` bytes.
///
/// Line ends: CR, LF, CR LF and LF CR all end a line, and so does a lone CR, because the
/// echo of a command ends with the CR the host sent (`ATE0\rATE0\r`). Because every CR and
/// LF ends a line, the empty lines between them are dropped, so a blank line never
/// reaches the caller.
///
/// NUL bytes are dropped wherever they appear. Modules emit them around power-up, and a
/// NUL at the start of `RDY` would otherwise hide the line. Other bytes, including 0xFF and
/// invalid UTF-8, are kept in ``ATLine/bytes`` and decoded lossily in ``ATLine/text``.
///
/// The SMS prompt: after `AT+CMGS=<length>` a modem prints `>` at the start of a line and
/// waits for the PDU. Quectel modules send `\r\n> ` and then nothing, so the prompt cannot
/// wait for a line end. SIMCom SIM7670G sends `\r\n>\r\n`, with no space. The framer
/// reports ``Event/prompt`` when `>` is the first byte of a line while
/// ``isPromptExpected`` is true, at once and without waiting for more bytes. One space right
/// after the `>` is consumed with it, even if it arrives in a later chunk, and a following
/// line end only ends the empty line. Reporting the prompt clears ``isPromptExpected``.
///
/// While ``isPromptExpected`` is false, `>` starts an ordinary line. A text-mode message
/// body, a phonebook entry or an echoed line may start with `>`, and taking one of them for
/// a prompt would make the driver write a PDU that the modem then reads as a command. A
/// `>` in the middle of a line is never a prompt. The driver sets ``isPromptExpected``
/// after it writes `AT+CMGS=...` (or `AT+CMGW=...`) and clears it when a final result
/// arrives instead of the prompt.
///
/// Overflow: a line longer than ``maximumLineLength`` bytes is not kept. When its first
/// byte past the limit arrives, the framer reports ``Event/overflow(discardedByteCount:)`` and discards bytes
/// until the next CR or LF, then resumes with the next line. While discarding, it reports
/// another overflow for every further ``maximumLineLength`` bytes, so a stream without any
/// line end is still visible to the caller, and a last overflow with the remainder when
/// the line finally ends. The counts of all overflow events of one line add up to its
/// length.
/// ITU-T V.250 §5.7.1, 3GPP TS 27.005 §3.5.1
public struct ATLineFramer: Sendable {
    /// An event produced by the framer.
    public enum Event: Sendable, Hashable {
        /// A complete, non-empty line.
        case line(ATLine)
        /// The SMS prompt `>`: the modem waits for the PDU and Ctrl-Z.
        case prompt
        /// Bytes of an over-long line were discarded.
        case overflow(discardedByteCount: Int)
    }

    /// Default maximum line length in bytes.
    ///
    /// The longest legitimate line in this protocol is a PDU line: 2 × (12 address octets
    /// + 176 TPDU octets) = 376 hex digits. 4 KiB leaves room for long `+COPS=?` replies.
    public static let defaultMaximumLineLength = 4096

    /// Maximum number of bytes kept for one line.
    public let maximumLineLength: Int

    /// Whether a `>` at the start of a line is the SMS prompt.
    public var isPromptExpected: Bool = false

    private var buffer: [UInt8] = []
    private var isDiscarding = false
    private var discardedSinceReport = 0
    private var isAfterPrompt = false

    /// Creates a framer that keeps lines of up to `maximumLineLength` bytes.
    ///
    /// - Precondition: `maximumLineLength` is at least 1.
    public init(maximumLineLength: Int = Self.defaultMaximumLineLength) {
        precondition(maximumLineLength >= 1, "maximumLineLength must be at least 1")
        self.maximumLineLength = maximumLineLength
        buffer.reserveCapacity(256)
    }

    /// The number of bytes of the current, unfinished line.
    public var pendingByteCount: Int { buffer.count }

    /// Forgets the unfinished line and the prompt state, for example after the port reopens.
    public mutating func reset() {
        buffer.removeAll(keepingCapacity: true)
        isDiscarding = false
        discardedSinceReport = 0
        isAfterPrompt = false
        isPromptExpected = false
    }

    /// Consumes a chunk of bytes and returns the events it completes, in order.
    public mutating func feed(_ bytes: some Sequence<UInt8>) -> [Event] {
        var events: [Event] = []
        for byte in bytes {
            consume(byte, into: &events)
        }
        return events
    }

    private mutating func consume(_ byte: UInt8, into events: inout [Event]) {
        let carriageReturn: UInt8 = 0x0D
        let lineFeed: UInt8 = 0x0A
        let space: UInt8 = 0x20
        let greaterThan: UInt8 = 0x3E

        if byte == 0 {
            return
        }

        // One space may follow the prompt, possibly in a later chunk.
        if isAfterPrompt {
            isAfterPrompt = false
            if byte == space {
                return
            }
        }

        if byte == carriageReturn || byte == lineFeed {
            endLine(into: &events)
            return
        }

        if isDiscarding {
            discardedSinceReport += 1
            if discardedSinceReport == maximumLineLength {
                events.append(.overflow(discardedByteCount: discardedSinceReport))
                discardedSinceReport = 0
            }
            return
        }

        if buffer.isEmpty, byte == greaterThan, isPromptExpected {
            isPromptExpected = false
            isAfterPrompt = true
            events.append(.prompt)
            return
        }

        guard buffer.count < maximumLineLength else {
            events.append(.overflow(discardedByteCount: buffer.count + 1))
            buffer.removeAll(keepingCapacity: true)
            isDiscarding = true
            discardedSinceReport = 0
            return
        }
        buffer.append(byte)
    }

    private mutating func endLine(into events: inout [Event]) {
        if isDiscarding {
            if discardedSinceReport > 0 {
                events.append(.overflow(discardedByteCount: discardedSinceReport))
            }
            isDiscarding = false
            discardedSinceReport = 0
            return
        }
        guard !buffer.isEmpty else {
            return
        }
        events.append(.line(ATLine(bytes: buffer)))
        buffer.removeAll(keepingCapacity: true)
    }
}
