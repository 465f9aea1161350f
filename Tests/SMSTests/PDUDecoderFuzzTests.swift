import Testing

@testable import SMS

/// Random and mutated PDUs, from a fixed seed, must decode to a value or an `SMSError`.
///
/// A crash (an out-of-range index, an overflow, a failed force unwrap) ends the test process,
/// so reaching the end of each loop is the main check. Decoded values are also checked against
/// the limits TS 23.040 sets on user data, and each violation is collected with its PDU.
@Suite struct PDUDecoderFuzzTests {
    static let iterations = 20_000

    /// Outcomes of many decodes, with the hex of every PDU that broke a property.
    struct Findings {
        var decodedCount = 0
        var rejectedCount = 0
        var emptyErrorDescriptions: [String] = []
        var userDataOverMaximum: [String] = []
        var payloadLongerThanLength: [String] = []
        var septetsOver0x7F: [String] = []

        /// Decodes `bytes` and records the outcome and any broken property.
        mutating func decode(_ bytes: [UInt8], hasSMSC: Bool) {
            let decoded: DecodedPDU
            do {
                decoded = try PDUDecoder.decode(bytes, hasSMSC: hasSMSC)
            } catch {
                rejectedCount += 1
                if error.description.isEmpty {
                    emptyErrorDescriptions.append(Hex.encode(bytes))
                }
                return
            }

            decodedCount += 1
            guard let userData = decoded.userData else { return }
            let maximum = userData.alphabet == .gsm7 ? 160 : 140
            if userData.length > maximum {
                userDataOverMaximum.append(Hex.encode(bytes))
            }
            if userData.payload.count > userData.length {
                payloadLongerThanLength.append(Hex.encode(bytes))
            }
            if userData.alphabet == .gsm7, userData.payload.contains(where: { $0 > 0x7F }) {
                septetsOver0x7F.append(Hex.encode(bytes))
            }
        }
    }

    @Test func randomBytesNeverCrash() {
        var generator = SplitMix64(seed: 0xA1E7_B0C5)
        var findings = Findings()
        for iteration in 0..<Self.iterations {
            let length = Int.random(in: 0...180, using: &generator)
            findings.decode(generator.bytes(count: length), hasSMSC: iteration.isMultiple(of: 2))
        }

        #expect(findings.decodedCount + findings.rejectedCount == Self.iterations)
        #expect(findings.rejectedCount > 0)
        Self.expectNoViolations(findings)
    }

    @Test func mutatedVectorsNeverCrash() {
        var generator = SplitMix64(seed: 0x5EED_F1E1D)
        let vectors = PDUVectors.all.map(PDUVectors.bytes)
        var findings = Findings()
        for _ in 0..<Self.iterations {
            var bytes = vectors.randomElement(using: &generator)!  // The list is not empty.
            let index = Int.random(in: 0..<bytes.count, using: &generator)
            bytes[index] ^= UInt8.random(in: 1...255, using: &generator)
            findings.decode(bytes, hasSMSC: true)
        }

        // Many mutations hit text or digits and still decode, so both paths ran.
        #expect(findings.decodedCount > 0)
        #expect(findings.rejectedCount > 0)
        Self.expectNoViolations(findings)
    }

    @Test func mutatedHexNeverCrashes() {
        var generator = SplitMix64(seed: 0x4E58)
        let alphabet = Array("0123456789ABCDEFabcdef \r\n\tGxZ-+\u{FF11}\u{00A0}".unicodeScalars)
        var emptyDescriptions = 0
        for _ in 0..<2_000 {
            var text = Array(PDUVectors.all.randomElement(using: &generator)!.unicodeScalars)  // The list is not empty.
            let index = Int.random(in: 0..<text.count, using: &generator)
            text[index] = alphabet.randomElement(using: &generator)!  // The alphabet is not empty.
            do {
                _ = try PDUDecoder.decode(hex: String(String.UnicodeScalarView(text)))
            } catch {
                if error.description.isEmpty {
                    emptyDescriptions += 1
                }
            }
        }
        #expect(emptyDescriptions == 0)
    }

    static func expectNoViolations(_ findings: Findings) {
        #expect(findings.emptyErrorDescriptions.isEmpty, "\(findings.emptyErrorDescriptions.prefix(5))")
        #expect(findings.userDataOverMaximum.isEmpty, "\(findings.userDataOverMaximum.prefix(5))")
        #expect(findings.payloadLongerThanLength.isEmpty, "\(findings.payloadLongerThanLength.prefix(5))")
        #expect(findings.septetsOver0x7F.isEmpty, "\(findings.septetsOver0x7F.prefix(5))")
    }
}
