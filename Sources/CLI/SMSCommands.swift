import Core
import SMS

/// `alertbox sms`: SMS tools for field engineers, on text and PDUs, with no modem needed.
enum SMSCommands {
    static let group = CommandSpec(
        name: "sms",
        summary: LocalizedText(
            zh: "短信工具：分段规划、PDU 编码与解码，不需要模块",
            en: "SMS tools: segment planning, PDU encoding and decoding, no modem needed"),
        synopsis: LocalizedText(zh: "<命令> [选项]", en: "<command> [options]"),
        subcommands: [plan, encode, decode])

    static let jsonOption = OptionSpec(
        name: "--json", valueName: nil, help: LocalizedText(zh: "以 JSON 输出", en: "print JSON"))

    static let ucs2Option = OptionSpec(
        name: "--ucs2", valueName: nil,
        help: LocalizedText(zh: "强制 UCS-2 编码", en: "force UCS-2 encoding"))

    static let sixteenBitOption = OptionSpec(
        name: "--16bit-ref", valueName: nil,
        help: LocalizedText(zh: "长短信使用 16 位参考号（每条少 1 个单位）", en: "use a 16-bit concatenation reference (one unit less per part)"))

    // MARK: plan

    static let plan = CommandSpec(
        name: "plan",
        summary: LocalizedText(
            zh: "显示文本的编码、分段数和每段单位数",
            en: "show a text's encoding, parts and units per part"),
        synopsis: LocalizedText(zh: "[--ucs2] [--16bit-ref] [--json] TEXT", en: "[--ucs2] [--16bit-ref] [--json] TEXT"),
        discussion: LocalizedText(
            zh: "TEXT 为 - 时从标准输入读取。P0、P1 报警短信必须在一条内：GSM 7 位最多 160 个字符，中文 (UCS-2) 最多 70 个字符；超过时会给出警告。",
            en: "TEXT - reads standard input. P0 and P1 alarm texts must fit one SMS: 160 GSM 7-bit characters or 70 Chinese (UCS-2) characters; a longer text gets a warning."),
        options: [ucs2Option, sixteenBitOption, jsonOption],
        prepare: { arguments, _ throws(CLIError) in
            PlanCommand(
                text: try text(arguments, command: "alertbox sms plan"),
                preference: arguments.flag("--ucs2") ? .ucs2 : .automatic,
                referenceBits: arguments.flag("--16bit-ref") ? 16 : 8,
                json: arguments.flag("--json"))
        })

    // MARK: encode

    static let encode = CommandSpec(
        name: "encode",
        summary: LocalizedText(
            zh: "把文本编码为 SMS-SUBMIT PDU，并给出 AT+CMGS 长度",
            en: "encode a text as SMS-SUBMIT PDUs with their AT+CMGS lengths"),
        synopsis: LocalizedText(zh: "--to NUMBER [--report] [选项] TEXT", en: "--to NUMBER [--report] [options] TEXT"),
        discussion: LocalizedText(
            zh: "示例：alertbox sms encode --to 13800000001 --report 火警，请立即撤离",
            en: "Example: alertbox sms encode --to 13800000001 --report 'Fire, leave now'"),
        options: [
            OptionSpec(
                name: "--to", valueName: "NUMBER",
                help: LocalizedText(zh: "接收方手机号（必填），如 13800000001 或 +8613800000001", en: "recipient's phone number (required), such as 13800000001 or +8613800000001")),
            OptionSpec(name: "--report", valueName: nil, help: LocalizedText(zh: "要求状态报告 (TP-SRR)", en: "request a status report (TP-SRR)")),
            OptionSpec(
                name: "--smsc", valueName: "NUMBER",
                help: LocalizedText(zh: "在 PDU 中写入短信中心号码，默认使用模块的 AT+CSCA 设置", en: "write this SMSC number into the PDU; by default the modem's AT+CSCA setting is used")),
            OptionSpec(
                name: "--validity", valueName: "MINUTES",
                help: LocalizedText(zh: "有效期（分钟，向上取到可表示的值），0 表示不设，默认 5760（4 天）", en: "validity period in minutes, rounded up to a value TP-VP can hold; 0 leaves it out; 5760 (4 days) by default")),
            OptionSpec(
                name: "--ref", valueName: "N",
                help: LocalizedText(zh: "长短信参考号，默认 0（8 位 0-255，16 位 0-65535）", en: "concatenation reference, 0 by default (0-255, or 0-65535 with --16bit-ref)")),
            OptionSpec(name: "--flash", valueName: nil, help: LocalizedText(zh: "以 0 类（闪信）发送", en: "send as class 0 (flash)")),
            ucs2Option, sixteenBitOption, jsonOption,
        ],
        prepare: { arguments, _ throws(CLIError) in
            try EncodeCommand(arguments)
        })

    // MARK: decode

    static let decode = CommandSpec(
        name: "decode",
        summary: LocalizedText(
            zh: "解码 SMS-DELIVER、SMS-SUBMIT 或 SMS-STATUS-REPORT PDU 的每个字段",
            en: "decode every field of an SMS-DELIVER, SMS-SUBMIT or SMS-STATUS-REPORT PDU"),
        synopsis: LocalizedText(zh: "[--no-smsc] [--json] HEX", en: "[--no-smsc] [--json] HEX"),
        discussion: LocalizedText(
            zh: "HEX 是模块在 +CMGR、+CMGL、+CMT 或 +CDS 之后打印的 PDU 行，默认含短信中心字段。",
            en: "HEX is the PDU line a modem prints after +CMGR, +CMGL, +CMT or +CDS, which starts with the SMSC field."),
        options: [
            OptionSpec(
                name: "--no-smsc", valueName: nil,
                help: LocalizedText(zh: "PDU 不含短信中心字段（只有 TPDU）", en: "the PDU has no SMSC field (a bare TPDU)")),
            jsonOption,
        ],
        prepare: { arguments, _ throws(CLIError) in
            guard arguments.positionals.count == 1, let hex = arguments.positionals.first, !hex.isEmpty else {
                throw .usage(
                    LocalizedText(
                        zh: "需要一个 HEX 参数；运行 'alertbox sms decode --help' 查看用法",
                        en: "expected one HEX argument; run 'alertbox sms decode --help' for usage"))
            }
            return DecodeCommand(hex: hex, hasSMSC: !arguments.flag("--no-smsc"), json: arguments.flag("--json"))
        })

    /// Joins the positional arguments into the text, which must not be empty.
    static func text(_ arguments: ParsedArguments, command: String) throws(CLIError) -> String {
        let text = arguments.positionals.joined(separator: " ")
        guard !text.isEmpty else {
            throw .usage(
                LocalizedText(
                    zh: "缺少 TEXT；运行 '\(command) --help' 查看用法",
                    en: "missing TEXT; run '\(command) --help' for usage"))
        }
        return text
    }
}

/// `alertbox sms plan`.
struct PlanCommand: RunnableCommand {
    let text: String
    let preference: EncodingPreference
    let referenceBits: Int
    let json: Bool

    func run(_ output: inout CommandOutput) throws(CLIError) -> Int32 {
        let plan: SegmentationPlan
        do {
            plan = try Segmenter.plan(text, preference: preference, referenceBits: referenceBits)
        } catch {
            throw .usage(LocalizedText(zh: error.message(.chinese), en: error.message(.english)))
        }
        let forcing = TextEncoding.nonGSMCharacters(in: text).prefix(5).map { String($0).escapingControlCharacters() }
        let unit = plan.alphabet == .gsm7 ? LocalizedText(zh: "个七位组", en: "septets") : LocalizedText(zh: "个 UTF-16 单位", en: "UTF-16 units")
        let warning = plan.isSinglePart
            ? nil
            : LocalizedText(
                zh: "警告：此文本需 \(plan.segments.count) 条短信；P0、P1 报警短信必须在一条内（\(PDUReport.alphabetName(plan.alphabet)) 最多 \(Segmenter.capacity(alphabet: plan.alphabet, concatenated: false)) \(unit.chinese)）",
                en: "warning: this text needs \(plan.segments.count) SMS; P0 and P1 alarm texts must fit one (at most \(Segmenter.capacity(alphabet: plan.alphabet, concatenated: false)) \(unit.english) in \(PDUReport.alphabetName(plan.alphabet)))")

        if json {
            let value: JSONValue = .object([
                ("encoding", .string(plan.alphabet.rawValue)),
                ("non_gsm_characters", .array(forcing.map { .string($0) })),
                ("units", .number(plan.totalUnits)),
                ("unit", .string(plan.alphabet == .gsm7 ? "septet" : "utf16")),
                ("capacity_per_part", .number(plan.capacityPerSegment)),
                ("reference_bits", JSONValue(plan.referenceBits)),
                (
                    "parts",
                    .array(
                        zip(plan.segments, plan.unitsPerSegment).map { segment, units in
                            .object([("units", .number(units)), ("text", .string(segment))])
                        })
                ),
                ("warning", JSONValue(warning?(output.language))),
            ])
            output.print(value.rendered())
            return 0
        }

        var encoding = PDUReport.alphabetName(plan.alphabet)
        if !forcing.isEmpty {
            encoding += LocalizedText(zh: "（因含非 GSM 字符：", en: " (because of non-GSM characters: ")(output.language)
            encoding += forcing.joined(separator: " ") + LocalizedText(zh: "）", en: ")")(output.language)
        }
        output.print(LocalizedText(zh: "编码：\(encoding)", en: "Encoding: \(encoding)"))
        output.print(LocalizedText(zh: "长度：\(plan.totalUnits) \(unit.chinese)", en: "Length: \(plan.totalUnits) \(unit.english)"))
        output.print(
            LocalizedText(
                zh: "分段：\(plan.segments.count) 条，每条最多 \(plan.capacityPerSegment) \(unit.chinese)",
                en: "Parts: \(plan.segments.count), at most \(plan.capacityPerSegment) \(unit.english) each"))
        for (index, (segment, units)) in zip(plan.segments, plan.unitsPerSegment).enumerated() {
            output.print(
                LocalizedText(
                    zh: "  第 \(index + 1) 条：\(units)/\(plan.capacityPerSegment)  \(segment.escapingControlCharacters())",
                    en: "  Part \(index + 1): \(units)/\(plan.capacityPerSegment)  \(segment.escapingControlCharacters())"))
        }
        if let warning {
            output.print(warning)
        }
        return 0
    }
}

/// `alertbox sms encode`.
struct EncodeCommand: RunnableCommand {
    let text: String
    let destination: PhoneNumber
    let options: SubmitOptions
    let json: Bool

    init(_ arguments: ParsedArguments) throws(CLIError) {
        text = try SMSCommands.text(arguments, command: "alertbox sms encode")
        guard let number = arguments.value("--to") else {
            throw .usage(
                LocalizedText(
                    zh: "缺少 --to NUMBER；运行 'alertbox sms encode --help' 查看用法",
                    en: "missing --to NUMBER; run 'alertbox sms encode --help' for usage"))
        }
        destination = try Self.phone(number, option: "--to")

        var options = SubmitOptions(statusReportRequest: arguments.flag("--report"))
        if let smsc = arguments.value("--smsc") {
            options.smsc = try Self.phone(smsc, option: "--smsc").smsAddress
        }
        if let validity = arguments.value("--validity") {
            guard let minutes = Int(validity), minutes >= 0 else {
                throw .usage(
                    LocalizedText(
                        zh: "--validity 的值 '\(validity)' 无效；请给出分钟数，0 表示不设有效期",
                        en: "invalid --validity '\(validity)'; give minutes, or 0 to leave the validity period out"))
            }
            options.validityPeriod = minutes == 0 ? nil : .relative(minutes: minutes)
        }
        let sixteenBit = arguments.flag("--16bit-ref")
        let referenceText = arguments.value("--ref") ?? "0"
        let maximum = sixteenBit ? 65535 : 255
        guard let reference = Int(referenceText), (0...maximum).contains(reference) else {
            throw .usage(
                LocalizedText(
                    zh: "--ref 的值 '\(referenceText)' 无效；应为 0 到 \(maximum) 的整数",
                    en: "invalid --ref '\(referenceText)'; give a whole number from 0 to \(maximum)"))
        }
        options.concatenationReference = sixteenBit ? .sixteenBit(UInt16(reference)) : .eightBit(UInt8(reference))
        options.encoding = arguments.flag("--ucs2") ? .ucs2 : .automatic
        options.messageClass = arguments.flag("--flash") ? .class0 : nil
        self.options = options
        json = arguments.flag("--json")
    }

    private static func phone(_ text: String, option: String) throws(CLIError) -> PhoneNumber {
        do {
            return try PhoneNumber(parsing: text)
        } catch {
            throw .usage(LocalizedText(zh: "\(option)：\(error.message(.chinese))", en: "\(option): \(error.message(.english))"))
        }
    }

    func run(_ output: inout CommandOutput) throws(CLIError) -> Int32 {
        let pdus: [SubmitPDU]
        do {
            pdus = try SubmitEncoder.encode(text, to: destination.smsAddress, options: options)
        } catch {
            throw .usage(LocalizedText(zh: error.message(.chinese), en: error.message(.english)))
        }

        if json {
            let value: JSONValue = .object([
                ("destination", .string(destination.e164)),
                ("parts", .number(pdus.count)),
                (
                    "pdus",
                    .array(
                        pdus.map { pdu in
                            .object([
                                ("cmgs_length", .number(pdu.tpduLength)),
                                ("hex", .string(pdu.hex)),
                                ("text", .string(pdu.text)),
                            ])
                        })
                ),
            ])
            output.print(value.rendered())
            return 0
        }

        for (index, pdu) in pdus.enumerated() {
            output.print(
                LocalizedText(
                    zh: "第 \(index + 1)/\(pdus.count) 条  AT+CMGS=\(pdu.tpduLength)",
                    en: "Part \(index + 1)/\(pdus.count)  AT+CMGS=\(pdu.tpduLength)"))
            output.print(pdu.hex)
        }
        return 0
    }
}

/// `alertbox sms decode`.
struct DecodeCommand: RunnableCommand {
    let hex: String
    let hasSMSC: Bool
    let json: Bool

    func run(_ output: inout CommandOutput) throws(CLIError) -> Int32 {
        let pdu: DecodedPDU
        do {
            pdu = try PDUDecoder.decode(hex: hex, hasSMSC: hasSMSC)
        } catch {
            throw .usage(LocalizedText(zh: error.message(.chinese), en: error.message(.english)))
        }
        let report = PDUReport(pdu: pdu)
        if json {
            output.print(report.json.rendered())
        } else {
            for line in report.lines(output.language) {
                output.print(line)
            }
        }
        return 0
    }
}
