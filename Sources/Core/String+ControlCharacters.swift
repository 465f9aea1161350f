extension String {
    /// Returns the text with line breaks shown as `\r` and `\n`, so it stays on one line.
    ///
    /// Text from an SMS is untrusted: every other control character, ESC included, is shown
    /// as `\xHH`, so a message cannot move the cursor, recolour or retitle the terminal.
    public func escapingControlCharacters() -> String {
        var output = ""
        for scalar in unicodeScalars {
            switch scalar {
            case "\r": output += "\\r"
            case "\n": output += "\\n"
            case "\u{0C}": output += "\\f"
            case "\t": output += "\\t"
            default:
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) {
                    let hex = String(scalar.value, radix: 16, uppercase: true)
                    output += "\\x" + (hex.count < 2 ? "0" : "") + hex
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        return output
    }
}
