import Core
import Testing

@testable import SMS

/// Reassembly of concatenated messages, including the field cases of a part that never comes
/// (F17) and parts that come after the timeout (F18).
@Suite struct ReassemblerTests {
    static let sender = "+8613800000001"

    static func part(_ sequence: Int, of total: Int, _ text: String, reference: UInt16 = 0xA7, sender: String = sender) -> ReceivedPart {
        ReceivedPart(
            sender: sender, alphabet: .ucs2, payload: UCS2.encode(text),
            concatenation: Concatenation(referenceBits: 8, reference: reference, total: total, sequence: sequence))
    }

    static func at(_ seconds: Int64) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: seconds * 1_000_000_000)
    }

    static let marker: @Sendable (Int, Int) -> String = { "[缺\($0)/\($1)]" }

    @Test func partsInAnyOrderComplete() {
        var reassembler = Reassembler()
        #expect(reassembler.receive(Self.part(2, of: 2, "第二部分"), at: Self.at(0)).isEmpty)
        let events = reassembler.receive(Self.part(1, of: 2, "第一部分"), at: Self.at(5))
        guard case .complete(let message) = events.first else {
            Issue.record("expected a complete message, got \(events)")
            return
        }
        #expect(message.text == "第一部分第二部分")
        #expect(message.sender == Self.sender)
        #expect(reassembler.pendingCount == 0)
    }

    @Test func singlePartPassesThrough() {
        var reassembler = Reassembler()
        let part = ReceivedPart(sender: Self.sender, alphabet: .gsm7, payload: try! GSMAlphabet.encode("Test 1"), concatenation: nil)
        #expect(reassembler.receive(part, at: Self.at(0)) == [
            .complete(ReassembledMessage(key: nil, sender: Self.sender, text: "Test 1", receivedParts: [1], missingParts: []))
        ])
    }

    @Test func missingPartTimesOutWithGapMarker() {
        var reassembler = Reassembler(configuration: .init(timeout: .seconds(600), gapMarker: Self.marker))
        _ = reassembler.receive(Self.part(1, of: 3, "第一部分"), at: Self.at(0))
        _ = reassembler.receive(Self.part(2, of: 3, "第二部分"), at: Self.at(10))
        #expect(reassembler.nextDeadline == Self.at(600))
        #expect(reassembler.expire(at: Self.at(599)).isEmpty)
        let events = reassembler.expire(at: Self.at(600))
        guard case .partial(let message) = events.first else {
            Issue.record("expected a partial message, got \(events)")
            return
        }
        #expect(message.text == "第一部分第二部分[缺3/3]")
        #expect(message.missingParts == [3])
        #expect(reassembler.pendingCount == 0)
    }

    @Test func timedOutMessageDoesNotBlockOthers() {
        var reassembler = Reassembler(configuration: .init(timeout: .seconds(600)))
        _ = reassembler.receive(Self.part(1, of: 3, "甲"), at: Self.at(0))
        let other = reassembler.receive(Self.part(1, of: 1, "乙", reference: 0x01), at: Self.at(1))
        #expect(other.count == 1)
        let fromOtherSender = reassembler.receive(Self.part(1, of: 3, "丙", sender: "+8613800000002"), at: Self.at(2))
        #expect(fromOtherSender.isEmpty)
        #expect(reassembler.pendingCount == 2)
    }

    @Test func latePartsBecomeCorrection() {
        var reassembler = Reassembler(configuration: .init(timeout: .seconds(120), gapMarker: Self.marker))
        _ = reassembler.receive(Self.part(3, of: 3, "三"), at: Self.at(0))

        let first = reassembler.receive(Self.part(1, of: 3, "一"), at: Self.at(200))
        #expect(first.count == 2)
        guard case .partial(let partial) = first.first, case .correction(let interim) = first.last else {
            Issue.record("expected partial then correction, got \(first)")
            return
        }
        #expect(partial.text == "[缺1/3][缺2/3]三")
        #expect(interim.text == "一[缺2/3]三")

        let second = reassembler.receive(Self.part(2, of: 3, "二"), at: Self.at(200))
        guard case .correction(let corrected) = second.first else {
            Issue.record("expected a correction, got \(second)")
            return
        }
        #expect(corrected.text == "一二三")
        #expect(corrected.isComplete)
        #expect(corrected.key == partial.key)
    }

    @Test func duplicatePartIgnored() {
        var reassembler = Reassembler()
        _ = reassembler.receive(Self.part(1, of: 2, "一"), at: Self.at(0))
        #expect(reassembler.receive(Self.part(1, of: 2, "一"), at: Self.at(1)).isEmpty)
        #expect(reassembler.pendingCount == 1)
    }

    @Test func duplicateOfDeliveredPartIgnored() {
        var reassembler = Reassembler(configuration: .init(timeout: .seconds(60)))
        _ = reassembler.receive(Self.part(1, of: 2, "一"), at: Self.at(0))
        _ = reassembler.expire(at: Self.at(60))
        #expect(reassembler.receive(Self.part(1, of: 2, "一"), at: Self.at(61)).isEmpty)
    }

    @Test func reusedReferenceStartsNewMessage() {
        var reassembler = Reassembler(configuration: .init(timeout: .seconds(60)))
        _ = reassembler.receive(Self.part(1, of: 2, "旧"), at: Self.at(0))
        _ = reassembler.expire(at: Self.at(60))
        #expect(reassembler.receive(Self.part(1, of: 2, "新"), at: Self.at(100)).isEmpty)
        #expect(reassembler.pendingCount == 1)
    }

    @Test func surrogatePairSplitAcrossPartsJoins() {
        var reassembler = Reassembler()
        let units = UCS2.encode("警😀")  // 6 bytes: 警, high surrogate, low surrogate.
        let first = ReceivedPart(
            sender: Self.sender, alphabet: .ucs2, payload: Array(units[0..<4]),
            concatenation: Concatenation(referenceBits: 8, reference: 9, total: 2, sequence: 1))
        let second = ReceivedPart(
            sender: Self.sender, alphabet: .ucs2, payload: Array(units[4...]),
            concatenation: Concatenation(referenceBits: 8, reference: 9, total: 2, sequence: 2))
        _ = reassembler.receive(first, at: Self.at(0))
        let events = reassembler.receive(second, at: Self.at(1))
        guard case .complete(let message) = events.first else {
            Issue.record("expected a complete message, got \(events)")
            return
        }
        #expect(message.text == "警😀")
    }

    @Test func pendingLimitReleasesOldest() {
        var reassembler = Reassembler(configuration: .init(maximumPendingMessages: 2))
        _ = reassembler.receive(Self.part(1, of: 2, "一", reference: 1), at: Self.at(0))
        _ = reassembler.receive(Self.part(1, of: 2, "二", reference: 2), at: Self.at(1))
        let events = reassembler.receive(Self.part(1, of: 2, "三", reference: 3), at: Self.at(2))
        guard case .partial(let released) = events.first else {
            Issue.record("expected the oldest to be released, got \(events)")
            return
        }
        #expect(released.key?.reference == 1)
        #expect(reassembler.pendingCount == 2)
    }

    @Test func realVectorsReassemble() throws {
        var reassembler = Reassembler()
        let hexes = [
            "0891683108000000F0440D91683108000000F10008421050800000230E050003A702027B2C4E8C90E85206",
            "0891683108000000F0440D91683108000000F10008421050800000230E050003A702017B2C4E0090E85206",
        ]
        var events: [ReassemblyEvent] = []
        for hex in hexes {
            guard case .deliver(let deliver) = try PDUDecoder.decode(hex: hex) else {
                Issue.record("expected SMS-DELIVER")
                return
            }
            events += reassembler.receive(ReceivedPart(deliver), at: Self.at(0))
        }
        guard case .complete(let message) = events.first else {
            Issue.record("expected a complete message, got \(events)")
            return
        }
        #expect(message.text == "第一部分第二部分")
    }
}
