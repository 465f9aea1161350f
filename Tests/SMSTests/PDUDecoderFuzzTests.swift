import Testing

@testable import SMS

/// Random and mutated PDUs, from a fixed seed, must decode to a value or an `SMSError`.
///
/// A crash (an out-of-range index, an overflow, a failed force unwrap) ends the test process,
/// so reaching the end of each loop is the main check. Decoded values are also checked against
/// the limits TS 23.040 sets on user data.
@Suite struct PDUDecoderFuzzTests {
    static let iterations = 20_000

    @Test func randomBytesNeverCrash() {
        var generator = SplitMix64(seed: 0xA1E7_B0C5)
        var decodedCount = 0
        for iteration in 0..<Self.iterations {
            let length = Int.random(in: 0...180, using: &generator)
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let hasSMSC = iteration.isMultiple(of: 2)
            if Self.checkDecoding(bytes, hasSMSC: hasSMSC) {
                decodedCount += 1
            }
        }
        // Most random bytes are invalid, so this bound only shows that some were rejected.
        #expect(decodedCount < Self.iterations)
    }

    @Test func mutatedVectorsNeverCrash() {
        var generator = SplitMix64(seed: 0x5EED_F1E1D)
        let vectors = PDUVectors.all.map(PDUVectors.bytes)
        var decodedCount = 0
        for _ in 0..<Self.iterations {
            var bytes = vectors.randomElement(using: &generator)!  // The list is not empty.
            let index = Int.random(in: 0..<bytes.count, using: &generator)
            bytes[index] ^= UInt8.random(in: 1...255, using: &generator)
            if Self.checkDecoding(bytes, hasSMSC: true) {
                decodedCount += 1
            }
        }
        // Many mutations hit text or digits and still decode, so both paths ran.
        #expect(decodedCount > 0)
        #expect(decodedCount < Self.iterations)
    }

    @Test func mutatedHexNeverCrashes() {
        var generator = SplitMix64(seed: 0x4E58)
        let alphabet = Array("0123456789ABCDEFabcdef \r\n\tGxZ-+\u{FF11}\u{00A0}")
        for _ in 0..<2_000 {
            var text = Array(PDUVectors.all.randomElement(using: &generator)!)  // The list is not empty.
            let index = Int.random(in: 0..<text.count, using: &generator)
            text[index] = alphabet.randomElement(using: &generator)!  // The alphabet is not empty.
            do {
                _ = try PDUDecoder.decode(hex: String(text))
            } catch {
                #expect(!error.description.isEmpty)
            }
        }
    }

    /// Decodes `bytes`, checks the result against the user data limits, and returns whether
    /// the bytes decoded.
    static func checkDecoding(_ bytes: [UInt8], hasSMSC: Bool) -> Bool {
        let decoded: DecodedPDU
        do {
            decoded = try PDUDecoder.decode(bytes, hasSMSC: hasSMSC)
        } catch {
            #expect(!error.description.isEmpty)
            return false
        }
        if let userData = decoded.userData {
            switch userData.alphabet {
            case .gsm7:
                #expect(userData.length <= 160, "\(Hex.encode(bytes))")
                #expect(userData.payload.count <= userData.length, "\(Hex.encode(bytes))")
                #expect(userData.payload.allSatisfy { $0 < 0x80 }, "\(Hex.encode(bytes))")
            case .ucs2, .eightBit:
                #expect(userData.length <= 140, "\(Hex.encode(bytes))")
                #expect(userData.payload.count <= userData.length, "\(Hex.encode(bytes))")
            }
        }
        return true
    }
}
