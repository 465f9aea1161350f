/// The registration status `<stat>` of `+CREG`, `+CGREG`, `+CEREG` and `+C5GREG`.
///
/// A struct rather than an enum because newer releases of 27.007 keep adding values and a
/// modem may report one this code does not know. The raw value is kept either way.
/// 3GPP TS 27.007 §7.2, §10.1.20, §10.1.22, §10.1.23
public struct RegistrationState: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    /// 0: not registered, and not searching for an operator.
    public static let notRegistered = Self(rawValue: 0)
    /// 1: registered on the home network.
    public static let home = Self(rawValue: 1)
    /// 2: not registered, searching for an operator.
    public static let searching = Self(rawValue: 2)
    /// 3: registration denied. It stays denied until the subscription or SIM changes.
    public static let denied = Self(rawValue: 3)
    /// 4: unknown, for example out of coverage.
    public static let unknown = Self(rawValue: 4)
    /// 5: registered, roaming.
    public static let roaming = Self(rawValue: 5)
    /// 6: registered for SMS only, home network.
    public static let homeSMSOnly = Self(rawValue: 6)
    /// 7: registered for SMS only, roaming.
    public static let roamingSMSOnly = Self(rawValue: 7)
    /// 8: attached for emergency bearer services only.
    public static let emergencyOnly = Self(rawValue: 8)
    /// 9: registered for CSFB not preferred, home network.
    public static let homeCSFBNotPreferred = Self(rawValue: 9)
    /// 10: registered for CSFB not preferred, roaming.
    public static let roamingCSFBNotPreferred = Self(rawValue: 10)
    /// 11: attached for access to restricted local operator services.
    public static let restrictedLocalServices = Self(rawValue: 11)

    /// Whether the modem is registered on a network that can carry SMS.
    public var isRegistered: Bool {
        [1, 5, 6, 7, 9, 10].contains(rawValue)
    }

    public var description: String {
        switch rawValue {
        case 0: return "not registered"
        case 1: return "registered, home"
        case 2: return "searching"
        case 3: return "denied"
        case 4: return "unknown"
        case 5: return "registered, roaming"
        case 6: return "registered for SMS only, home"
        case 7: return "registered for SMS only, roaming"
        case 8: return "emergency bearer services only"
        case 9: return "registered, CSFB not preferred, home"
        case 10: return "registered, CSFB not preferred, roaming"
        case 11: return "restricted local operator services"
        default: return "state \(rawValue)"
        }
    }
}

/// The access technology `<AcT>` of `+COPS` and the registration responses.
/// 3GPP TS 27.007 §7.3
public struct AccessTechnology: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: Int

    public init(rawValue: Int) {
        self.rawValue = rawValue
    }

    public static let gsm = Self(rawValue: 0)
    public static let gsmCompact = Self(rawValue: 1)
    public static let utran = Self(rawValue: 2)
    public static let gsmEGPRS = Self(rawValue: 3)
    public static let utranHSDPA = Self(rawValue: 4)
    public static let utranHSUPA = Self(rawValue: 5)
    public static let utranHSPA = Self(rawValue: 6)
    public static let eutran = Self(rawValue: 7)
    public static let ecGSMIoT = Self(rawValue: 8)
    public static let eutranNBS1 = Self(rawValue: 9)
    public static let eutra5GCN = Self(rawValue: 10)
    public static let nr5GCN = Self(rawValue: 11)
    public static let ngRAN = Self(rawValue: 12)
    public static let eutraNRDualConnectivity = Self(rawValue: 13)

    public var description: String {
        switch rawValue {
        case 0: return "GSM"
        case 1: return "GSM Compact"
        case 2: return "UTRAN"
        case 3: return "GSM w/EGPRS"
        case 4: return "UTRAN w/HSDPA"
        case 5: return "UTRAN w/HSUPA"
        case 6: return "UTRAN w/HSDPA and HSUPA"
        case 7: return "E-UTRAN"
        case 8: return "EC-GSM-IoT"
        case 9: return "E-UTRAN (NB-S1)"
        case 10: return "E-UTRA connected to 5GCN"
        case 11: return "NR connected to 5GCN"
        case 12: return "NG-RAN"
        case 13: return "E-UTRA-NR dual connectivity"
        default: return "AcT \(rawValue)"
        }
    }
}
