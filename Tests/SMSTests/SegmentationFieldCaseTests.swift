import Testing

@testable import SMS

/// Field cases on encoding choice and segmentation (F12-F16).
@Suite struct SegmentationFieldCaseTests {
    @Test func chineseNeverBecomesQuestionMarks() throws {
        let pdus = try SubmitEncoder.encode("测试", to: .international("+8613800000001"))
        #expect(pdus.map(\.hex) == ["0011000D91683108000000F10008AA046D4B8BD5"])
        #expect(pdus.first?.tpduLength == 19)
    }

    @Test func oneChineseCharacterSwitchesWholeMessage() throws {
        let plan = try Segmenter.plan("Fire alarm 火 building 3")
        #expect(plan.alphabet == .ucs2)
        #expect(plan.totalUnits == 23)
    }

    @Test func crlfStaysGSM7() throws {
        let plan = try Segmenter.plan("Line1\r\nLine2")
        #expect(plan.alphabet == .gsm7)
        #expect(plan.segments.count == 1)
        #expect(plan.totalUnits == 12)
    }

    @Test func extensionCharacterCostsTwoSeptets() throws {
        let plan = try Segmenter.plan(String(repeating: "a", count: 159) + "€")
        #expect(plan.alphabet == .gsm7)
        #expect(plan.unitsPerSegment == [153, 8])
    }

    @Test(arguments: ["^", "{", "}", "\\", "[", "~", "]", "|", "€", "\u{0C}"])
    func everyExtensionCharacterCostsTwo(character: String) throws {
        let plan = try Segmenter.plan(String(repeating: "a", count: 158) + character)
        #expect(plan.totalUnits == 160)
        #expect(plan.segments.count == 1)
    }

    @Test func escapePairNeverStraddlesParts() throws {
        // 152 septets, then a two-septet character that would start at septet 153.
        let plan = try Segmenter.plan(String(repeating: "a", count: 152) + "€" + String(repeating: "b", count: 10))
        #expect(plan.unitsPerSegment == [152, 12])
        #expect(plan.segments[1].hasPrefix("€"))
    }

    @Test func emojiCountsUTF16Units() throws {
        let plan = try Segmenter.plan(String(repeating: "A", count: 69) + "😀")
        #expect(plan.alphabet == .ucs2)
        #expect(plan.unitsPerSegment == [67, 4])
    }

    @Test func surrogatePairNeverSplits() throws {
        let text = String(repeating: "警", count: 66) + "😀" + String(repeating: "警", count: 10)
        let plan = try Segmenter.plan(text)
        #expect(plan.unitsPerSegment == [66, 12])
        #expect(plan.segments[1].hasPrefix("😀"))
    }

    @Test func graphemeClusterStaysWhole() throws {
        // A family emoji: 7 scalars, 11 UTF-16 units, one grapheme cluster.
        let family = "👨‍👩‍👧‍👦"
        let plan = try Segmenter.plan(String(repeating: "警", count: 60) + family + "警")
        #expect(plan.unitsPerSegment == [60, 12])
        #expect(plan.segments[1].hasPrefix(family))
    }

    @Test func oversizedClusterSplitsBetweenScalars() throws {
        // One base letter with 80 combining marks is one cluster larger than a part.
        let cluster = "e" + String(repeating: "\u{0301}", count: 80)
        let plan = try Segmenter.plan(cluster)
        #expect(plan.unitsPerSegment == [67, 14])
        #expect(plan.segments.joined() == cluster)
    }

    @Test(arguments: [
        (160, 1), (161, 2), (306, 2), (307, 3), (153 * 255, 255),
    ])
    func gsm7Boundaries(length: Int, parts: Int) throws {
        let plan = try Segmenter.plan(String(repeating: "x", count: length))
        #expect(plan.segments.count == parts)
    }

    @Test(arguments: [
        (70, 1), (71, 2), (134, 2), (135, 3),
    ])
    func ucs2Boundaries(length: Int, parts: Int) throws {
        let plan = try Segmenter.plan(String(repeating: "警", count: length))
        #expect(plan.segments.count == parts)
    }

    @Test func sixteenBitReferenceCapacities() throws {
        let gsm = try Segmenter.plan(String(repeating: "x", count: 161), referenceBits: 16)
        #expect(gsm.capacityPerSegment == 152)
        let ucs = try Segmenter.plan(String(repeating: "警", count: 71), referenceBits: 16)
        #expect(ucs.capacityPerSegment == 66)
    }

    @Test func moreThan255PartsRejected() {
        #expect(throws: SMSError.tooManyParts(needed: 256, maximum: 255)) {
            try Segmenter.plan(String(repeating: "x", count: 153 * 255 + 1))
        }
    }

    @Test func forcedUCS2() throws {
        let plan = try Segmenter.plan("Test", preference: .ucs2)
        #expect(plan.alphabet == .ucs2)
    }

    @Test func nonGSMCharactersListed() {
        #expect(TextEncoding.nonGSMCharacters(in: "It’s 火火") == ["’", "火"])
    }
}
