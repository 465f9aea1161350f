import Core

/// A template text parsed into literal runs and variables.
///
/// The syntax: `{name}` is a variable of `TemplateVariable`, `{{` is a literal `{` and `}}` is a
/// literal `}`. Inside a variable, the name runs to the first `}`, so `{a{b}` names `a{b` and is
/// rejected as an unknown variable.
public struct TemplateText: Sendable, Equatable {
    /// A run of literal text or one variable.
    public enum Piece: Sendable, Equatable {
        case literal(String)
        case variable(TemplateVariable)
    }

    /// The text as written, with `{{` and `}}` escapes.
    public let source: String
    /// The pieces in order. Adjacent literals are merged, so no two literals follow each other.
    public let pieces: [Piece]

    /// The variables in order of first use.
    public var variables: [TemplateVariable] {
        var seen: Set<TemplateVariable> = []
        var ordered: [TemplateVariable] = []
        for case .variable(let variable) in pieces where seen.insert(variable).inserted {
            ordered.append(variable)
        }
        return ordered
    }

    /// The literal text with every variable left out.
    public var literalText: String {
        pieces.reduce(into: "") { text, piece in
            if case .literal(let literal) = piece { text += literal }
        }
    }

    /// Parses `source`.
    /// - Parameters:
    ///   - template: the template's name and language, for errors.
    ///   - field: the field the text comes from, for errors.
    /// - Throws: `TemplateError` for an empty text, an unbalanced brace, `{}` or an unknown
    ///   variable, naming the first problem found.
    public init(_ source: String, template: String, field: TemplateField) throws(TemplateError) {
        guard !source.trimmingWhitespace().isEmpty else {
            throw .emptyText(template: template, field: field)
        }

        let characters = Array(source)
        var pieces: [Piece] = []
        var literal = ""
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil

            if character == "{" && next == "{" || character == "}" && next == "}" {
                literal.append(character)
                index += 2
                continue
            }
            if character == "}" {
                throw .unbalancedBrace(
                    template: template, field: field, brace: "}", offset: index + 1,
                    excerpt: Self.excerpt(characters, around: index))
            }
            guard character == "{" else {
                literal.append(character)
                index += 1
                continue
            }

            // A variable: the name runs to the first closing brace.
            guard let close = characters[(index + 1)...].firstIndex(of: "}") else {
                throw .unbalancedBrace(
                    template: template, field: field, brace: "{", offset: index + 1,
                    excerpt: Self.excerpt(characters, around: index))
            }
            let name = String(characters[(index + 1)..<close])
            guard !name.isEmpty else {
                throw .emptyVariableName(template: template, field: field, offset: index + 1)
            }
            guard let variable = TemplateVariable(rawValue: name) else {
                throw .unknownVariable(template: template, field: field, name: name)
            }
            if !literal.isEmpty {
                pieces.append(.literal(literal))
                literal = ""
            }
            pieces.append(.variable(variable))
            index = close + 1
        }
        if !literal.isEmpty {
            pieces.append(.literal(literal))
        }

        self.source = source
        self.pieces = pieces
    }

    /// Returns the text with each variable replaced by `value(variable)`.
    public func substituting(_ value: (TemplateVariable) -> String) -> String {
        pieces.reduce(into: "") { text, piece in
            switch piece {
            case .literal(let literal): text += literal
            case .variable(let variable): text += value(variable)
            }
        }
    }

    /// Returns up to 8 characters either side of `index`, so an error shows where the brace is.
    private static func excerpt(_ characters: [Character], around index: Int) -> String {
        let start = max(0, index - 8)
        let end = min(characters.count, index + 9)
        return String(characters[start..<end])
    }
}
