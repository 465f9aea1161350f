import Core
import Testing

@testable import SMS

/// Normalisation of phone numbers to E.164, and the masking that keeps them out of logs.
@Suite struct PhoneNumberTests {
    /// Every common way to write the mobile number 138 0000 0001.
    static let chineseMobileForms: [String] = [
        "13800000001",
        "138 0000 0001",
        "138-0000-0001",
        "138.0000.0001",
        "+86 138 0000 0001",
        "+86-138-0000-0001",
        "+8613800000001",
        "0086 13800000001",
        "008613800000001",
        "8613800000001",
        "(+86) 138 0000 0001",
        "013800000001",
        "+86 013800000001",
        "１３８０００００００１",
        "＋８６ １３８０００００００１",
        "１３８-００００-０００１",
        "tel:+8613800000001",
        "TEL:+86-138-0000-0001",
        "138\u{00A0}0000\u{00A0}0001",
        "+86\u{3000}138\u{3000}0000\u{3000}0001",
        "  13800000001\t",
        "138\u{2014}0000\u{2014}0001",
    ]

    @Test(arguments: chineseMobileForms)
    func chineseMobileNormalises(input: String) throws {
        let number = try PhoneNumber(parsing: input)
        #expect(number.e164 == "+8613800000001")
        #expect(number.kind == .chineseMobile)
    }

    @Test(arguments: [
        ("+44 20 7946 0000", "+442079460000"),
        ("0044 20 7946 0000", "+442079460000"),
        ("+1 (212) 555-0100", "+12125550100"),
        ("001 212 555 0100", "+12125550100"),
        ("+852 6123 4567", "+85261234567"),
    ])
    func internationalNumberKept(input: String, e164: String) throws {
        let number = try PhoneNumber(parsing: input)
        #expect(number.e164 == e164)
        #expect(number.kind == .international)
    }

    /// Invalid input, a fragment of the reason given, and the number as the error shows it.
    static let rejections: [(input: String, reason: String, masked: String)] = [
        ("", "contains no digits", "***"),
        ("  -  ", "contains no digits", "***"),
        ("138abcd0001", "contains 'a'", "***01"),
        ("138+00000001", "'+' may only start the number", "138****0001"),
        ("+86+13800000001", "'+' may only start the number", "138****0001"),
        ("1380000000", "has 10 digits", "138****0000"),
        ("138000000012", "has 12 digits", "138****0012"),
        ("12800000001", "does not start with 13-19", "128****0001"),
        ("10800000001", "does not start with 13-19", "108****0001"),
        ("010-12345678", "fixed-line", "010****5678"),
        ("+0123456789", "no country code", "+012****6789"),
        ("000123456789", "no country code", "000****6789"),
        ("+4420794600001234", "8 to 15", "+442****1234"),
        ("+86", "has 0 digits", "+***86"),
        ("10086", "has 5 digits", "***86"),
        ("１３８００００００００１", "has 12 digits", "138****0001"),
        ("＋８６ １３８００００００００１", "has 12 digits", "+861****0001"),
    ]

    @Test(arguments: rejections)
    func invalidNumberRejected(input: String, reason: String, masked: String) throws {
        let error = try #require(Self.rejection(of: input))
        guard case .invalidPhoneNumber(let shownNumber, let shownReason) = error else {
            Issue.record("expected invalidPhoneNumber, got \(error)")
            return
        }
        #expect(shownReason.english.contains(reason))
        #expect(shownNumber == masked)
    }

    static let leakCandidates = rejections.map(\.input) + ["１２８０００００００１", "＋８６ １３８０００００００１２", "13800000001x"]

    /// Checks PIPL masking. Errors are logged as they are, so no error may show 8 digits of the
    /// number in a row. The mask keeps at most the first 3 and the last 4.
    @Test(arguments: leakCandidates)
    func errorHidesFullNumber(input: String) throws {
        let error = try #require(Self.rejection(of: input))
        let digits = Array(Self.asciiDigits(of: input))
        for start in stride(from: 0, through: digits.count - 8, by: 1) {
            let run = String(digits[start..<start + 8])
            #expect(!error.description.contains(run), "error shows \(run)")
        }
    }

    @Test func maskedPropertyHidesMiddle() throws {
        #expect(try PhoneNumber(parsing: "13800000001").masked == "138****0001")
        #expect(try PhoneNumber(parsing: "+44 20 7946 0000").masked == "+442****0000")
    }

    @Test func smsAddressIsInternational() throws {
        let address = try PhoneNumber(parsing: "138 0000 0001").smsAddress
        #expect(address.typeOfNumber == .international)
        #expect(address.value == "8613800000001")
    }

    @Test(arguments: [
        ("+8613800000001", "138****0001"),
        ("13800000001", "138****0001"),
        ("8613800000001", "138****0001"),
        ("008613800000001", "138****0001"),
        ("+86 138-0000-0001", "138****0001"),
        ("+442079460000", "+442****0000"),
        ("+1 212 555 0100", "+121****0100"),
        ("12345678", "123****5678"),
        ("1234567", "***67"),
        ("10086", "***86"),
        ("7", "***7"),
        ("", "***"),
    ])
    func phoneMaskCases(input: String, masked: String) {
        #expect(PhoneMask.mask(input) == masked)
    }

    // MARK: Helpers

    static func rejection(of input: String) -> SMSError? {
        do {
            _ = try PhoneNumber(parsing: input)
            return nil
        } catch {
            return error
        }
    }

    /// Returns the digits of `input` in ASCII, with full-width digits mapped as the parser maps them.
    static func asciiDigits(of input: String) -> String {
        var digits = ""
        for scalar in input.unicodeScalars {
            switch scalar.value {
            case 0x30...0x39: digits.unicodeScalars.append(scalar)
            case 0xFF10...0xFF19: digits.unicodeScalars.append(Unicode.Scalar(scalar.value - 0xFF10 + 0x30)!)
            default: break
            }
        }
        return digits
    }
}
