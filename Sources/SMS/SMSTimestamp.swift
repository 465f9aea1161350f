import Core

/// A TP-Service-Centre-Time-Stamp or TP-Discharge-Time: local time with its offset from UTC.
///
/// The two-digit year is read as 2000-2099, because no PDU a box receives predates 2000.
/// 3GPP TS 23.040 §9.2.3.11.
public struct SMSTimestamp: Hashable, Sendable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    public var hour: Int
    public var minute: Int
    public var second: Int
    /// The offset from UTC in minutes, a multiple of 15 (+480 for China).
    public var utcOffsetMinutes: Int

    public init(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, utcOffsetMinutes: Int) {
        self.year = year
        self.month = month
        self.day = day
        self.hour = hour
        self.minute = minute
        self.second = second
        self.utcOffsetMinutes = utcOffsetMinutes
    }

    /// The time in ISO 8601 form with its offset, such as `2024-01-05T08:00:00+08:00`.
    public var description: String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let sign = utcOffsetMinutes < 0 ? "-" : "+"
        let offset = abs(utcOffsetMinutes)
        return "\(year)-\(two(month))-\(two(day))T\(two(hour)):\(two(minute)):\(two(second))\(sign)\(two(offset / 60)):\(two(offset % 60))"
    }

    /// Creates the local time at `utcOffsetMinutes` for seconds since the Unix epoch.
    public init(secondsSinceEpoch: Int64, utcOffsetMinutes: Int) {
        // Civil from days, after Howard Hinnant's public-domain algorithm.
        let local = secondsSinceEpoch + Int64(utcOffsetMinutes * 60)
        let days = Int((local >= 0 ? local : local - 86_399) / 86_400)
        let secondsOfDay = Int(local - Int64(days) * 86_400)
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.init(
            year: year, month: month, day: day, hour: secondsOfDay / 3600, minute: secondsOfDay % 3600 / 60,
            second: secondsOfDay % 60, utcOffsetMinutes: utcOffsetMinutes)
    }

    /// Seconds since the Unix epoch, UTC.
    public var secondsSinceEpoch: Int64 {
        CivilDate.secondsSinceEpoch(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, utcOffsetMinutes: utcOffsetMinutes)
    }

    /// Decodes the seven semi-octet-swapped octets.
    /// - Throws: `SMSError.invalidField` when a digit is not decimal or a field is out of range.
    static func decode(_ octets: [UInt8], field: String) throws(SMSError) -> SMSTimestamp {
        precondition(octets.count == 7, "a timestamp has seven octets")
        var values: [Int] = []
        for (index, octet) in octets.enumerated() {
            var octet = octet
            var negative = false
            if index == 6 {
                // Bit 3 of the time zone octet is the sign of the offset.
                negative = octet & 0x08 != 0
                octet &= 0xF7
            }
            let low = Int(octet & 0x0F)
            let high = Int(octet >> 4)
            guard low <= 9, high <= 9 else {
                throw .invalidField(field: field, value: Hex.encode(octets), reason: LocalizedText(zh: "第 \(index) 个半字节不是十进制数字", en: "semi-octet \(index) is not a decimal digit"))
            }
            let value = low * 10 + high
            values.append(negative ? -value : value)
        }
        let stamp = SMSTimestamp(
            year: 2000 + values[0], month: values[1], day: values[2], hour: values[3], minute: values[4],
            second: values[5], utcOffsetMinutes: values[6] * 15)
        guard (1...12).contains(stamp.month), (1...31).contains(stamp.day), stamp.hour < 24, stamp.minute < 60,
            stamp.second < 60, abs(values[6]) <= 79
        else {
            throw .invalidField(field: field, value: Hex.encode(octets), reason: LocalizedText(zh: "日期、时间或时区超出范围", en: "date, time or offset out of range"))
        }
        return stamp
    }

    /// Encodes the timestamp as seven semi-octet-swapped octets.
    public func encoded() -> [UInt8] {
        func swapped(_ value: Int) -> UInt8 {
            UInt8(value % 10) << 4 | UInt8(value / 10)
        }
        let quarters = abs(utcOffsetMinutes) / 15
        var zone = swapped(quarters)
        if utcOffsetMinutes < 0 {
            zone |= 0x08
        }
        return [
            swapped(year % 100), swapped(month), swapped(day), swapped(hour), swapped(minute), swapped(second), zone,
        ]
    }
}
