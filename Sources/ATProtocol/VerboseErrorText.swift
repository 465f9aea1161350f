/// Matching of verbose `+CME ERROR` and `+CMS ERROR` texts against the standard tables.
///
/// Vendors vary case, punctuation and the `(U)SIM` spelling, so texts are compared after
/// removing `(U)`, lowering the case and dropping every character that is not a letter or
/// digit: `(U)SIM PIN required`, `SIM PIN required` and `sim-pin required` all match.
enum VerboseErrorText {
    /// Reduces a text to the key used for matching.
    static func normalized(_ text: some StringProtocol) -> String {
        let lowered = text.lowercased().replacingOccurrences(of: "(u)", with: "")
        return String(lowered.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }.map(Character.init))
    }

    /// Builds the lookup table from standard meanings and vendor aliases.
    static func index(meanings: [Int: String], aliases: [String: Int]) -> [String: Int] {
        var table: [String: Int] = [:]
        for (code, meaning) in meanings {
            table[normalized(meaning)] = code
        }
        for (alias, code) in aliases {
            table[normalized(alias)] = code
        }
        return table
    }

    /// Parses the parameter of `+CME ERROR:` or `+CMS ERROR:`: a number, or a verbose text
    /// looked up in `table` and kept as sent.
    static func parse(_ parameter: some StringProtocol, table: [String: Int]) -> (code: Int?, text: String?) {
        let trimmed = String(ATLine.trim(Substring(parameter)))
        if let number = Int(trimmed) {
            return (number, nil)
        }
        return (lookUp(trimmed, in: table), trimmed)
    }

    /// Returns the code whose meaning matches `text`, or nil.
    static func lookUp(_ text: some StringProtocol, in table: [String: Int]) -> Int? {
        let key = normalized(text)
        guard !key.isEmpty else {
            return nil
        }
        return table[key]
    }
}

extension String {
    /// Replaces every occurrence of `target` with `replacement`, without Foundation.
    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else {
            return self
        }
        var result = ""
        var remaining = self[...]
        while let range = remaining.firstRange(of: target) {
            result += remaining[..<range.lowerBound]
            result += replacement
            remaining = remaining[range.upperBound...]
        }
        result += remaining
        return result
    }
}
