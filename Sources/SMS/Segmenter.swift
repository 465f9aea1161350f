/// The split of a text into SMS parts.
public struct SegmentationPlan: Sendable, Equatable {
    /// The alphabet every part uses.
    public var alphabet: SMSAlphabet
    /// The text of each part, in order.
    public var segments: [String]
    /// The units each part costs: septets for GSM 7-bit, UTF-16 units for UCS-2.
    public var unitsPerSegment: [Int]
    /// The units each part may hold: 160 or 70 alone, 153 or 67 with an 8-bit reference,
    /// 152 or 66 with a 16-bit one.
    public var capacityPerSegment: Int
    /// The concatenation reference width in bits, or nil for a single part.
    public var referenceBits: Int?

    /// The units of the whole text.
    public var totalUnits: Int {
        unitsPerSegment.reduce(0, +)
    }

    public var isSinglePart: Bool {
        segments.count == 1
    }
}

/// Splits text into the parts of a concatenated SMS.
///
/// The split never separates an escape septet from its extension code, never cuts a UTF-16
/// surrogate pair, and keeps each grapheme cluster (an emoji with modifiers, CR LF, a letter
/// with combining marks) in one part unless the cluster alone is larger than a part.
/// 3GPP TS 23.040 §9.2.3.24.1 and TS 23.038 §6.1.2.1.
public enum Segmenter {
    /// The maximum parts of one message: the part count is one octet.
    public static let maximumParts = 255

    /// Returns the units one part holds.
    public static func capacity(alphabet: SMSAlphabet, concatenated: Bool, referenceBits: Int = 8) -> Int {
        let headerOctets = concatenated ? (referenceBits == 16 ? 7 : 6) : 0
        switch alphabet {
        case .gsm7: return (140 * 8 - SeptetPacking.headerSeptets(headerOctets: headerOctets) * 7) / 7
        case .ucs2: return (140 - headerOctets) / 2
        case .eightBit: return 140 - headerOctets
        }
    }

    /// Plans the parts of `text`.
    /// - Parameters:
    ///   - preference: `.ucs2` forces UCS-2; `.automatic` picks GSM 7-bit where it can.
    ///   - referenceBits: 8 (the default) or 16, the concatenation reference width.
    /// - Throws: `SMSError.tooManyParts` past 255 parts.
    public static func plan(
        _ text: String, preference: EncodingPreference = .automatic, referenceBits: Int = 8
    ) throws(SMSError) -> SegmentationPlan {
        precondition(referenceBits == 8 || referenceBits == 16, "the reference has 8 or 16 bits")
        let alphabet = TextEncoding.alphabet(for: text, preference: preference)
        let total = TextEncoding.cost(of: text, in: alphabet)
        let single = capacity(alphabet: alphabet, concatenated: false)
        if total <= single {
            return SegmentationPlan(
                alphabet: alphabet, segments: [text], unitsPerSegment: [total], capacityPerSegment: single,
                referenceBits: nil)
        }

        let perPart = capacity(alphabet: alphabet, concatenated: true, referenceBits: referenceBits)
        var segments: [String] = []
        var units: [Int] = []
        var current = ""
        var used = 0

        func closePart() throws(SMSError) {
            segments.append(current)
            units.append(used)
            current = ""
            used = 0
            if segments.count > maximumParts {
                // Report the count the whole text needs, estimated from its units.
                throw .tooManyParts(needed: (total + perPart - 1) / perPart, maximum: maximumParts)
            }
        }

        for cluster in text {
            let clusterCost = TextEncoding.cost(of: String(cluster), in: alphabet)
            if clusterCost <= perPart {
                if used + clusterCost > perPart {
                    try closePart()
                }
                current.append(cluster)
                used += clusterCost
                continue
            }
            // A cluster larger than a part is split between scalars, which keeps escape pairs
            // and surrogate pairs whole because each scalar is one unit of cost.
            for scalar in cluster.unicodeScalars {
                let scalarCost = TextEncoding.cost(of: String(scalar), in: alphabet)
                if used + scalarCost > perPart {
                    try closePart()
                }
                current.unicodeScalars.append(scalar)
                used += scalarCost
            }
        }
        if used > 0 || segments.isEmpty {
            try closePart()
        }
        return SegmentationPlan(
            alphabet: alphabet, segments: segments, unitsPerSegment: units, capacityPerSegment: perPart,
            referenceBits: referenceBits)
    }
}
