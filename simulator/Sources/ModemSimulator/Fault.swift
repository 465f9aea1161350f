import ATProtocol

/// A fault the simulator injects into one modem or its network.
///
/// Every fault real modems show in the field has a kind here: error codes, silence, slow or
/// garbled replies, unsolicited noise, reboots, the tty vanishing, SIM removal, registration
/// and signal trouble.
public enum Fault: Sendable, Equatable {
    /// `AT+CMGS` to `destinations` (every one when empty) fails with this CMS cause.
    case cmsError(cause: Int, destinations: [String])
    /// The modem stops replying to commands whose text starts with `prefix` (all when nil),
    /// for `duration`; unsolicited lines continue.
    case noAnswer(prefix: String?, duration: Duration)
    /// Every final result comes `delay` late, for `duration`.
    case slowAnswer(delay: Duration, duration: Duration)
    /// The modem writes `count` random bytes now.
    case garbage(count: Int)
    /// The modem prints registration URCs every `interval` for `duration`.
    case urcStorm(interval: Duration, duration: Duration)
    /// The modem prints vendor lines such as `^RSSI: 18` and `^BOOT:...` every `interval`
    /// for `duration`.
    case vendorNoise(interval: Duration, duration: Duration)
    /// The next `AT+CMGS` reboots the modem after its PDU; `reachedNetwork` tells whether the
    /// SMSC got the message first, which the host cannot know.
    case rebootDuringSend(reachedNetwork: Bool)
    /// The modem reboots now and prints its boot banner again.
    case reboot
    /// The tty disappears, as a USB modem re-enumerating, and comes back after `downFor`
    /// under a new device name behind the same stable path.
    case reenumerate(downFor: Duration)
    /// The SIM is pulled out, or put back.
    case simRemoved
    case simInserted
    /// A domain's registration changes: `cs`, `ps` or `eps`.
    case registration(domain: String, state: Int)
    /// Registration alternates between registered and `state` every `interval` for `duration`.
    case registrationFlap(state: Int, interval: Duration, duration: Duration)
    /// The signal moves to `rssi` (0-31, or 99 for unknown).
    case signal(rssi: Int)
    /// The modem echoes every command twice, as some modules do after a reconnect.
    case doubledEcho(Bool)
    /// The modem keeps echoing after `ATE0`.
    case stuckEcho(Bool)

    /// The fault's name in the control protocol and in scenario files.
    public var name: String {
        switch self {
        case .cmsError: "cms_error"
        case .noAnswer: "no_answer"
        case .slowAnswer: "slow_answer"
        case .garbage: "garbage"
        case .urcStorm: "urc_storm"
        case .vendorNoise: "vendor_noise"
        case .rebootDuringSend: "reboot_during_send"
        case .reboot: "reboot"
        case .reenumerate: "reenumerate"
        case .simRemoved: "sim_removed"
        case .simInserted: "sim_inserted"
        case .registration: "registration"
        case .registrationFlap: "registration_flap"
        case .signal: "signal"
        case .doubledEcho: "doubled_echo"
        case .stuckEcho: "stuck_echo"
        }
    }
}
