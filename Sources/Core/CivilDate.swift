/// Calendar arithmetic on the proleptic Gregorian calendar, without Foundation.
public enum CivilDate {
    /// Returns the days from 1970-01-01 to the given date, negative before it.
    ///
    /// After Howard Hinnant's public-domain `days_from_civil` algorithm.
    public static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return Int64(era * 146_097 + dayOfEra - 719_468)
    }

    /// Returns the seconds since the Unix epoch of a local date and time at `utcOffsetMinutes`.
    public static func secondsSinceEpoch(
        year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, utcOffsetMinutes: Int
    ) -> Int64 {
        let days = daysSinceEpoch(year: year, month: month, day: day)
        return days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(utcOffsetMinutes * 60)
    }
}

extension String {
    /// Returns the string without leading and trailing white space (Unicode `White_Space`).
    public func trimmingWhitespace() -> String {
        let scalars = unicodeScalars.drop { $0.properties.isWhitespace }.reversed().drop { $0.properties.isWhitespace }.reversed()
        return String(String.UnicodeScalarView(scalars))
    }
}
