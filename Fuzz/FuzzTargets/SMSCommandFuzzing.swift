import LocalControl

/// Reads inbound SMS texts as commands.
enum SMSCommandFuzzing {
    /// Trigger names as a board configures them, one a prefix of another.
    private static let triggerNames = ["火警", "fire", "fire drill", "封锁", "lockdown"]

    static func run(_ bytes: [UInt8], _ result: inout FuzzResult) {
        let text = String(decoding: bytes, as: UTF8.self)
        let parsed = SMSCommandParser.parse(text, triggerNames: triggerNames)
        result.accept()

        let normalized = SMSCommandParser.normalized(text)
        result.expect(
            SMSCommandParser.normalized(normalized) == normalized,
            "normalizing \(normalized.debugDescription) again changes it")
        result.expect(
            SMSCommandParser.parse(normalized, triggerNames: triggerNames) == parsed,
            "a text and its normalized form parse differently")

        switch parsed {
        case .notCommand:
            result.expect(parsed.redacted == nil, "a text that is no command has a redacted form")
        case .command(let command, let pin, let redacted):
            // Only the redacted form may be logged or stored, so it must never show the PIN.
            if let pin {
                result.expect(redacted.hasPrefix("****"), "the redacted form of a command with a PIN does not start with ****")
                result.expect(!pin.isEmpty && pin.allSatisfy(\.isASCII), "PIN \(pin.debugDescription) is not ASCII digits")
            }
            if case .alarm(let name, _) = command {
                result.expect(!name.isEmpty, "an alarm command with an empty name")
            }
        case .malformed(_, let redacted):
            result.expect(!redacted.isEmpty || normalized.isEmpty, "a malformed command has an empty redacted form")
        }
    }
}
