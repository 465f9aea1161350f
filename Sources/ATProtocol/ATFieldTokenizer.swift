/// A tolerant splitter of AT parameter text into fields.
///
/// It never fails, and it accepts these shapes, each seen in replies from real modems:
/// - Commas separate fields, except inside quotes and parentheses.
/// - Whitespace may appear before, after and inside any field (`+CREG: 2,1,  0 5, 2715`).
/// - An empty field between two commas becomes ``ATField/empty``.
/// - Double quotes delimit a string, which may contain commas and parentheses.
/// - Parentheses delimit a list, possibly nested, and `a-b` inside a list is a range.
/// - An unterminated quote or parenthesis runs to the end of the text.
///
/// Text between a closing quote and the next comma is appended to the quoted value, so
/// nothing the modem sent is dropped. Escapes such as `\22` are left undecoded.
/// 3GPP TS 27.007 §4.1, ITU-T V.250 §5.7.2
public enum ATFieldTokenizer {
    /// Splits parameter text (the part after `+XXX:`) into fields.
    ///
    /// Empty or all-whitespace text has no fields.
    public static func fields(in text: some StringProtocol) -> [ATField] {
        var scanner = Scanner(scalars: Array(text.unicodeScalars))
        let fields = scanner.list(closedByParenthesis: false)
        if fields == [.empty] {
            return []
        }
        return fields
    }

    /// Reads Unicode scalars, not characters: a combining mark after a comma makes one
    /// character of the two, and the comma must still end the field.
    private struct Scanner {
        let scalars: [Unicode.Scalar]
        var index = 0

        var isAtEnd: Bool { index >= scalars.count }

        /// Skips spaces and the control characters `rawText` trims, so that the first scalar
        /// kept decides the field's kind: `\u{08}(1,2)` is a list, as `(1,2)` is.
        mutating func skipWhitespace() {
            while !isAtEnd, scalars[index].properties.isWhitespace || ATLine.isPadding(scalars[index]) {
                index += 1
            }
        }

        mutating func list(closedByParenthesis: Bool) -> [ATField] {
            var fields: [ATField] = []
            while true {
                fields.append(field(insideList: closedByParenthesis))
                skipWhitespace()
                guard !isAtEnd else {
                    return fields
                }
                let scalar = scalars[index]
                index += 1
                if scalar == ")", closedByParenthesis {
                    return fields
                }
                // Otherwise the character is the comma that ends the field.
            }
        }

        mutating func field(insideList: Bool) -> ATField {
            skipWhitespace()
            guard !isAtEnd else {
                return .empty
            }
            switch scalars[index] {
            case ",":
                return .empty
            case ")" where insideList:
                return .empty
            case "\"":
                return quoted(insideList: insideList)
            case "(":
                index += 1
                let items = list(closedByParenthesis: true)
                return .list(items == [.empty] ? [] : items)
            default:
                return bare(insideList: insideList)
            }
        }

        mutating func quoted(insideList: Bool) -> ATField {
            index += 1
            var value = String.UnicodeScalarView()
            while !isAtEnd, scalars[index] != "\"" {
                value.append(scalars[index])
                index += 1
            }
            if !isAtEnd {
                index += 1
            }
            let trailing = rawText(insideList: insideList)
            return .quoted(String(value) + trailing)
        }

        mutating func bare(insideList: Bool) -> ATField {
            let text = rawText(insideList: insideList)
            guard !text.isEmpty else {
                return .empty
            }
            if insideList, let range = Self.range(text) {
                return .range(range)
            }
            return .bare(text)
        }

        /// Reads up to the next delimiter and returns the text without surrounding spaces.
        mutating func rawText(insideList: Bool) -> String {
            var text = String.UnicodeScalarView()
            while !isAtEnd {
                let scalar = scalars[index]
                if scalar == "," || (insideList && scalar == ")") {
                    break
                }
                text.append(scalar)
                index += 1
            }
            return String(ATLine.trim(Substring(String(text))))
        }

        static func range(_ text: String) -> ClosedRange<Int>? {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2 else {
                return nil
            }
            let lowerText = parts[0].filter { !$0.isWhitespace }
            let upperText = parts[1].filter { !$0.isWhitespace }
            guard let lower = Int(lowerText), let upper = Int(upperText), lower <= upper else {
                return nil
            }
            return lower...upper
        }
    }
}
