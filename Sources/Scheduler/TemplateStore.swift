public import Alerting
import Core
public import Storage

/// The alert templates operators edit, kept in the database and checked when they are saved.
///
/// Saving runs the worst-case length check with the configured signature, so a P0 or P1
/// template that could take two SMS never reaches the table. A name with no stored template
/// falls back to the built-in one.
public enum TemplateStore {
    /// Checks `template` and stores it, replacing the one of the same name and language.
    /// - Returns: the worst-case SMS length of the template.
    /// - Throws: `TemplateError` when the check fails (nothing is stored), or a storage error.
    @discardableResult
    public static func save(
        _ template: AlertTemplate, signature: SMSSignature?, author: String, at wallMillis: Int64, in connection: Connection
    ) throws -> SMSLengthReport {
        let report = try template.validate(signature: signature)
        try connection.query(
            """
            INSERT INTO templates (name, language, priority, sms_text, im_text, updated_at) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (name, language) DO UPDATE SET
                priority = excluded.priority, sms_text = excluded.sms_text, im_text = excluded.im_text, updated_at = excluded.updated_at
            """,
            [
                .text(template.name), .text(template.language.rawValue), .integer(Int64(template.priority.rawValue)), .text(template.smsText),
                .text(template.imText), .integer(wallMillis),
            ], operation: "templates.save")
        try AuditLog.append(
            actor: author, action: "template.saved", subject: "template:\(template.reference)",
            detail: "\(report.parts) SMS part(s) in the worst case, \(report.worstCaseUnits) of \(report.singleSMSCapacity) units",
            at: wallMillis, in: connection)
        return report
    }

    /// Returns the templates called `name`, one per language: the stored ones, else the built-ins.
    /// - Throws: `TemplateError` when a stored text no longer parses, or a storage error.
    public static func templates(named name: String, in connection: Connection) throws -> [AlertTemplate] {
        let rows = try connection.query(
            "SELECT language, priority, sms_text, im_text FROM templates WHERE name = ? ORDER BY language", [.text(name)],
            operation: "templates.byName")
        var templates: [AlertTemplate] = []
        for row in rows {
            templates.append(
                try AlertTemplate(
                    name: name, language: Language(code: row["language"].string ?? "zh") ?? .chinese,
                    priority: AlertPriority(rawValue: row["priority"].int ?? 2) ?? .routine, smsText: row["sms_text"].string ?? "",
                    imText: row["im_text"].string ?? ""))
        }
        if templates.isEmpty, let builtIn = BuiltInTemplates.Name(rawValue: name) {
            templates = Language.allCases.map { BuiltInTemplates.template(builtIn, language: $0) }
        }
        return templates
    }
}
