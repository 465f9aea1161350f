@testable import SMS

/// Real PDUs that libgammu and python-gsmmodem decode, each with the SMSC field first.
///
/// Parties: SMSC +8613800000000, sender +8613800000001, recipient +8613800000002. TP-SCTS is
/// 2024-01-05 08:00:00 +08:00.
enum PDUVectors {
    static let deliverGSM7 = "0891683108000000F0040D91683108000000F100004210508000002306D4F29C0E8A01"
    static let deliverUCS2 = "0891683108000000F0040D91683108000000F1000842105080000023046D4B8BD5"
    static let deliverPart1of2 = "0891683108000000F0440D91683108000000F10008421050800000230E050003A702017B2C4E0090E85206"
    static let deliverPart2of2 = "0891683108000000F0440D91683108000000F10008421050800000230E050003A702027B2C4E8C90E85206"
    static let deliverSixteenBitPart = "0891683108000000F0440D91683108000000F100084210508000002309060804123402014E00"
    static let deliverAlphanumeric = "0891683108000000F00409D04166514A0500004210508000002302C834"
    static let statusReportDelivered = "0891683108000000F006110D91683108000000F2421050800000234210508000002300"
    static let submitGSM7 = "0011000D91683108000000F10000AA04D4F29C0E"
    static let submitReportRequested = "0031000D91683108000000F20000AA04D4F29C0E"
    static let submitUCS2 = "0011000D91683108000000F10008AA04706B8B66"

    static let all: [String] = [
        deliverGSM7, deliverUCS2, deliverPart1of2, deliverPart2of2, deliverSixteenBitPart, deliverAlphanumeric,
        statusReportDelivered, submitGSM7, submitReportRequested, submitUCS2,
    ]

    /// Decodes a hex literal of a test, stopping the run on invalid hex because that is a bug in
    /// the test itself.
    static func bytes(_ hex: String) -> [UInt8] {
        do {
            return try Hex.decode(hex)
        } catch {
            preconditionFailure("invalid hex literal in a test: \(error)")
        }
    }
}

/// Builds SMS-DELIVER PDUs field by field, for decoder tests that need one field changed.
///
/// The SMSC, originator and timestamp are those of the real vectors. The caller gives the first
/// octet, TP-DCS, TP-UDL and the TP-UD octets as they go on the air.
enum DeliverPDU {
    static let smsc = PDUVectors.bytes("0891683108000000F0")
    static let originator = PDUVectors.bytes("0D91683108000000F1")
    static let timestamp = PDUVectors.bytes("42105080000023")

    static func bytes(
        firstOctet: UInt8 = 0x04, dcs: UInt8, userDataLength: Int, userData: [UInt8],
        timestamp: [UInt8] = timestamp
    ) -> [UInt8] {
        smsc + [firstOctet] + originator + [0x00, dcs] + timestamp + [UInt8(userDataLength)] + userData
    }

    /// Builds a DELIVER whose user data is `header` (UDHL first) followed by GSM 7-bit
    /// `septets`, aligned on a septet boundary after the header as TS 23.040 §9.2.3.24 requires.
    static func gsm7(header: [UInt8], septets: [UInt8], dcs: UInt8 = 0x00) -> [UInt8] {
        let fill = SeptetPacking.fillBits(afterHeaderOctets: header.count)
        let headerSeptets = SeptetPacking.headerSeptets(headerOctets: header.count)
        return bytes(
            firstOctet: 0x44, dcs: dcs, userDataLength: headerSeptets + septets.count,
            userData: header + SeptetPacking.pack(septets, fillBits: fill))
    }

    /// Builds a DELIVER whose user data is `header` (UDHL first) followed by `payload`, for
    /// the octet-coded alphabets: UCS-2 and 8-bit data.
    static func octetCoded(header: [UInt8], payload: [UInt8], dcs: UInt8 = 0x08) -> [UInt8] {
        let userData = header + payload
        return bytes(firstOctet: 0x44, dcs: dcs, userDataLength: userData.count, userData: userData)
    }
}

extension PDUDecoder {
    /// Returns the error that decoding `bytes` throws, or nil when they decode.
    static func error(decoding bytes: [UInt8], hasSMSC: Bool = true) -> SMSError? {
        do {
            _ = try decode(bytes, hasSMSC: hasSMSC)
            return nil
        } catch {
            return error
        }
    }
}
