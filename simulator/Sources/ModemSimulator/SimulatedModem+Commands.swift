import Core
import ATProtocol
import SMS

/// The outcome of one command of a command line.
enum CommandOutcome {
    /// Information lines; the line goes on to its next command.
    case lines([String])
    /// The line ends with this final result, after the lines so far.
    case fail(FinalResult)
    /// The modem prints the prompt and waits for a payload; this must be the last command.
    case prompt(SimulatedModem.PromptPurpose)
    /// The command wrote its own reply (a send waiting for the SMSC, a reset).
    case handled
}

extension SimulatedModem {
    /// Executes a command line and writes its reply.
    mutating func execute(_ line: String, at now: MonotonicInstant, _ effects: inout ModemEffects) {
        if isSilenced(line, at: now) { return }
        guard let commands = HostCommand.parse(line) else {
            reply([], .error, at: now, &effects)
            return
        }

        var lines: [String] = []
        for command in commands {
            switch run(command, at: now, &effects) {
            case .lines(let more):
                lines += more
            case .fail(let result):
                reply(lines, result, at: now, &effects)
                return
            case .prompt(let purpose):
                if !lines.isEmpty {
                    effects.write(Array(("\r\n" + lines.joined(separator: "\r\n") + "\r\n").utf8))
                }
                prompt = purpose
                input.awaitingPayload = true
                effects.write(ATResponseFormatter.prompt(dialect.promptStyle))
                return
            case .handled:
                return
            }
        }
        reply(lines, .ok, at: now, &effects)
    }

    /// Runs one command.
    mutating func run(_ command: HostCommand, at now: MonotonicInstant, _ effects: inout ModemEffects) -> CommandOutcome {
        let argument = command.argument
        let fields = ATFieldTokenizer.fields(in: argument)
        let numbers = fields.map(\.integer)

        switch (command.name, command.form) {
        // V.250 basic commands.
        case ("E", _):
            echo = argument != "0"
            return .lines([])
        case ("V", _):
            verbose = argument != "0"
            return .lines([])
        case ("Q", _), ("X", _), ("&C", _), ("&D", _), ("&W", _), ("L", _), ("M", _):
            return .lines([])
        case ("Z", _), ("&F", _):
            echo = true
            errorMode = 0
            messageFormat = .pdu
            return .lines([])
        case (let name, _) where name.hasPrefix("S"):
            guard command.form == .read else { return .lines([]) }
            // S3 is the line terminator, CR; the other registers read as 0.
            return .lines([name == "S3" ? "013" : "000"])
        case ("I", _):
            return .lines(dialect.identification(imei: configuration.imei))

        // Identity.
        case ("+CGMI", .execute), ("+GMI", .execute):
            return .lines([dialect.manufacturer])
        case ("+CGMM", .execute), ("+GMM", .execute):
            return .lines([dialect.model])
        case ("+CGMR", .execute), ("+GMR", .execute):
            return .lines([dialect == .simcom ? "+CGMR: \(dialect.revision)" : dialect.revision])
        case ("+CGSN", .execute), ("+GSN", .execute):
            return .lines([configuration.imei])
        case ("+GCAP", .execute):
            return .lines(["+GCAP: +CGSM"])
        case ("+CIMI", .execute):
            if let failure = simFailure(at: now) { return .fail(failure) }
            return .lines([configuration.imsi])
        case ("+CCID", .execute), ("+ICCID", .execute), ("+CCID", .read):
            if let failure = simFailure(at: now) { return .fail(failure) }
            return .lines(["+CCID: \(configuration.iccid)"])
        case ("+QCCID", .execute) where dialect == .quectel:
            if let failure = simFailure(at: now) { return .fail(failure) }
            return .lines(["+QCCID: \(configuration.iccid)"])
        case ("+CICCID", .execute) where dialect == .simcom:
            if let failure = simFailure(at: now) { return .fail(failure) }
            return .lines(["ICCID: \(configuration.iccid)"])

        // Errors and SIM.
        case ("+CMEE", .set):
            guard let mode = numbers.first ?? nil, (0...2).contains(mode) else { return .fail(cmeError(50)) }
            errorMode = mode
            return .lines([])
        case ("+CMEE", .read):
            return .lines(["+CMEE: \(errorMode)"])
        case ("+CMEE", .test):
            return .lines(["+CMEE: (0-2)"])
        case ("+CPIN", .read):
            switch sim {
            case .notInserted: return .fail(cmeError(10))
            case .ready: return .lines([PINStatus(code: "READY").line])
            case .pinRequired: return .lines([PINStatus(code: "SIM PIN").line])
            case .pukRequired: return .lines([PINStatus(code: "SIM PUK").line])
            }
        case ("+CPIN", .set):
            return enterPIN(fields.compactMap(\.string), at: now, &effects)
        case ("+CPINR", _):
            return .lines([
                "+CPINR: SIM PIN,\(pinAttempts),3", "+CPINR: SIM PUK,\(pukAttempts),10",
            ])
        case ("+QPINC", _) where dialect == .quectel:
            return .lines([PINRetryCounts(prefix: "+QPINC", pin: pinAttempts, puk: pukAttempts).line])
        case ("+SPIC", _) where dialect == .simcom:
            return .lines([PINRetryCounts(prefix: "+SPIC", pin: pinAttempts, puk: pukAttempts, pin2: 3, puk2: 10).line])

        // Functionality and power.
        case ("+CFUN", .read):
            return .lines([SingleValueResponse(prefix: "+CFUN", value: functionality).line])
        case ("+CFUN", .test):
            return .lines(["+CFUN: (0,1,4),(0,1)"])
        case ("+CFUN", .set):
            guard let level = numbers.first ?? nil, [0, 1, 4].contains(level) else { return .fail(cmeError(50)) }
            if numbers.count > 1, numbers[1] == 1 {
                // Reset: OK first, then the module restarts and prints its banner again.
                reply([], .ok, at: now, &effects)
                powerOn(&effects)
                return .handled
            }
            // Full functionality when already there changes nothing, as on real modules.
            let previous = functionality
            functionality = level
            if level == 1 {
                if previous != 1, sim == .ready { startNetwork(&effects) }
            } else {
                for domain in [NetworkRegistration.Domain.circuitSwitched, .packetSwitched, .eps] {
                    setRegistration(domain, .notRegistered, &effects)
                }
            }
            return .lines([])
        case (let name, _) where name == dialect.powerDownCommand || (name == "+CRESET" && dialect == .simcom):
            reply([], .ok, at: now, &effects)
            let restart = command.name == "+CRESET"
            if !restart {
                effects.urc(dialect.powerDownLine)
            }
            powerOff()
            if restart {
                effects.timers.append((ModemTimer(generation: generation, event: .powerOnAfterDown), .milliseconds(200)))
            }
            return .handled

        // Network.
        case ("+CREG", _), ("+CGREG", _), ("+CEREG", _):
            // The case pattern matched one of the three prefixes.
            let domain = NetworkRegistration.Domain(rawValue: command.name)!
            switch command.form {
            case .set:
                guard let mode = numbers.first ?? nil, (0...2).contains(mode) else { return .fail(cmeError(50)) }
                registrationReporting[domain] = mode
                return .lines([])
            case .read:
                return .lines([registrationLine(domain, reportingMode: registrationReporting[domain] ?? 0)])
            case .test:
                return .lines(["\(command.name): (0-2)"])
            case .execute:
                return .fail(.error)
            }
        case ("+CSQ", .execute):
            let value = functionality == 1 && simPresent ? rssi : 99
            return .lines([SignalQuality(rssi: value, bitErrorRate: 99).line])
        case ("+CSQ", .test):
            return .lines(["+CSQ: (0-31,99),(0-7,99)"])
        case ("+CESQ", .execute):
            guard functionality == 1, rssi != 99 else { return .lines([ExtendedSignalQuality().line]) }
            let rsrpDBm = -113 + 2 * rssi - 20
            return .lines([ExtendedSignalQuality(rsrq: 20, rsrp: max(0, min(97, rsrpDBm + 141))).line])
        case ("+QCSQ", .execute) where dialect == .quectel:
            guard functionality == 1, rssi != 99, isRegistered else { return .lines([QuectelSignalQuality(systemMode: "NOSERVICE", values: []).line]) }
            let rssiDBm = -113 + 2 * rssi
            return .lines([QuectelSignalQuality(systemMode: "LTE", values: [rssiDBm, rssiDBm - 20, 120, -10]).line])
        case ("+CPSI", .read) where dialect == .simcom:
            guard functionality == 1, isRegistered else { return .lines(["+CPSI: NO SERVICE,Online"]) }
            let rsrp = -1130 + 20 * rssi - 200
            return .lines(["+CPSI: LTE,Online,460-00,0x5A1E,187214342,257,EUTRAN-BAND3,1300,5,5,-94,\(rsrp),-542,15"])
        case ("+CBC", .execute):
            return .lines(["+CBC: 0,100,4200"])
        case ("+CGATT", .read):
            return .lines(["+CGATT: \(registrationState(.eps).isRegistered || registrationState(.packetSwitched).isRegistered ? 1 : 0)"])
        case ("+CGATT", .set), ("+CLIP", .set), ("+CUSD", .set), ("+CRC", .set), ("+CMER", .set):
            return .lines([])
        case ("+CVHU", .set):
            // python-gsmmodem sends AT+CVHU=0 while it connects, and SIM7600 drivers send it so
            // that ATH ends a voice call. NOTE: the EC25 reply is assumed to be the same.
            guard let mode = numbers.first ?? nil, (0...1).contains(mode) else { return .fail(cmeError(50)) }
            voiceHangupControl = mode
            return .lines([])
        case ("+CVHU", .read):
            return .lines([SingleValueResponse(prefix: "+CVHU", value: voiceHangupControl).line])
        case ("+CVHU", .test):
            return .lines(["+CVHU: (0,1)"])
        case ("+CLIP", .read):
            return .lines(["+CLIP: 0,1"])
        case ("+CUSD", .read):
            return .lines(["+CUSD: 0"])
        case ("+CPAS", .execute):
            return .lines(["+CPAS: 0"])
        case ("+CNUM", .execute):
            return .lines(["+CNUM: ,\"\(configuration.simNumber)\",145"])
        case ("+CEER", .execute):
            return .lines(["+CEER: No cause information available"])
        case ("+COPS", .read):
            guard isRegistered else { return .lines([OperatorSelection(mode: 0).line]) }
            let name = operatorFormat == 2 ? configuration.operatorNumeric : configuration.operatorName
            return .lines([OperatorSelection(mode: 0, format: operatorFormat, operatorName: name, accessTechnology: .eutran).line])
        case ("+COPS", .test):
            let network = OperatorScan.Network(
                status: 2, longName: configuration.operatorName, shortName: "CMCC",
                numericCode: configuration.operatorNumeric, accessTechnology: .eutran)
            return .lines([OperatorScan(networks: [network]).line])
        case ("+COPS", .set):
            if numbers.count > 1, let format = numbers[1] {
                operatorFormat = format
            }
            if numbers.first == 2 {
                for domain in [NetworkRegistration.Domain.circuitSwitched, .packetSwitched, .eps] {
                    setRegistration(domain, .notRegistered, &effects)
                }
            } else if numbers.first == 0, !isRegistered, sim == .ready {
                startNetwork(&effects)
            }
            return .lines([])

        default:
            return runSMS(command, fields: fields, at: now, &effects)
        }
    }

    /// Returns the error a SIM command gets now, or nil when the SIM can reply.
    func simFailure(at now: MonotonicInstant) -> FinalResult? {
        switch sim {
        case .notInserted: return cmeError(10)
        case .pinRequired: return cmeError(11)
        case .pukRequired: return cmeError(12)
        case .ready:
            if let until = simBusyUntil, now < until { return cmeError(14) }
            return nil
        }
    }

    /// Handles `AT+CPIN="<pin>"` and `AT+CPIN="<puk>","<new pin>"`.
    mutating func enterPIN(_ values: [String], at now: MonotonicInstant, _ effects: inout ModemEffects) -> CommandOutcome {
        switch sim {
        case .notInserted:
            return .fail(cmeError(10))
        case .ready:
            // 27.007 §8.3: entering a PIN when none is needed is not allowed.
            return .fail(cmeError(3))
        case .pinRequired:
            guard values.count == 1 else { return .fail(cmeError(50)) }
            guard values[0] == configuration.pin else {
                pinAttempts -= 1
                if pinAttempts <= 0 {
                    sim = .pukRequired
                }
                return .fail(cmeError(16))
            }
        case .pukRequired:
            guard values.count == 2 else { return .fail(cmeError(12)) }
            guard values[0] == configuration.puk else {
                pukAttempts -= 1
                return .fail(cmeError(16))
            }
            pukAttempts = 10
        }
        sim = .ready
        pinAttempts = 3
        simBusyUntil = now.advanced(by: configuration.simBusyAfterUnlock)
        reply([], .ok, at: now, &effects)
        unsolicited(PINStatus(code: "READY").line, &effects)
        effects.timers.append((ModemTimer(generation: generation, event: .simReady), configuration.simBusyAfterUnlock))
        return .handled
    }
}
