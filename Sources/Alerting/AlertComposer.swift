public import Core

/// Turns a template and an alert's values into the texts the scheduler sends: the SMS text
/// and one IM rendering per channel, in each of the box's languages.
///
/// Each IM channel gets its own rendering because each escapes values differently, so a value
/// can never add formatting or mentions on any of them.
public struct AlertComposer: Sendable {
    public var renderer: TemplateRenderer
    /// The box's language first, then the fallback order.
    public var languages: [Language]

    public init(renderer: TemplateRenderer = TemplateRenderer(signature: nil), languages: [Language] = [.chinese, .english]) {
        self.renderer = renderer
        self.languages = languages
    }

    /// Renders `templates` (one name, one per language) with `values`, in the box's language
    /// order; a language without a template is left out.
    public func texts(from templates: [AlertTemplate], values: TemplateValues) -> [AlertText] {
        var texts: [AlertText] = []
        for language in languages {
            guard let template = templates.first(where: { $0.language == language }) else { continue }
            texts.append(text(from: template, values: values))
        }
        return texts
    }

    /// Renders one template into one language's texts.
    public func text(from template: AlertTemplate, values: TemplateValues) -> AlertText {
        var renders: [String: IMMessage] = [:]
        for channel in IMChannel.allCases {
            renders[channel.rawValue] = renderer.renderIM(template, values: values, channel: channel)
        }
        let plain = renders[IMChannel.webhook.rawValue]
        return AlertText(
            language: template.language, headline: plain?.title ?? plain?.text.split(separator: "\n").first.map(String.init),
            smsText: renderer.renderSMS(template, values: values), imText: plain?.text ?? "", imRenders: renders)
    }
}
