import Core
import ATProtocol
import SMS

extension SimulatedModem {
    /// Runs a timer that has come due.
    mutating func fire(_ timer: ModemTimer, at now: MonotonicInstant, _ effects: inout ModemEffects) {
        guard timer.generation == generation else { return }
        switch timer.event {
        case .boot:
            power = .on
            for line in dialect.bootLines {
                unsolicited(line, &effects)
            }
            unsolicited("+CFUN: 1", &effects)
            switch sim {
            case .ready:
                unsolicited(PINStatus(code: "READY").line, &effects)
                startNetwork(&effects)
            case .pinRequired:
                unsolicited(PINStatus(code: "SIM PIN").line, &effects)
            case .pukRequired:
                unsolicited(PINStatus(code: "SIM PUK").line, &effects)
            case .notInserted:
                unsolicited(PINStatus(code: "NOT INSERTED").line, &effects)
            }

        case .simReady:
            startNetwork(&effects)

        case .smsReady:
            guard sim == .ready else { return }
            smsReady = true
            for line in dialect.smsReadyLines {
                unsolicited(line, &effects)
            }

        case .register(let domains, let state):
            guard sim == .ready, functionality == 1 else { return }
            for domain in domains {
                setRegistration(domain, state, &effects)
            }

        case .sendResult(let command, let reference, let cmsCause):
            busy = false
            if let cmsCause {
                reply([], cmsError(cmsCause), at: now, &effects)
            } else {
                reply([MessageReference(prefix: command, reference: Int(reference)).line], .ok, at: now, &effects)
            }
            drainQueue(at: now, &effects)

        case .emit(let bytes):
            effects.write(bytes)

        case .finishDelayedReply:
            busy = false
            drainQueue(at: now, &effects)

        case .storm(let until, let interval):
            guard now < until else { return }
            let state: RegistrationState = random.next() % 2 == 0 ? .searching : .notRegistered
            unsolicited(NetworkRegistration(domain: .circuitSwitched, state: state).line, &effects)
            unsolicited(NetworkRegistration(domain: .packetSwitched, state: .notRegistered).line, &effects)
            effects.timers.append((ModemTimer(generation: generation, event: .storm(until: until, interval: interval)), interval))

        case .noise(let until, let interval):
            guard now < until else { return }
            let lines = ["^RSSI: \(rssi)", "^BOOT:20952387,0,0,0,6", "^MODE: 17,17"]
            unsolicited(lines[Int(random.next() % UInt64(lines.count))], &effects)
            effects.timers.append((ModemTimer(generation: generation, event: .noise(until: until, interval: interval)), interval))

        case .flap(let state, let registered, let until, let interval):
            let next: RegistrationState = now >= until ? .home : (registered ? state : .home)
            for domain in [NetworkRegistration.Domain.circuitSwitched, .eps] {
                setRegistration(domain, next, &effects)
            }
            if now < until {
                let event = ModemTimer.Event.flap(state: state, registered: !registered, until: until, interval: interval)
                effects.timers.append((ModemTimer(generation: generation, event: event), interval))
            }

        case .portReturns:
            effects.portChanges.append(false)
            powerOn(&effects)

        case .powerOnAfterDown:
            powerOn(&effects)
        }
    }

    /// Starts registration and SMS readiness once the SIM is ready.
    mutating func startNetwork(_ effects: inout ModemEffects) {
        let all: [NetworkRegistration.Domain] = [.circuitSwitched, .packetSwitched, .eps]
        for domain in all {
            setRegistration(domain, .searching, &effects)
        }
        effects.timers.append((ModemTimer(generation: generation, event: .register(domains: all, state: .home)), configuration.registrationDelay))
        effects.timers.append((ModemTimer(generation: generation, event: .smsReady), configuration.smsReadyDelay))
    }

    /// Changes a domain's state and reports it as `+CREG`, `+CGREG` or `+CEREG` if enabled.
    mutating func setRegistration(_ domain: NetworkRegistration.Domain, _ state: RegistrationState, _ effects: inout ModemEffects) {
        guard registration[domain] != state else { return }
        registration[domain] = state
        let mode = registrationReporting[domain] ?? 0
        guard mode > 0 else { return }
        unsolicited(registrationLine(domain, reportingMode: nil), &effects)
    }

    /// The registration line of a domain: a URC when `reportingMode` is nil, else a read reply.
    func registrationLine(_ domain: NetworkRegistration.Domain, reportingMode: Int?) -> String {
        let state = registrationState(domain)
        let mode = registrationReporting[domain] ?? 0
        let located = mode >= 2 && state.isRegistered
        return NetworkRegistration(
            domain: domain, reportingMode: reportingMode, state: state,
            areaCode: located ? 0x5A1E : nil, cellID: located ? 0xB28_BE06 : nil,
            accessTechnology: located ? .eutran : nil
        ).line
    }

    // MARK: Faults

    /// Applies a fault to this modem.
    mutating func apply(_ fault: Fault, at now: MonotonicInstant, _ effects: inout ModemEffects) {
        switch fault {
        case .cmsError:
            break  // The network carries destination faults.
        case .noAnswer(let prefix, let duration):
            silentPrefix = .some(prefix)
            silentUntil = now.advanced(by: duration)
        case .slowAnswer(let delay, let duration):
            replyDelay = delay
            replyDelayUntil = now.advanced(by: duration)
        case .garbage(let count):
            var bytes: [UInt8] = []
            for _ in 0..<count {
                bytes.append(UInt8(truncatingIfNeeded: random.next()))
            }
            effects.write(bytes)
        case .urcStorm(let interval, let duration):
            effects.timers.append((ModemTimer(generation: generation, event: .storm(until: now.advanced(by: duration), interval: interval)), .zero))
        case .vendorNoise(let interval, let duration):
            effects.timers.append((ModemTimer(generation: generation, event: .noise(until: now.advanced(by: duration), interval: interval)), .zero))
        case .rebootDuringSend(let reachedNetwork):
            rebootOnNextSend = reachedNetwork
        case .reboot:
            powerOn(&effects)
        case .reenumerate(let downFor):
            powerOff()
            effects.portChanges.append(true)
            effects.timers.append((ModemTimer(generation: generation, event: .portReturns), downFor))
        case .simRemoved:
            simPresent = false
            sim = .notInserted
            smsReady = false
            for domain in [NetworkRegistration.Domain.circuitSwitched, .packetSwitched, .eps] {
                setRegistration(domain, .notRegistered, &effects)
            }
            if power == .on {
                unsolicited(PINStatus(code: "NOT INSERTED").line, &effects)
            }
        case .simInserted:
            simPresent = true
            sim = configuration.pin == nil ? .ready : .pinRequired
            if power == .on {
                unsolicited(PINStatus(code: sim == .ready ? "READY" : "SIM PIN").line, &effects)
                if sim == .ready {
                    startNetwork(&effects)
                }
            }
        case .registration(let name, let state):
            let domain: NetworkRegistration.Domain
            switch name.lowercased() {
            case "cs", "creg": domain = .circuitSwitched
            case "ps", "cgreg": domain = .packetSwitched
            default: domain = .eps
            }
            setRegistration(domain, RegistrationState(rawValue: state), &effects)
        case .registrationFlap(let state, let interval, let duration):
            let event = ModemTimer.Event.flap(state: RegistrationState(rawValue: state), registered: true, until: now.advanced(by: duration), interval: interval)
            effects.timers.append((ModemTimer(generation: generation, event: event), .zero))
        case .signal(let value):
            rssi = value
        case .doubledEcho(let enabled):
            doubledEcho = enabled
        case .stuckEcho(let enabled):
            stuckEcho = enabled
        }
    }
}
