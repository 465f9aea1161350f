import Core
import SMS

/// Renders a decoded PDU as labelled lines for a person or as JSON for a script.
struct PDUReport {
    let pdu: DecodedPDU

    // MARK: JSON

    var json: JSONValue {
        switch pdu {
        case .deliver(let deliver):
            return .object([
                ("type", "deliver"),
                ("smsc", JSONValue(deliver.smsc?.description)),
                ("originator", Self.address(deliver.originator)),
                ("more_messages_to_send", .bool(deliver.moreMessagesToSend)),
                ("loop_prevention", .bool(deliver.loopPrevention)),
                ("status_report_indication", .bool(deliver.statusReportIndication)),
                ("reply_path", .bool(deliver.replyPath)),
                ("protocol_identifier", .number(Int(deliver.protocolIdentifier))),
                ("data_coding_scheme", Self.scheme(deliver.dataCodingScheme)),
                ("service_centre_timestamp", .string(deliver.serviceCentreTimestamp.description)),
                ("user_data", Self.userData(deliver.userData)),
            ])
        case .submit(let submit):
            return .object([
                ("type", "submit"),
                ("smsc", JSONValue(submit.smsc?.description)),
                ("message_reference", .number(Int(submit.messageReference))),
                ("destination", Self.address(submit.destination)),
                ("reject_duplicates", .bool(submit.rejectDuplicates)),
                ("status_report_request", .bool(submit.statusReportRequest)),
                ("reply_path", .bool(submit.replyPath)),
                ("protocol_identifier", .number(Int(submit.protocolIdentifier))),
                ("data_coding_scheme", Self.scheme(submit.dataCodingScheme)),
                ("validity_period", Self.validity(submit.validityPeriod)),
                ("user_data", Self.userData(submit.userData)),
            ])
        case .statusReport(let report):
            return .object([
                ("type", "status_report"),
                ("smsc", JSONValue(report.smsc?.description)),
                ("message_reference", .number(Int(report.messageReference))),
                ("recipient", Self.address(report.recipient)),
                ("more_messages_to_send", .bool(report.moreMessagesToSend)),
                ("command_result", .bool(report.isCommandResult)),
                ("service_centre_timestamp", .string(report.serviceCentreTimestamp.description)),
                ("discharge_time", .string(report.dischargeTime.description)),
                (
                    "status",
                    .object([
                        ("value", .number(Int(report.status.rawValue))),
                        ("category", .string(report.status.category.rawValue)),
                        ("description", .string(report.status.description)),
                    ])
                ),
                ("protocol_identifier", JSONValue(report.protocolIdentifier.map(Int.init))),
                ("data_coding_scheme", report.dataCodingScheme.map(Self.scheme) ?? .null),
                ("user_data", report.userData.map(Self.userData) ?? .null),
            ])
        }
    }

    private static func address(_ address: SMSAddress) -> JSONValue {
        .object([
            ("number", .string(address.description)),
            ("type_of_number", .string(String(describing: address.typeOfNumber))),
            ("numbering_plan", .number(Int(address.numberingPlan))),
        ])
    }

    private static func scheme(_ scheme: DataCodingScheme) -> JSONValue {
        .object([
            ("value", .number(Int(scheme.rawValue))),
            ("alphabet", .string(scheme.alphabet.rawValue)),
            ("message_class", JSONValue(scheme.messageClass.map { Int($0.rawValue) })),
            ("compressed", .bool(scheme.isCompressed)),
            ("automatic_deletion", .bool(scheme.isMarkedForAutomaticDeletion)),
            (
                "message_waiting",
                scheme.messageWaiting.map { waiting in
                    .object([
                        ("kind", .string(String(describing: waiting.kind))),
                        ("active", .bool(waiting.isActive)),
                        ("discard_message", .bool(waiting.discardMessage)),
                    ])
                } ?? .null
            ),
        ])
    }

    private static func validity(_ period: ValidityPeriod?) -> JSONValue {
        switch period {
        case nil: .null
        case .relative(let minutes): .object([("format", "relative"), ("minutes", .number(minutes))])
        case .absolute(let stamp): .object([("format", "absolute"), ("expires", .string(stamp.description))])
        case .enhanced(let octets): .object([("format", "enhanced"), ("octets", .string(Hex.encode(octets)))])
        }
    }

    private static func userData(_ data: UserData) -> JSONValue {
        .object([
            ("length", .number(data.length)),
            (
                "header",
                data.header.map { header in
                    .array(
                        header.elements.map { element in
                            .object([
                                ("identifier", .number(Int(element.identifier))),
                                ("data", .string(Hex.encode(element.data))),
                            ])
                        })
                } ?? .null
            ),
            (
                "concatenation",
                data.concatenation.map { concatenation in
                    .object([
                        ("reference", .number(Int(concatenation.reference))),
                        ("reference_bits", .number(concatenation.referenceBits)),
                        ("total", .number(concatenation.total)),
                        ("sequence", .number(concatenation.sequence)),
                    ])
                } ?? .null
            ),
            ("text", .string(data.text)),
        ])
    }

    // MARK: Lines

    func lines(_ language: Language) -> [String] {
        var lines: [String] = []
        func add(_ zh: String, _ en: String, _ value: String) {
            lines.append(LocalizedText(zh: "\(zh)：\(value)", en: "\(en): \(value)")(language))
        }

        switch pdu {
        case .deliver(let deliver):
            add("类型", "Type", "SMS-DELIVER")
            add("短信中心", "SMSC", deliver.smsc?.description ?? "-")
            add("发送方 (TP-OA)", "Originator (TP-OA)", Self.describe(deliver.originator, language))
            add("时间戳 (TP-SCTS)", "Timestamp (TP-SCTS)", deliver.serviceCentreTimestamp.description)
            add("TP-PID", "TP-PID", "0x" + Hex.encode([deliver.protocolIdentifier]))
            add("TP-DCS", "TP-DCS", Self.describe(deliver.dataCodingScheme, language))
            add("状态报告指示 (TP-SRI)", "Status report indication (TP-SRI)", Self.yesNo(deliver.statusReportIndication, language))
            add("还有更多消息 (TP-MMS)", "More messages to send (TP-MMS)", Self.yesNo(deliver.moreMessagesToSend, language))
            lines += Self.userDataLines(deliver.userData, language)
        case .submit(let submit):
            add("类型", "Type", "SMS-SUBMIT")
            add("短信中心", "SMSC", submit.smsc?.description ?? LocalizedText(zh: "-（使用模块设置）", en: "- (the modem's setting)")(language))
            add("消息参考号 (TP-MR)", "Message reference (TP-MR)", String(submit.messageReference))
            add("接收方 (TP-DA)", "Destination (TP-DA)", Self.describe(submit.destination, language))
            add("要求状态报告 (TP-SRR)", "Status report request (TP-SRR)", Self.yesNo(submit.statusReportRequest, language))
            add("拒绝重复 (TP-RD)", "Reject duplicates (TP-RD)", Self.yesNo(submit.rejectDuplicates, language))
            add("TP-PID", "TP-PID", "0x" + Hex.encode([submit.protocolIdentifier]))
            add("TP-DCS", "TP-DCS", Self.describe(submit.dataCodingScheme, language))
            add("有效期 (TP-VP)", "Validity period (TP-VP)", Self.describe(submit.validityPeriod, language))
            lines += Self.userDataLines(submit.userData, language)
        case .statusReport(let report):
            add("类型", "Type", "SMS-STATUS-REPORT")
            add("短信中心", "SMSC", report.smsc?.description ?? "-")
            add("消息参考号 (TP-MR)", "Message reference (TP-MR)", String(report.messageReference))
            add("接收方 (TP-RA)", "Recipient (TP-RA)", Self.describe(report.recipient, language))
            add("时间戳 (TP-SCTS)", "Timestamp (TP-SCTS)", report.serviceCentreTimestamp.description)
            add("送达时间 (TP-DT)", "Discharge time (TP-DT)", report.dischargeTime.description)
            add("状态 (TP-ST)", "Status (TP-ST)", Self.describe(report.status, language))
            if let userData = report.userData {
                lines += Self.userDataLines(userData, language)
            }
        }
        return lines
    }

    private static func yesNo(_ flag: Bool, _ language: Language) -> String {
        (flag ? LocalizedText(zh: "是", en: "yes") : LocalizedText(zh: "否", en: "no"))(language)
    }

    private static func describe(_ address: SMSAddress, _ language: Language) -> String {
        let type: LocalizedText
        switch address.typeOfNumber {
        case .international: type = LocalizedText(zh: "国际号码", en: "international")
        case .national: type = LocalizedText(zh: "国内号码", en: "national")
        case .alphanumeric: type = LocalizedText(zh: "字母数字", en: "alphanumeric")
        case .unknown: type = LocalizedText(zh: "未知类型", en: "unknown type")
        case .networkSpecific: type = LocalizedText(zh: "网络专用", en: "network specific")
        case .subscriber: type = LocalizedText(zh: "用户号码", en: "subscriber")
        case .abbreviated: type = LocalizedText(zh: "缩位号码", en: "abbreviated")
        case .reserved: type = LocalizedText(zh: "保留", en: "reserved")
        }
        return "\(address.description.escapingControlCharacters()) (\(type(language)))"
    }

    private static func describe(_ scheme: DataCodingScheme, _ language: Language) -> String {
        var parts = ["0x" + Hex.encode([scheme.rawValue]), alphabetName(scheme.alphabet)]
        if let messageClass = scheme.messageClass {
            parts.append(LocalizedText(zh: "\(messageClass.rawValue) 类", en: "class \(messageClass.rawValue)")(language))
        }
        if scheme.isCompressed {
            parts.append(LocalizedText(zh: "压缩", en: "compressed")(language))
        }
        if scheme.messageWaiting != nil {
            parts.append(LocalizedText(zh: "消息等待指示", en: "message waiting indication")(language))
        }
        return parts.joined(separator: ", ")
    }

    static func alphabetName(_ alphabet: SMSAlphabet) -> String {
        switch alphabet {
        case .gsm7: "GSM 7-bit"
        case .ucs2: "UCS-2"
        case .eightBit: "8-bit"
        }
    }

    private static func describe(_ period: ValidityPeriod?, _ language: Language) -> String {
        switch period {
        case nil: LocalizedText(zh: "无（由短信中心决定）", en: "none (the SMSC's default)")(language)
        case .relative(let minutes): LocalizedText(zh: "相对 \(minutes) 分钟", en: "relative, \(minutes) minutes")(language)
        case .absolute(let stamp): LocalizedText(zh: "至 \(stamp)", en: "until \(stamp)")(language)
        case .enhanced(let octets): LocalizedText(zh: "增强格式 \(Hex.encode(octets))", en: "enhanced \(Hex.encode(octets))")(language)
        }
    }

    private static func describe(_ status: DeliveryStatus, _ language: Language) -> String {
        let category: LocalizedText
        switch status.category {
        case .delivered: category = LocalizedText(zh: "已送达", en: "delivered")
        case .temporaryFailureStillTrying: category = LocalizedText(zh: "暂时失败，短信中心仍在重试", en: "temporary failure, SMSC still trying")
        case .temporaryFailure: category = LocalizedText(zh: "暂时失败，短信中心已停止重试", en: "temporary failure, SMSC stopped trying")
        case .permanentFailure: category = LocalizedText(zh: "永久失败", en: "permanent failure")
        }
        return "0x\(Hex.encode([status.rawValue])) \(category(language)) (\(status.name(language)))"
    }

    private static func userDataLines(_ data: UserData, _ language: Language) -> [String] {
        var lines: [String] = []
        let lengthUnit = data.alphabet == .gsm7 ? LocalizedText(zh: "个七位组", en: "septets") : LocalizedText(zh: "字节", en: "octets")
        lines.append(
            LocalizedText(
                zh: "用户数据长度 (TP-UDL)：\(data.length) \(lengthUnit.chinese)",
                en: "User data length (TP-UDL): \(data.length) \(lengthUnit.english)")(language))
        if let header = data.header {
            let elements = header.elements.map { "0x\(Hex.encode([$0.identifier]))=\(Hex.encode($0.data))" }
            let list = elements.joined(separator: " ")
            lines.append(LocalizedText(zh: "用户数据头 (TP-UDH)：\(list)", en: "User data header (TP-UDH): \(list)")(language))
        }
        if let concatenation = data.concatenation {
            let reference = "0x" + String(concatenation.reference, radix: 16, uppercase: true)
            lines.append(
                LocalizedText(
                    zh: "长短信：参考号 \(reference)（\(concatenation.referenceBits) 位），第 \(concatenation.sequence)/\(concatenation.total) 条",
                    en: "Concatenation: reference \(reference) (\(concatenation.referenceBits)-bit), part \(concatenation.sequence)/\(concatenation.total)"
                )(language))
        }
        let text = data.text.escapingControlCharacters()
        lines.append(LocalizedText(zh: "文本：\(text)", en: "Text: \(text)")(language))
        return lines
    }
}
