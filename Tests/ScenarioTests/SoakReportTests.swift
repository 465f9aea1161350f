import Core
import Foundation
import Testing

@testable import Scenarios

/// Checks the soak's verdict on memory, with samples made up to the shape of real runs.
@Suite struct SoakReportTests {
    /// Returns a sample every 5 s for `minutes`, with VmRSS from `rss` at each second.
    static func samples(minutes: Double, _ rss: (Double) -> Double) -> [SoakScenario.Sample] {
        stride(from: 0.0, through: minutes * 60, by: 5).map { SoakScenario.Sample(seconds: $0, rssKiB: Int(rss($0)), descriptors: 45) }
    }

    /// Returns the expectations the soak's report finds broken in `samples`.
    static func failures(_ samples: [SoakScenario.Sample]) -> [String] {
        let narrator = Narrator(language: .english, output: FileHandle(forWritingAtPath: "/dev/null")!)
        SoakScenario.report(samples, to: narrator)
        return narrator.failures
    }

    /// Growth that decays as caches fill, shaped like the 75-minute run: about 4.2 MiB in the
    /// first 25 minutes and 0.15 MiB in the last 25.
    @Test func levellingGrowthPasses() {
        let samples = Self.samples(minutes: 75) { 44_300 + 5_300 * (1 - exp(-$0 / 900)) }
        #expect(Self.failures(samples).isEmpty)
    }

    /// A steady leak of 340 KiB a minute, as before the statement cache was bounded: inside the
    /// 16 MiB bound over 40 minutes, but not levelling.
    @Test func steadyLeakFails() {
        let samples = Self.samples(minutes: 40) { 44_300 + 340 * $0 / 60 }
        let failures = Self.failures(samples)
        #expect(failures.count == 1)
        #expect(failures.first?.contains("levels off") == true)
    }

    /// A short run with noise and no growth stays within the allowance.
    @Test func flatNoisyShortRunPasses() {
        let samples = Self.samples(minutes: 10) { 45_000 + 300 * sin($0 / 7) }
        #expect(Self.failures(samples).isEmpty)
    }
}
