/// A language for operator-facing text: Simplified Chinese first, English selectable.
public enum Language: String, Sendable, CaseIterable {
    case chinese = "zh"
    case english = "en"

    /// Parses `zh`, `zh-CN`, `zh_CN.UTF-8`, `en`, `en_US` and alike.
    public init?(code: String) {
        let lowered = code.lowercased()
        if lowered.hasPrefix("zh") {
            self = .chinese
        } else if lowered.hasPrefix("en") {
            self = .english
        } else {
            return nil
        }
    }
}

/// A text in both operator languages.
public struct LocalizedText: Sendable, Equatable {
    public var chinese: String
    public var english: String

    public init(zh chinese: String, en english: String) {
        self.chinese = chinese
        self.english = english
    }

    /// Returns the text in `language`.
    public func callAsFunction(_ language: Language) -> String {
        switch language {
        case .chinese: chinese
        case .english: english
        }
    }
}
