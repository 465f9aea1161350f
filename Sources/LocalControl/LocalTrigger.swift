public import Alerting
public import Core

/// What a local trigger raises: a template, a priority and an audience. GPIO inputs and SMS
/// commands both name one.
public struct LocalTrigger: Sendable, Hashable {
    /// The key that identifies the trigger in logs, audits and the scheduler's repeat window.
    public var name: String
    /// The template to render, stored or built in (`fire-alarm`).
    public var template: String
    /// The priority, or nil for the template's own.
    public var priority: AlertPriority?
    /// The contact groups to alert.
    public var audience: [String]
    /// The event for `{event}` (火警, 护士呼叫).
    public var event: String
    /// Where the trigger is, for `{location}` (3号楼 2层 东侧).
    public var location: String
    /// A standing instruction for `{instruction}` (请从东侧楼梯疏散).
    public var instruction: String

    public init(
        name: String, template: String, priority: AlertPriority? = nil, audience: [String], event: String = "", location: String = "",
        instruction: String = ""
    ) {
        self.name = name
        self.template = template
        self.priority = priority
        self.audience = audience
        self.event = event
        self.location = location
        self.instruction = instruction
    }

    /// Renders the trigger into an alert.
    /// - Parameters:
    ///   - templates: the trigger's template, one per language (from `TemplateStore`).
    ///   - sender: the box's CAP sender, such as `alertbox-building3`.
    ///   - source: GPIO, SMS command or console.
    ///   - test: sends a labelled test to the test audience instead.
    ///   - note: words the person added (an SMS command's 附言), put before the standing instruction.
    ///   - sequence: tells apart alerts raised in the same millisecond.
    public func alert(
        templates: [AlertTemplate], composer: AlertComposer, sender: String, at time: WallTime, source: Alert.Source, test: Bool,
        note: String = "", sequence: Int = 0
    ) throws(LocalControlError) -> Alert {
        guard let first = templates.first else { throw .missingTemplate(input: name, template: template) }
        let millis = time.nanosecondsSinceEpoch / 1_000_000
        let status: CAPAlert.Status = test ? .test : .actual
        let identifier = "\(sender)-\(source.rawValue)-\(Self.identifierSafe(name))-\(millis)" + (sequence > 0 ? "-\(sequence)" : "")
        let priority = self.priority ?? first.priority
        let instruction = [note, self.instruction].filter { !$0.isEmpty }.joined(separator: " ")
        let values = TemplateValues(
            event: event, location: location, sender: sender, instruction: instruction, identifier: identifier, sent: time,
            priority: priority, status: status)
        return Alert(
            identifier: identifier, sender: sender, sentAt: millis, status: status, priority: priority, source: source,
            event: event.isEmpty ? nil : event, audience: audience, texts: composer.texts(from: templates, values: values),
            triggerKey: "\(source.rawValue)\(test ? "-test" : ""):\(name)")
    }

    /// Keeps a trigger's name usable inside a CAP identifier, which allows no spaces, commas,
    /// `<` or `&`.
    static func identifierSafe(_ name: String) -> String {
        String(name.unicodeScalars.map { scalar in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "_" ? Character(scalar) : "_"
        })
    }
}
