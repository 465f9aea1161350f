import LocalControl
import Testing

@Suite struct ContactKindTests {
    @Test func namesMatchTheBoardProfile() {
        #expect(ContactKind(rawValue: "normally-open") == .normallyOpen)
        #expect(ContactKind(rawValue: "normally-closed") == .normallyClosed)
        #expect(ContactKind(rawValue: "nc") == nil)
    }
}
