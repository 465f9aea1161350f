/// An SMS-DELIVER: a message received from the network.
/// 3GPP TS 23.040 §9.2.2.1.
public struct SMSDeliver: Sendable, Equatable {
    public var smsc: SMSAddress?
    public var originator: SMSAddress
    /// TP-MMS inverted: true when the SMSC has more messages waiting for this handset.
    public var moreMessagesToSend: Bool
    public var loopPrevention: Bool
    public var statusReportIndication: Bool
    public var replyPath: Bool
    public var protocolIdentifier: UInt8
    public var dataCodingScheme: DataCodingScheme
    public var serviceCentreTimestamp: SMSTimestamp
    public var userData: UserData
}

/// An SMS-SUBMIT read back from a PDU, as stored in a modem's outbox or built by another tool.
/// 3GPP TS 23.040 §9.2.2.2.
public struct SMSSubmit: Sendable, Equatable {
    public var smsc: SMSAddress?
    public var destination: SMSAddress
    public var rejectDuplicates: Bool
    public var statusReportRequest: Bool
    public var replyPath: Bool
    public var messageReference: UInt8
    public var protocolIdentifier: UInt8
    public var dataCodingScheme: DataCodingScheme
    public var validityPeriod: ValidityPeriod?
    public var userData: UserData
}

/// An SMS-STATUS-REPORT: the SMSC's word on a message this box sent.
/// 3GPP TS 23.040 §9.2.2.3.
public struct SMSStatusReport: Sendable, Equatable {
    public var smsc: SMSAddress?
    /// TP-MR of the message this report is about, as `+CMGS` returned it.
    public var messageReference: UInt8
    /// TP-RA: the recipient of that message.
    public var recipient: SMSAddress
    public var moreMessagesToSend: Bool
    /// TP-SRQ: true when the report is the result of an SMS-COMMAND rather than an SMS-SUBMIT.
    public var isCommandResult: Bool
    public var serviceCentreTimestamp: SMSTimestamp
    public var dischargeTime: SMSTimestamp
    public var status: DeliveryStatus
    public var protocolIdentifier: UInt8?
    public var dataCodingScheme: DataCodingScheme?
    public var userData: UserData?
}

/// A decoded PDU of any of the three types a modem hands over.
public enum DecodedPDU: Sendable, Equatable {
    case deliver(SMSDeliver)
    case submit(SMSSubmit)
    case statusReport(SMSStatusReport)

    /// The user data, when the PDU has any.
    public var userData: UserData? {
        switch self {
        case .deliver(let deliver): deliver.userData
        case .submit(let submit): submit.userData
        case .statusReport(let report): report.userData
        }
    }
}
