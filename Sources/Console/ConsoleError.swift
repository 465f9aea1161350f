public import Core

/// An error of the console module: what failed, with the value and the fix, in both languages
/// where an operator sees it. It never carries a password.
public struct ConsoleError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case cryptoFailed
        case invalidPasswordHash
        case invalidSetting
        case unknownSetting
        case socketFailed
        case notFound
        case invalidInput
    }

    public let kind: Kind
    /// The English detail for logs; `message` gives the operator's text.
    public let detail: String
    public let message: LocalizedText

    public init(_ kind: Kind, detail: String) {
        self.kind = kind
        self.detail = detail
        message = LocalizedText(zh: detail, en: detail)
    }

    public init(_ kind: Kind, message: LocalizedText) {
        self.kind = kind
        detail = message.english
        self.message = message
    }

    public var description: String { detail }
}
