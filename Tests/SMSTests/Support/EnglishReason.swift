import Core

@testable import SMS

extension LocalizedText {
    /// A reason known by its English text, for comparing `SMSError` values in tests.
    static func english(_ text: String) -> LocalizedText {
        LocalizedText(zh: text, en: text)
    }
}
