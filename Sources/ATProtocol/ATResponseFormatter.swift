/// Builders of the exact bytes a modem writes, for the simulator and for tests.
///
/// Output follows verbose mode (`ATV1`): information text and final result codes are each
/// framed by CR LF, as in `\r\n+CSQ: 20,99\r\n\r\nOK\r\n`. Several information lines share
/// one leading CR LF and are separated by CR LF, as real modules print them.
/// ITU-T V.250 §5.7.1, 3GPP TS 27.005 §3.5.1
public enum ATResponseFormatter {
    /// The form of the SMS prompt, which differs between vendors.
    public enum PromptStyle: Sendable, Hashable, CaseIterable {
        /// `\r\n> `, as Quectel and SIM800 print it.
        case spaceAfter
        /// `\r\n>\r\n`, as SIMCom SIM7670G prints it.
        case lineEnd
        /// `> ` with no leading line end.
        case bare
    }

    /// Formats a complete reply: information lines, then the final result.
    public static func reply(_ lines: [String] = [], final result: FinalResult = .ok) -> [UInt8] {
        var text = ""
        if !lines.isEmpty {
            text += "\r\n" + lines.joined(separator: "\r\n") + "\r\n"
        }
        text += "\r\n" + result.line + "\r\n"
        return Array(text.utf8)
    }

    /// Formats a reply made of typed information responses and a final result.
    public static func reply(_ responses: [any ATInformationResponse], final result: FinalResult = .ok) -> [UInt8] {
        reply(responses.map(\.line), final: result)
    }

    /// Formats an unsolicited result code, with its body line for two-line codes.
    public static func unsolicited(_ line: String, body: String? = nil) -> [UInt8] {
        var text = "\r\n" + line + "\r\n"
        if let body {
            text += body + "\r\n"
        }
        return Array(text.utf8)
    }

    /// Formats the SMS prompt.
    public static func prompt(_ style: PromptStyle = .spaceAfter) -> [UInt8] {
        switch style {
        case .spaceAfter: return Array("\r\n> ".utf8)
        case .lineEnd: return Array("\r\n>\r\n".utf8)
        case .bare: return Array("> ".utf8)
        }
    }

    /// Formats the echo of a command line: the line and the CR the host sent.
    public static func echo(_ command: String) -> [UInt8] {
        Array(command.utf8) + [0x0D]
    }
}
