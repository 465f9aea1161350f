public import Core

/// The values that fill a template's variables for one alert.
///
/// Values come from triggers, CAP feeds and operators, so they may be any length and contain
/// any character. The renderer cleans and cuts them. An empty value renders as nothing.
public struct TemplateValues: Sendable, Equatable {
    public var event: String
    public var location: String
    public var sender: String
    public var instruction: String
    public var headline: String
    public var level: String
    /// The alert's identifier. The renderer keeps its last characters, which in CAP
    /// identifiers such as `CN-EXAMPLEU-SEC-2026-0001` are the sequence number.
    public var identifier: String
    /// The time the alert was sent, rendered by `{time}` and `{date}`.
    public var sent: WallTime
    /// The alert's priority for `{priority}`, or nil for the template's priority.
    public var priority: AlertPriority?
    /// The CAP status: `Test` and `Exercise` add a label to both texts.
    public var status: CAPAlert.Status

    public init(
        event: String = "", location: String = "", sender: String = "", instruction: String = "",
        headline: String = "", level: String = "", identifier: String = "", sent: WallTime,
        priority: AlertPriority? = nil, status: CAPAlert.Status = .actual
    ) {
        self.event = event
        self.location = location
        self.sender = sender
        self.instruction = instruction
        self.headline = headline
        self.level = level
        self.identifier = identifier
        self.sent = sent
        self.priority = priority
        self.status = status
    }

    /// Creates values from a CAP alert and one of its info blocks.
    ///
    /// `location` is the first area's description, `sender` is the info's sender name or else
    /// the alert's sender, and `level` is the first parameter that names a warning level
    /// (`预警级别` and alike).
    public init(alert: CAPAlert, info: CAPInfo, priority: AlertPriority? = nil) {
        let level = info.parameters.first { WarningLevel.parameterNames.contains($0.name.lowercased()) }
        self.init(
            event: info.event, location: info.areas.first ?? "", sender: info.senderName ?? alert.sender,
            instruction: info.instruction ?? "", headline: info.headline ?? "", level: level?.value ?? "",
            identifier: alert.identifier, sent: WallTime(secondsSinceEpoch: alert.sent.secondsSinceEpoch),
            priority: priority, status: alert.status)
    }

    /// Returns the raw value of a free-text variable, or nil for a variable the renderer
    /// formats itself (time, date, identifier and priority).
    public func text(of variable: TemplateVariable) -> String? {
        switch variable {
        case .event: event
        case .location: location
        case .sender: sender
        case .instruction: instruction
        case .headline: headline
        case .level: level
        case .time, .date, .identifier, .priority: nil
        }
    }
}

// MARK: - Cleaning and formatting

extension TemplateValues {
    /// Replaces control characters with spaces, merges runs of white space and trims the ends.
    ///
    /// Control characters are the Unicode general category Cc, the line and paragraph
    /// separators, and the bidirectional embedding, override and isolate characters, which
    /// could reorder what a recipient reads.
    public static func clean(_ value: String) -> String {
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in value.unicodeScalars {
            if isControl(scalar) || scalar.properties.isWhitespace {
                pendingSpace = !scalars.isEmpty
                continue
            }
            if pendingSpace {
                scalars.append(" ")
                pendingSpace = false
            }
            scalars.append(scalar)
        }
        return String(scalars)
    }

    /// Cuts `value` to at most `maximumLength` UTF-16 units, ending it with `…` when cut.
    ///
    /// The cut falls between grapheme clusters, so it never splits a surrogate pair, an emoji
    /// sequence or a letter from its combining marks.
    public static func truncate(_ value: String, maximumLength: Int) -> String {
        guard value.utf16.count > maximumLength else { return value }
        guard maximumLength > 0 else { return "" }

        let ellipsis = "…"
        let budget = maximumLength - ellipsis.utf16.count
        var shortened = ""
        var used = 0
        for character in value {
            let cost = character.utf16.count
            guard used + cost <= budget else { break }
            shortened.append(character)
            used += cost
        }
        return shortened + ellipsis
    }

    /// Returns the tail of an identifier, at most `maximumLength` ASCII letters, digits and
    /// hyphens.
    ///
    /// Other characters become hyphens that separate parts, so the result stays in the GSM
    /// 7-bit alphabet and the checker can count it as such. The tail is kept because CAP
    /// identifiers such as `CN-EXAMPLEU-SEC-2026-0001` end with their sequence number, which
    /// distinguishes one alert from the next. A tail that starts inside a part starts at the
    /// next part instead, so the example gives `0001` and not `6-0001`.
    public static func shortIdentifier(_ identifier: String, maximumLength: Int) -> String {
        var characters: [Character] = []
        for scalar in identifier.unicodeScalars {
            let isAllowed = scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar))
            if isAllowed {
                characters.append(Character(scalar))
            } else if characters.last != "-" {
                characters.append("-")
            }
        }

        var tail = characters.suffix(maximumLength)
        let cutInsidePart = tail.startIndex > 0 && characters[tail.startIndex - 1] != "-"
        if cutInsidePart, let hyphen = tail.firstIndex(of: "-") {
            tail = tail[(hyphen + 1)...]
        }
        while tail.first == "-" {
            tail = tail.dropFirst()
        }
        while tail.last == "-" {
            tail = tail.dropLast()
        }
        return String(tail)
    }

    /// Formats a wall time as `HH:mm` at `utcOffsetMinutes`.
    public static func localTime(_ time: WallTime, utcOffsetMinutes: Int) -> String {
        let seconds = time.secondsSinceEpoch + Int64(utcOffsetMinutes) * 60
        let secondOfDay = Int(((seconds % 86_400) + 86_400) % 86_400)
        return twoDigits(secondOfDay / 3600) + ":" + twoDigits(secondOfDay % 3600 / 60)
    }

    /// Formats a wall time as `yyyy-MM-dd` at `utcOffsetMinutes`.
    public static func localDate(_ time: WallTime, utcOffsetMinutes: Int) -> String {
        let seconds = time.secondsSinceEpoch + Int64(utcOffsetMinutes) * 60
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-" + twoDigits(month) + "-"
            + twoDigits(day)
    }

    /// Converts days since 1970-01-01 to a proleptic Gregorian date.
    ///
    /// After Howard Hinnant's public-domain `civil_from_days` algorithm, the inverse of
    /// `CivilDate.daysSinceEpoch`: it counts in 400-year eras that start on 1 March.
    static func civilDate(daysSinceEpoch days: Int64) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (Int(year), Int(month), Int(day))
    }

    private static func twoDigits(_ number: Int) -> String {
        number < 10 ? "0\(number)" : "\(number)"
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: return true
        default: return (0x202A...0x202E).contains(scalar.value) || (0x2066...0x2069).contains(scalar.value)
        }
    }
}
