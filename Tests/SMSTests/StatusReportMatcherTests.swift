import Core
import Testing

@testable import SMS

/// Field case F19: every part has its own reference, and a message counts as delivered only
/// when every part is.
@Suite struct StatusReportMatcherTests {
    static let recipient = "+8613800000002"

    static func report(reference: UInt8, recipient: SMSAddress = .international(recipient), status: UInt8) -> SMSStatusReport {
        let stamp = SMSTimestamp(year: 2024, month: 1, day: 5, hour: 8, minute: 0, second: 0, utcOffsetMinutes: 480)
        return SMSStatusReport(
            smsc: nil, messageReference: reference, recipient: recipient, moreMessagesToSend: false,
            isCommandResult: false, serviceCentreTimestamp: stamp, dischargeTime: stamp,
            status: DeliveryStatus(rawValue: status), protocolIdentifier: nil, dataCodingScheme: nil, userData: nil)
    }

    static func at(_ seconds: Int64) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: seconds * 1_000_000_000)
    }

    static func threePartMatcher() -> StatusReportMatcher<String> {
        var matcher = StatusReportMatcher<String>()
        for (part, reference) in zip(1...3, [21, 22, 23] as [UInt8]) {
            matcher.recordSent(message: "m1", part: part, of: 3, reference: reference, recipient: recipient, at: at(0))
        }
        return matcher
    }

    @Test func deliveredOnlyWhenEveryPartIs() {
        var matcher = Self.threePartMatcher()
        #expect(matcher.match(Self.report(reference: 21, status: 0), at: Self.at(5))?.outcome == .pending(delivered: 1, total: 3))
        #expect(matcher.match(Self.report(reference: 23, status: 0), at: Self.at(6))?.outcome == .pending(delivered: 2, total: 3))
        let last = matcher.match(Self.report(reference: 22, status: 0), at: Self.at(7))
        #expect(last?.part == 2)
        #expect(last?.outcome == .delivered)
        #expect(matcher.awaitingCount == 0)
        #expect(matcher.messageCount == 0)
    }

    /// A busy box sends thousands of messages a day, so those with every report in must not be
    /// kept for the 48-hour window.
    @Test func finishedMessagesAreForgotten() {
        var matcher = StatusReportMatcher<Int>()
        for message in 0..<1000 {
            let reference = UInt8(message % 256)
            matcher.recordSent(message: message, part: 1, of: 1, reference: reference, recipient: Self.recipient, at: Self.at(Int64(message)))
            let status: UInt8 = message.isMultiple(of: 2) ? 0 : 0x41
            #expect(matcher.match(Self.report(reference: reference, status: status), at: Self.at(Int64(message) + 1)) != nil)
        }
        #expect(matcher.messageCount == 0)
        #expect(matcher.awaitingCount == 0)
        // A part still trying keeps its message.
        matcher.recordSent(message: 5000, part: 1, of: 2, reference: 7, recipient: Self.recipient, at: Self.at(2000))
        _ = matcher.match(Self.report(reference: 7, status: 0), at: Self.at(2001))
        #expect(matcher.messageCount == 1)
    }

    @Test func permanentFailureFailsMessage() {
        var matcher = Self.threePartMatcher()
        let match = matcher.match(Self.report(reference: 22, status: 0x41), at: Self.at(5))
        #expect(match?.outcome == .failed(status: DeliveryStatus(rawValue: 0x41), permanent: true))
    }

    @Test func stillTryingKeepsPartOpen() {
        var matcher = Self.threePartMatcher()
        _ = matcher.match(Self.report(reference: 21, status: 0x21), at: Self.at(5))
        #expect(matcher.awaitingCount == 3)
        let final = matcher.match(Self.report(reference: 21, status: 0x00), at: Self.at(50))
        #expect(final?.outcome == .pending(delivered: 1, total: 3))
        #expect(matcher.awaitingCount == 2)
    }

    @Test func nationalFormRecipientMatches() {
        var matcher = Self.threePartMatcher()
        let match = matcher.match(Self.report(reference: 21, recipient: .unknown("13800000002"), status: 0), at: Self.at(5))
        #expect(match?.part == 1)
    }

    @Test func otherRecipientDoesNotMatch() {
        var matcher = Self.threePartMatcher()
        #expect(matcher.match(Self.report(reference: 21, recipient: .international("+8613800000009"), status: 0), at: Self.at(5)) == nil)
    }

    @Test func reportAfterWindowDoesNotMatch() {
        var matcher = StatusReportMatcher<String>(window: .seconds(600))
        matcher.recordSent(message: "m1", part: 1, of: 1, reference: 17, recipient: Self.recipient, at: Self.at(0))
        #expect(matcher.match(Self.report(reference: 17, status: 0), at: Self.at(601)) == nil)
    }

    @Test func wrappedReferencePairsNewestPart() {
        var matcher = StatusReportMatcher<String>()
        matcher.recordSent(message: "old", part: 1, of: 1, reference: 5, recipient: Self.recipient, at: Self.at(0))
        matcher.recordSent(message: "new", part: 1, of: 1, reference: 5, recipient: Self.recipient, at: Self.at(100))
        #expect(matcher.match(Self.report(reference: 5, status: 0), at: Self.at(101))?.message == "new")
    }

    @Test(arguments: [
        (UInt8(0x00), DeliveryStatus.Category.delivered), (0x02, .delivered), (0x20, .temporaryFailureStillTrying),
        (0x25, .temporaryFailureStillTrying), (0x40, .permanentFailure), (0x46, .permanentFailure),
        (0x60, .temporaryFailure), (0x65, .temporaryFailure), (0x80, .permanentFailure),
    ])
    func statusCategories(value: UInt8, category: DeliveryStatus.Category) {
        #expect(DeliveryStatus(rawValue: value).category == category)
    }
}
