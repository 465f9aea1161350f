import Core
import SMS
import Storage

/// Reads contact lists as the console's import does: UTF-8 or GBK, then CSV, then rows.
enum ContactCSVFuzzing {
    static func run(_ bytes: [UInt8], _ result: inout FuzzResult) {
        let imported = ContactImporter.read(bytes)
        result.accept()
        result.expect(
            ["UTF-8", "UTF-8 with BOM", "GBK", "unknown"].contains(imported.encoding), "unexpected encoding \(imported.encoding)")

        var phones: Set<String> = []
        for contact in imported.contacts {
            result.expect(contact.line >= 2, "contact on line \(contact.line), at or above the header")
            result.expect(!contact.name.isEmpty, "a contact on line \(contact.line) has an empty name")
            result.expect(!contact.phones.isEmpty, "a contact on line \(contact.line) has no phone")
            result.expect(["zh", "en"].contains(contact.language), "a contact has language \(contact.language)")
            for minute in [contact.quietStartMinute, contact.quietEndMinute].compactMap({ $0 }) {
                result.expect((0..<1440).contains(minute), "quiet hours at minute \(minute) of the day")
            }
            for phone in contact.phones {
                result.expect(phones.insert(phone).inserted, "phone \(phone) imported twice")
                // What the importer stores must read back as itself.
                let again = try? PhoneNumber(parsing: phone).e164
                result.expect(again == phone, "stored phone \(phone) parses as \(again ?? "an error")")
            }
        }
        for problem in imported.problems {
            result.expect(problem.line >= 1, "a problem reported on line \(problem.line)")
            result.expect(!problem.reason.english.isEmpty && !problem.reason.chinese.isEmpty, "a problem on line \(problem.line) has no reason")
        }
    }
}
