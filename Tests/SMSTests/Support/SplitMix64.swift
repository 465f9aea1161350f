/// A seeded pseudo-random generator, so every randomised test gets the same inputs on every run.
///
/// SplitMix64 as published by Steele, Lea and Flood ("Fast Splittable Pseudorandom Number
/// Generators", OOPSLA 2014): a 64-bit counter stepped by the golden-ratio constant, then mixed.
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
