import Core

/// The settings of the driver for one modem.
public struct ModemSettings: Sendable {
    /// The stable device path: `/dev/serial/by-id/...`, a udev symlink, or the simulator's link.
    public var devicePath: String
    public var baudRate: Int
    /// The SIM PIN, when the SIM is locked. Never logged.
    public var pin: String?
    /// The directory for state that must survive a restart, such as the record of a rejected PIN.
    public var stateDirectory: String
    /// How long to wait for the device path to appear before each open attempt.
    public var openRetryInterval: Duration
    /// The time allowed after opening for the modem to reply to `AT`.
    public var startupTimeout: Duration
    /// Signal polling while no valid reading exists, and once one does.
    public var signalPollFast: Duration
    public var signalPollSlow: Duration
    /// Registration polling, a fallback for modems whose URCs are lost.
    public var registrationPoll: Duration
    /// A registration state must hold this long before it counts.
    public var registrationHoldDown: Duration
    /// The periodic `AT+CMGL=4` sweep for messages whose `+CMTI` was missed.
    public var storageSweep: Duration
    /// How long reassembly waits for missing parts.
    public var reassemblyTimeout: Duration
    /// How long SMS readiness may take after the SIM is ready.
    public var smsReadyTimeout: Duration
    /// Command timeouts by kind, overriding `ATCommand.Kind.timeout`.
    public var timeouts: [String: Duration]

    public init(
        devicePath: String, baudRate: Int = 115_200, pin: String? = nil, stateDirectory: String,
        openRetryInterval: Duration = .milliseconds(500), startupTimeout: Duration = .seconds(15),
        signalPollFast: Duration = .seconds(3), signalPollSlow: Duration = .seconds(30),
        registrationPoll: Duration = .seconds(30), registrationHoldDown: Duration = .seconds(10),
        storageSweep: Duration = .seconds(300), reassemblyTimeout: Duration = .seconds(600),
        smsReadyTimeout: Duration = .seconds(30), timeouts: [String: Duration] = [:]
    ) {
        self.devicePath = devicePath
        self.baudRate = baudRate
        self.pin = pin
        self.stateDirectory = stateDirectory
        self.openRetryInterval = openRetryInterval
        self.startupTimeout = startupTimeout
        self.signalPollFast = signalPollFast
        self.signalPollSlow = signalPollSlow
        self.registrationPoll = registrationPoll
        self.registrationHoldDown = registrationHoldDown
        self.storageSweep = storageSweep
        self.reassemblyTimeout = reassemblyTimeout
        self.smsReadyTimeout = smsReadyTimeout
        self.timeouts = timeouts
    }
}

/// The reset and power lines of a modem, wired to GPIO on a board.
///
/// The recovery ladder uses them after resending and reopening the port failed. A board
/// without the lines passes nil, and the ladder skips those steps.
public protocol ModemControlLines: Sendable {
    /// Pulses the module's reset line with its documented timing.
    func pulseReset() async throws
    /// Cuts the module's power and restores it.
    func powerCycle() async throws
    /// Whether the board wires a reset line; the recovery ladder skips the step otherwise.
    var canReset: Bool { get }
    /// Whether the board can cut the module's power or press its power key.
    var canPowerCycle: Bool { get }
}

extension ModemControlLines {
    public var canReset: Bool { true }
    public var canPowerCycle: Bool { true }
}
