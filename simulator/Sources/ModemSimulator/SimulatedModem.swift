import Core
public import ATProtocol
import SMS

/// The identity, SIM and timing of one simulated modem.
public struct ModemConfiguration: Sendable {
    public var dialect: ModemDialect
    /// The SIM's own number, which the network delivers replies to.
    public var simNumber: String
    public var imei: String
    public var imsi: String
    public var iccid: String
    /// The SIM PIN, or nil for a SIM without PIN lock.
    public var pin: String?
    public var puk: String
    public var operatorName: String
    public var operatorNumeric: String
    /// From power-on to `RDY`.
    public var bootDelay: Duration
    /// From a ready SIM to registration on the network.
    public var registrationDelay: Duration
    /// From a ready SIM to the SMS-ready URC.
    public var smsReadyDelay: Duration
    /// How long SIM commands fail with `+CME ERROR: 14` (SIM busy) after the PIN is accepted.
    public var simBusyAfterUnlock: Duration
    /// The starting signal, 0-31 as `+CSQ` prints it.
    public var rssi: Int
    /// Capacities of the `SM`, `ME` and `SR` memories.
    public var capacities: [String: Int]

    public init(
        dialect: ModemDialect = .quectel, simNumber: String = "+8613900000000", imei: String = "867160040000001",
        imsi: String = "460001234567890", iccid: String = "89860012345678901234", pin: String? = nil,
        puk: String = "12345678", operatorName: String = "CHINA MOBILE", operatorNumeric: String = "46000",
        bootDelay: Duration = .milliseconds(500), registrationDelay: Duration = .milliseconds(800),
        smsReadyDelay: Duration = .milliseconds(1000), simBusyAfterUnlock: Duration = .seconds(1), rssi: Int = 22,
        capacities: [String: Int] = ["SM": 40, "ME": 100, "SR": 30]
    ) {
        self.dialect = dialect
        self.simNumber = simNumber
        self.imei = imei
        self.imsi = imsi
        self.iccid = iccid
        self.pin = pin
        self.puk = puk
        self.operatorName = operatorName
        self.operatorNumeric = operatorNumeric
        self.bootDelay = bootDelay
        self.registrationDelay = registrationDelay
        self.smsReadyDelay = smsReadyDelay
        self.simBusyAfterUnlock = simBusyAfterUnlock
        self.rssi = rssi
        self.capacities = capacities
    }
}

/// The requests one step of a modem makes of the simulation.
struct ModemEffects: Sendable {
    /// Bytes for the host, in order.
    var output: [UInt8] = []
    /// Timers to set, relative to now.
    var timers: [(ModemTimer, Duration)] = []
    /// Parts to hand to the SMSC, with the TP-MR the modem gave them.
    var submissions: [(pdu: [UInt8], reference: UInt8, command: String, generation: Int)] = []
    /// The tty vanishes now (true) or comes back (false).
    var portChanges: [Bool] = []

    mutating func write(_ bytes: [UInt8]) {
        output += bytes
    }

    mutating func urc(_ line: String, body: String? = nil) {
        output += ATResponseFormatter.unsolicited(line, body: body)
    }
}

/// A modem timer; `generation` ties it to one boot, so a reboot cancels what was pending.
struct ModemTimer: Sendable {
    enum Event: Sendable {
        case boot
        case simReady
        case smsReady
        case register(domains: [NetworkRegistration.Domain], state: RegistrationState)
        case sendResult(command: String, reference: UInt8, cmsCause: Int?)
        case emit([UInt8])
        case finishDelayedReply
        case storm(until: MonotonicInstant, interval: Duration)
        case noise(until: MonotonicInstant, interval: Duration)
        case flap(state: RegistrationState, registered: Bool, until: MonotonicInstant, interval: Duration)
        case portReturns
        case powerOnAfterDown
    }

    let generation: Int
    let event: Event
}

/// A cellular module that speaks 27.007 and 27.005 in a vendor dialect, on the modem side of
/// a serial line.
///
/// It is a value: the simulation feeds it the host's bytes, timer events and network
/// deliveries with the current instant, and carries out the effects it returns. Replies
/// are written with the same `ATProtocol` formatters the driver parses with.
public struct SimulatedModem: Sendable {
    enum Power: Sendable, Equatable {
        case off
        case booting
        case on
    }

    enum SIMState: Sendable, Equatable {
        case ready
        case pinRequired
        case pukRequired
        case notInserted
    }

    /// The purpose of the payload after a prompt.
    enum PromptPurpose: Sendable, Equatable {
        case sendPDU(length: Int)
        case writePDU(length: Int, status: MessageStatus)
        case sendText(destination: String)
        case writeText(destination: String)
    }

    public let configuration: ModemConfiguration
    public var dialect: ModemDialect { configuration.dialect }

    // Power and boot.
    var power: Power = .off
    var generation = 0
    /// Whether the module's supply is on; a board's load switch can cut it.
    var supplied = true

    // Settings that a reset restores.
    var echo = true
    var verbose = true
    var errorMode = 0
    var messageFormat = MessageFormat.pdu
    var characterSet: String
    var serviceCentre: String
    var textParameters = TextModeParameters()
    var storages: [String]
    var indications = NewMessageIndicationSettings(mode: 2, messageIndication: 1, broadcastIndication: 0, statusReportIndication: 0, bufferHandling: 0)
    var moreMessagesMode = 0
    var showTextHeaders = 0
    var registrationReporting: [NetworkRegistration.Domain: Int] = [:]
    var operatorFormat = 0
    var functionality = 1
    /// `AT+CVHU`: 0 lets `ATH` end a voice call, 1 makes the module ignore it.
    var voiceHangupControl = 0

    // SIM and network.
    var sim: SIMState
    var simPresent = true
    var pinAttempts = 3
    var pukAttempts = 10
    var simBusyUntil: MonotonicInstant?
    var smsReady = false
    var registration: [NetworkRegistration.Domain: RegistrationState] = [:]
    var rssi: Int
    var nextReference: UInt8 = 0

    // Memories survive reboots, as the SIM and the module's flash do.
    var memories: [String: MessageStore]

    // The line and what is in progress.
    var input = HostInput()
    var prompt: PromptPurpose?
    /// True while a command waits for the SMSC or a delayed reply; lines queue meanwhile.
    var busy = false
    var queuedLines: [String] = []
    /// Each `AT+CMGS=` command line, for the `sends` op.
    var sendCommands: [SendCommandRecord] = []
    var deferredURCs: [UInt8] = []

    // Faults.
    var silentPrefix: String??
    var silentUntil: MonotonicInstant?
    var replyDelay: Duration = .zero
    var replyDelayUntil: MonotonicInstant?
    var rebootOnNextSend: Bool?
    var doubledEcho = false
    var stuckEcho = false
    var random: SeededRandom

    public init(configuration: ModemConfiguration, seed: UInt64 = 7) {
        self.configuration = configuration
        serviceCentre = "+8613800000000"
        characterSet = configuration.dialect.defaultCharacterSet
        storages = [configuration.dialect.storages[0], configuration.dialect.storages[0], configuration.dialect.storages[0]]
        sim = configuration.pin == nil ? .ready : .pinRequired
        rssi = configuration.rssi
        memories = [:]
        for (name, capacity) in configuration.capacities {
            memories[name] = MessageStore(name: name, capacity: capacity)
        }
        random = SeededRandom(seed: seed)
    }

    /// Whether the modem replies on its line.
    public var isPoweredOn: Bool {
        power == .on
    }

    /// Whether SMS commands work now: powered on, SIM ready and the SMS-ready URC printed.
    public var isReadyForSMS: Bool {
        power == .on && sim == .ready && smsReady
    }

    /// The number of messages stored in each memory (`SM`, `ME`, `SR`).
    public var memoryUsage: [String: Int] {
        memories.mapValues(\.used)
    }

    /// The registration state of a domain.
    public func registrationState(_ domain: NetworkRegistration.Domain) -> RegistrationState {
        registration[domain] ?? .notRegistered
    }

    /// Whether the network can hand this modem a message now.
    var canReceive: Bool {
        power == .on && sim == .ready && smsReady && functionality == 1 && isRegistered
    }

    var isRegistered: Bool {
        registrationState(.circuitSwitched).isRegistered || registrationState(.eps).isRegistered
    }

    // MARK: Power

    /// Powers the modem on, or restarts it: settings return to their defaults and the boot
    /// banner follows after the boot delay.
    mutating func powerOn(_ effects: inout ModemEffects) {
        generation += 1
        power = .booting
        resetVolatileState()
        effects.timers.append((ModemTimer(generation: generation, event: .boot), configuration.bootDelay))
    }

    /// Powers the modem off: nothing replies until `powerOn`.
    mutating func powerOff() {
        generation += 1
        power = .off
        resetVolatileState()
    }

    private mutating func resetVolatileState() {
        echo = true
        verbose = true
        errorMode = 0
        messageFormat = .pdu
        characterSet = dialect.defaultCharacterSet
        textParameters = TextModeParameters()
        indications = NewMessageIndicationSettings(mode: 2, messageIndication: 1, broadcastIndication: 0, statusReportIndication: 0, bufferHandling: 0)
        moreMessagesMode = 0
        voiceHangupControl = 0
        registrationReporting = [:]
        functionality = 1
        smsReady = false
        registration = [:]
        input = HostInput()
        prompt = nil
        busy = false
        queuedLines = []
        deferredURCs = []
        simBusyUntil = nil
        if simPresent {
            sim = sim == .pukRequired ? .pukRequired : (configuration.pin == nil ? .ready : .pinRequired)
        } else {
            sim = .notInserted
        }
    }

    // MARK: Input

    /// Takes bytes the host wrote.
    mutating func receive(_ bytes: [UInt8], at now: MonotonicInstant, _ effects: inout ModemEffects) {
        guard power == .on else { return }
        if echo || stuckEcho, !isSilenced(nil, at: now) {
            effects.write(bytes)
            if doubledEcho {
                effects.write(bytes)
            }
        }
        for event in input.feed(bytes) {
            switch event {
            case .commandLine(let line):
                if line.uppercased().hasPrefix("AT+CMGS=") {
                    sendCommands.append(SendCommandRecord(arrival: now))
                }
                if busy || prompt != nil {
                    queuedLines.append(line)
                } else {
                    execute(line, at: now, &effects)
                }
            case .payload(let payload):
                finishPrompt(payload, at: now, &effects)
            case .payloadCancelled:
                prompt = nil
                reply([], .ok, at: now, &effects)
            }
        }
    }

    /// Runs queued command lines once the modem is idle again.
    mutating func drainQueue(at now: MonotonicInstant, _ effects: inout ModemEffects) {
        if !busy, prompt == nil, !deferredURCs.isEmpty {
            effects.write(deferredURCs)
            deferredURCs = []
        }
        while !busy, prompt == nil, !queuedLines.isEmpty {
            let line = queuedLines.removeFirst()
            execute(line, at: now, &effects)
        }
    }

    func isSilenced(_ line: String?, at now: MonotonicInstant) -> Bool {
        guard let until = silentUntil, now < until, let prefix = silentPrefix else { return false }
        guard let prefix, let line else { return prefix == nil }
        return line.uppercased().hasPrefix(prefix.uppercased())
    }

    // MARK: Replies

    /// Writes information lines and a final result, `replyDelay` late while a slow-answer
    /// fault is active.
    mutating func reply(_ lines: [String], _ result: FinalResult, at now: MonotonicInstant, _ effects: inout ModemEffects) {
        let bytes = ATResponseFormatter.reply(lines, final: result)
        if let until = replyDelayUntil, now < until, replyDelay > Duration.zero {
            busy = true
            effects.timers.append((ModemTimer(generation: generation, event: .emit(bytes)), replyDelay))
            effects.timers.append((ModemTimer(generation: generation, event: .finishDelayedReply), replyDelay))
        } else {
            effects.write(bytes)
        }
    }

    /// The final result for a mobile termination error, shaped by `AT+CMEE`.
    func cmeError(_ code: Int) -> FinalResult {
        switch errorMode {
        case 0: return .error
        case 1: return .cmeError(CMEError(code: code))
        default: return .cmeError(CMEError(parameter: CMEError(code: code).meaning ?? String(code)))
        }
    }

    /// The final result for a message service error, shaped by `AT+CMEE`.
    func cmsError(_ code: Int) -> FinalResult {
        switch errorMode {
        case 0: return .error
        case 1: return .cmsError(CMSError(code: code))
        default: return .cmsError(CMSError(parameter: CMSError(code: code).meaning ?? String(code)))
        }
    }

    /// Writes an unsolicited line now, or after the command in progress.
    mutating func unsolicited(_ line: String, body: String? = nil, _ effects: inout ModemEffects) {
        let bytes = ATResponseFormatter.unsolicited(line, body: body)
        if busy || prompt != nil {
            deferredURCs += bytes
        } else {
            effects.write(bytes)
        }
    }
}
