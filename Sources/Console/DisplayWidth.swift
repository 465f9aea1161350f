/// Terminal column widths of text, as xterm, PuTTY and the Linux console draw it: East Asian
/// wide and full-width characters take two columns, combining marks and controls none.
///
/// The ranges are the Wide (W) and Fullwidth (F) blocks of Unicode's EastAsianWidth.txt that
/// occur in Chinese text, plus the emoji block; ambiguous-width characters count as one column,
/// as terminals do outside CJK legacy locales.
public enum DisplayWidth {
    /// Returns the columns `scalar` takes: 0, 1 or 2.
    public static func columns(of scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value < 0x20 || (0x7F..<0xA0).contains(value) { return 0 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        return isWide(value) ? 2 : 1
    }

    /// Returns the columns a character takes: its first scalar's width, since the rest of a
    /// grapheme cluster (combining marks, variation selectors) draws on the same cells.
    public static func columns(of character: Character) -> Int {
        character.unicodeScalars.first.map { columns(of: $0) } ?? 0
    }

    /// Returns the columns a string takes.
    public static func columns(of text: some StringProtocol) -> Int {
        text.reduce(0) { $0 + columns(of: $1) }
    }

    private static func isWide(_ value: UInt32) -> Bool {
        switch value {
        case 0x1100...0x115F,  // Hangul Jamo initials
            0x2E80...0x303E,  // CJK radicals, Kangxi, CJK symbols and punctuation
            0x3041...0x33FF,  // kana, bopomofo, CJK compatibility
            0x3400...0x4DBF,  // CJK extension A
            0x4E00...0x9FFF,  // CJK unified ideographs
            0xA000...0xA4CF,  // Yi
            0xAC00...0xD7A3,  // Hangul syllables
            0xF900...0xFAFF,  // CJK compatibility ideographs
            0xFE30...0xFE4F,  // CJK compatibility forms
            0xFF00...0xFF60,  // full-width forms
            0xFFE0...0xFFE6,  // full-width signs
            0x1F300...0x1F64F,  // symbols and pictographs, emoticons
            0x1F900...0x1F9FF,  // supplemental symbols and pictographs
            0x20000...0x2FFFD,  // CJK extensions B to F
            0x30000...0x3FFFD:  // CJK extension G
            true
        default:
            false
        }
    }
}
