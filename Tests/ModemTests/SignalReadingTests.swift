import Core
import Testing

@testable import Modem

@Suite struct SignalReadingTests {
    static let now = MonotonicInstant(nanoseconds: 0)

    @Test(arguments: [(-80, 4), (-85, 4), (-86, 3), (-100, 2), (-110, 1), (-115, 1), (-120, 0)])
    func barsFromRSRP(rsrp: Int, bars: Int) {
        #expect(SignalReading(rssiDBm: -60, rsrpDBm: rsrp, takenAt: Self.now).bars == bars)
    }

    @Test(arguments: [(-51, 4), (-73, 4), (-83, 3), (-90, 2), (-103, 1), (-113, 0)])
    func barsFromRSSI(rssi: Int, bars: Int) {
        #expect(SignalReading(rssiDBm: rssi, rsrpDBm: nil, takenAt: Self.now).bars == bars)
    }

    @Test func unknownHasNoBars() {
        #expect(SignalReading(rssiDBm: nil, rsrpDBm: nil, takenAt: Self.now).bars == nil)
    }
}
