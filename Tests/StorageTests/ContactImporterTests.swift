import Core
import Foundation
import Testing

@testable import Storage

@Suite struct ContactImporterTests {
    static let csv = """
        姓名,手机,角色,分组,语言,免打扰,排序
        张三,138 0000 0001,保安队长,保安;应急小组,zh,22:00-07:00,1
        "Li, Si",+86-139-0000-0002/13900000003,nurse,"护理部",en,,2
        王五,13700000004,,保安,,,
        """

    @Test func readsUTF8() {
        let result = ContactImporter.read(Array(Self.csv.utf8))
        #expect(result.encoding == "UTF-8")
        #expect(result.problems.isEmpty)
        #expect(result.contacts.count == 3)
        #expect(result.contacts[0].phones == ["+8613800000001"])
        #expect(result.contacts[0].groups == ["保安", "应急小组"])
        #expect(result.contacts[0].quietStartMinute == 22 * 60)
        #expect(result.contacts[0].quietEndMinute == 7 * 60)
        #expect(result.contacts[1].name == "Li, Si")
        #expect(result.contacts[1].phones == ["+8613900000002", "+8613900000003"])
        #expect(result.contacts[1].language == "en")
    }

    @Test func samePhoneTwiceInOneCellIsOnePhone() {
        let result = ContactImporter.read(Array("name,phone\nLi,13900000002/+86-139-0000-0002\n".utf8))
        #expect(result.problems.isEmpty)
        #expect(result.contacts.first?.phones == ["+8613900000002"])
    }

    @Test func readsUTF8WithBOM() {
        let result = ContactImporter.read([0xEF, 0xBB, 0xBF] + Array(Self.csv.utf8))
        #expect(result.encoding == "UTF-8 with BOM")
        #expect(result.contacts.count == 3)
    }

    @Test func readsGBK() throws {
        // "姓名,手机\r\n张三,13800000001\r\n" in GBK, as Excel on Chinese Windows saves it.
        let gbk: [UInt8] = [0xD0, 0xD5, 0xC3, 0xFB, 0x2C, 0xCA, 0xD6, 0xBB, 0xFA, 0x0D, 0x0A, 0xD5, 0xC5, 0xC8, 0xFD, 0x2C]
            + Array("13800000001\r\n".utf8)
        let result = ContactImporter.read(gbk)
        #expect(result.encoding == "GBK")
        #expect(result.contacts.first?.name == "张三")
        #expect(result.contacts.first?.phones == ["+8613800000001"])
    }

    @Test func badRowsReportedWithLineNumbers() {
        let csv = """
            name,phone,language
            Good,13800000001,zh
            ,13800000002,zh
            Bad phone,1380000,zh
            Bad lang,13800000003,fr
            Duplicate,138-0000-0001,zh
            """
        let result = ContactImporter.read(Array(csv.utf8))
        #expect(result.contacts.count == 1)
        #expect(result.problems.map(\.line) == [3, 4, 5, 6])
        #expect(result.problems[0].reason.english == "missing name")
        #expect(result.problems[1].reason.english.contains("***00"))
        #expect(!result.problems[1].reason.english.contains("1380000"))
        #expect(result.problems[2].reason.english == "invalid language 'fr'; use zh or en")
        #expect(result.problems[3].reason.english == "phone 138****0001 repeats line 2")
    }

    @Test func missingColumnsRejected() {
        let result = ContactImporter.read(Array("name,email\nA,a@b\n".utf8))
        #expect(result.contacts.isEmpty)
        #expect(result.problems.first?.line == 1)
    }

    @Test func nothingStoredWhileRowsAreBad() async throws {
        let path = DatabaseTests.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = Database(path: path, logger: DatabaseTests.logger)
        try await database.open(migrations: Schema.migrations)
        let partlyBad = ContactImporter.read(Array("name,phone\nA,13800000001\nB,123\n".utf8))
        await #expect(throws: StorageError.self) {
            try await database.transaction("import") { try ContactImporter.store(partlyBad, skipBadRows: false, at: 0, in: $0) }
        }
        let none = try await database.read { try $0.query("SELECT count(*) FROM contacts", operation: "test").first?[0].int }
        #expect(none == 0)

        let stored = try await database.transaction("import") { try ContactImporter.store(partlyBad, skipBadRows: true, at: 0, in: $0) }
        #expect(stored == 1)
        await database.close()
    }

    @Test func groupsAndMembersStored() async throws {
        let path = DatabaseTests.temporaryPath()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let database = Database(path: path, logger: DatabaseTests.logger)
        try await database.open(migrations: Schema.migrations)
        let contacts = ContactImporter.read(Array(Self.csv.utf8))
        try await database.transaction("import") { try ContactImporter.store(contacts, skipBadRows: false, at: 0, in: $0) }
        let members = try await database.read {
            try $0.query(
                "SELECT count(*) FROM group_members JOIN groups ON groups.id = group_id WHERE groups.name = '保安'", operation: "test"
            ).first?[0].int
        }
        #expect(members == 2)
        await database.close()
    }

    @Test func quotedFieldsWithNewlines() {
        let records = CSVReader.records("a,b\r\n\"x\ny\",\"say \"\"hi\"\"\"\r\nlast,1")
        #expect(records.count == 3)
        #expect(records[1].fields == ["x\ny", "say \"hi\""])
        #expect(records[2].line == 4)
    }
}
