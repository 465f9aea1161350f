import Testing

@testable import Core

@Suite struct ManualClockTests {
    @Test func advanceWakesSleeperAtDeadline() async throws {
        let clock = ManualClock()
        let sleeper = Task {
            try await clock.sleep(until: clock.now.advanced(by: .seconds(10)))
            return clock.now
        }
        while clock.sleeperCount == 0 {
            await Task.yield()
        }
        clock.advance(by: .seconds(9))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .seconds(1))
        let woke = try await sleeper.value
        #expect(woke == MonotonicInstant(nanoseconds: 10_000_000_000))
    }

    @Test func pastDeadlineReturnsAtOnce() async throws {
        let clock = ManualClock()
        clock.advance(by: .seconds(5))
        try await clock.sleep(until: MonotonicInstant(nanoseconds: 1))
        #expect(clock.sleeperCount == 0)
    }

    @Test func cancellationThrows() async {
        let clock = ManualClock()
        let sleeper = Task {
            try await clock.sleep(until: clock.now.advanced(by: .seconds(60)))
        }
        while clock.sleeperCount == 0 {
            await Task.yield()
        }
        sleeper.cancel()
        let result = await sleeper.result
        #expect(throws: CancellationError.self) { try result.get() }
        #expect(clock.sleeperCount == 0)
    }

    @Test func wallTimeFollowsAndJumps() {
        let clock = ManualClock(wallStart: WallTime(secondsSinceEpoch: 1000))
        clock.advance(by: .seconds(5))
        #expect(clock.wallNow.secondsSinceEpoch == 1005)
        clock.setWallTime(WallTime(secondsSinceEpoch: 2000))
        #expect(clock.now == MonotonicInstant(nanoseconds: 5_000_000_000))
        clock.advance(by: .seconds(1))
        #expect(clock.wallNow.secondsSinceEpoch == 2001)
    }

    @Test func advanceBackwardsIgnored() {
        let clock = ManualClock()
        clock.advance(by: .seconds(5))
        clock.advance(to: MonotonicInstant(nanoseconds: 0))
        #expect(clock.now == MonotonicInstant(nanoseconds: 5_000_000_000))
    }
}

@Suite struct SystemClockTests {
    @Test func monotonicNeverGoesBack() {
        let clock = SystemClock()
        let first = clock.now
        let second = clock.now
        #expect(first <= second)
    }

    @Test func wallTimeIsAfter2024() {
        #expect(SystemClock().wallNow.secondsSinceEpoch > 1_704_067_200)
    }

    @Test func durationNanoseconds() {
        #expect(Duration.milliseconds(1500).nanoseconds == 1_500_000_000)
        #expect(Duration.seconds(Int64.max).nanoseconds == Int64.max)
    }
}
