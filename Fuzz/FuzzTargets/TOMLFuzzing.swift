import Runtime

/// Parses configuration files and board profiles.
enum TOMLFuzzing {
    static func run(_ bytes: [UInt8], _ result: inout FuzzResult) {
        let text = String(decoding: bytes, as: UTF8.self)
        do {
            let table = try TOMLParser.parse(text)
            result.accept()
            check(table, path: "", &result)
        } catch {
            result.reject(error, by: "TOMLParser.parse")
        }

        do {
            _ = try BoxConfiguration.parse(text, file: "fuzz.toml")
            result.accept()
        } catch {
            result.reject(error, by: "BoxConfiguration.parse")
        }
        do {
            _ = try BoardProfile.parse(text, file: "fuzz-board.toml")
            result.accept()
        } catch {
            result.reject(error, by: "BoardProfile.parse")
        }
    }

    /// Checks that every key listed has a value and a line, and that no key is listed twice.
    private static func check(_ table: TOMLTable, path: String, _ result: inout FuzzResult) {
        result.expect(Set(table.keys).count == table.keys.count, "table \(path) lists a key twice: \(table.keys)")
        for key in table.keys {
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            result.expect((table.lines[key] ?? 0) >= 1, "key \(keyPath) has no line")
            guard let value = table[key] else {
                result.expect(false, "key \(keyPath) is listed but has no value")
                continue
            }
            checkValue(value, path: keyPath, &result)
        }
    }

    private static func checkValue(_ value: TOMLValue, path: String, _ result: inout FuzzResult) {
        switch value {
        case .table(let nested):
            check(nested, path: path, &result)
        case .array(let elements):
            for (index, element) in elements.enumerated() {
                checkValue(element, path: "\(path)[\(index)]", &result)
            }
        case .string, .integer, .float, .boolean:
            break
        }
    }
}
