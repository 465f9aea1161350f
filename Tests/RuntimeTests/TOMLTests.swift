import Runtime
import Testing

@Suite struct TOMLTests {
    @Test func readsTablesArraysAndScalars() throws {
        let table = try TOMLParser.parse(
            """
            # 报警箱配置
            [box]
            id = "alertbox-b3"   # CAP sender
            language = 'zh'
            utc_offset_minutes = 480
            ratio = 1.5
            strict = true

            [sms.budget]
            per_minute = 1_000

            [[gpio.input]]
            role = "panic_1"
            audience = ["保卫处", "值班室",]
            timing = { debounce_ms = 30, minimum_hold_ms = 100 }

            [[gpio.input]]
            role = "fire_panel"
            audience = [
                "消防组", # trailing comment
            ]
            "quoted key" = "\\u706b\\t警"
            """)
        guard case .table(let box)? = table["box"] else {
            Issue.record("no [box]")
            return
        }
        #expect(box["id"] == .string("alertbox-b3"))
        #expect(box["language"] == .string("zh"))
        #expect(box["utc_offset_minutes"] == .integer(480))
        #expect(box["ratio"] == .float(1.5))
        #expect(box["strict"] == .boolean(true))
        #expect(box.keys == ["id", "language", "utc_offset_minutes", "ratio", "strict"])
        #expect(box.lines["id"] == 3)
        guard case .table(let sms)? = table["sms"], case .table(let budget)? = sms["budget"] else {
            Issue.record("no [sms.budget]")
            return
        }
        #expect(budget["per_minute"] == .integer(1000))
        guard case .table(let gpio)? = table["gpio"], case .array(let inputs)? = gpio["input"] else {
            Issue.record("no [[gpio.input]]")
            return
        }
        #expect(inputs.count == 2)
        guard case .table(let first) = inputs[0], case .table(let second) = inputs[1] else {
            Issue.record("inputs are not tables")
            return
        }
        #expect(first["audience"] == .array([.string("保卫处"), .string("值班室")]))
        guard case .table(let timing)? = first["timing"] else {
            Issue.record("no inline table")
            return
        }
        #expect(timing["minimum_hold_ms"] == .integer(100))
        #expect(second["role"] == .string("fire_panel"))
        #expect(second["quoted key"] == .string("火\t警"))
    }

    @Test func errorsNameTheLineAndTheFix() {
        let cases: [(String, Int, String)] = [
            ("[box]\nid = alertbox", 2, "strings go in double quotes"),
            ("[box]\nid = \"a\"\nid = \"b\"", 3, "defined twice"),
            ("[box]\n[box]", 2, "defined twice"),
            ("a = \"open", 1, "not closed"),
            ("a = 1 b = 2", 1, "one key per line"),
            ("a = [1, 2", 1, "expected `,` or `]`"),
            ("a = 2026-12-05", 1, "in quotes"),
            ("a = \"\\q\"", 1, "not an escape"),
            ("x = 1\n[x]", 2, "already an integer"),
        ]
        for (text, line, fragment) in cases {
            do {
                _ = try TOMLParser.parse(text)
                Issue.record("accepted: \(text)")
            } catch {
                #expect(error.line == line, "\(text)")
                #expect(error.description.contains(fragment), "\(error)")
            }
        }
    }
}
