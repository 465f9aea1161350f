/// A seeded pseudo-random generator, so every randomised test gets the same inputs on every run.
///
/// The steps and constants are those of Sebastiano Vigna's public-domain `splitmix64.c`: a
/// 64-bit counter stepped by the golden-ratio constant, then mixed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

extension SplitMix64 {
    /// Returns `count` random bytes, eight from each step, which keeps debug builds fast.
    mutating func bytes(count: Int) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(count + 7)
        while output.count < count {
            var word = next()
            for _ in 0..<8 {
                output.append(UInt8(truncatingIfNeeded: word))
                word >>= 8
            }
        }
        output.removeLast(output.count - count)
        return output
    }
}
