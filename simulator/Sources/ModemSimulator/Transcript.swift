/// A scripted AT conversation that the simulator replays byte for byte.
///
/// Format, one step per line (documented in `docs/simulator.md`):
/// - `# text`: a comment; blank lines are skipped.
/// - `> LINE`: the host must send LINE and CR. A trailing `^Z` means the host sends the text
///   as a payload ending with Ctrl-Z (0x1A) instead.
/// - `< LINE`: the modem writes CR LF, LINE, CR LF.
/// - `<< BYTES`: the modem writes BYTES exactly; `\r`, `\n`, `\\` and `\xHH` are escapes.
/// - `~ SECONDS`: the modem waits before its next output.
public struct Transcript: Sendable, Equatable {
    public enum Step: Sendable, Equatable {
        case expectLine(String)
        case expectPayload(String)
        case write([UInt8])
        case pause(Duration)
    }

    public var steps: [Step]
    /// The 1-based line of the transcript file that each step comes from, for messages.
    public var lineNumbers: [Int]

    /// Parses a transcript; errors name the line number and what is wrong.
    public init(parsing text: String) throws(TranscriptError) {
        var steps: [Step] = []
        var lineNumbers: [Int] = []
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let number = offset + 1
            if line.allSatisfy(\.isWhitespace) || line.hasPrefix("#") { continue }
            lineNumbers.append(number)
            if line.hasPrefix("<< ") {
                steps.append(.write(try Self.unescape(line.dropFirst(3), line: number)))
            } else if line.hasPrefix("< ") {
                steps.append(.write(Array("\r\n\(line.dropFirst(2))\r\n".utf8)))
            } else if line.hasPrefix("> ") {
                let content = String(line.dropFirst(2))
                steps.append(content.hasSuffix("^Z") ? .expectPayload(String(content.dropLast(2))) : .expectLine(content))
            } else if line.hasPrefix("~ ") {
                guard let seconds = Double(line.dropFirst(2).trimmingCharacters(in: " ")), seconds >= 0 else {
                    throw TranscriptError(line: number, reason: "'~' needs a number of seconds, such as '~ 1.5'")
                }
                steps.append(.pause(.milliseconds(Int64(seconds * 1000))))
            } else {
                throw TranscriptError(line: number, reason: "a step starts with '>', '<', '<<', '~' or '#'")
            }
        }
        self.steps = steps
        self.lineNumbers = lineNumbers
    }

    /// The host input that step `index` expects, as mismatch messages print it, or nil for
    /// a modem step.
    public func expectedInput(at index: Int) -> String? {
        guard steps.indices.contains(index) else { return nil }
        switch steps[index] {
        case .expectLine(let line): return line
        case .expectPayload(let payload): return payload + "^Z"
        case .write, .pause: return nil
        }
    }

    private static func unescape(_ text: Substring, line: Int) throws(TranscriptError) -> [UInt8] {
        var bytes: [UInt8] = []
        var characters = Array(text.utf8)[...]
        while let byte = characters.popFirst() {
            guard byte == UInt8(ascii: "\\") else {
                bytes.append(byte)
                continue
            }
            switch characters.popFirst() {
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "\\"): bytes.append(0x5C)
            case UInt8(ascii: "x"):
                let digits = String(decoding: characters.prefix(2), as: UTF8.self)
                guard digits.count == 2, let value = UInt8(digits, radix: 16) else {
                    throw TranscriptError(line: line, reason: "'\\x' needs two hex digits")
                }
                bytes.append(value)
                characters = characters.dropFirst(2)
            default:
                throw TranscriptError(line: line, reason: "unknown escape; use \\r, \\n, \\\\ or \\xHH")
            }
        }
        return bytes
    }
}

public struct TranscriptError: Error, CustomStringConvertible, Equatable {
    public let line: Int
    public let reason: String

    public var description: String {
        "transcript line \(line): \(reason)"
    }
}

extension Substring {
    func trimmingCharacters(in set: Character) -> Substring {
        var text = self
        while text.first == set { text = text.dropFirst() }
        while text.last == set { text = text.dropLast() }
        return text
    }
}

/// Plays a transcript against the host: checks each host line and writes the modem's part.
public struct TranscriptPlayer: Sendable {
    public enum Output: Sendable, Equatable {
        case write([UInt8])
        /// Wait this long, then call `resume()`.
        case pause(Duration)
        /// The host sent something else than the transcript expected.
        case mismatch(expected: String, received: String, step: Int)
        case finished
    }

    private let transcript: Transcript
    /// The index of the next step to play or expect.
    public private(set) var position = 0
    private var input = HostInput()

    public init(_ transcript: Transcript) {
        self.transcript = transcript
    }

    public var isFinished: Bool {
        position >= transcript.steps.count
    }

    /// Writes the modem's steps up to the next expected host input or pause.
    public mutating func resume() -> [Output] {
        var outputs: [Output] = []
        while position < transcript.steps.count {
            switch transcript.steps[position] {
            case .write(let bytes):
                outputs.append(.write(bytes))
                position += 1
            case .pause(let duration):
                position += 1
                outputs.append(.pause(duration))
                return outputs
            case .expectLine:
                input.awaitingPayload = false
                return outputs
            case .expectPayload:
                input.awaitingPayload = true
                return outputs
            }
        }
        outputs.append(.finished)
        return outputs
    }

    /// Takes host bytes; a match continues the transcript, anything else is a mismatch.
    public mutating func receive(_ bytes: [UInt8]) -> [Output] {
        var outputs: [Output] = []
        for event in input.feed(bytes) {
            guard position < transcript.steps.count else {
                outputs.append(.mismatch(expected: "(end of transcript)", received: describe(event), step: position))
                continue
            }
            let received = describe(event)
            let expected = transcript.expectedInput(at: position) ?? "(modem output)"
            guard received == expected else {
                outputs.append(.mismatch(expected: expected, received: received, step: position))
                outputs.append(.write(Array("\r\nERROR\r\n".utf8)))
                continue
            }
            position += 1
            outputs += resume()
        }
        return outputs
    }

    private func describe(_ event: HostInput.Event) -> String {
        switch event {
        case .commandLine(let line): line
        case .payload(let payload): payload + "^Z"
        case .payloadCancelled: "^["
        }
    }
}
