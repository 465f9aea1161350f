import Core
@testable import LocalControl
import SMS
import Testing

@Suite struct SMSCommandGuardTests {
    static let commandGuard = SMSCommandGuard(settings: SMSCommandFixture.settings())
    static let minute: Int64 = 60_000

    @Test func thirdWrongPINLocksOut() {
        var record = SenderLockout()
        var outcomes: [SMSCommandGuard.FailureOutcome] = []
        for minute in [0, 1, 2] as [Int64] {
            let result = Self.commandGuard.recordFailure(record, at: minute * Self.minute)
            record = result.0
            outcomes.append(result.1)
        }
        #expect(outcomes == [.counted(remaining: 2), .counted(remaining: 1), .lockedOut(until: 32 * Self.minute)])
        #expect(record.isLocked(at: 32 * Self.minute - 1))
        #expect(!record.isLocked(at: 32 * Self.minute))
    }

    @Test func failuresOutsideWindowAreForgotten() {
        let (first, _) = Self.commandGuard.recordFailure(SenderLockout(), at: 0)
        let (second, _) = Self.commandGuard.recordFailure(first, at: 10 * Self.minute)
        let (third, outcome) = Self.commandGuard.recordFailure(second, at: 16 * Self.minute)
        #expect(outcome == .counted(remaining: 1))
        #expect(third.failures == [10 * Self.minute, 16 * Self.minute])
    }

    @Test func rightPINClearsCount() {
        let (failed, _) = Self.commandGuard.recordFailure(SenderLockout(), at: 0)
        #expect(Self.commandGuard.recordSuccess(failed, at: Self.minute) == SenderLockout())
    }

    @Test(arguments: [
        (Int64(0), CommandAge.fresh),
        (Int64(9 * 60), .fresh),
        (Int64(11 * 60), .tooOld(.seconds(11 * 60))),
        (Int64(-60), .fresh),
        (Int64(-3 * 60), .inFuture(.seconds(3 * 60))),
    ])
    func ageComparesWithReference(secondsOld: Int64, expected: CommandAge) {
        let reference = WallTime(secondsSinceEpoch: 1_796_349_600)
        let stamped = WallTime(secondsSinceEpoch: 1_796_349_600 - secondsOld)
        #expect(Self.commandGuard.age(of: stamped, reference: reference) == expected)
    }

    @Test func ageUnknownWithoutReference() {
        #expect(Self.commandGuard.age(of: WallTime(secondsSinceEpoch: 0), reference: nil) == .unknown)
        #expect(Self.commandGuard.age(of: nil, reference: WallTime(secondsSinceEpoch: 0)) == .unknown)
    }

    @Test func estimateIgnoresFutureWhenAsked() {
        let reference = WallTime(secondsSinceEpoch: 1_000_000)
        #expect(Self.commandGuard.age(of: reference.advanced(by: .seconds(3600)), reference: reference, checksFuture: false) == .fresh)
    }

    @Test func networkTimeKeepsLatestStamp() {
        var estimate = NetworkTimeEstimate()
        #expect(estimate.estimate(at: MonotonicInstant(nanoseconds: 0)) == nil)
        let fresh = WallTime(secondsSinceEpoch: 1_796_349_600)
        estimate.observe(fresh, at: MonotonicInstant(nanoseconds: 0))
        // An old stored message read later cannot pull the estimate back.
        estimate.observe(fresh.advanced(by: .seconds(-3600)), at: MonotonicInstant(nanoseconds: 10_000_000_000))
        #expect(estimate.estimate(at: MonotonicInstant(nanoseconds: 60_000_000_000)) == fresh.advanced(by: .seconds(60)))
    }
}

@Suite struct PINHashTests {
    @Test func madeHashMatchesOnlyItsPIN() {
        let hash = SMSCommandFixture.pinHash
        #expect(hash.matchesBlocking("2468"))
        #expect(!hash.matchesBlocking("2469"))
        #expect(!hash.matchesBlocking(""))
    }

    @Test func writtenFormParsesBack() throws {
        let hash = SMSCommandFixture.pinHash
        let parsed = try PINHash(parsing: hash.description)
        #expect(parsed == hash)
        #expect(hash.description.hasPrefix("pbkdf2-sha256$1000$"))
    }

    /// The same derivation as Python's `hashlib.pbkdf2_hmac('sha256', b'2468', bytes(range(16)), 1000)`,
    /// which the operator documentation uses to make a hash.
    @Test func knownVectorMatches() throws {
        let hash = try PINHash(
            parsing: "pbkdf2-sha256$1000$000102030405060708090a0b0c0d0e0f$da0af9c4241f45ec5701b0f2e490f9c794db8f2aacca766c6081a721d04be295")
        #expect(hash.matchesBlocking("2468"))
    }

    @Test func matchesOffThePool() async {
        #expect(await SMSCommandFixture.pinHash.matches("2468"))
    }

    @Test(arguments: ["", "pbkdf2-sha256$1000$00$00", "sha1$1000$000102030405060708$" + String(repeating: "00", count: 32), "pbkdf2-sha256$10$0001020304050607$" + String(repeating: "00", count: 32)])
    func invalidFormIsRejected(text: String) {
        #expect(throws: SMSCommandSettingsError.self) { try PINHash(parsing: text) }
    }

    @Test(arguments: ["123", "12ab", "1234567890123", "１２３４"])
    func invalidPINIsRejected(pin: String) {
        #expect(throws: SMSCommandSettingsError.self) { try PINHash.make(pin: pin, iterations: 1000) }
    }
}

@Suite struct SMSCommandSettingsTests {
    @Test func defaultsAreValid() throws {
        try SMSCommandFixture.settings().validate()
    }

    @Test func confirmationDefaultsByPriority() {
        let settings = SMSCommandFixture.settings()
        #expect(settings.triggers.map(\.confirms) == [false, true])
    }

    @Test func triggerFoundByAliasAnyCase() {
        #expect(SMSCommandFixture.settings().trigger(named: "ｆｉｒｅ")?.name == "火警")
    }

    @Test func emptyAllowListNamesKey() {
        var settings = SMSCommandFixture.settings()
        settings.operators = []
        #expect(throws: SMSCommandSettingsError.self) { try settings.validate() }
        #expect(Self.key(settings) == "sms_commands.operators")
    }

    @Test func duplicateNumberNamesEntry() {
        var settings = SMSCommandFixture.settings()
        settings.operators.append(SMSCommandOperator(name: "copy", number: SMSCommandFixture.dutyOfficer))
        #expect(Self.key(settings) == "sms_commands.operators[2].number")
    }

    @Test func sharedTriggerNameNamesTrigger() {
        var settings = SMSCommandFixture.settings()
        settings.triggers[1].aliases.append("fire")
        #expect(Self.key(settings) == "sms_commands.triggers[1].name")
    }

    @Test func triggerWithoutAudienceNamesKey() {
        var settings = SMSCommandFixture.settings()
        settings.triggers[0].audience = []
        #expect(Self.key(settings) == "sms_commands.triggers[0].audience")
    }

    @Test func lifeSafetyReplyPriorityIsRejected() {
        var settings = SMSCommandFixture.settings()
        settings.replyPriority = .lifeSafety
        #expect(Self.key(settings) == "sms_commands.reply_priority")
    }

    @Test func errorMessageGivesKeyAndFix() {
        var settings = SMSCommandFixture.settings()
        settings.maximumFailures = 0
        let error = Self.error(settings)
        #expect(error?.message(.chinese) == "sms_commands.max_failures：0 不在 1 到 10 之间；建议填写 3")
        #expect(error?.message(.english) == "sms_commands.max_failures: 0 is not between 1 and 10; 3 is the usual value")
    }

    static func error(_ settings: SMSCommandSettings) -> SMSCommandSettingsError? {
        do {
            try settings.validate()
            return nil
        } catch {
            return error
        }
    }

    static func key(_ settings: SMSCommandSettings) -> String? {
        error(settings)?.key
    }
}

/// A number that floods the box with rejected commands leaves one log line per window.
@Suite struct RejectionLogThrottleTests {
    static func at(seconds: Int64) -> MonotonicInstant { MonotonicInstant(nanoseconds: 1_000_000_000_000 + seconds * 1_000_000_000) }

    @Test func strangerIsLoggedOncePerWindowWithTheCountLeftOut() {
        var throttle = RejectionLogThrottle()
        #expect(throttle.admit(sender: "+8613800000009", reason: .notAllowListed, at: Self.at(seconds: 0)) == 0)
        for second in 1...50 {
            #expect(throttle.admit(sender: "+8613800000009", reason: .notAllowListed, at: Self.at(seconds: Int64(second))) == nil)
        }
        // Another number and another reason have windows of their own.
        #expect(throttle.admit(sender: "+8613800000008", reason: .notAllowListed, at: Self.at(seconds: 51)) == 0)
        #expect(throttle.admit(sender: "+8613800000009", reason: .lockedOut, at: Self.at(seconds: 52)) == 0)
        #expect(throttle.admit(sender: "+8613800000009", reason: .notAllowListed, at: Self.at(seconds: 600)) == 50)
        #expect(throttle.admit(sender: "+8613800000009", reason: .notAllowListed, at: Self.at(seconds: 601)) == nil)
    }

    @Test func answeredRejectionsAreAlwaysLogged() {
        var throttle = RejectionLogThrottle()
        for second in 0..<5 {
            #expect(throttle.admit(sender: "+8613800000001", reason: .wrongPIN, at: Self.at(seconds: Int64(second))) == 0)
        }
    }

    @Test func heldSendersAreBounded() {
        var throttle = RejectionLogThrottle()
        for index in 0...RejectionLogThrottle.capacity {
            let instant = MonotonicInstant(nanoseconds: Self.at(seconds: 0).nanoseconds + Int64(index) * 1_000_000)
            _ = throttle.admit(sender: "+86138\(String(format: "%08d", index))", reason: .notAllowListed, at: instant)
        }
        // Within the window, the second sender is still held and the first was forgotten to
        // make room, so only the first is logged again.
        #expect(throttle.admit(sender: "+8613800000001", reason: .notAllowListed, at: Self.at(seconds: 2)) == nil)
        #expect(throttle.admit(sender: "+8613800000000", reason: .notAllowListed, at: Self.at(seconds: 2)) == 0)
    }
}
