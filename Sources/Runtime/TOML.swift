public import Core

/// A value of a TOML document: the subset a configuration file needs.
///
/// Supported: comments, bare and quoted keys, dotted keys, `[table]` and `[[array of tables]]`
/// headers, basic and literal strings (one line), integers with `_`, floats, booleans, arrays
/// over several lines with a trailing comma, and inline tables. Dates are read as strings would
/// not be, so they are rejected with a hint to quote them.
public indirect enum TOMLValue: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case float(Double)
    case boolean(Bool)
    case array([TOMLValue])
    case table(TOMLTable)

    /// The TOML type as a message names it: `an integer` in English, `整数` in Chinese.
    public var typeText: LocalizedText {
        switch self {
        case .string: LocalizedText(zh: "字符串", en: "a string")
        case .integer: LocalizedText(zh: "整数", en: "an integer")
        case .float: LocalizedText(zh: "浮点数", en: "a float")
        case .boolean: LocalizedText(zh: "布尔值", en: "a boolean")
        case .array: LocalizedText(zh: "数组", en: "an array")
        case .table: LocalizedText(zh: "表", en: "a table")
        }
    }
}

/// A TOML table that keeps its keys in the order of the file, so errors and `config diff`
/// follow the file.
public struct TOMLTable: Sendable, Equatable {
    public private(set) var keys: [String] = []
    private var values: [String: TOMLValue] = [:]
    /// The line each key was defined on, for error messages.
    public private(set) var lines: [String: Int] = [:]

    public init() {}

    public subscript(key: String) -> TOMLValue? {
        values[key]
    }

    mutating func set(_ key: String, _ value: TOMLValue, line: Int) {
        if values[key] == nil { keys.append(key) }
        values[key] = value
        lines[key] = line
    }
}

/// A syntax error with its line and column and what to write instead.
public struct TOMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    /// The problem and what to write instead, in both operator languages.
    public var text: LocalizedText

    public init(line: Int, column: Int, text: LocalizedText) {
        self.line = line
        self.column = column
        self.text = text
    }

    /// The English text, for logs.
    public var message: String {
        text.english
    }

    /// Renders the error as `line 2, column 6: MESSAGE` or `第 2 行第 6 列：MESSAGE`.
    public func description(in language: Language) -> String {
        LocalizedText(zh: "第 \(line) 行第 \(column) 列：\(text.chinese)", en: "line \(line), column \(column): \(text.english)")(language)
    }

    /// The English rendering, for logs.
    public var description: String {
        description(in: .english)
    }

    /// Returns the message for a key that a table defines twice.
    static func duplicateKey(_ name: String) -> LocalizedText {
        LocalizedText(zh: "键 \"\(name)\" 定义了两次；只保留一个", en: "the key \"\(name)\" is defined twice; keep one")
    }
}

/// Parses the TOML subset described on `TOMLValue`.
public struct TOMLParser {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1
    private var lineStart = 0

    private var root = TOMLTable()
    /// The path of the current `[table]` or `[[array]]` element.
    private var current: [PathStep] = []
    /// Tables defined by a header or by a key, which may not be defined again.
    private var defined: Set<[String]> = []

    private enum PathStep: Hashable {
        case key(String)
        /// The last element of the array of tables at `key`.
        case lastElement(String)

        var name: String {
            switch self {
            case .key(let name), .lastElement(let name): name
            }
        }
    }

    public static func parse(_ text: String) throws(TOMLError) -> TOMLTable {
        var parser = TOMLParser(text: text)
        try parser.parseDocument()
        return parser.root
    }

    private init(text: String) {
        scalars = Array(text.unicodeScalars)
    }

    // MARK: Document

    private mutating func parseDocument() throws(TOMLError) {
        while true {
            skipWhitespaceAndComments(newlines: true)
            guard let scalar = peek() else { return }
            if scalar == "[" {
                try parseHeader()
            } else {
                let keyLine = line
                let key = try parseKey()
                skipSpaces()
                try expect("=", LocalizedText(zh: "请写成 `key = value`", en: "write `key = value`"))
                skipSpaces()
                let value = try parseValue()
                try assign(key, value, line: keyLine)
            }
            try endOfLine()
        }
    }

    private mutating func parseHeader() throws(TOMLError) {
        advance()
        let isArray = peek() == "["
        if isArray { advance() }
        skipSpaces()
        let key = try parseKey()
        skipSpaces()
        try expect("]", LocalizedText(zh: "表头要以 `]` 结尾", en: "close the table header with `]`"))
        if isArray { try expect("]", LocalizedText(zh: "表数组的表头要以 `]]` 结尾", en: "close the array-of-tables header with `]]`")) }
        let headerLine = line
        var path: [PathStep] = []
        var names: [String] = []
        for (position, part) in key.enumerated() {
            names.append(part)
            let last = position == key.count - 1
            if last && isArray {
                try appendTable(at: path, key: part, line: headerLine)
                path.append(.lastElement(part))
            } else {
                try ensureTable(at: path, key: part, line: headerLine, define: last)
                path.append(existingStep(at: path, key: part))
            }
        }
        current = path
    }

    // MARK: Tables

    private mutating func assign(_ key: [String], _ value: TOMLValue, line: Int) throws(TOMLError) {
        var path = current
        for part in key.dropLast() {
            try ensureTable(at: path, key: part, line: line, define: false)
            path.append(existingStep(at: path, key: part))
        }
        let name = key[key.count - 1]
        var failure: TOMLError?
        modifyTable(at: path) { table in
            if table[name] != nil {
                failure = TOMLError(line: line, column: 1, text: TOMLError.duplicateKey(name))
                return
            }
            table.set(name, value, line: line)
        }
        if let failure { throw failure }
    }

    private func existingStep(at path: [PathStep], key: String) -> PathStep {
        if case .array = table(at: path)?[key] { return .lastElement(key) }
        return .key(key)
    }

    private mutating func ensureTable(at path: [PathStep], key: String, line: Int, define: Bool) throws(TOMLError) {
        let names = path.map(\.name) + [key]
        switch table(at: path)?[key] {
        case nil:
            modifyTable(at: path) { $0.set(key, .table(TOMLTable()), line: line) }
        case .table:
            if define && defined.contains(names) {
                let name = names.joined(separator: ".")
                throw TOMLError(line: line, column: 1, text: LocalizedText(zh: "表 [\(name)] 定义了两次；请合并为一个", en: "the table [\(name)] is defined twice; merge the two"))
            }
        case .array(let elements) where elements.last.map({ if case .table = $0 { true } else { false } }) == true:
            break
        case let other?:
            let (name, type) = (names.joined(separator: "."), other.typeText)
            throw TOMLError(
                line: line, column: 1,
                text: LocalizedText(
                    zh: "\"\(name)\" 已经是\(type.chinese)，不是表；请把其中一个改名",
                    en: "\"\(name)\" is already \(type.english), not a table; rename one of them"))
        }
        if define { defined.insert(names) }
    }

    private mutating func appendTable(at path: [PathStep], key: String, line: Int) throws(TOMLError) {
        var failure: TOMLError?
        modifyTable(at: path) { table in
            switch table[key] {
            case nil:
                table.set(key, .array([.table(TOMLTable())]), line: line)
            case .array(var elements):
                elements.append(.table(TOMLTable()))
                table.set(key, .array(elements), line: line)
            case let other?:
                let type = other.typeText
                failure = TOMLError(
                    line: line, column: 1,
                    text: LocalizedText(
                        zh: "\"\(key)\" 已经是\(type.chinese)，[[\(key)]] 无法向其中添加表；请把其中一个改名",
                        en: "\"\(key)\" is already \(type.english), so [[\(key)]] cannot add to it; rename one of them"))
            }
        }
        if let failure { throw failure }
    }

    private func table(at path: [PathStep]) -> TOMLTable? {
        var table = root
        for step in path {
            switch (step, table[step.name]) {
            case (.key, .table(let inner)?):
                table = inner
            case (.lastElement, .array(let elements)?):
                guard case .table(let inner)? = elements.last else { return nil }
                table = inner
            default:
                return nil
            }
        }
        return table
    }

    private mutating func modifyTable(at path: [PathStep], _ change: (inout TOMLTable) -> Void) {
        Self.modify(&root, path: path[...], change)
    }

    private static func modify(_ table: inout TOMLTable, path: ArraySlice<PathStep>, _ change: (inout TOMLTable) -> Void) {
        guard let step = path.first else {
            change(&table)
            return
        }
        let line = table.lines[step.name] ?? 0
        switch (step, table[step.name]) {
        case (.key(let name), .table(var inner)?):
            modify(&inner, path: path.dropFirst(), change)
            table.set(name, .table(inner), line: line)
        case (.lastElement(let name), .array(var elements)?):
            guard case .table(var inner)? = elements.last else { return }
            modify(&inner, path: path.dropFirst(), change)
            elements[elements.count - 1] = .table(inner)
            table.set(name, .array(elements), line: line)
        default:
            return
        }
    }

    // MARK: Keys and values

    private mutating func parseKey() throws(TOMLError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            guard let scalar = peek() else { throw error(LocalizedText(zh: "文件末尾缺少键", en: "a key is missing at the end of the file")) }
            if scalar == "\"" {
                parts.append(try parseBasicString())
            } else if scalar == "'" {
                parts.append(try parseLiteralString())
            } else {
                var name = ""
                while let next = peek(), next.properties.isAlphabetic || ("0"..."9").contains(next) || next == "_" || next == "-" {
                    name.unicodeScalars.append(next)
                    advance()
                }
                if name.isEmpty {
                    throw error(
                        LocalizedText(
                            zh: "此处应为键；不加引号的键只能用字母、数字、`_` 和 `-`，其他键请加引号",
                            en: "expected a key; bare keys use letters, digits, `_` and `-`, others go in quotes"))
                }
                parts.append(name)
            }
            skipSpaces()
            guard peek() == "." else { return parts }
            advance()
        }
    }

    private mutating func parseValue() throws(TOMLError) -> TOMLValue {
        guard let scalar = peek() else { throw error(LocalizedText(zh: "`=` 后面缺少值", en: "a value is missing after `=`")) }
        switch scalar {
        case "\"":
            if lookahead("\"\"\"") { throw error(LocalizedText(zh: "不支持多行字符串；请在单行字符串中写 \\n", en: "multi-line strings are not supported; write \\n inside a one-line string")) }
            return .string(try parseBasicString())
        case "'":
            return .string(try parseLiteralString())
        case "[":
            return try parseArray()
        case "{":
            return try parseInlineTable()
        case "t", "f":
            if lookahead("true") {
                index += 4
                return .boolean(true)
            }
            if lookahead("false") {
                index += 5
                return .boolean(false)
            }
            throw error(LocalizedText(zh: "无法识别的值；字符串要加双引号，布尔值写 true 或 false", en: "unknown value; strings go in double quotes, booleans are true or false"))
        default:
            return try parseNumber()
        }
    }

    private mutating func parseNumber() throws(TOMLError) -> TOMLValue {
        var text = ""
        while let scalar = peek(), !" \t\r\n,]}#".unicodeScalars.contains(scalar) {
            text.unicodeScalars.append(scalar)
            advance()
        }
        let digits = String(text.filter { $0 != "_" })
        if let integer = Int64(digits) { return .integer(integer) }
        if digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let float = Double(digits), float.isFinite { return .float(float) }
        if text.count >= 8, text.contains("-"), text.first?.isNumber == true {
            throw error(LocalizedText(zh: "不支持日期和时间；请加上引号写成 \"\(text)\"", en: "dates and times are not supported; write \"\(text)\" in quotes"))
        }
        throw error(
            LocalizedText(
                zh: "\"\(text)\" 不是有效的值；字符串要加双引号，数字直接写，例如 30 或 1.5",
                en: "\"\(text)\" is not a value; strings go in double quotes, numbers are digits such as 30 or 1.5"))
    }

    private mutating func parseBasicString() throws(TOMLError) -> String {
        advance()
        var result = ""
        while let scalar = peek() {
            advance()
            switch scalar {
            case "\"":
                return result
            case "\n":
                throw error(LocalizedText(zh: "字符串在本行没有结束；请补上结尾的 \"", en: "the string is not closed on its line; add the closing \""))
            case "\\":
                guard let escape = peek() else { break }
                advance()
                switch escape {
                case "n": result += "\n"
                case "t": result += "\t"
                case "r": result += "\r"
                case "\"": result += "\""
                case "\\": result += "\\"
                case "u", "U":
                    let length = escape == "u" ? 4 : 8
                    var hex = ""
                    for _ in 0..<length {
                        guard let digit = peek() else { break }
                        hex.unicodeScalars.append(digit)
                        advance()
                    }
                    guard let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) else {
                        throw error(
                            LocalizedText(
                                zh: "\\\(escape)\(hex) 不是有效的 Unicode 转义；请用 \\u 加 \(length) 位十六进制数字",
                                en: "\\\(escape)\(hex) is not a Unicode escape; use \\u followed by \(length) hex digits"))
                    }
                    result.unicodeScalars.append(decoded)
                default:
                    throw error(
                        LocalizedText(
                            zh: "\\\(escape) 不是有效的转义；反斜杠请写成 \\\\，或改用单引号的字面量字符串 '...'",
                            en: "\\\(escape) is not an escape; write \\\\ for a backslash, or use a 'literal string'"))
                }
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        throw error(LocalizedText(zh: "字符串没有结束；请补上结尾的 \"", en: "the string is not closed; add the closing \""))
    }

    private mutating func parseLiteralString() throws(TOMLError) -> String {
        advance()
        var result = ""
        while let scalar = peek() {
            advance()
            if scalar == "'" { return result }
            if scalar == "\n" { throw error(LocalizedText(zh: "字符串在本行没有结束；请补上结尾的 '", en: "the string is not closed on its line; add the closing '")) }
            result.unicodeScalars.append(scalar)
        }
        throw error(LocalizedText(zh: "字符串没有结束；请补上结尾的 '", en: "the string is not closed; add the closing '"))
    }

    private mutating func parseArray() throws(TOMLError) -> TOMLValue {
        advance()
        var elements: [TOMLValue] = []
        while true {
            skipWhitespaceAndComments(newlines: true)
            if peek() == "]" {
                advance()
                return .array(elements)
            }
            elements.append(try parseValue())
            skipWhitespaceAndComments(newlines: true)
            if peek() == "," {
                advance()
            } else if peek() != "]" {
                throw error(LocalizedText(zh: "数组中此处应为 `,` 或 `]`", en: "expected `,` or `]` in the array"))
            }
        }
    }

    private mutating func parseInlineTable() throws(TOMLError) -> TOMLValue {
        advance()
        var table = TOMLTable()
        skipSpaces()
        if peek() == "}" {
            advance()
            return .table(table)
        }
        while true {
            skipSpaces()
            let keyLine = line
            let key = try parseKey()
            guard key.count == 1 else {
                throw error(LocalizedText(zh: "{ } 中不支持带点的键；请改用 [table]", en: "dotted keys are not supported inside { }; use a [table] instead"))
            }
            skipSpaces()
            try expect("=", LocalizedText(zh: "在 { } 中请写成 `key = value`", en: "write `key = value` inside { }"))
            skipSpaces()
            let value = try parseValue()
            if table[key[0]] != nil { throw error(TOMLError.duplicateKey(key[0])) }
            table.set(key[0], value, line: keyLine)
            skipSpaces()
            if peek() == "," {
                advance()
            } else if peek() == "}" {
                advance()
                return .table(table)
            } else {
                throw error(LocalizedText(zh: "内联表中此处应为 `,` 或 `}`", en: "expected `,` or `}` in the inline table"))
            }
        }
    }

    // MARK: Characters

    private func peek() -> Unicode.Scalar? {
        index < scalars.count ? scalars[index] : nil
    }

    private mutating func advance() {
        if scalars[index] == "\n" {
            line += 1
            lineStart = index + 1
        }
        index += 1
    }

    private func lookahead(_ text: String) -> Bool {
        let wanted = Array(text.unicodeScalars)
        guard index + wanted.count <= scalars.count else { return false }
        return Array(scalars[index..<index + wanted.count]) == wanted
    }

    private mutating func expect(_ scalar: Unicode.Scalar, _ fix: LocalizedText) throws(TOMLError) {
        guard peek() == scalar else {
            throw error(LocalizedText(zh: "此处应为 `\(scalar)`；\(fix.chinese)", en: "expected `\(scalar)`; \(fix.english)"))
        }
        advance()
    }

    private mutating func skipSpaces() {
        while let scalar = peek(), scalar == " " || scalar == "\t" { advance() }
    }

    private mutating func skipWhitespaceAndComments(newlines: Bool) {
        while let scalar = peek() {
            if scalar == " " || scalar == "\t" || (newlines && (scalar == "\n" || scalar == "\r")) {
                advance()
            } else if scalar == "#" {
                while let next = peek(), next != "\n" { advance() }
            } else {
                return
            }
        }
    }

    private mutating func endOfLine() throws(TOMLError) {
        skipWhitespaceAndComments(newlines: false)
        if peek() == "\r" { advance() }
        guard peek() == nil || peek() == "\n" else { throw error(LocalizedText(zh: "值后面有多余的内容；每行只写一个键", en: "unexpected text after the value; put one key per line")) }
    }

    private func error(_ text: LocalizedText) -> TOMLError {
        TOMLError(line: line, column: index - lineStart + 1, text: text)
    }
}
