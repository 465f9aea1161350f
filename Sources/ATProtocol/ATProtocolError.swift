/// An error raised by the AT protocol parsers and command builders.
///
/// The error carries the failing line and the context it was parsed in (an AT command or a
/// response prefix such as `+CREG`). Lines often contain subscriber data (phone numbers,
/// IMSI, ICCID, IMEI), so every run of eight or more digits in the stored line is masked.
/// The first three and last four digits stay and the rest become `*`, so `13800000001`
/// becomes `138****0001`. The stored line is also cut to
/// ``maximumLineLength`` characters so a garbage line cannot flood a log.
public struct ATProtocolError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A reason why parsing or building failed.
    public enum Reason: Sendable, Hashable {
        /// The line does not start with the response prefix the parser expects.
        case prefixMismatch(expected: String)
        /// A mandatory parameter is absent or empty.
        case missingField(name: String)
        /// A parameter is present but cannot be read as the expected type or range.
        case invalidField(name: String)
        /// The line does not have the shape of any form the parser recognises.
        case malformedLine
        /// A value passed to a command builder cannot be sent to a modem.
        case invalidArgument(name: String)
    }

    /// Maximum number of characters of the failing line kept in the error.
    public static let maximumLineLength = 160

    /// The reason for the failure.
    public let reason: Reason
    /// The AT command or response prefix being handled, for example `+CREG`.
    public let context: String
    /// The failing line or value, with digit runs masked and cut to ``maximumLineLength``.
    public let line: String

    /// Creates an error and masks the digit runs in `line`.
    public init(_ reason: Reason, context: String, line: some StringProtocol) {
        self.reason = reason
        self.context = context
        self.line = Self.masked(String(line.prefix(Self.maximumLineLength)))
    }

    public var description: String {
        switch reason {
        case .prefixMismatch(let expected):
            return "\(context): expected a line starting with \(expected), got '\(line)'"
        case .missingField(let name):
            return "\(context): missing field <\(name)> in '\(line)'"
        case .invalidField(let name):
            return "\(context): invalid field <\(name)> in '\(line)'"
        case .malformedLine:
            return "\(context): malformed line '\(line)'"
        case .invalidArgument(let name):
            return "\(context): invalid argument <\(name)> '\(line)'"
        }
    }

    /// Masks every run of eight or more ASCII digits, keeping its first three and last four.
    ///
    /// Shorter runs (a signal value, an index, a date) are left alone, because keeping
    /// seven digits of a seven-digit run would hide nothing.
    public static func masked(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        var digits = ""

        func flushDigits() {
            if digits.count >= 8 {
                output += digits.prefix(3)
                output += String(repeating: "*", count: digits.count - 7)
                output += digits.suffix(4)
            } else {
                output += digits
            }
            digits = ""
        }

        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else {
                flushDigits()
                output.append(character)
            }
        }
        flushDigits()
        return output
    }
}
