import Core

/// The console's commands, in the order `help` lists them.
public enum CommandTable {
    static func text(_ zh: String, _ en: String) -> LocalizedText { LocalizedText(zh: zh, en: en) }

    static let template = ArgumentSpec("TEMPLATE", help: text("模板名，如 fire-alarm", "template name, such as fire-alarm"))
    static let groups = ArgumentSpec("GROUPS", help: text("联系人分组，多个用逗号分隔", "contact groups, separated by commas"))
    static let note = ArgumentSpec("NOTE", .rest, optional: true, help: text("附言，加在固定说明之前", "a note put before the standing instruction"))

    public static let commands: [ConsoleCommand] = [
        ConsoleCommand(.help, ["help"], role: .operator, summary: text("显示命令列表或某条命令的用法", "list the commands or show one command's usage"),
            arguments: [ArgumentSpec("COMMAND", .rest, optional: true, help: text("要查看的命令", "the command to explain"))]),
        ConsoleCommand(.lang, ["lang"], role: .operator, summary: text("切换界面语言", "switch the console language"),
            arguments: [ArgumentSpec("LANG", .choice(["zh", "en"]), help: text("zh 简体中文，en 英文", "zh Simplified Chinese, en English"))]),
        ConsoleCommand(.logout, ["logout"], role: .operator, summary: text("退出登录", "log out")),
        ConsoleCommand(.status, ["status"], role: .operator,
            summary: text("显示上行链路、SIM、注册、信号、运营商、队列和短信额度", "show uplink, SIM, registration, signal, operator, queue and SMS budget")),
        ConsoleCommand(.passwd, ["passwd"], role: .operator, summary: text("修改自己的密码", "change your own password")),

        ConsoleCommand(.showAlerts, ["show", "alerts"], role: .operator, summary: text("列出最近的警报及其状态", "list recent alerts and their state")),
        ConsoleCommand(.showDeliveries, ["show", "deliveries"], role: .operator, summary: text("按通道和状态统计一条警报的投递", "count one alert's deliveries by channel and state"),
            arguments: [ArgumentSpec("ALERT", help: text("警报编号（show alerts 的第一列）", "alert number (first column of show alerts)"))]),
        ConsoleCommand(.showInbox, ["show", "inbox"], role: .operator, summary: text("列出最近收到的短信（号码已打码）", "list recent received SMS (numbers masked)")),
        ConsoleCommand(.showLog, ["show", "log"], role: .operator, summary: text("列出最近的审计日志", "list the recent audit log")),

        ConsoleCommand(.alertSend, ["alert", "send"], role: .operator, summary: text("按模板发送警报，P0 需确认", "send an alert from a template; P0 asks for confirmation"),
            arguments: [template, groups, note],
            discussion: text(
                "发送后显示实时进度：已发/总数、各通道、按短信额度和模块速率估算的剩余时间；按任意键返回提示符，警报继续发送。\n示例：alert send fire-alarm 全体员工 请走东侧楼梯",
                "After sending, a live progress line shows sent and total, by channel, and the time left from the SMS budget and the modem's rate; any key returns to the prompt while the alert goes on.\nExample: alert send fire-alarm staff \"use the east stairs\"")),
        ConsoleCommand(.alertTest, ["alert", "test"], role: .operator, summary: text("发送带“测试”标记的警报，只发给测试组", "send an alert labelled as a test, to the test group only"),
            arguments: [template, note]),
        ConsoleCommand(.alertCancel, ["alert", "cancel"], role: .operator, summary: text("取消一条警报，停止未发出的投递", "cancel an alert and stop its pending deliveries"),
            arguments: [ArgumentSpec("ALERT", help: text("警报编号（show alerts 的第一列）", "alert number (first column of show alerts)"))]),

        ConsoleCommand(.contactsList, ["contacts", "list"], role: .operator, summary: text("列出联系人（号码已打码）", "list contacts (numbers masked)"),
            arguments: [ArgumentSpec("GROUP", optional: true, help: text("只列出此分组", "list only this group"))]),
        ConsoleCommand(.contactsAdd, ["contacts", "add"], role: .admin, summary: text("添加联系人", "add a contact"),
            arguments: [
                ArgumentSpec("NAME", help: text("姓名", "name")), ArgumentSpec("PHONE", help: text("手机号，如 13800000001", "mobile number, such as 13800000001")),
                ArgumentSpec("GROUPS", optional: true, help: text("分组，多个用逗号分隔", "groups, separated by commas")),
            ]),
        ConsoleCommand(.contactsEdit, ["contacts", "edit"], role: .admin, summary: text("修改联系人的一项", "change one field of a contact"),
            arguments: [
                ArgumentSpec("ID", help: text("联系人编号（contacts list 的第一列）", "contact number (first column of contacts list)")),
                ArgumentSpec("FIELD", .choice(["name", "phone", "groups", "language"]), help: text("name、phone、groups 或 language", "name, phone, groups or language")),
                ArgumentSpec("VALUE", .rest, help: text("新值", "the new value")),
            ]),
        ConsoleCommand(.contactsDelete, ["contacts", "delete"], role: .admin, summary: text("删除联系人", "delete a contact"),
            arguments: [ArgumentSpec("ID", help: text("联系人编号", "contact number"))]),
        ConsoleCommand(.contactsImport, ["contacts", "import"], role: .admin, summary: text("从 CSV 文件导入联系人（UTF-8 或 GBK）", "import contacts from a CSV file (UTF-8 or GBK)"),
            arguments: [
                ArgumentSpec("PATH", help: text("本机上的 CSV 文件路径", "path of the CSV file on the box")),
                ArgumentSpec("MODE", .choice(["skip-bad"]), optional: true, help: text("skip-bad：跳过有错的行，导入其余行", "skip-bad: import the good rows and skip the bad ones")),
            ],
            discussion: text(
                "第一行为列名：姓名/name（必填）、手机/phone（必填）、角色/roles、语言/language、分组/groups、免打扰/quiet、排序/rank。有错的行全部列出，默认一行都不导入。",
                "The first row names the columns: 姓名/name (required), 手机/phone (required), 角色/roles, 语言/language, 分组/groups, 免打扰/quiet, 排序/rank. Every bad row is listed, and by default nothing is imported.")),
        ConsoleCommand(.contactsPaste, ["contacts", "paste"], role: .admin, summary: text("粘贴 CSV 文本导入联系人，单独一行 . 结束", "import contacts from pasted CSV text, ended by a line with a single .")),

        ConsoleCommand(.groupsList, ["groups", "list"], role: .operator, summary: text("列出分组及人数", "list groups and their sizes")),
        ConsoleCommand(.groupsAdd, ["groups", "add"], role: .admin, summary: text("添加分组", "add a group"),
            arguments: [ArgumentSpec("NAME", help: text("分组名", "group name"))]),
        ConsoleCommand(.groupsMembers, ["groups", "members"], role: .operator, summary: text("列出分组成员", "list a group's members"),
            arguments: [ArgumentSpec("NAME", help: text("分组名", "group name"))]),

        ConsoleCommand(.templatesList, ["templates", "list"], role: .operator, summary: text("列出模板及最坏情况的短信条数", "list templates and their worst-case SMS count")),
        ConsoleCommand(.templatesShow, ["templates", "show"], role: .operator, summary: text("显示一个模板的文字", "show a template's texts"),
            arguments: [template]),
        ConsoleCommand(.templatesSet, ["templates", "set"], role: .admin, summary: text("保存模板，检查最坏情况的短信长度", "save a template after the worst-case SMS length check"),
            arguments: [
                template, ArgumentSpec("LANG", .choice(["zh", "en"]), help: text("模板语言", "template language")),
                ArgumentSpec("PRIORITY", .choice(["p0", "p1", "p2", "p3"]), help: text("优先级", "priority")),
                ArgumentSpec("TEXT", .rest, help: text("短信文字，可用 {event} {location} {instruction} 等变量", "SMS text, with variables such as {event} {location} {instruction}")),
            ]),
        ConsoleCommand(.templatesCheck, ["templates", "check"], role: .operator, summary: text("计算模板文字最坏情况的短信条数，不保存", "count a template text's worst-case SMS parts without saving"),
            arguments: [ArgumentSpec("TEXT", .rest, help: text("短信文字", "SMS text"))]),

        ConsoleCommand(.configShow, ["config", "show"], role: .operator, summary: text("列出全部设置的运行值", "list every setting's running value")),
        ConsoleCommand(.configGet, ["config", "get"], role: .operator, summary: text("显示一项设置：运行值、待提交值、默认值和说明", "show one setting: running, candidate and default values and its meaning"),
            arguments: [ArgumentSpec("KEY", help: text("设置项，Tab 补全", "setting key; Tab completes"))]),
        ConsoleCommand(.configSet, ["config", "set"], role: .admin, summary: text("在待提交配置中修改一项设置（经校验）", "change a setting in the candidate configuration (validated)"),
            arguments: [ArgumentSpec("KEY", help: text("设置项，Tab 补全", "setting key; Tab completes")), ArgumentSpec("VALUE", .rest, help: text("新值", "the new value"))]),
        ConsoleCommand(.configDiff, ["config", "diff"], role: .operator, summary: text("比较待提交配置与运行配置", "compare the candidate configuration with the running one")),
        ConsoleCommand(.configCommit, ["config", "commit"], role: .admin, summary: text("提交待提交配置，能立即生效的立即生效", "commit the candidate configuration, applying live what can be")),
        ConsoleCommand(.configRollback, ["config", "rollback"], role: .admin, summary: text("回退到上一次提交的配置", "roll back to the previously committed configuration")),
        ConsoleCommand(.configDiscard, ["config", "discard"], role: .admin, summary: text("放弃待提交的修改", "discard the candidate changes")),

        ConsoleCommand(.modemInfo, ["modem", "info"], role: .operator, summary: text("显示模块型号、固件、IMEI、SIM 和短信中心", "show the modem's model, firmware, IMEI, SIM and SMSC")),
        ConsoleCommand(.modemReset, ["modem", "reset"], role: .admin, summary: text("重启模块", "restart the modem")),
        ConsoleCommand(.uplinkTest, ["uplink", "test"], role: .operator, summary: text("测试每个即时通讯端点能否连通", "check that each IM endpoint can be reached")),
        ConsoleCommand(.sirenOff, ["siren", "off"], role: .operator, summary: text("现场警笛消音，报警继续发送", "silence the siren on site; the alert goes on being sent")),

        ConsoleCommand(.usersList, ["users", "list"], role: .admin, summary: text("列出控制台用户", "list console users")),
        ConsoleCommand(.usersAdd, ["users", "add"], role: .admin, summary: text("添加用户，显示一次性密码", "add a user and show a one-time password"),
            arguments: [
                ArgumentSpec("NAME", help: text("用户名", "user name")),
                ArgumentSpec("ROLE", .choice(["operator", "admin"]), help: text("operator 值班员或 admin 管理员", "operator or admin")),
            ]),
        ConsoleCommand(.usersDelete, ["users", "delete"], role: .admin, summary: text("删除用户", "delete a user"),
            arguments: [ArgumentSpec("NAME", help: text("用户名", "user name"))]),
        ConsoleCommand(.usersReset, ["users", "reset"], role: .admin, summary: text("重置用户密码，显示一次性密码", "reset a user's password and show a one-time password"),
            arguments: [ArgumentSpec("NAME", help: text("用户名", "user name"))]),
    ]

    public static let grammar = CommandGrammar(commands: commands)
}
