public import Core

/// What a console command does, the key that the interpreter dispatches on.
public enum CommandID: String, Sendable, CaseIterable {
    case help, lang, logout, status, passwd
    case showAlerts, showDeliveries, showInbox, showLog
    case alertSend, alertTest, alertCancel
    case contactsList, contactsAdd, contactsEdit, contactsDelete, contactsImport, contactsPaste
    case groupsList, groupsAdd, groupsMembers
    case templatesList, templatesShow, templatesSet, templatesCheck
    case configShow, configGet, configSet, configDiff, configCommit, configRollback, configDiscard
    case modemInfo, modemReset, uplinkTest, sirenOff
    case usersList, usersAdd, usersDelete, usersReset
}

/// One argument of a console command.
public struct ArgumentSpec: Sendable {
    public enum Kind: Sendable, Equatable {
        /// One word; quotes allow spaces.
        case word
        /// One of a fixed set, offered by Tab.
        case choice([String])
        /// Every word to the end of the line, joined by single spaces.
        case rest
    }

    /// The placeholder shown in usage, such as `TEMPLATE`.
    public let name: String
    public let kind: Kind
    public let optional: Bool
    public let help: LocalizedText

    public init(_ name: String, _ kind: Kind = .word, optional: Bool = false, help: LocalizedText) {
        self.name = name
        self.kind = kind
        self.optional = optional
        self.help = help
    }

    /// The argument as usage shows it: `NAME`, `[NAME]`, `TEXT...`.
    public var usage: String {
        let base = kind == .rest ? "\(name)..." : name
        return optional ? "[\(base)]" : base
    }
}

/// A console command: its words, the role it needs, its help and its arguments.
public struct ConsoleCommand: Sendable {
    public let id: CommandID
    public let words: [String]
    public let role: ConsoleRole
    public let summary: LocalizedText
    public let arguments: [ArgumentSpec]
    /// Text after the argument list in `help COMMAND`: what it prints, examples.
    public let discussion: LocalizedText?

    public init(
        _ id: CommandID, _ words: [String], role: ConsoleRole, summary: LocalizedText, arguments: [ArgumentSpec] = [],
        discussion: LocalizedText? = nil
    ) {
        self.id = id
        self.words = words
        self.role = role
        self.summary = summary
        self.arguments = arguments
        self.discussion = discussion
    }

    /// The command as usage shows it: `alert send TEMPLATE GROUPS [NOTE...]`.
    public var usage: String {
        (words + arguments.map(\.usage)).joined(separator: " ")
    }
}
