import Core

/// An element of a parsed XML document.
public struct XMLElement: Sendable, Equatable {
    /// The local name, without prefix.
    public var name: String
    /// The namespace URI the element's prefix (or the default namespace) resolves to.
    public var namespace: String?
    public var attributes: [String: String]
    public var children: [XMLElement]
    /// The element's own text, entities resolved, surrounding white space kept.
    public var text: String
    /// The line the element starts on, from 1.
    public var line: Int

    /// The first child element with this local name.
    public func child(_ name: String) -> XMLElement? {
        children.first { $0.name == name }
    }

    /// Every child element with this local name.
    public func children(_ name: String) -> [XMLElement] {
        children.filter { $0.name == name }
    }
}

/// The reason an XML document was rejected.
public struct XMLError: Error, Equatable, Sendable, CustomStringConvertible {
    public let line: Int
    public let reason: String

    public var description: String {
        "XML line \(line): \(reason)"
    }
}

/// A small XML parser that is safe by construction for documents from the network.
///
/// It accepts elements, attributes, text, CDATA, comments and processing instructions, and
/// the five predefined entities and character references. It rejects every document type
/// declaration, so no DTD, external entity or entity expansion can be read, and it rejects
/// XInclude elements. It never opens a file or a socket. Documents are limited in size,
/// depth and element count. Declared encodings UTF-8, ISO-8859-1, US-ASCII and GB2312,
/// GBK or GB18030 are read; others are rejected.
/// W3C XML 1.0 (Fifth Edition) §2-§4.
public struct SafeXMLParser: Sendable {
    public var maximumBytes = 1 << 20
    public var maximumDepth = 64
    public var maximumElements = 20_000

    public init() {}

    static let xincludeNamespace = "http://www.w3.org/2001/XInclude"

    /// Parses a document and returns its root element.
    public func parse(_ bytes: [UInt8]) throws(XMLError) -> XMLElement {
        guard bytes.count <= maximumBytes else {
            throw XMLError(line: 1, reason: "document is \(bytes.count) bytes; the limit is \(maximumBytes)")
        }
        var scanner = Scanner(scalars: Array(try Self.decode(bytes).unicodeScalars), parser: self)
        return try scanner.document()
    }

    // MARK: Encoding

    static func decode(_ bytes: [UInt8]) throws(XMLError) -> String {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) {
            body = body.dropFirst(3)
        } else if body.starts(with: [0xFE, 0xFF]) || body.starts(with: [0xFF, 0xFE]) {
            throw XMLError(line: 1, reason: "UTF-16 documents are not accepted; send UTF-8")
        }
        let encoding = declaredEncoding(body)?.uppercased() ?? "UTF-8"
        switch encoding {
        case "UTF-8", "UTF8", "US-ASCII", "ASCII":
            guard let text = String(validating: body, as: UTF8.self) else {
                throw XMLError(line: 1, reason: "document declares \(encoding) but is not valid UTF-8")
            }
            return text
        case "ISO-8859-1", "LATIN1", "ISO_8859-1", "LATIN-1":
            return String(String.UnicodeScalarView(body.map { Unicode.Scalar($0) }))
        case "GB2312", "GBK", "GB18030":
            guard let text = LegacyEncoding.decodeGB18030(Array(body)) else {
                throw XMLError(line: 1, reason: "document declares \(encoding) but cannot be read as GB18030")
            }
            return text
        default:
            throw XMLError(line: 1, reason: "encoding \(encoding) is not accepted; send UTF-8")
        }
    }

    /// Reads `encoding="..."` from the XML declaration.
    private static func declaredEncoding(_ bytes: ArraySlice<UInt8>) -> String? {
        guard bytes.starts(with: Array("<?xml".utf8)) else { return nil }
        let head = Array(String(decoding: bytes.prefix(200).prefix { $0 != UInt8(ascii: ">") }, as: UTF8.self))
        let key = Array("encoding")
        guard let start = (0...max(0, head.count - key.count)).first(where: { Array(head[$0..<min(head.count, $0 + key.count)]) == key }) else {
            return nil
        }
        let rest = head[(start + key.count)...].drop { $0 == " " || $0 == "=" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return nil }
        return String(rest.dropFirst().prefix { $0 != quote })
    }

    // MARK: Scanner

    private struct Scanner {
        let scalars: [Unicode.Scalar]
        let parser: SafeXMLParser
        var index = 0
        var line = 1
        var elementCount = 0

        init(scalars: [Unicode.Scalar], parser: SafeXMLParser) {
            self.scalars = scalars
            self.parser = parser
        }

        func error(_ reason: String) -> XMLError {
            XMLError(line: line, reason: reason)
        }

        var atEnd: Bool { index >= scalars.count }

        func peek(_ text: String) -> Bool {
            var position = index
            for scalar in text.unicodeScalars {
                guard position < scalars.count, scalars[position] == scalar else { return false }
                position += 1
            }
            return true
        }

        mutating func advance(_ count: Int = 1) {
            for _ in 0..<count where index < scalars.count {
                if scalars[index] == "\n" { line += 1 }
                index += 1
            }
        }

        mutating func skip(until terminator: String, what: String) throws(XMLError) {
            while !atEnd {
                if peek(terminator) {
                    advance(terminator.unicodeScalars.count)
                    return
                }
                advance()
            }
            throw error("unterminated \(what)")
        }

        mutating func skipWhitespace() {
            while !atEnd, scalars[index].properties.isWhitespace {
                advance()
            }
        }

        /// Skips the prolog's declarations, comments and processing instructions.
        mutating func skipMisc() throws(XMLError) {
            while true {
                skipWhitespace()
                if peek("<?") {
                    try skip(until: "?>", what: "processing instruction")
                } else if peek("<!--") {
                    try skip(until: "-->", what: "comment")
                } else if peek("<!DOCTYPE") || peek("<!doctype") {
                    throw error("document type declarations are not accepted (no DTD, no entities)")
                } else if peek("<!") {
                    throw error("markup declarations are not accepted")
                } else {
                    return
                }
            }
        }

        mutating func document() throws(XMLError) -> XMLElement {
            try skipMisc()
            guard peek("<") else { throw error("no root element") }
            let root = try element(depth: 1, namespaces: ["xml": "http://www.w3.org/XML/1998/namespace"])
            try skipMisc()
            guard atEnd else { throw error("content after the root element") }
            return root
        }

        mutating func name() throws(XMLError) -> String {
            var result = String.UnicodeScalarView()
            while !atEnd {
                let scalar = scalars[index]
                let allowed = scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || [":", "_", "-", "."].contains(scalar)
                    || scalar.value > 0x7F
                guard allowed else { break }
                result.append(scalar)
                advance()
            }
            guard !result.isEmpty else { throw error("expected a name") }
            return String(result)
        }

        mutating func element(depth: Int, namespaces: [String: String]) throws(XMLError) -> XMLElement {
            guard depth <= parser.maximumDepth else { throw error("elements nest deeper than \(parser.maximumDepth)") }
            elementCount += 1
            guard elementCount <= parser.maximumElements else { throw error("more than \(parser.maximumElements) elements") }
            let startLine = line
            advance()  // "<"
            let qualified = try name()

            var rawAttributes: [(String, String)] = []
            while true {
                skipWhitespace()
                guard !atEnd else { throw error("unterminated start tag <\(qualified)>") }
                if peek("/>") || peek(">") { break }
                let attribute = try name()
                skipWhitespace()
                guard peek("=") else { throw error("attribute \(attribute) has no value") }
                advance()
                skipWhitespace()
                guard !atEnd, scalars[index] == "\"" || scalars[index] == "'" else {
                    throw error("attribute \(attribute) value is not quoted")
                }
                let quote = scalars[index]
                advance()
                var value = ""
                while !atEnd, scalars[index] != quote {
                    if scalars[index] == "<" { throw error("'<' inside attribute \(attribute)") }
                    if scalars[index] == "&" {
                        value += try reference()
                    } else {
                        value.unicodeScalars.append(scalars[index])
                        advance()
                    }
                }
                guard !atEnd else { throw error("unterminated attribute \(attribute)") }
                advance()
                rawAttributes.append((attribute, value))
            }

            var scope = namespaces
            var attributes: [String: String] = [:]
            for (attribute, value) in rawAttributes {
                if attribute == "xmlns" {
                    scope[""] = value
                } else if attribute.hasPrefix("xmlns:") {
                    scope[String(attribute.dropFirst(6))] = value
                } else {
                    attributes[attribute] = value
                }
            }
            // A qualified name is a local name with at most one prefix, neither empty
            // (Namespaces in XML 1.0, QName). `<:>` or `<a::b>` is rejected.
            let parts = qualified.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            guard parts.count <= 2, !parts.contains(where: \.isEmpty) else {
                throw error("invalid element name <\(qualified)>; use a name with at most one prefix, such as <cap:alert>")
            }
            let (prefix, local) = parts.count == 2 ? (parts[0], parts[1]) : ("", parts[0])
            let namespace = scope[prefix]
            if namespace == SafeXMLParser.xincludeNamespace {
                throw error("XInclude (\(qualified)) is not accepted")
            }
            var element = XMLElement(name: local, namespace: namespace, attributes: attributes, children: [], text: "", line: startLine)

            if peek("/>") {
                advance(2)
                return element
            }
            advance()  // ">"
            while true {
                guard !atEnd else { throw error("element <\(qualified)> is not closed") }
                if peek("</") {
                    advance(2)
                    let closing = try name()
                    guard closing == qualified else { throw error("</\(closing)> closes <\(qualified)>") }
                    skipWhitespace()
                    guard peek(">") else { throw error("malformed end tag </\(closing)>") }
                    advance()
                    return element
                }
                if peek("<!--") {
                    try skip(until: "-->", what: "comment")
                } else if peek("<![CDATA[") {
                    advance(9)
                    while !atEnd, !peek("]]>") {
                        element.text.unicodeScalars.append(scalars[index])
                        advance()
                    }
                    guard !atEnd else { throw error("unterminated CDATA section") }
                    advance(3)
                } else if peek("<!") {
                    throw error("markup declarations are not accepted inside elements")
                } else if peek("<?") {
                    try skip(until: "?>", what: "processing instruction")
                } else if peek("<") {
                    element.children.append(try self.element(depth: depth + 1, namespaces: scope))
                } else if scalars[index] == "&" {
                    element.text += try reference()
                } else {
                    element.text.unicodeScalars.append(scalars[index])
                    advance()
                }
            }
        }

        /// Resolves `&name;` for the five predefined entities and character references only.
        mutating func reference() throws(XMLError) -> String {
            advance()  // "&"
            var body = ""
            while !atEnd, scalars[index] != ";", body.count < 12 {
                body.unicodeScalars.append(scalars[index])
                advance()
            }
            guard !atEnd, scalars[index] == ";" else { throw error("malformed entity reference &\(body)") }
            advance()
            switch body {
            case "lt": return "<"
            case "gt": return ">"
            case "amp": return "&"
            case "quot": return "\""
            case "apos": return "'"
            default:
                let value: UInt32?
                if body.hasPrefix("#x") || body.hasPrefix("#X") {
                    value = UInt32(body.dropFirst(2), radix: 16)
                } else if body.hasPrefix("#") {
                    value = UInt32(body.dropFirst())
                } else {
                    throw error("entity &\(body); is not accepted; only the five predefined entities and character references are")
                }
                guard let value, let scalar = Unicode.Scalar(value) else {
                    throw error("invalid character reference &\(body);")
                }
                return String(scalar)
            }
        }
    }
}
