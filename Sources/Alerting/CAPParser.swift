public import Core

/// Why a CAP document was rejected: the element and what is wrong, in both languages.
public struct CAPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The element path, such as `alert/info[2]/urgency`.
    public let element: String
    public let reason: LocalizedText

    public var description: String {
        "CAP \(element): \(reason.english)"
    }
}

/// Parses CAP 1.2 alerts (1.1 and 1.0 accepted) from untrusted XML.
///
/// The XML parser reads no DTD, entity or XInclude, so a hostile document touches no file and
/// no network. Every required element is checked, and every rejection names the element.
/// OASIS CAP 1.2 §3.
public enum CAPParser {
    public static let namespaces: [String: String] = [
        "urn:oasis:names:tc:emergency:cap:1.2": "1.2",
        "urn:oasis:names:tc:emergency:cap:1.1": "1.1",
        "http://www.incident.com/cap/1.0": "1.0",
    ]

    /// Parses a document's bytes.
    public static func parse(_ bytes: [UInt8], parser: SafeXMLParser = SafeXMLParser()) throws(CAPError) -> CAPAlert {
        let root: XMLElement
        do {
            root = try parser.parse(bytes)
        } catch {
            throw CAPError(element: "document", reason: LocalizedText(zh: "XML 无效或不安全：\(error)", en: "invalid or unsafe XML: \(error)"))
        }
        guard root.name == "alert" else {
            throw CAPError(element: root.name, reason: LocalizedText(zh: "根元素应为 alert", en: "the root element must be alert"))
        }
        guard let namespace = root.namespace, let version = namespaces[namespace] else {
            throw CAPError(
                element: "alert",
                reason: LocalizedText(
                    zh: "命名空间“\(root.namespace ?? "")”不是 CAP 1.2、1.1 或 1.0",
                    en: "namespace '\(root.namespace ?? "")' is not CAP 1.2, 1.1 or 1.0"))
        }
        return try alert(root, version: version)
    }

    private static func alert(_ root: XMLElement, version: String) throws(CAPError) -> CAPAlert {
        let sentText = try required(root, "sent", path: "alert")
        let infos = try root.children("info").enumerated().map { (index, element) throws(CAPError) in
            try info(element, path: "alert/info[\(index + 1)]")
        }
        let referencesText = optional(root, "references")
        let references = try (referencesText ?? "").split(whereSeparator: \.isWhitespace).map { (entry) throws(CAPError) -> CAPReference in
            let parts = entry.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3 else {
                throw CAPError(element: "alert/references", reason: LocalizedText(zh: "引用“\(entry)”应为 sender,identifier,sent", en: "reference '\(entry)' must be sender,identifier,sent"))
            }
            return CAPReference(sender: parts[0], identifier: parts[1], sent: parts[2])
        }
        return CAPAlert(
            version: version,
            identifier: try required(root, "identifier", path: "alert"),
            sender: try required(root, "sender", path: "alert"),
            sent: try dateTime(sentText, path: "alert/sent"),
            status: try enumeration(root, "status", path: "alert", CAPAlert.Status.self),
            messageType: try enumeration(root, "msgType", path: "alert", CAPAlert.MessageType.self),
            source: optional(root, "source"),
            scope: try scope(root, version: version),
            restriction: optional(root, "restriction"),
            addresses: optional(root, "addresses"),
            codes: root.children("code").map { $0.text.trimmingWhitespace() },
            note: optional(root, "note"),
            references: references,
            incidents: optional(root, "incidents"),
            infos: infos)
    }

    /// CAP 1.0 has no required `scope`; it is read as Public there.
    private static func scope(_ root: XMLElement, version: String) throws(CAPError) -> CAPAlert.Scope {
        if version == "1.0", root.child("scope") == nil { return .public }
        return try enumeration(root, "scope", path: "alert", CAPAlert.Scope.self)
    }

    private static func info(_ element: XMLElement, path: String) throws(CAPError) -> CAPInfo {
        let categories = element.children("category").map { $0.text.trimmingWhitespace() }
        guard !categories.isEmpty else {
            throw CAPError(element: "\(path)/category", reason: LocalizedText(zh: "缺少必填元素", en: "missing required element"))
        }
        var certainty = try enumeration(element, "certainty", path: path, CAPInfo.Certainty.self)
        if certainty == .veryLikely { certainty = .likely }
        return CAPInfo(
            language: optional(element, "language") ?? "en-US",
            categories: categories,
            event: try required(element, "event", path: path),
            responseTypes: element.children("responseType").map { $0.text.trimmingWhitespace() },
            urgency: try enumeration(element, "urgency", path: path, CAPInfo.Urgency.self),
            severity: try enumeration(element, "severity", path: path, CAPInfo.Severity.self),
            certainty: certainty,
            audience: optional(element, "audience"),
            effective: try optional(element, "effective").map { (text) throws(CAPError) in try dateTime(text, path: "\(path)/effective") },
            onset: try optional(element, "onset").map { (text) throws(CAPError) in try dateTime(text, path: "\(path)/onset") },
            expires: try optional(element, "expires").map { (text) throws(CAPError) in try dateTime(text, path: "\(path)/expires") },
            senderName: optional(element, "senderName"),
            headline: optional(element, "headline"),
            description: optional(element, "description"),
            instruction: optional(element, "instruction"),
            web: optional(element, "web"),
            contact: optional(element, "contact"),
            parameters: element.children("parameter").map { (optional($0, "valueName") ?? "", optional($0, "value") ?? "") },
            areas: element.children("area").compactMap { optional($0, "areaDesc") })
    }

    // MARK: Fields

    private static func optional(_ element: XMLElement, _ name: String) -> String? {
        guard let child = element.child(name) else { return nil }
        let value = child.text.trimmingWhitespace()
        return value.isEmpty ? nil : value
    }

    private static func required(_ element: XMLElement, _ name: String, path: String) throws(CAPError) -> String {
        guard let value = optional(element, name) else {
            throw CAPError(element: "\(path)/\(name)", reason: LocalizedText(zh: "缺少必填元素", en: "missing required element"))
        }
        return value
    }

    private static func enumeration<T: RawRepresentable & CaseIterable>(
        _ element: XMLElement, _ name: String, path: String, _ type: T.Type
    ) throws(CAPError) -> T where T.RawValue == String {
        let value = try required(element, name, path: path)
        guard let parsed = T(rawValue: value) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw CAPError(
                element: "\(path)/\(name)",
                reason: LocalizedText(zh: "值“\(value)”无效；允许的值：\(allowed)", en: "invalid value '\(value)'; allowed: \(allowed)"))
        }
        return parsed
    }

    /// The years a date-time may have. The box keeps instants as nanoseconds in an Int64
    /// (`WallTime`), which holds the years 1678 to 2261, so an earlier or later year would trap
    /// when converted.
    static let supportedYears = 1900...2200

    /// Parses `YYYY-MM-DDThh:mm:ss±hh:mm` (CAP 1.2 §3.3.2), also `Z` and fractional seconds as
    /// older feeds write them.
    static func dateTime(_ text: String, path: String) throws(CAPError) -> CAPDateTime {
        let invalid = CAPError(
            element: path,
            reason: LocalizedText(zh: "时间“\(text)”无效；格式如 2026-12-04T10:15:00+08:00，年份在 1900 到 2200 之间", en: "invalid date-time '\(text)'; write it like 2026-12-04T10:15:00+08:00, with a year from 1900 to 2200"))
        let scalars = Array(text.unicodeScalars)
        guard scalars.count >= 20 else { throw invalid }
        // Digits only: Int() alone would also read a sign, as in "-918".
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= scalars.count, scalars[range].allSatisfy({ ("0"..."9").contains($0) }) else { return nil }
            return Int(String(String.UnicodeScalarView(scalars[range])))
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), scalars[4] == "-", scalars[7] == "-", scalars[10] == "T",
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61,
            supportedYears.contains(year)
        else { throw invalid }
        var position = 19
        if position < scalars.count, scalars[position] == "." {
            position += 1
            while position < scalars.count, ("0"..."9").contains(scalars[position]) { position += 1 }
        }
        var offset = 0
        if position < scalars.count, scalars[position] == "Z" {
            position += 1
        } else {
            guard position + 6 == scalars.count, scalars[position] == "+" || scalars[position] == "-",
                let hours = number((position + 1)..<(position + 3)), let minutes = number((position + 4)..<(position + 6))
            else { throw invalid }
            offset = (hours * 60 + minutes) * (scalars[position] == "-" ? -1 : 1)
            position += 6
        }
        guard position == scalars.count else { throw invalid }
        let seconds = CivilDate.secondsSinceEpoch(
            year: year, month: month, day: day, hour: hour, minute: minute, second: second, utcOffsetMinutes: offset)
        return CAPDateTime(text: text, secondsSinceEpoch: seconds, utcOffsetMinutes: offset)
    }
}
