@testable import SMS

/// The kinds of text the property tests generate.
enum TextKind: String, CaseIterable, Sendable {
    /// CJK ideographs from U+4E00-9FFF and full-width punctuation: one UTF-16 unit each.
    case chinese
    /// Emoji clusters (ZWJ sequences, flags, skin tones, keycaps) among Chinese and ASCII.
    case emoji
    /// The GSM 7-bit default table with extension-table characters mixed in.
    case gsm7
    /// Chinese, emoji, ASCII and extension-table characters together, sent as UCS-2.
    case mixed

    /// The alphabet every text of this kind is sent in.
    var alphabet: SMSAlphabet {
        self == .gsm7 ? .gsm7 : .ucs2
    }
}

/// Generates texts of an exact length in units (septets or UTF-16 units) from a seeded generator.
struct TextGenerator {
    var random: SplitMix64

    /// Emoji of one to eleven UTF-16 units, each one grapheme cluster.
    static let emoji: [String] = [
        "😀", "🔥", "🚒",
        "👍🏽", "👩🏻",  // Skin-tone modifiers.
        "🇨🇳", "🇭🇰", "🇺🇸",  // Flags: regional indicator pairs.
        "👨‍👩‍👧‍👦", "👩🏻‍🚒", "🏳️‍🌈", "🧑‍🚀",  // ZWJ sequences.
        "❤️", "⚠️", "1️⃣", "#️⃣",  // Variation selectors and keycaps.
    ]

    static let fullWidthPunctuation: [Character] = ["，", "。", "！", "？", "：", "、", "（", "）"]

    static let gsmDefault: [Character] = GSMAlphabet.defaultTable.enumerated()
        .filter { $0.offset != Int(GSMAlphabet.escape) }
        .map { Character($0.element) }

    static let gsmExtension: [Character] = GSMAlphabet.extensionTable.values.map(Character.init).sorted()

    init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// Returns a text of `kind` that costs exactly `units` in the kind's alphabet.
    mutating func text(_ kind: TextKind, units: Int) -> String {
        var text = ""
        var used = 0
        if kind == .emoji || kind == .mixed, units > 0 {
            // One ideograph keeps the text out of GSM 7-bit whatever else is drawn.
            text.append(chineseCharacter())
            used = 1
        }
        while used < units {
            var next = cluster(kind)
            if Self.cost(of: next, in: kind.alphabet) > units - used {
                next = kind == .gsm7 ? "x" : String(chineseCharacter())
            }
            text += next
            used += Self.cost(of: next, in: kind.alphabet)
        }
        return text
    }

    /// Returns an integer in `range`.
    mutating func integer(in range: ClosedRange<Int>) -> Int {
        Int.random(in: range, using: &random)
    }

    static func cost(of text: String, in alphabet: SMSAlphabet) -> Int {
        TextEncoding.cost(of: text, in: alphabet)
    }

    private mutating func cluster(_ kind: TextKind) -> String {
        let roll = integer(in: 0...99)
        switch kind {
        case .chinese:
            return roll < 90 ? String(chineseCharacter()) : String(Self.fullWidthPunctuation.randomElement(using: &random)!)
        case .emoji:
            if roll < 60 { return Self.emoji.randomElement(using: &random)! }
            if roll < 80 { return String(chineseCharacter()) }
            return String(asciiCharacter())
        case .gsm7:
            if roll < 15 { return String(Self.gsmExtension.randomElement(using: &random)!) }
            return String(Self.gsmDefault.randomElement(using: &random)!)
        case .mixed:
            if roll < 35 { return String(chineseCharacter()) }
            if roll < 50 { return Self.emoji.randomElement(using: &random)! }
            if roll < 60 { return String(Self.gsmExtension.randomElement(using: &random)!) }
            if roll < 65 { return String(Self.fullWidthPunctuation.randomElement(using: &random)!) }
            return String(asciiCharacter())
        }
    }

    private mutating func chineseCharacter() -> Character {
        // Every value in U+4E00-9FFF is a valid scalar, so the initialiser cannot fail.
        Character(Unicode.Scalar(UInt32.random(in: 0x4E00...0x9FFF, using: &random))!)
    }

    private mutating func asciiCharacter() -> Character {
        Character(Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &random)))
    }
}
