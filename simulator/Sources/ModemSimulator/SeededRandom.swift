import Glibc

/// SplitMix64: a small random generator whose sequence is the same on every platform, so a
/// scenario with a seed replays exactly.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// A value in 0..<1.
    public mutating func unit() -> Double {
        Double(next() >> 11) / Double(1 << 53)
    }
}

/// A distribution of delays, such as the SMSC's time to accept a message.
public enum LatencyDistribution: Sendable, Equatable {
    case fixed(Duration)
    /// Uniform between the bounds.
    case uniform(Duration, Duration)
    /// Normal with the mean and standard deviation, cut at zero.
    case normal(mean: Duration, deviation: Duration)

    public func sample(_ random: inout SeededRandom) -> Duration {
        switch self {
        case .fixed(let value):
            return value
        case .uniform(let low, let high):
            let span = Double((high - low).nanoseconds)
            return low + .nanoseconds(Int64(span * random.unit()))
        case .normal(let mean, let deviation):
            // Box-Muller transform.
            let u1 = max(random.unit(), 1e-12)
            let u2 = random.unit()
            let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
            let value = Double(mean.nanoseconds) + z * Double(deviation.nanoseconds)
            return .nanoseconds(Int64(max(0, value)))
        }
    }
}
