public import Core

/// The SMS a SIM may send, counted in parts per minute, hour and day, with a reserve that
/// only life-safety alerts may spend.
///
/// Chinese carriers suspend a number's SMS for days past roughly 200 messages an hour or 1,000
/// a day, so the limits sit below that, and the reserve keeps room for a fire alarm after a
/// long run of notices. Counting uses the instants parts were sent, so the windows slide.
public struct SMSBudget: Sendable, Equatable {
    public struct Limits: Sendable, Equatable {
        public var perMinute: Int
        public var perHour: Int
        public var perDay: Int
        /// Parts per hour and per day held back for P0.
        public var reservePerHour: Int
        public var reservePerDay: Int

        /// Defaults a little under the carriers' suspension thresholds; configurable.
        public init(perMinute: Int = 12, perHour: Int = 180, perDay: Int = 900, reservePerHour: Int = 30, reservePerDay: Int = 100) {
            self.perMinute = perMinute
            self.perHour = perHour
            self.perDay = perDay
            self.reservePerHour = reservePerHour
            self.reservePerDay = reservePerDay
        }
    }

    public var limits: Limits
    /// Instants at which parts were handed to the modem, oldest first, for the last day.
    public private(set) var sent: [MonotonicInstant] = []

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Parts sent within `window` before `now`.
    public func used(within window: Duration, at now: MonotonicInstant) -> Int {
        let start = now.advanced(by: .zero - window)
        // `sent` is sorted, so the count is the length of the suffix after `start`.
        var low = 0
        var high = sent.count
        while low < high {
            let middle = (low + high) / 2
            if sent[middle] <= start { low = middle + 1 } else { high = middle }
        }
        return sent.count - low
    }

    /// Returns whether `parts` more may go now at `priority` (0 is P0).
    public func allows(_ parts: Int, priority: Int, at now: MonotonicInstant) -> Bool {
        let reserveHour = priority == 0 ? 0 : limits.reservePerHour
        let reserveDay = priority == 0 ? 0 : limits.reservePerDay
        return used(within: .seconds(60), at: now) + parts <= limits.perMinute
            && used(within: .seconds(3600), at: now) + parts <= limits.perHour - reserveHour
            && used(within: .seconds(86_400), at: now) + parts <= limits.perDay - reserveDay
    }

    /// Returns the earliest instant at which `parts` may go at `priority`, now if they may already.
    public func nextAllowed(_ parts: Int, priority: Int, at now: MonotonicInstant) -> MonotonicInstant? {
        if allows(parts, priority: priority, at: now) { return now }
        // The budget frees as sent parts age out of a window; try those instants in order.
        for windowSeconds in [60, 3600, 86_400] {
            for instant in sent {
                let candidate = instant.advanced(by: .seconds(windowSeconds))
                if candidate > now, allows(parts, priority: priority, at: candidate) {
                    return candidate
                }
            }
        }
        return nil
    }

    /// Records parts handed to the modem, and drops those older than a day.
    public mutating func record(_ parts: Int, at now: MonotonicInstant) {
        sent.append(contentsOf: repeatElement(now, count: parts))
        let cutoff = now.advanced(by: .seconds(-86_400))
        if let first = sent.firstIndex(where: { $0 > cutoff }), first > 0 {
            sent.removeFirst(first)
        }
    }
}
