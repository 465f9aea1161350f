import Core
import Testing

@testable import SMS

/// Properties of sending and receiving, checked over thousands of texts from a fixed seed.
///
/// Each text is split by `Segmenter`, encoded by `SubmitEncoder`, decoded part by part by
/// `PDUDecoder` and put back together by `Reassembler` from shuffled parts.
@Suite struct RoundTripPropertyTests {
    /// Septet counts around the GSM 7-bit limits: 160 alone, 153 or 152 per part.
    static let gsm7Boundaries = [159, 160, 161, 152, 153, 154, 305, 306, 307]
    /// UTF-16 unit counts around the UCS-2 limits: 70 alone, 67 or 66 per part.
    static let ucs2Boundaries = [69, 70, 71, 66, 67, 68, 133, 134, 135]
    static let textsPerBoundary = 4
    static let randomTexts = 250

    static let destinations: [SMSAddress] = [
        .international("+8613800000001"), .international("+8613800000002"), .international("+442079460000"),
        .national("13800000001"),
    ]

    static let validityPeriods: [ValidityPeriod?] = [
        nil, .relative(minutes: 4 * 1440),
        .absolute(SMSTimestamp(year: 2024, month: 1, day: 5, hour: 8, minute: 0, second: 0, utcOffsetMinutes: 480)),
    ]

    @Test(arguments: TextKind.allCases, [8, 16])
    func roundTripProperties(kind: TextKind, referenceBits: Int) throws {
        let kindIndex = UInt64(TextKind.allCases.firstIndex(of: kind)!)  // The kind is one of allCases.
        var generator = TextGenerator(seed: 0xA1E7 &* 31 &+ kindIndex &* 2 &+ UInt64(referenceBits))

        var lengths = (kind == .gsm7 ? Self.gsm7Boundaries : Self.ucs2Boundaries)
            .flatMap { Array(repeating: $0, count: Self.textsPerBoundary) }
        lengths += [0, 1]
        let maximum = kind == .gsm7 ? 700 : 350
        lengths += (0..<Self.randomTexts).map { _ in generator.integer(in: 1...maximum) }

        for (index, units) in lengths.enumerated() {
            let text = generator.text(kind, units: units)
            let reference: ConcatenationReference =
                referenceBits == 8
                ? .eightBit(UInt8(truncatingIfNeeded: generator.random.next()))
                : .sixteenBit(UInt16(truncatingIfNeeded: generator.random.next()))
            let options = SubmitOptions(
                smsc: index.isMultiple(of: 2) ? nil : .international("+8613800000000"),
                statusReportRequest: index.isMultiple(of: 3),
                validityPeriod: Self.validityPeriods[index % Self.validityPeriods.count],
                concatenationReference: reference)
            let destination = Self.destinations[index % Self.destinations.count]
            try Self.checkRoundTrip(
                text, kind: kind, to: destination, options: options, referenceBits: referenceBits, random: &generator.random)
        }
    }

    /// Checks every property on one text. Each failure names the text's kind and length.
    static func checkRoundTrip(
        _ text: String, kind: TextKind, to destination: SMSAddress, options: SubmitOptions, referenceBits: Int,
        random: inout SplitMix64
    ) throws {
        let label = "\(kind) text of \(TextEncoding.cost(of: text, in: kind.alphabet)) units, \(referenceBits)-bit reference"
        let plan = try Segmenter.plan(text, referenceBits: referenceBits)
        let pdus = try SubmitEncoder.encode(text, to: destination, options: options)
        // An empty text has no character outside GSM 7-bit, so it goes as GSM 7-bit.
        #expect(plan.alphabet == (text.isEmpty ? .gsm7 : kind.alphabet), "\(label)")
        try #require(pdus.count == plan.segments.count, "\(label)")
        let total = pdus.count

        var parts: [ReceivedPart] = []
        for (index, pdu) in pdus.enumerated() {
            let partLabel = "\(label), part \(index + 1)/\(total)"
            #expect(pdu.text == plan.segments[index], "\(partLabel)")

            // (f) AT+CMGS counts the TPDU only, and the SMSC field's length octet says how
            // long that field is.
            #expect(pdu.tpduLength == pdu.bytes.count - pdu.smscLength, "\(partLabel)")
            #expect(Int(pdu.bytes[0]) + 1 == pdu.smscLength, "\(partLabel)")
            let tpduOnly = try PDUDecoder.decode(Array(pdu.bytes.suffix(pdu.tpduLength)), hasSMSC: false)

            // (a) The part decodes to its own text, the destination and its header.
            guard case .submit(let submit) = try PDUDecoder.decode(pdu.bytes) else {
                Issue.record("\(partLabel): expected SMS-SUBMIT")
                continue
            }
            #expect(tpduOnly.userData == submit.userData, "\(partLabel)")
            #expect(submit.destination == destination, "\(partLabel)")
            #expect(submit.statusReportRequest == options.statusReportRequest, "\(partLabel)")
            #expect(submit.validityPeriod == options.validityPeriod, "\(partLabel)")
            #expect(submit.dataCodingScheme.alphabet == plan.alphabet, "\(partLabel)")
            #expect(Array(submit.userData.text.unicodeScalars) == Array(pdu.text.unicodeScalars), "\(partLabel)")
            let expectedConcatenation =
                total == 1
                ? nil : Self.concatenation(options.concatenationReference, total: total, sequence: index + 1)
            #expect(submit.userData.concatenation == expectedConcatenation, "\(partLabel)")
            #expect(pdu.concatenation == expectedConcatenation, "\(partLabel)")

            // (b) The part fits, and the plan's count of its units is right.
            let units = TextEncoding.cost(of: pdu.text, in: plan.alphabet)
            #expect(units == plan.unitsPerSegment[index], "\(partLabel)")
            #expect(units <= plan.capacityPerSegment, "\(partLabel)")
            #expect(Self.userDataOctets(submit.userData) <= 140, "\(partLabel)")

            // (b) A part closes only when the next cluster would not fit.
            if index + 1 < total, let nextCluster = pdus[index + 1].text.first {
                let nextCost = TextEncoding.cost(of: String(nextCluster), in: plan.alphabet)
                #expect(units + nextCost > plan.capacityPerSegment, "\(partLabel) closed early")
            }

            // (c) No part ends inside a surrogate pair or an escape pair.
            Self.checkPartEdges(submit.userData, label: partLabel)

            parts.append(
                ReceivedPart(
                    sender: submit.destination.description, alphabet: submit.userData.alphabet,
                    payload: submit.userData.payload, concatenation: submit.userData.concatenation))
        }

        // (a) The parts joined give back the text.
        #expect(Array(pdus.map(\.text).joined().unicodeScalars) == Array(text.unicodeScalars), "\(label)")

        // (c) No grapheme cluster straddles two parts: a split cluster would count once per part.
        #expect(pdus.map(\.text.count).reduce(0, +) == text.count, "\(label)")
        #expect(plan.totalUnits == TextEncoding.cost(of: text, in: plan.alphabet), "\(label)")

        // (d) Without clusters of several units, the greedy split uses the fewest parts.
        let minimum = Self.minimumParts(units: plan.totalUnits, alphabet: plan.alphabet, referenceBits: referenceBits)
        let hasMultiUnitCluster = text.contains { TextEncoding.cost(of: String($0), in: plan.alphabet) > 1 }
        if hasMultiUnitCluster {
            #expect(total >= minimum, "\(label)")
        } else {
            #expect(total == minimum, "\(label)")
        }

        // (e) Reassembly of the parts in any order gives back the text exactly.
        parts.shuffle(using: &random)
        var reassembler = Reassembler()
        var events: [ReassemblyEvent] = []
        for (step, part) in parts.enumerated() {
            events += reassembler.receive(part, at: MonotonicInstant(nanoseconds: Int64(step) * 1_000_000_000))
        }
        try #require(events.count == 1, "\(label): \(events.count) events")
        guard case .complete(let message) = events[0] else {
            Issue.record("\(label): expected a complete message, got \(events[0])")
            return
        }
        #expect(Array(message.text.unicodeScalars) == Array(text.unicodeScalars), "\(label)")
        #expect(message.missingParts.isEmpty, "\(label)")
        #expect(reassembler.pendingCount == 0, "\(label)")
    }

    static func concatenation(_ reference: ConcatenationReference, total: Int, sequence: Int) -> Concatenation {
        switch reference {
        case .eightBit(let value):
            Concatenation(referenceBits: 8, reference: UInt16(value), total: total, sequence: sequence)
        case .sixteenBit(let value):
            Concatenation(referenceBits: 16, reference: value, total: total, sequence: sequence)
        }
    }

    /// Returns the octets TP-UD takes on the air, header included.
    static func userDataOctets(_ userData: UserData) -> Int {
        userData.alphabet == .gsm7 ? (userData.length * 7 + 7) / 8 : userData.length
    }

    /// Returns the fewest parts that `units` fit in, as if every cluster cost one unit.
    static func minimumParts(units: Int, alphabet: SMSAlphabet, referenceBits: Int) -> Int {
        if units <= Segmenter.capacity(alphabet: alphabet, concatenated: false) {
            return 1
        }
        let perPart = Segmenter.capacity(alphabet: alphabet, concatenated: true, referenceBits: referenceBits)
        return (units + perPart - 1) / perPart
    }

    static func checkPartEdges(_ userData: UserData, label: String) {
        switch userData.alphabet {
        case .gsm7:
            #expect(userData.payload.last != GSMAlphabet.escape, "\(label) ends with ESC")
        case .ucs2:
            let units = UCS2.units(userData.payload)
            if let last = units.last {
                #expect(!(0xD800...0xDBFF).contains(last), "\(label) ends with a high surrogate")
            }
            if let first = units.first {
                #expect(!(0xDC00...0xDFFF).contains(first), "\(label) starts with a low surrogate")
            }
        case .eightBit:
            Issue.record("\(label): text was sent as 8-bit data")
        }
    }
}
