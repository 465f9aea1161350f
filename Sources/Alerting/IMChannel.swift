/// The IM channels that alert texts are formatted for; raw values are the channel names the
/// database and the configuration use.
public enum IMChannel: String, Sendable, CaseIterable, CustomStringConvertible {
    /// A WeCom (企业微信) group robot, markdown message.
    case weCom = "wecom"
    /// A DingTalk (钉钉) custom robot, markdown message with a title.
    case dingTalk = "dingtalk"
    /// A Feishu (飞书) custom bot, text message.
    case feishu
    /// The box's generic signed webhook, plain text.
    case webhook
    /// An MQTT topic, plain text.
    case mqtt

    /// The service's name as people write it, for messages and logs.
    public var description: String {
        switch self {
        case .weCom: "WeCom"
        case .dingTalk: "DingTalk"
        case .feishu: "Feishu"
        case .webhook: "webhook"
        case .mqtt: "MQTT"
        }
    }

    /// Returns `value` escaped so that it shows as plain text on this channel.
    ///
    /// For WeCom and DingTalk markdown, characters that start formatting, links, HTML tags or
    /// mentions (`*`, `_`, `` ` ``, `#`, `[`, `<`, `@` and alike) become their full-width forms,
    /// and a leading `-`, `+` or `=` does too, so a value cannot start a list or a heading.
    /// Neither robot documents backslash escapes, and full-width forms read naturally in
    /// Chinese text. For Feishu text, `<` and `>` become full-width, because Feishu text
    /// messages mention people with `<at user_id="all">` tags. Webhook and MQTT payloads are
    /// data for other programs, so their values stay as they are.
    public func escape(_ value: String) -> String {
        switch self {
        case .weCom, .dingTalk:
            var scalars = String.UnicodeScalarView()
            for (index, scalar) in value.unicodeScalars.enumerated() {
                if let replacement = Self.markdownReplacements[scalar] {
                    scalars.append(replacement)
                } else if index == 0, let replacement = Self.lineStartReplacements[scalar] {
                    scalars.append(replacement)
                } else {
                    scalars.append(scalar)
                }
            }
            return String(scalars)
        case .feishu:
            return String(String.UnicodeScalarView(value.unicodeScalars.map { Self.tagReplacements[$0] ?? $0 }))
        case .webhook, .mqtt:
            return value
        }
    }

    /// Formats a rendered text for this channel.
    ///
    /// The text's first line is the title. WeCom shows it in bold, and in the warning colour when
    /// `highlighted`. DingTalk shows it as a heading and also sends it as the notification
    /// title. The other channels send the label and the text as they are.
    /// - Parameters:
    ///   - label: the test or exercise label, or an empty string.
    ///   - body: the text with escaped values.
    ///   - highlighted: true for P0 and P1.
    func format(label: String, body: String, highlighted: Bool) -> IMMessage {
        let lines = body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let title = label + (lines.first ?? "")
        let rest = lines.dropFirst()

        switch self {
        case .weCom:
            let heading = highlighted ? "<font color=\"warning\">**\(title)**</font>" : "**\(title)**"
            let text = ([heading] + rest).joined(separator: "\n")
            return IMMessage(format: .markdown, title: nil, text: text)

        case .dingTalk:
            // DingTalk markdown joins lines that a single line break separates.
            let text = (["### \(title)"] + rest.filter { !$0.isEmpty }).joined(separator: "\n\n")
            return IMMessage(format: .markdown, title: title, text: text)

        case .feishu, .webhook, .mqtt:
            return IMMessage(format: .plain, title: nil, text: label + body)
        }
    }

    private static let markdownReplacements: [Unicode.Scalar: Unicode.Scalar] = [
        "\\": "＼", "`": "｀", "*": "＊", "_": "＿", "~": "～", "#": "＃", "[": "［", "]": "］",
        "<": "＜", ">": "＞", "@": "＠", "|": "｜", "&": "＆", "!": "！",
    ]

    private static let lineStartReplacements: [Unicode.Scalar: Unicode.Scalar] = ["-": "－", "+": "＋", "=": "＝"]

    private static let tagReplacements: [Unicode.Scalar: Unicode.Scalar] = ["<": "＜", ">": "＞"]
}

/// An alert text formatted for one IM channel.
public struct IMMessage: Sendable, Equatable {
    /// The syntax the channel reads `text` in.
    public enum Format: String, Sendable {
        case plain
        case markdown
    }

    public var format: Format
    /// The notification title for DingTalk markdown messages, and nil for other channels.
    public var title: String?
    public var text: String

    public init(format: Format, title: String?, text: String) {
        self.format = format
        self.title = title
        self.text = text
    }
}
