import Core
import Foundation
import Hardware
import Modem
import TestSupport
import Testing

@testable import Console

/// Drives the serial door through a real pseudo-terminal, expect-style.
@Suite(.serialized) struct SerialConsoleTests {
    static func expectedHelp(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Help/\(name).txt")
        return try String(contentsOf: url, encoding: .utf8)
    }

    @Test func firstLoginForcesPasswordChange() async throws {
        let fixture = try await SerialFixture.start()
        defer { Task { await fixture.stop() } }
        try await fixture.loginFirstAdmin()
        try fixture.terminal.send("logout\r")
        try await fixture.terminal.expect("已退出登录。")
        try await fixture.terminal.expect("用户名：")
        try fixture.terminal.send("admin\r")
        try await fixture.terminal.expect("密码：")
        try fixture.terminal.send("New-Admin-pw-1\r")
        try await fixture.terminal.expect("欢迎，admin（管理员）")
    }

    @Test func fiveFailuresLockUser() async throws {
        let fixture = try await SerialFixture.start()
        defer { Task { await fixture.stop() } }
        let terminal = fixture.terminal
        for remaining in [4, 3, 2, 1] {
            try await terminal.expect("用户名：")
            try terminal.send("admin\r")
            try await terminal.expect("密码：")
            try terminal.send("wrong-password\r")
            try await terminal.expect("还可再试 \(remaining) 次。")
        }
        try await terminal.expect("用户名：")
        try terminal.send("admin\rwrong-password\r")
        try await terminal.expect("已锁定，请 5 分钟后再试。")
        try await terminal.expect("用户名：")
        try terminal.send("admin\r" + ConsoleHarness.adminPassword + "\r")
        try await terminal.expect("已锁定")
    }

    @Test func loginPromptRecallsNoEarlierLine() async throws {
        let fixture = try await SerialFixture.start()
        defer { Task { await fixture.stop() } }
        try await fixture.loginFirstAdmin()
        let terminal = fixture.terminal
        try terminal.send("config show\r")
        try await terminal.expect("alertbox(admin)# ")
        try terminal.send("logout\r")
        try await terminal.expect("用户名：")

        // A password typed into the user name field by mistake, then a wrong password.
        try terminal.send("Typed-as-name-9\r")
        try await terminal.expect("密码：")
        try terminal.send("x\r")
        try await terminal.expect("用户名：")

        try terminal.send("\u{1B}[A\u{1B}[A\r")
        let recalled = try await terminal.expect("用户名：")
        #expect(!TerminalDriver.plain(recalled).contains("Typed-as-name-9"))
        #expect(!TerminalDriver.plain(recalled).contains("config"))
    }

    @Test func helpMatchesFilesInBothLanguages() async throws {
        let fixture = try await SerialFixture.start()
        defer { Task { await fixture.stop() } }
        try await fixture.loginFirstAdmin()
        let terminal = fixture.terminal
        for (language, switchCommand) in [("zh", ""), ("en", "lang en\r")] {
            if !switchCommand.isEmpty {
                try terminal.send(switchCommand)
                try await terminal.expect("alertbox(admin)# ")
            }
            try terminal.send("help\r")
            let overview = try await terminal.expect("alertbox(admin)# ")
            #expect(TerminalDriver.plain(overview) == "help\n" + (try Self.expectedHelp("help.\(language)")) + "alertbox(admin)# ")
            try terminal.send("help alert send\r")
            let alertSend = try await terminal.expect("alertbox(admin)# ")
            #expect(TerminalDriver.plain(alertSend) == "help alert send\n" + (try Self.expectedHelp("alert-send.\(language)")) + "alertbox(admin)# ")
            try terminal.send("alert ?")
            let context = try await terminal.expect("alertbox(admin)# alert ")
            #expect(TerminalDriver.plain(context) == "alert ?\n" + (try Self.expectedHelp("alert-question.\(language)")) + "alertbox(admin)# alert ")
            try terminal.send(bytes: [0x03])
            try await terminal.expect("alertbox(admin)# ")
        }
    }

    @Test func tabCompletesCommandWords() async throws {
        let fixture = try await SerialFixture.start()
        defer { Task { await fixture.stop() } }
        try await fixture.loginFirstAdmin()
        try fixture.terminal.send("sta\t")
        try await fixture.terminal.expect("tus ")
        try fixture.terminal.send("\r")
        try await fixture.terminal.expect("短信额度")
    }

    @Test func sendsP0AfterConfirmationWithProgress() async throws {
        let fixture = try await SerialFixture.start()
        defer { Task { await fixture.stop() } }
        try await fixture.harness.addContact("张医生", phone: "+8613800000001", group: "应急")
        try await fixture.loginFirstAdmin()
        let terminal = fixture.terminal
        try terminal.send("alert send fire-alarm 应急 请走东侧楼梯\r")
        try await terminal.expect("这是 P0 生命安全警报")
        try await terminal.expect("确认> ")
        try terminal.send("no\r")
        try await terminal.expect("已取消，未发送。")
        try terminal.send("alert send fire-alarm 应急 请走东侧楼梯\r")
        try await terminal.expect("确认> ")
        try terminal.send("确认\r")
        try await terminal.expect("已提交警报 #1：短信 1 条")
        // No SMS channel is attached, so the line stays open until a key ends it.
        try await terminal.expect("#1 已发 0/1（短信 0/1，即时通讯 0/0），失败 0，确认 0，预计还需 0:05  [任意键返回]")
        try terminal.send(" ")
        try await terminal.expect("已返回提示符，警报继续发送")
        try terminal.send("show alerts\r")
        try await terminal.expect("#1  P0")
        try terminal.send("alert cancel 1\r")
        try await terminal.expect("已取消警报 #1，未发出的投递已停止。")
        try terminal.send("alert cancel 1\r")
        try await terminal.expect("警报 #1 已是“已取消”状态，无需取消。")
        try terminal.send("alert send no-such-template 应急\r")
        try await terminal.expect("没有模板“no-such-template”")
    }

    @Test func contactsPasteAndList() async throws {
        let fixture = try await SerialFixture.start()
        defer { Task { await fixture.stop() } }
        try await fixture.loginFirstAdmin()
        let terminal = fixture.terminal
        try terminal.send("contacts paste\r")
        try await terminal.expect("单独一行 . 结束：")
        try terminal.send("姓名,手机,分组\r李雷,13800000002,保卫处\r韩梅梅,12345,保卫处\r.\r")
        try await terminal.expect("第 3 行：")
        try await terminal.expect("有 1 行错误，未导入任何联系人。")
        let file = fixture.harness.directory + "/contacts.csv"
        try "姓名,手机,分组\n李雷,13800000002,保卫处\n韩梅梅,12345,保卫处\n".write(toFile: file, atomically: true, encoding: .utf8)
        try terminal.send("contacts import \(file) skip-bad\r")
        try await terminal.expect("已导入 1 位联系人（UTF-8 编码）。")
        try terminal.send("groups members 保卫处\r")
        try await terminal.expect("李雷  138****0002")
        try terminal.send("contacts add 王芳 139000000\r")
        try await terminal.expect("手机号无效")
    }

    @Test func namesFromFilesCannotDriveTheTerminal() async throws {
        let fixture = try await SerialFixture.start()
        defer { Task { await fixture.stop() } }
        try await fixture.loginFirstAdmin()
        let terminal = fixture.terminal
        // A name that clears the screen and sets the window title, as a hostile CSV could carry.
        let file = fixture.harness.directory + "/hostile.csv"
        try "姓名,手机,分组\n李\u{1B}[2J\u{1B}]0;pwned\u{07}雷,13800000003,保卫处\n".write(toFile: file, atomically: true, encoding: .utf8)
        try terminal.send("contacts import \(file)\r")
        try await terminal.expect("已导入 1 位联系人")
        try terminal.send("groups members 保卫处\r")
        try await terminal.expect("李\\x1B[2J\\x1B]0;pwned\\x07雷  138****0003")
    }

    @Test func sirenOffSilencesOnceAndIsAudited() async throws {
        let sounding = Locked(true)
        let fixture = try await SerialFixture.start(silenceSiren: { sounding.withLock { was in defer { was = false }; return was } })
        defer { Task { await fixture.stop() } }
        try await fixture.loginFirstAdmin()
        let terminal = fixture.terminal
        try terminal.send("siren off\r")
        try await terminal.expect("警笛已消音；报警仍在发送，取消报警请用 alert cancel。")
        try terminal.send("siren off\r")
        try await terminal.expect("警笛没有在响。")
        let audited = try await fixture.harness.database.read { connection in
            try connection.query("SELECT count(*) AS n FROM audit_log WHERE action = 'siren.silenced'", operation: "test").first?["n"].int ?? 0
        }
        #expect(audited == 1)
    }

    @Test func testAlertGoesToTheTestGroupOnly() async throws {
        let fixture = try await SerialFixture.start()
        defer { Task { await fixture.stop() } }
        try await fixture.harness.addContact("张医生", phone: "+8613800000001", group: "应急")
        try await fixture.harness.addContact("测试员", phone: "+8613800000009", group: "测试组")
        try await fixture.loginFirstAdmin()
        let terminal = fixture.terminal
        // A test of a P0 template needs no confirmation: it reaches the test group only.
        try terminal.send("alert test fire-alarm 演练\r")
        try await terminal.expect("已提交警报 #1：短信 1 条，即时通讯 0 条。")
        try terminal.send(" ")
        let recipients = try await fixture.harness.database.read { connection in
            try connection.query("SELECT recipient_e164 FROM deliveries", operation: "test").compactMap { $0["recipient_e164"].string }
        }
        #expect(recipients == ["+8613800000009"])
        let status = try await fixture.harness.database.read { connection in
            try connection.query("SELECT status FROM alerts", operation: "test").first?["status"].string
        }
        #expect(status == "Test")
    }

    @Test func contactsEditAndDelete() async throws {
        let fixture = try await SerialFixture.start()
        defer { Task { await fixture.stop() } }
        try await fixture.harness.addContact("李雷", phone: "+8613800000002", group: "保卫处")
        try await fixture.loginFirstAdmin()
        let terminal = fixture.terminal
        try terminal.send("contacts edit 1 name 李磊\r")
        try await terminal.expect("已修改联系人 #1 的 name。")
        try terminal.send("contacts edit 1 phone 12345\r")
        try await terminal.expect("手机号无效")
        try terminal.send("contacts edit 1 phone 13800000003\r")
        try await terminal.expect("已修改联系人 #1 的 phone。")
        try terminal.send("groups members 保卫处\r")
        try await terminal.expect("李磊  138****0003")
        try terminal.send("contacts delete 9\r")
        try await terminal.expect("没有联系人 #9")
        try terminal.send("contacts delete 1\r")
        try await terminal.expect("已删除联系人 #1。")
    }

    @Test func configEditInEnglish() async throws {
        let fixture = try await SerialFixture.start()
        defer { Task { await fixture.stop() } }
        try await fixture.loginFirstAdmin()
        let terminal = fixture.terminal
        try terminal.send("lang en\r")
        try await terminal.expect("Console language: English.")
        try terminal.send("config set sms.per_minute 1000\r")
        try await terminal.expect("Invalid sms.per_minute '1000': use a whole number from 1 to 600 (messages).")
        try terminal.send("config set sms.per_minute 6\r")
        try await terminal.expect("Candidate: sms.per_minute = 6.")
        try terminal.send("config diff\r")
        try await terminal.expect("- sms.per_minute = 12\r\n+ sms.per_minute = 6")
        try terminal.send("config commit\r")
        try await terminal.expect("Applies after a restart: sms.per_minute")
        try terminal.send("config get sms.per_minute\r")
        try await terminal.expect("running")
        try await terminal.expect("6")
        try terminal.send("config rollback\r")
        try await terminal.expect("Rolled back to the defaults, 1 changes.")
        try terminal.send("config set nothing.here 1\r")
        try await terminal.expect("Unknown setting 'nothing.here'")
    }

    @Test func operatorRoleAndPasswd() async throws {
        let fixture = try await SerialFixture.start()
        defer { Task { await fixture.stop() } }
        try await fixture.loginFirstAdmin()
        let terminal = fixture.terminal
        try terminal.send("users add duty operator\r")
        let added = try await terminal.expect("请当面交给本人")
        let password = try #require(added.components(separatedBy: "一次性密码：").last?.components(separatedBy: "\r").first)
        try terminal.send("logout\r")
        try await terminal.expect("用户名：")
        try terminal.send("duty\r" + password + "\r")
        try await terminal.expect("新密码：")
        try terminal.send("duty-pass-1\rduty-pass-1\r")
        try await terminal.expect("alertbox(duty)> ")
        try terminal.send("users list\r")
        try await terminal.expect("“users list”需要管理员权限；请用管理员账号登录。")
        try terminal.send("passwd\r")
        try await terminal.expect("当前密码：")
        try terminal.send("wrong-current\rduty-pass-2\rduty-pass-2\r")
        try await terminal.expect("当前密码错误，密码未修改。")
        try terminal.send("duty-pass-1\rduty-pass-2\rduty-pass-2\r")
        try await terminal.expect("密码已修改。")
    }

    @Test func statusShowsSimulatorModem() async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        let driver = ModemDriver(
            settings: ModemSettings(
                devicePath: simulator.portPath, stateDirectory: simulator.stateDirectory, openRetryInterval: .milliseconds(100),
                startupTimeout: .seconds(10), signalPollFast: .milliseconds(500), registrationHoldDown: .milliseconds(300)),
            logger: ConsoleHarness.logger)
        await driver.start()
        defer { Task { await driver.stop() } }
        #expect(await driver.waitUntilReady(timeout: .seconds(30)))
        let fixture = try await SerialFixture.start(modem: driver)
        defer { Task { await fixture.stop() } }
        try await fixture.loginFirstAdmin()
        try fixture.terminal.send("status\r")
        let status = try await fixture.terminal.expect("alertbox(admin)# ")
        #expect(status.contains("SIM  就绪") || status.contains("SIM       就绪"))
        #expect(status.contains("格"))
        try fixture.terminal.send("lang en\rmodem info\r")
        let info = try await fixture.terminal.expect("Operator")
        #expect(info.contains("IMEI"))
    }
}
