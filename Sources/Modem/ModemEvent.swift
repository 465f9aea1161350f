public import ATProtocol
public import Core
public import SMS

/// The driver's overall state.
public enum ModemState: Sendable, Equatable, CustomStringConvertible {
    /// Waiting for the device to appear or reply.
    case connecting
    case initialising
    /// Initialised: commands and SMS work.
    case ready
    /// A recovery step is running.
    case recovering(step: RecoveryStep)
    /// SMS is unavailable until a person acts (wrong PIN, PUK, no SIM).
    case unavailable(reason: String)
    case stopped

    public var description: String {
        switch self {
        case .connecting: "connecting"
        case .initialising: "initialising"
        case .ready: "ready"
        case .recovering(let step): "recovering (\(step))"
        case .unavailable(let reason): "unavailable: \(reason)"
        case .stopped: "stopped"
        }
    }
}

/// A signal reading with the instant it was taken.
public struct SignalReading: Sendable, Equatable {
    /// RSSI in dBm, or nil when unknown (`+CSQ: 99`).
    public var rssiDBm: Int?
    /// RSRP in dBm on LTE, when known.
    public var rsrpDBm: Int?
    /// Bars from 0 to 4, from RSSI or RSRP.
    public var bars: Int?
    public var takenAt: MonotonicInstant

    public init(rssiDBm: Int?, rsrpDBm: Int?, takenAt: MonotonicInstant) {
        self.rssiDBm = rssiDBm
        self.rsrpDBm = rsrpDBm
        self.takenAt = takenAt
        // Bar thresholds, 4 at the top: RSRP on LTE, else RSSI.
        if let rsrp = rsrpDBm {
            bars = Self.bars(rsrp, thresholds: [-85, -95, -105, -115])
        } else if let rssi = rssiDBm {
            bars = Self.bars(rssi, thresholds: [-73, -83, -93, -103])
        } else {
            bars = nil
        }
    }

    /// Counts the thresholds `value` reaches, from 4 (the first) down to 0.
    private static func bars(_ value: Int, thresholds: [Int]) -> Int {
        guard let index = thresholds.firstIndex(where: { value >= $0 }) else { return 0 }
        return thresholds.count - index
    }
}

/// A message received and put together.
public struct IncomingMessage: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case complete
        /// Parts were missing at the timeout; the text has gap markers.
        case partial
        /// Late parts completed a message delivered as partial earlier.
        case correction
    }

    public var kind: Kind
    public var sender: String
    public var text: String
    public var parts: Int
    public var missingParts: [Int]
    /// Identifies the message across a partial delivery and its corrections.
    public var key: ReassemblyKey?
    /// TP-SCTS: when the SMSC received the message (its earliest part), nil when unknown.
    public var serviceCentreTimestamp: SMSTimestamp? = nil
}

/// Something the driver reports upward.
public enum ModemEvent: Sendable, Equatable {
    case state(ModemState)
    case identity(manufacturer: String, model: String, imei: String)
    case sim(String)
    case registration(NetworkRegistration.Domain, RegistrationState)
    case signal(SignalReading)
    case networkOperator(String)
    case received(IncomingMessage)
    case statusReport(reference: UInt8, recipient: String, status: DeliveryStatus)
    /// A condition a person must see: wrong PIN, PUK needed, ladder exhausted, registration denied.
    case alarm(String)
}
