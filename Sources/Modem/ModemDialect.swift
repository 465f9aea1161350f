import ATProtocol

/// Vendor behaviour the driver adapts to, picked from `AT+CGMI` and `AT+CGMM`.
public enum ModemDialect: String, Sendable, Equatable {
    case quectel
    case simcom
    case huawei
    case generic

    init(manufacturer: String, model: String) {
        let text = (manufacturer + " " + model).uppercased()
        if text.contains("QUECTEL") {
            self = .quectel
        } else if text.contains("SIMCOM") {
            self = .simcom
        } else if text.contains("HUAWEI") {
            self = .huawei
        } else {
            self = .generic
        }
    }

    /// The command that reads the SIM's ICCID.
    var iccidCommand: ATCommand {
        switch self {
        case .quectel: .iccid(.quectel)
        case .simcom: .iccid(.simcom)
        default: .iccid(.standard)
        }
    }

    /// The command that reads the PIN and PUK attempts left, if the vendor has one.
    var pinCounterCommand: ATCommand {
        switch self {
        case .quectel: .readQuectelPINCounters
        case .simcom: .readSIMComPINCounters
        default: .readPINRetries
        }
    }
}
