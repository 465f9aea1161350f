import Core

/// Reads CSV text as RFC 4180 describes it: quoted fields may hold commas, quotes (doubled)
/// and line breaks; lines end with CRLF or LF.
enum CSVReader {
    /// A record with the line number it starts on, from 1.
    struct Record {
        let line: Int
        let fields: [String]
    }

    static func records(_ text: String) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var recordLine = 1
        var scalars = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = scalars.next()

        func endRecord() {
            fields.append(field)
            field = ""
            if !(fields.count == 1 && fields[0].isEmpty) {
                records.append(Record(line: recordLine, fields: fields))
            }
            fields = []
        }

        while let scalar = pending {
            pending = scalars.next()
            if quoted {
                if scalar == "\"" {
                    if pending == "\"" {
                        field.unicodeScalars.append("\"")
                        pending = scalars.next()
                    } else {
                        quoted = false
                    }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty:
                quoted = true
            case ",":
                fields.append(field)
                field = ""
            case "\r":
                if pending == "\n" { pending = scalars.next() }
                endRecord()
                line += 1
                recordLine = line
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default:
                field.unicodeScalars.append(scalar)
            }
        }
        if !field.isEmpty || !fields.isEmpty {
            endRecord()
        }
        return records
    }

    /// Decodes bytes as UTF-8 (with or without BOM) or, failing that, as GBK, the encoding
    /// Excel writes CSV in on Chinese Windows. Returns the text and the encoding's name.
    static func decode(_ bytes: [UInt8]) -> (text: String, encoding: String)? {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) {
            body = body.dropFirst(3)
        }
        if let text = String(validating: body, as: UTF8.self) {
            return (text, bytes.count == body.count ? "UTF-8" : "UTF-8 with BOM")
        }
        return LegacyEncoding.decodeGB18030(Array(body)).map { ($0, "GBK") }
    }
}
