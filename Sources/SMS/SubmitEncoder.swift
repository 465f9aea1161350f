/// Settings of an outgoing SMS-SUBMIT.
public struct SubmitOptions: Sendable, Equatable {
    /// The SMSC; nil writes an empty SMSC field so the modem uses the one set with `AT+CSCA`.
    public var smsc: SMSAddress?
    /// TP-SRR: ask the SMSC for a status report per part.
    public var statusReportRequest: Bool
    /// TP-VP; nil leaves it out and the SMSC applies its own default.
    public var validityPeriod: ValidityPeriod?
    /// TP-RD: ask the SMSC to reject a duplicate of a message still held.
    public var rejectDuplicates: Bool
    /// TP-RP: ask for replies through the same SMSC.
    public var replyPath: Bool
    /// TP-MR; modems overwrite it with their own counter, and `+CMGS` reports the value used.
    public var messageReference: UInt8
    /// TP-PID; 0 is ordinary text between handsets.
    public var protocolIdentifier: UInt8
    /// A message class for TP-DCS; class 0 is shown at once and not stored (flash).
    public var messageClass: MessageClass?
    public var encoding: EncodingPreference
    /// The reference shared by the parts of this message, when it needs several.
    public var concatenationReference: ConcatenationReference

    /// Creates options with the defaults of ordinary text: no status report, a relative validity
    /// of 4 days (TP-VP 0xAA), automatic encoding and an 8-bit reference of 0.
    public init(
        smsc: SMSAddress? = nil, statusReportRequest: Bool = false,
        validityPeriod: ValidityPeriod? = .relative(minutes: 4 * 1440), rejectDuplicates: Bool = false,
        replyPath: Bool = false, messageReference: UInt8 = 0, protocolIdentifier: UInt8 = 0,
        messageClass: MessageClass? = nil, encoding: EncodingPreference = .automatic,
        concatenationReference: ConcatenationReference = .eightBit(0)
    ) {
        self.smsc = smsc
        self.statusReportRequest = statusReportRequest
        self.validityPeriod = validityPeriod
        self.rejectDuplicates = rejectDuplicates
        self.replyPath = replyPath
        self.messageReference = messageReference
        self.protocolIdentifier = protocolIdentifier
        self.messageClass = messageClass
        self.encoding = encoding
        self.concatenationReference = concatenationReference
    }
}

/// One encoded SMS-SUBMIT, ready for `AT+CMGS`.
public struct SubmitPDU: Sendable, Equatable {
    /// The SMSC field followed by the TPDU.
    public let bytes: [UInt8]
    /// The octets of the SMSC field, its length octet included.
    public let smscLength: Int
    /// The part's text, for the caller's records; never log it above debug level.
    public let text: String
    /// The part's position, when the message has several.
    public let concatenation: Concatenation?

    /// The length `AT+CMGS=<length>` takes: the TPDU octets, without the SMSC field.
    /// 3GPP TS 27.005 §3.5.1.
    public var tpduLength: Int {
        bytes.count - smscLength
    }

    /// The PDU as the hex line sent after the `>` prompt.
    public var hex: String {
        Hex.encode(bytes)
    }
}

/// Encodes text into the SMS-SUBMIT PDUs of its parts.
/// 3GPP TS 23.040 §9.2.2.2.
public enum SubmitEncoder {
    /// Encodes `text` for `destination`, one PDU per part.
    /// - Throws: `SMSError` for an address that cannot be encoded or a text of more than 255 parts.
    public static func encode(
        _ text: String, to destination: SMSAddress, options: SubmitOptions = SubmitOptions()
    ) throws(SMSError) -> [SubmitPDU] {
        let referenceBits: Int
        switch options.concatenationReference {
        case .eightBit: referenceBits = 8
        case .sixteenBit: referenceBits = 16
        }
        let plan = try Segmenter.plan(text, preference: options.encoding, referenceBits: referenceBits)
        return try encode(plan: plan, to: destination, options: options)
    }

    /// Encodes the parts of a plan made by `Segmenter.plan`.
    public static func encode(
        plan: SegmentationPlan, to destination: SMSAddress, options: SubmitOptions
    ) throws(SMSError) -> [SubmitPDU] {
        let smscField = try options.smsc?.encodedAsSMSCAddress() ?? [0x00]
        let address = try destination.encodedAsTPAddress()
        let scheme = DataCodingScheme(alphabet: plan.alphabet, messageClass: options.messageClass)
        let total = plan.segments.count

        var pdus: [SubmitPDU] = []
        for (index, segment) in plan.segments.enumerated() {
            let header = total > 1
                ? UserDataHeader(concatenation: options.concatenationReference, total: total, sequence: index + 1)
                : nil
            let (length, userData) = try userData(segment, alphabet: plan.alphabet, header: header)

            var firstOctet: UInt8 = 0x01
            if options.rejectDuplicates { firstOctet |= 0x04 }
            if let validity = options.validityPeriod { firstOctet |= validity.formatBits }
            if options.statusReportRequest { firstOctet |= 0x20 }
            if header != nil { firstOctet |= 0x40 }
            if options.replyPath { firstOctet |= 0x80 }

            var bytes = smscField
            bytes.append(firstOctet)
            bytes.append(options.messageReference)
            bytes += address
            bytes.append(options.protocolIdentifier)
            bytes.append(scheme.rawValue)
            bytes += options.validityPeriod?.encoded() ?? []
            bytes.append(UInt8(length))
            bytes += userData
            pdus.append(
                SubmitPDU(
                    bytes: bytes, smscLength: smscField.count, text: segment,
                    concatenation: header?.concatenation))
        }
        return pdus
    }

    /// Builds TP-UDL and TP-UD for one part.
    static func userData(
        _ text: String, alphabet: SMSAlphabet, header: UserDataHeader?
    ) throws(SMSError) -> (length: Int, bytes: [UInt8]) {
        let headerBytes = header?.encoded() ?? []
        switch alphabet {
        case .gsm7:
            let septets = try GSMAlphabet.encode(text)
            let fill = SeptetPacking.fillBits(afterHeaderOctets: headerBytes.count)
            let headerSeptets = headerBytes.isEmpty ? 0 : SeptetPacking.headerSeptets(headerOctets: headerBytes.count)
            return (headerSeptets + septets.count, headerBytes + SeptetPacking.pack(septets, fillBits: fill))
        case .ucs2:
            let bytes = headerBytes + UCS2.encode(text)
            return (bytes.count, bytes)
        case .eightBit:
            let bytes = headerBytes + Array(text.utf8)
            return (bytes.count, bytes)
        }
    }
}
