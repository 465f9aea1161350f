/// The choice of alphabet for outgoing text.
public enum EncodingPreference: Sendable, Equatable {
    /// GSM 7-bit when every character allows it, otherwise UCS-2.
    case automatic
    /// UCS-2 whatever the text, as some handsets show GSM 7-bit accents wrongly.
    case ucs2
}

/// The alphabet choice for outgoing text and the cost of each character.
/// 3GPP TS 23.038 §6.2.1 and §6.2.3.
public enum TextEncoding {
    /// Picks GSM 7-bit when every scalar is in the default or extension table, else UCS-2.
    ///
    /// CR and LF are in the default table, so line breaks keep a text in GSM 7-bit, and one
    /// character outside both tables switches the whole message to UCS-2.
    public static func alphabet(for text: some StringProtocol, preference: EncodingPreference = .automatic) -> SMSAlphabet {
        if preference == .ucs2 { return .ucs2 }
        return GSMAlphabet.canEncode(text) ? .gsm7 : .ucs2
    }

    /// Returns the characters that keep a text out of GSM 7-bit, first occurrences only.
    public static func nonGSMCharacters(in text: some StringProtocol) -> [Unicode.Scalar] {
        var seen: Set<Unicode.Scalar> = []
        var found: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars where GSMAlphabet.cost(of: scalar) == nil && seen.insert(scalar).inserted {
            found.append(scalar)
        }
        return found
    }

    /// Returns the units `text` costs in `alphabet`: septets for GSM 7-bit, UTF-16 units for
    /// UCS-2, bytes of UTF-8 for 8-bit data.
    public static func cost(of text: some StringProtocol, in alphabet: SMSAlphabet) -> Int {
        switch alphabet {
        case .gsm7: text.unicodeScalars.reduce(0) { $0 + (GSMAlphabet.cost(of: $1) ?? 1) }
        case .ucs2: text.utf16.count
        case .eightBit: text.utf8.count
        }
    }
}
