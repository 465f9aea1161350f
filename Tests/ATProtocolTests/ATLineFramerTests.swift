import Testing

@testable import ATProtocol

/// A deterministic random number generator (SplitMix64) so fuzz runs repeat exactly.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private func lines(_ events: [ATLineFramer.Event]) -> [String] {
    events.compactMap { event in
        if case .line(let line) = event {
            return line.text
        }
        return nil
    }
}

private func feedAll(_ framer: inout ATLineFramer, _ chunks: [String]) -> [ATLineFramer.Event] {
    chunks.flatMap { framer.feed(Array($0.utf8)) }
}

@Suite struct ATLineFramerTests {
    @Test(arguments: [
        ("OK\r\n", ["OK"]),
        ("OK\n", ["OK"]),
        ("OK\r", ["OK"]),
        ("OK\n\r", ["OK"]),
        ("\r\n+CSQ: 20,99\r\n\r\nOK\r\n", ["+CSQ: 20,99", "OK"]),
        ("AT\r\r\nOK\r\n", ["AT", "OK"]),
        ("ATE0\rATE0\r\r\nOK\r\n", ["ATE0", "ATE0", "OK"]),
        ("\r\n\r\n\n\r\r", []),
        ("\r\n+CREG: 5\r\n\r\n+CGREG: 0\r\n", ["+CREG: 5", "+CGREG: 0"]),
    ])
    func lineEndings(input: String, expected: [String]) {
        var framer = ATLineFramer()
        #expect(lines(framer.feed(Array(input.utf8))) == expected)
    }

    @Test func lineSplitAcrossChunks() {
        var framer = ATLineFramer()
        let events = feedAll(&framer, ["\r\n+CS", "Q: 2", "0,99\r", "\n\r\nO", "K\r\n"])
        #expect(lines(events) == ["+CSQ: 20,99", "OK"])
    }

    @Test func byteByByteFeeding() {
        var framer = ATLineFramer()
        var events: [ATLineFramer.Event] = []
        for byte in "\r\n+CMTI: \"SM\",3\r\n".utf8 {
            events += framer.feed([byte])
        }
        #expect(lines(events) == ["+CMTI: \"SM\",3"])
    }

    @Test func unfinishedLineStaysPending() {
        var framer = ATLineFramer()
        let events = framer.feed(Array("+CSQ: 2".utf8))
        #expect(events.isEmpty)
        #expect(framer.pendingByteCount == 7)
    }

    @Test func promptSIMComWithCRLF() {
        var framer = ATLineFramer()
        framer.isPromptExpected = true
        let events = framer.feed(Array("AT+CMGS=19\r\r\n>\r\n".utf8))
        #expect(events == [.line(ATLine("AT+CMGS=19")), .prompt])
    }

    @Test func promptQuectelWithSpace() {
        var framer = ATLineFramer()
        framer.isPromptExpected = true
        let events = framer.feed(Array("\r\n> ".utf8))
        #expect(events == [.prompt])
        #expect(framer.pendingByteCount == 0)
    }

    @Test func promptBareWithoutAnything() {
        var framer = ATLineFramer()
        framer.isPromptExpected = true
        #expect(framer.feed(Array("\r\n>".utf8)) == [.prompt])
    }

    @Test func promptSpaceInLaterChunk() {
        var framer = ATLineFramer()
        framer.isPromptExpected = true
        let events = feedAll(&framer, ["\r\n>", " ", "0011000D91\u{1A}\r\n\r\n+CMGS: 5\r\n"])
        #expect(events.first == .prompt)
        #expect(lines(events) == ["0011000D91\u{1A}", "+CMGS: 5"])
    }

    @Test func promptClearsExpectation() {
        var framer = ATLineFramer()
        framer.isPromptExpected = true
        _ = framer.feed(Array("\r\n> ".utf8))
        #expect(framer.isPromptExpected == false)
    }

    @Test func promptOnlyOncePerExpectation() {
        var framer = ATLineFramer()
        framer.isPromptExpected = true
        let events = framer.feed(Array("\r\n>\r\n> again\r\n".utf8))
        #expect(events == [.prompt, .line(ATLine("> again"))])
    }

    @Test func greaterThanLineWithoutExpectation() {
        var framer = ATLineFramer()
        let events = framer.feed(Array("\r\n> not a prompt\r\n".utf8))
        #expect(events == [.line(ATLine("> not a prompt"))])
    }

    @Test func greaterThanInsideLineIsText() {
        var framer = ATLineFramer()
        framer.isPromptExpected = true
        let events = framer.feed(Array("a>b\r\n".utf8))
        #expect(events == [.line(ATLine("a>b"))])
        #expect(framer.isPromptExpected)
    }

    @Test func nulBytesDropped() {
        var framer = ATLineFramer()
        let events = framer.feed([0, 0, 0x52, 0x44, 0, 0x59, 0x0D, 0x0A])
        #expect(lines(events) == ["RDY"])
    }

    @Test func invalidUTF8DecodedLossily() {
        var framer = ATLineFramer()
        let events = framer.feed([0xFF, 0xFE, 0x4F, 0x4B, 0x0D])
        guard case .line(let line) = events.first else {
            Issue.record("expected a line, got \(events)")
            return
        }
        #expect(line.bytes == [0xFF, 0xFE, 0x4F, 0x4B])
        #expect(line.text.hasSuffix("OK"))
        #expect(line.text.unicodeScalars.first == "\u{FFFD}")
    }

    @Test func overflowThenResync() {
        var framer = ATLineFramer(maximumLineLength: 8)
        let events = framer.feed(Array("0123456789ABCDEF\r\nOK\r\n".utf8))
        #expect(events == [.overflow(discardedByteCount: 9), .overflow(discardedByteCount: 7), .line(ATLine("OK"))])
    }

    @Test func lineAtExactLimitKept() {
        var framer = ATLineFramer(maximumLineLength: 4)
        #expect(framer.feed(Array("ABCD\r".utf8)) == [.line(ATLine("ABCD"))])
    }

    @Test func overflowWithoutTerminatorReported() {
        var framer = ATLineFramer(maximumLineLength: 4)
        let events = framer.feed([UInt8](repeating: 0x78, count: 20))
        #expect(events == [.overflow(discardedByteCount: 5)] + Array(repeating: .overflow(discardedByteCount: 4), count: 3))
        let tail = framer.feed(Array("\r\nOK\r\n".utf8))
        #expect(tail == [.overflow(discardedByteCount: 3), .line(ATLine("OK"))])
    }

    @Test func resetDropsPartialLine() {
        var framer = ATLineFramer()
        framer.isPromptExpected = true
        _ = framer.feed(Array("+CSQ: 1".utf8))
        framer.reset()
        #expect(framer.pendingByteCount == 0)
        #expect(framer.isPromptExpected == false)
        #expect(lines(framer.feed(Array("OK\r\n".utf8))) == ["OK"])
    }

    @Test(arguments: [UInt64(1), 42, 0xA1E7_B0C5])
    func fuzzRandomBytesResync(seed: UInt64) {
        var generator = SplitMix64(state: seed)
        var framer = ATLineFramer(maximumLineLength: 256)
        for _ in 0..<400 {
            let size = Int.random(in: 1...96, using: &generator)
            let chunk = (0..<size).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if Bool.random(using: &generator) {
                framer.isPromptExpected.toggle()
            }
            for event in framer.feed(chunk) {
                switch event {
                case .line(let line):
                    #expect(line.bytes.count <= 256)
                    #expect(!line.bytes.isEmpty)
                    #expect(!line.bytes.contains(0x0D))
                    #expect(!line.bytes.contains(0x0A))
                case .overflow(let count):
                    #expect(count > 0)
                case .prompt:
                    break
                }
            }
        }

        framer.isPromptExpected = false
        let tail = framer.feed(Array("\r\nOK\r\n".utf8))
        #expect(tail.last == .line(ATLine("OK")))
    }

    @Test func fuzzLongGarbageResync() {
        var generator = SplitMix64(state: 7)
        var framer = ATLineFramer(maximumLineLength: 64)
        let garbage = (0..<10_000).map { _ in UInt8.random(in: 0x20...0xFF, using: &generator) }
        var overflowTotal = 0
        for event in framer.feed(garbage) {
            if case .overflow(let count) = event {
                overflowTotal += count
            }
        }
        for event in framer.feed(Array("\r\n+CMTI: \"SM\",1\r\n".utf8)) {
            if case .overflow(let count) = event {
                overflowTotal += count
            }
        }
        #expect(overflowTotal == 10_000)
        #expect(framer.pendingByteCount == 0)
    }
}
