import ATProtocol

/// The behaviour that differs between module vendors, after the modules' AT manuals.
public enum ModemDialect: String, Sendable, CaseIterable, Codable {
    /// Like a Quectel EC25: `RDY` at boot, `+QIND: SMS DONE` when SMS is ready, `> ` prompt,
    /// `+QCSQ`, `+QPINC`, `+QCCID`, `AT+QPOWD`.
    case quectel
    /// Like a SIMCom SIM7600: `SMS Ready` when SMS is ready, a bare `>` prompt on its own
    /// line, `+CPSI`, `+SPIC`, `+CICCID`, `AT+CPOF`, `AT+CRESET`.
    case simcom

    var manufacturer: String {
        switch self {
        case .quectel: "Quectel"
        case .simcom: "SIMCOM INCORPORATED"
        }
    }

    var model: String {
        switch self {
        case .quectel: "EC25"
        case .simcom: "SIMCOM_SIM7600CE-T"
        }
    }

    var revision: String {
        switch self {
        case .quectel: "EC25EFAR06A09M4G"
        case .simcom: "LE20B04SIM7600M22"
        }
    }

    var promptStyle: ATResponseFormatter.PromptStyle {
        switch self {
        case .quectel: .spaceAfter
        case .simcom: .lineEnd
        }
    }

    /// The TE character set after power-on: `GSM` on an EC25, as the 1NCE EC25 guide
    /// gives it. NOTE: the SIM7600's `IRA` is the simulator's earlier value, not checked.
    var defaultCharacterSet: String {
        switch self {
        case .quectel: "GSM"
        case .simcom: "IRA"
        }
    }

    /// The lines `ATI` prints.
    func identification(imei: String) -> [String] {
        switch self {
        case .quectel:
            ["Quectel", "EC25", "Revision: \(revision)"]
        case .simcom:
            ["Manufacturer: \(manufacturer)", "Model: \(model)", "Revision: \(revision)", "IMEI: \(imei)", "+GCAP: +CGSM"]
        }
    }

    /// The URCs printed when the module has booted, before the SIM is read.
    var bootLines: [String] {
        ["RDY"]
    }

    /// The URCs printed when SMS is ready.
    var smsReadyLines: [String] {
        switch self {
        case .quectel: ["+QIND: SMS DONE", "+QIND: PB DONE"]
        case .simcom: ["SMS Ready", "PB DONE"]
        }
    }

    /// The command that powers the module down, and the URC it prints.
    var powerDownCommand: String {
        switch self {
        case .quectel: "+QPOWD"
        case .simcom: "+CPOF"
        }
    }

    var powerDownLine: String {
        switch self {
        case .quectel: "POWERED DOWN"
        case .simcom: "NORMAL POWER DOWN"
        }
    }

    /// The storages `AT+CPMS=?` lists for each of its three parameters.
    var storages: [String] {
        switch self {
        case .quectel: ["SM", "ME", "SR"]
        case .simcom: ["ME", "SM", "SR"]
        }
    }
}
