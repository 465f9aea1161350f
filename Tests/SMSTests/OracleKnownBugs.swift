@testable import SMS

/// Documented bugs of the two oracle libraries, modelled as the text each one returns.
///
/// A disagreement counts as explained only when applying the models of that one library to
/// the expected text gives exactly what the library returned. Each text also goes through
/// the other library, which does not share the bug, so a bug of ours in the same place still
/// fails the test. The full list with the 3GPP clauses is in `Tests/Oracles/sms_oracle.py`.
struct OracleKnownBug: Sendable {
    let oracle: String
    let name: String
    /// Returns the text the library produces for `text` sent in `alphabet`, or nil when the
    /// bug does not touch it.
    let model: @Sendable (_ text: String, _ part: PartShape) -> String?

    /// What the models need to know of the part besides its text.
    struct PartShape: Sendable {
        var gsm7: Bool
        /// Whether the part carries a concatenation header.
        var concatenated: Bool
        var sixteenBit: Bool
    }

    /// Bugs seen when the library decodes our PDUs.
    static let decoding: [OracleKnownBug] = [
        // gsmmodem drops an escape septet that is the first septet after a concatenation
        // header, so an extension character there reads as the default-table character of its
        // code (TS 23.038 §6.2.1.1 gives the pair one character).
        OracleKnownBug(oracle: "gsmmodem", name: "escape lost at the start of a part") { text, part in
            guard part.gsm7, part.concatenated, let first = text.unicodeScalars.first,
                let septets = GSMAlphabet.septets(for: first), septets.count == 2
            else { return nil }
            return GSMAlphabet.decode([septets[1]]) + String(text.unicodeScalars.dropFirst())
        },
        // TS 23.038 §6.2.1 puts '§' at 0x5F; gsmmodem's table has '`' there.
        OracleKnownBug(oracle: "gsmmodem", name: "0x5F read as '`'") { text, part in
            part.gsm7 && text.contains("§") ? text.replacingOccurrences(of: "§", with: "`") : nil
        },
        // TS 23.038 §6.2.1.1 maps ESC 0x0A to form feed; gsmmodem's table has 'ÿ' there and
        // drops a received page break.
        OracleKnownBug(oracle: "gsmmodem", name: "form feed dropped") { text, part in
            part.gsm7 && text.contains("\u{0C}") ? text.replacingOccurrences(of: "\u{0C}", with: "") : nil
        },
        // TS 23.040 §9.2.3.16: TP-UDL counts a final '@' whose septet fills the last octet.
        OracleKnownBug(oracle: "gsmmodem", name: "final '@' dropped") { text, part in
            part.gsm7 && text.hasSuffix("@") ? String(text.dropLast()) : nil
        },
        // After a 16-bit concatenation header gsmmodem reads one octet late.
        OracleKnownBug(oracle: "gsmmodem", name: "first character lost after 16-bit header") { text, part in
            part.gsm7 && part.sixteenBit && !text.isEmpty ? String(text.unicodeScalars.dropFirst()) : nil
        },
        // gammu decodes a UCS-2 '~' as "~~" and keeps the text's length in UTF-16 units, so
        // the last units fall off.
        OracleKnownBug(oracle: "gammu", name: "UCS-2 '~' doubled") { text, part in
            guard !part.gsm7, text.contains("~") else { return nil }
            let doubled = Array(text.replacingOccurrences(of: "~", with: "~~").utf16.prefix(text.utf16.count))
            return String(decoding: doubled, as: UTF16.self)
        },
    ]

    /// Bugs seen when our decoder reads the library's PDUs.
    static let encoding: [OracleKnownBug] = [
        // gammu writes '~' in UCS-2 as U+0001 and "~~" as one '~'.
        OracleKnownBug(oracle: "gammu", name: "UCS-2 '~' written as U+0001") { text, part in
            guard !part.gsm7, text.contains("~") else { return nil }
            var output = ""
            var scalars = text.unicodeScalars[...]
            while let scalar = scalars.popFirst() {
                if scalar == "~", scalars.first == "~" {
                    scalars.removeFirst()
                    output += "~"
                } else {
                    output.unicodeScalars.append(scalar == "~" ? "\u{01}" : scalar)
                }
            }
            return output
        },
    ]

    /// Returns the names of the bugs that explain `got`, or nil when none does.
    ///
    /// Every subset of the library's applicable bugs is tried, in list order, because a bug
    /// such as the dropped final '@' touches only some of the texts it could.
    static func explain(
        _ got: String, expected: String, oracle: String, part: PartShape, bugs: [OracleKnownBug]
    ) -> [String]? {
        let applicable = bugs.filter { $0.oracle == oracle && $0.model(expected, part) != nil }
        for mask in 1..<(1 << applicable.count) {
            var text = expected
            var names: [String] = []
            for (index, bug) in applicable.enumerated() where mask & (1 << index) != 0 {
                text = bug.model(text, part) ?? text
                names.append(bug.name)
            }
            if text == got {
                return names
            }
        }
        return nil
    }
}

extension String {
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        var output = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            output += rest[..<range.lowerBound] + replacement
            rest = rest[range.upperBound...]
        }
        return output + rest
    }
}
