public import Alerting
public import Core
public import Modem
public import Scheduler
public import Storage

/// Everything the console's commands act on, wired by the runtime.
///
/// The closures stand for components that the console does not own: the status gathered
/// from the modem and the uplink monitor, the modem's restart, the uplink probe. A box
/// without one of them leaves it nil and the command says so.
public struct ConsoleContext: Sendable {
    public var database: Database
    public var authenticator: Authenticator
    public var settings: RuntimeSettings
    public var scheduler: AlertScheduler?
    public var clock: any BoxClock
    public var logger: Logger
    /// The box's CAP sender, such as `alertbox-building3`.
    public var sender: String
    public var composer: AlertComposer
    public var signature: SMSSignature?
    public var status: @Sendable () async -> StatusSnapshot
    public var modemInfo: (@Sendable () async -> ModemStatus?)?
    public var modemReset: (@Sendable () async throws -> Void)?
    /// Probes each IM endpoint; returns its name and whether it answered, with a reason when not.
    public var uplinkTest: (@Sendable () async -> [(name: String, reachable: Bool, detail: String)])?
    /// Directories from which `contacts import` may read; empty allows any path.
    public var importDirectories: [String]
    /// Silences the siren; nil on a box without one. Returns whether it was sounding.
    public var silenceSiren: (@Sendable () async -> Bool)?

    public init(
        database: Database, authenticator: Authenticator, settings: RuntimeSettings, scheduler: AlertScheduler?, clock: any BoxClock,
        logger: Logger, sender: String, composer: AlertComposer = AlertComposer(), signature: SMSSignature? = nil,
        status: @escaping @Sendable () async -> StatusSnapshot, modemInfo: (@Sendable () async -> ModemStatus?)? = nil,
        modemReset: (@Sendable () async throws -> Void)? = nil,
        uplinkTest: (@Sendable () async -> [(name: String, reachable: Bool, detail: String)])? = nil, importDirectories: [String] = [],
        silenceSiren: (@Sendable () async -> Bool)? = nil
    ) {
        self.silenceSiren = silenceSiren
        self.database = database
        self.authenticator = authenticator
        self.settings = settings
        self.scheduler = scheduler
        self.clock = clock
        self.logger = logger
        self.sender = sender
        self.composer = composer
        self.signature = signature
        self.status = status
        self.modemInfo = modemInfo
        self.modemReset = modemReset
        self.uplinkTest = uplinkTest
        self.importDirectories = importDirectories
    }

    var wallMillis: Int64 { clock.wallNow.nanosecondsSinceEpoch / 1_000_000 }
}
