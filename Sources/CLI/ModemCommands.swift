import Core
import SMS

/// `alertbox modem`: diagnostics on a real modem or on the simulator, through `ModemDriver`.
enum ModemCommands {
    static let group = CommandSpec(
        name: "modem",
        summary: LocalizedText(
            zh: "模块诊断：状态、发短信、收件箱、重启，真实模块与模拟器用法相同",
            en: "modem diagnostics: status, send, inbox, restart, the same on a real modem and the simulator"),
        synopsis: LocalizedText(zh: "<命令> --device PATH [选项]", en: "<command> --device PATH [options]"),
        subcommands: [status, send, inbox, reset])

    /// The options every modem command takes, in help order.
    static let connectionOptions: [OptionSpec] = [
        OptionSpec(
            name: "--device", valueName: "PATH",
            help: LocalizedText(
                zh: "模块的串口设备（必填），如 /dev/ttyUSB2 或模拟器的 DIR/modem0",
                en: "the modem's serial device (required), such as /dev/ttyUSB2 or the simulator's DIR/modem0")),
        OptionSpec(
            name: "--baud", valueName: "N",
            help: LocalizedText(zh: "串口波特率，默认 115200", en: "serial baud rate, 115200 by default")),
        OptionSpec(
            name: "--pin", valueName: "PIN",
            help: LocalizedText(
                zh: "SIM 卡 PIN 码，SIM 上锁时需要；不会打印或写入日志，但本机其他用户可在进程列表中看到",
                en: "the SIM PIN, needed when the SIM is locked; never printed or logged, but other local users can see it in the process list")),
        OptionSpec(
            name: "--state-dir", valueName: "DIR",
            help: LocalizedText(
                zh: "状态目录，记录被拒绝的 PIN，以免再次发送；默认 /var/lib/alertbox，不可写时用 $XDG_STATE_HOME/alertbox，再不行用 $TMPDIR/alertbox-UID（未设 TMPDIR 时为 /tmp）",
                en: "state directory, which records a rejected PIN so that it is not sent again; /var/lib/alertbox by default, or $XDG_STATE_HOME/alertbox when that is not writable, or else $TMPDIR/alertbox-UID (/tmp without TMPDIR)")),
        OptionSpec(
            name: "--timeout", valueName: "S",
            help: LocalizedText(zh: "等待模块就绪的秒数，默认 60", en: "seconds to wait for the modem to become ready, 60 by default")),
        OptionSpec(
            name: "--verbose", valueName: nil,
            help: LocalizedText(zh: "在标准错误输出驱动日志（号码已打码）", en: "write the driver's log to standard error (numbers masked)")),
        OptionSpec(name: "--json", valueName: nil, help: LocalizedText(zh: "以 JSON 输出", en: "print JSON")),
    ]

    static let exitStatusText = LocalizedText(
        zh: "退出码：0 成功；1 失败（设备不存在、模块未在时限内就绪）；64 参数错误。",
        en: "Exit status: 0 on success; 1 on failure (device missing, modem not ready in time); 64 on bad arguments.")

    // MARK: status

    static let status = CommandSpec(
        name: "status",
        summary: LocalizedText(
            zh: "显示模块、SIM 卡、网络注册、信号、运营商、短信中心和计数",
            en: "show the modem, SIM, network registration, signal, operator, SMSC and counters"),
        synopsis: LocalizedText(zh: "--device PATH [选项]", en: "--device PATH [options]"),
        discussion: LocalizedText(
            zh: "IMSI 和 ICCID 只显示前 6 位和后 4 位。信号格数 0-4 由 RSRP（LTE）或 RSSI 换算。\n" + exitStatusText.chinese,
            en: "IMSI and ICCID show only their first 6 and last 4 digits. Signal bars (0-4) come from RSRP on LTE, else RSSI.\n"
                + exitStatusText.english),
        options: connectionOptions,
        prepare: { arguments, _ throws(CLIError) in
            try ModemCommand(arguments, commandPath: "alertbox modem status", action: .status)
        })

    // MARK: send

    static let send = CommandSpec(
        name: "send",
        summary: LocalizedText(
            zh: "通过模块发送一条短信，打印每段的参考号，可等待状态报告",
            en: "send one SMS through the modem, print each part's reference and optionally wait for status reports"),
        synopsis: LocalizedText(
            zh: "--device PATH --to NUMBER [--report] [--wait-report S] [选项] TEXT",
            en: "--device PATH --to NUMBER [--report] [--wait-report S] [options] TEXT"),
        discussion: LocalizedText(
            zh: """
                TEXT 为 - 时从标准输入读取。含中文时按 UCS-2 编码，超过 70 个字符时分为每段 67 个字符的多段短信。
                发送失败时给出原因类别（临时、永久、未知）和 CMS 错误码。
                退出码：0 短信中心接受了每一段（状态报告只打印，不改变退出码）；1 失败（设备不存在、模块未在时限内就绪、发送失败或结果未知）；64 参数错误。
                示例：alertbox modem send --device /dev/ttyUSB2 --to 13800000001 --report 测试短信
                """,
            en: """
                TEXT - reads standard input. Chinese text is encoded as UCS-2 and split into parts of 67 characters past 70.
                A failed send prints its class (temporary, permanent, unknown) and the CMS cause.
                Exit status: 0 when the SMSC accepted every part (status reports are printed and do not change it); 1 on failure (device missing, modem not ready in time, send failed or outcome unknown); 64 on bad arguments.
                Example: alertbox modem send --device /dev/ttyUSB2 --to 13800000001 --report 'Test message'
                """),
        options: [
            OptionSpec(
                name: "--to", valueName: "NUMBER",
                help: LocalizedText(
                    zh: "接收方手机号（必填），如 13800000001 或 +8613800000001",
                    en: "recipient's phone number (required), such as 13800000001 or +8613800000001")),
            OptionSpec(
                name: "--report", valueName: nil,
                help: LocalizedText(zh: "要求状态报告，并打印每段是否送达", en: "request status reports and print whether each part was delivered")),
            OptionSpec(
                name: "--wait-report", valueName: "S",
                help: LocalizedText(zh: "等待状态报告的秒数，默认 60", en: "seconds to wait for the status reports, 60 by default")),
        ] + connectionOptions,
        prepare: { arguments, _ throws(CLIError) in
            let path = "alertbox modem send"
            let text = try SMSCommands.text(arguments, command: path)
            guard let number = arguments.value("--to") else {
                throw .usage(
                    LocalizedText(
                        zh: "缺少 --to NUMBER；运行 '\(path) --help' 查看用法",
                        en: "missing --to NUMBER; run '\(path) --help' for usage"))
            }
            let recipient: PhoneNumber
            do throws(SMSError) {
                recipient = try PhoneNumber(parsing: number)
            } catch {
                throw .usage(LocalizedText(zh: "--to：\(error.message(.chinese))", en: "--to: \(error.message(.english))"))
            }
            do throws(SMSError) {
                _ = try Segmenter.plan(text)
            } catch {
                throw .usage(LocalizedText(zh: error.message(.chinese), en: error.message(.english)))
            }
            let report = arguments.flag("--report")
            let reportWait = try ModemCommand.seconds(arguments, "--wait-report", default: 60)
            return try ModemCommand(
                arguments, commandPath: path,
                action: .send(recipient: recipient, text: text, report: report, reportWait: reportWait))
        })

    // MARK: inbox

    static let inbox = CommandSpec(
        name: "inbox",
        summary: LocalizedText(
            zh: "打印模块收到的短信，可继续等待新短信",
            en: "print the messages the modem received, optionally waiting for new ones"),
        synopsis: LocalizedText(zh: "--device PATH [--wait S] [选项]", en: "--device PATH [--wait S] [options]"),
        discussion: LocalizedText(
            zh: """
                驱动在初始化时读取模块存储中的所有短信，读取后即从模块中删除，与报警箱运行时相同；打印出来的短信不会再留在模块里。
                命令结束时仍缺段的长短信按不完整短信打印，缺段处有标记。

                """ + exitStatusText.chinese,
            en: """
                The driver reads every message stored on the modem when it initialises and deletes each from the modem once read, as the alert box does when it runs; printed messages are no longer on the modem.
                A long message whose parts have not all arrived when the command ends is printed as partial, with gap markers.

                """ + exitStatusText.english),
        options: [
            OptionSpec(
                name: "--wait", valueName: "S",
                help: LocalizedText(zh: "就绪后继续接收新短信的秒数，默认 0", en: "seconds to keep receiving new messages after ready, 0 by default"))
        ] + connectionOptions,
        prepare: { arguments, _ throws(CLIError) in
            let wait = try ModemCommand.seconds(arguments, "--wait", default: 0)
            return try ModemCommand(arguments, commandPath: "alertbox modem inbox", action: .inbox(wait: wait))
        })

    // MARK: reset

    static let reset = CommandSpec(
        name: "reset",
        summary: LocalizedText(
            zh: "用 AT+CFUN=1,1 重启模块，并打印重新就绪所用时间",
            en: "restart the modem with AT+CFUN=1,1 and print how long it took to become ready again"),
        synopsis: LocalizedText(zh: "--device PATH [选项]", en: "--device PATH [options]"),
        discussion: LocalizedText(
            zh: "重启后等待模块再次就绪，最长 --timeout 秒。USB 模块重启时设备会短暂消失，驱动会等它重新出现。\n"
                + "退出码：0 成功；1 失败（设备不存在、模块拒绝重启、模块未在时限内就绪）；64 参数错误。",
            en: "After the restart the command waits up to --timeout seconds for the modem to become ready again. A USB modem's device disappears for a while as it restarts, and the driver waits for it to return.\n"
                + "Exit status: 0 on success; 1 on failure (device missing, restart rejected, modem not ready in time); 64 on bad arguments."),
        options: connectionOptions,
        prepare: { arguments, _ throws(CLIError) in
            try ModemCommand(arguments, commandPath: "alertbox modem reset", action: .reset)
        })
}
