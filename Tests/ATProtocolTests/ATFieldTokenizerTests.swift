import Testing

@testable import ATProtocol

@Suite struct ATFieldTokenizerTests {
    @Test func emptyTextHasNoFields() {
        #expect(ATFieldTokenizer.fields(in: "").isEmpty)
        #expect(ATFieldTokenizer.fields(in: "   ").isEmpty)
    }

    @Test func simpleNumbers() {
        #expect(ATFieldTokenizer.fields(in: "20,99") == [.bare("20"), .bare("99")])
    }

    @Test func emptyFields() {
        let fields = ATFieldTokenizer.fields(in: "0,,26")
        #expect(fields == [.bare("0"), .empty, .bare("26")])
    }

    @Test func trailingEmptyField() {
        #expect(ATFieldTokenizer.fields(in: "2,,") == [.bare("2"), .empty, .empty])
    }

    @Test func leadingEmptyField() {
        #expect(ATFieldTokenizer.fields(in: ",24") == [.empty, .bare("24")])
    }

    @Test func quotedWithComma() {
        let fields = ATFieldTokenizer.fields(in: #""REC READ","+8613800000001",,"24/01/05,08:00:00+32""#)
        #expect(fields == [.quoted("REC READ"), .quoted("+8613800000001"), .empty, .quoted("24/01/05,08:00:00+32")])
    }

    @Test func spacesInsideFields() {
        let fields = ATFieldTokenizer.fields(in: "2,1,  0 5, 2715")
        #expect(fields == [.bare("2"), .bare("1"), .bare("0 5"), .bare("2715")])
        #expect(fields[2].hexadecimal == 0x05)
        #expect(fields[3].hexadecimal == 0x2715)
    }

    @Test func leadingZeros() {
        let fields = ATFieldTokenizer.fields(in: #"002,001,"18d8","ffff""#)
        #expect(fields[0].integer == 2)
        #expect(fields[1].integer == 1)
        #expect(fields[2].hexadecimal == 0x18D8)
        #expect(fields[3].hexadecimal == 0xFFFF)
    }

    @Test func emptyQuotedIsBlank() {
        let fields = ATFieldTokenizer.fields(in: #"2,1,"","605F""#)
        #expect(fields[2] == .quoted(""))
        #expect(fields[2].isBlank)
        #expect(fields[2].hexadecimal == nil)
    }

    @Test func cpmsTestWithSpaces() {
        let fields = ATFieldTokenizer.fields(in: #"    (  "ME"  ,  "MT"  )   ,  "ME" ,   (  "SM"  )"#)
        #expect(fields == [.list([.quoted("ME"), .quoted("MT")]), .quoted("ME"), .list([.quoted("SM")])])
        #expect(fields[1].items == [.quoted("ME")])
    }

    @Test func rangesInList() {
        let fields = ATFieldTokenizer.fields(in: "(0-2),(1,3-4)")
        #expect(fields == [.list([.range(0...2)]), .list([.bare("1"), .range(3...4)])])
        #expect(fields[1].allowedIntegers == [1, 3, 4])
    }

    @Test func rangeOutsideListIsBare() {
        #expect(ATFieldTokenizer.fields(in: "LTE,Online,460-00") == [.bare("LTE"), .bare("Online"), .bare("460-00")])
    }

    @Test func copsTestReply() {
        let text = #"(2,"CHINA MOBILE","CMCC","46000",7),(1,"CHN-UNICOM","UNICOM","46001",7),,(0-4),(0-2)"#
        let fields = ATFieldTokenizer.fields(in: text)
        #expect(fields.count == 5)
        #expect(fields[0] == .list([.bare("2"), .quoted("CHINA MOBILE"), .quoted("CMCC"), .quoted("46000"), .bare("7")]))
        #expect(fields[2] == .empty)
        #expect(fields[3] == .list([.range(0...4)]))
    }

    @Test func emptyList() {
        #expect(ATFieldTokenizer.fields(in: "(),1") == [.list([]), .bare("1")])
    }

    @Test func unterminatedQuoteRunsToEnd() {
        #expect(ATFieldTokenizer.fields(in: #"1,"abc"#) == [.bare("1"), .quoted("abc")])
    }

    @Test func unterminatedListRunsToEnd() {
        #expect(ATFieldTokenizer.fields(in: "(1,2") == [.list([.bare("1"), .bare("2")])])
    }

    @Test func textAfterQuoteKept() {
        #expect(ATFieldTokenizer.fields(in: #""SM"x,1"#) == [.quoted("SMx"), .bare("1")])
    }

    /// Found by the fuzzer: a bare `(((` after a backspace formatted as a list.
    @Test func controlCharacterBeforeAFieldDoesNotHideItsKind() {
        #expect(ATFieldTokenizer.fields(in: "1,\u{08}(2,3)") == [.bare("1"), .list([.bare("2"), .bare("3")])])
        #expect(ATFieldTokenizer.fields(in: "\u{01}\"SM\"") == [.quoted("SM")])
        let fields = ATFieldTokenizer.fields(in: ",2 CM\u{02}t: ,), \u{08}(((")
        #expect(ATFieldTokenizer.fields(in: fields.map(\.description).joined(separator: ",")) == fields)
    }

    /// Found by the fuzzer: a combining mark after a comma makes one character of the two.
    @Test func combiningMarkAfterACommaStartsTheNextField() {
        #expect(ATFieldTokenizer.fields(in: "1,\u{05B8}a,2") == [.bare("1"), .bare("\u{05B8}a"), .bare("2")])
        #expect(ATFieldTokenizer.fields(in: "(1,\u{0301}2)") == [.list([.bare("1"), .bare("\u{0301}2")])])
    }

    @Test func hexWithPrefix() {
        #expect(ATField.bare("0x5A1E").hexadecimal == 0x5A1E)
    }

    @Test func invalidHexIsNil() {
        #expect(ATField.bare("XYZ").hexadecimal == nil)
    }

    @Test func negativeInteger() {
        #expect(ATField.bare("-96").integer == -96)
    }

    @Test func descriptionRoundTrip() {
        let text = #"("ME","MT"),"ME",(0-2),,5"#
        let fields = ATFieldTokenizer.fields(in: text)
        #expect(fields.map(\.description).joined(separator: ",") == text)
    }
}
