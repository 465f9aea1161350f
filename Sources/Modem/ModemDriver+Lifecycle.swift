import ATProtocol
import Core
import Foundation
import SMS

extension ModemDriver {
    /// Connects, initialises and monitors the modem, and climbs the recovery ladder on failure.
    func supervise() async {
        while !stopped {
            if port == nil {
                setState(.connecting)
                guard await openPort() else { return }
            }
            do {
                setState(.initialising)
                try await initialise()
                ladder.succeeded()
                healthProblem = nil
                setState(.ready)
                try await monitor()
            } catch ModemFailure.needsOperator(let reason) {
                setState(.unavailable(reason: reason))
                emit(.alarm(reason))
                logger.error("SMS unavailable until an operator acts", ["modem.reason": .plain(reason)])
                // Check again now and then: a SIM may be inserted, or registration allowed.
                try? await Task.sleep(for: .seconds(10))
                closePort(reason: "rechecking after operator condition")
            } catch {
                if stopped { return }
                // A command cut off by a requested restart is expected, not a fault.
                if restartRequested {
                    await waitForRequestedRestart()
                } else {
                    await recover(from: String(describing: error))
                }
            }
        }
    }

    /// Takes one step of the recovery ladder.
    func recover(from reason: String) async {
        let (step, wait, exhausted) = ladder.failed()
        count("recovery.\(step.rawValue)")
        logger.warning(
            "recovering", ["modem.reason": .plain(reason), "recovery.step": .plain(step.rawValue), "recovery.count": .plain(String(ladder.counts[step] ?? 0))])
        if exhausted {
            emit(.alarm("modem does not recover; retrying every \(wait)"))
            logger.critical("recovery ladder exhausted", ["recovery.wait": .plain("\(wait)")])
        }
        setState(.recovering(step: step))
        healthProblem = nil
        if wait > .zero {
            try? await Task.sleep(for: wait)
        }
        switch step {
        case .resend:
            break  // The next initialisation sends AT again on the open port.
        case .reopenPort:
            closePort(reason: "recovery: reopen")
        case .pulseReset:
            closePort(reason: "recovery: reset line")
            do {
                try await controlLines?.pulseReset()
            } catch {
                logger.error("reset line pulse failed", ["error": .plain(String(describing: error))])
            }
        case .powerCycle:
            closePort(reason: "recovery: power cycle")
            do {
                try await controlLines?.powerCycle()
            } catch {
                logger.error("power cycle failed", ["error": .plain(String(describing: error))])
            }
        }
    }

    // MARK: Initialisation

    /// Initialises the modem from its first reply to ready for SMS.
    func initialise() async throws {
        smsReady = false
        registrations.reset()
        try await awaitFirstAnswer()

        // Echo off, checked. A modem that keeps echoing still works, because the engine
        // drops echoed lines, and the log records it.
        try await expectOK(.echoOff)
        let echoes = engine.echoLineCount
        try await expectOK(.attention)
        if engine.echoLineCount > echoes {
            count("echo.stuck")
            logger.warning("modem still echoes after ATE0")
        }
        try await expectOK(.numericErrors)

        try await readIdentity()
        try await unlockSIM()
        try await waitForSMSReady()
        try await configureSMS()
        try await enableRegistrationReports()
        try await pollRegistration()
        try await pollSignal()
        try await pollOperator()
        try await sweepStorage()
    }

    /// Sends `AT` until the modem replies `OK`, within the startup timeout.
    func awaitFirstAnswer() async throws {
        let deadline = clock.now.advanced(by: settings.startupTimeout)
        while clock.now < deadline {
            if let response = try? await execute(ATCommand("AT", kind: .quick)), response.result.isSuccess {
                return
            }
            if port == nil {
                throw ModemFailure.unhealthy("port closed during startup")
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        throw ModemFailure.unhealthy("AT timed out: no OK within \(settings.startupTimeout)")
    }

    func readIdentity() async throws {
        let manufacturer = try await expectOK(.manufacturer).lines.first ?? ""
        let model = try await expectOK(.model).lines.first ?? ""
        let revision = (try? await expectOK(.revision).lines.first) ?? ""
        let imei = (try? await expectOK(.imei).lines.first) ?? ""
        dialect = ModemDialect(manufacturer: manufacturer, model: model)
        identity = (manufacturer, model, revision, imei)
        emit(.identity(manufacturer: manufacturer, model: model, imei: imei))
        logger.info("modem identified", ["modem.manufacturer": .plain(manufacturer), "modem.model": .plain(model), "modem.dialect": .plain(dialect.rawValue)])
    }

    /// Reads the SIM state and enters the PIN when one is needed and allowed.
    func unlockSIM() async throws {
        let status = try await simStatus()
        simState = status
        emit(.sim(status))
        switch status {
        case "READY":
            break
        case "SIM PIN":
            try await enterPIN()
        case "SIM PUK":
            throw ModemFailure.needsOperator("SIM is locked behind its PUK; enter the PUK and a new PIN")
        case "NOT INSERTED":
            throw ModemFailure.needsOperator("no SIM inserted")
        default:
            throw ModemFailure.needsOperator("SIM state \(status) needs an operator")
        }
        try await readSIMIdentity()
    }

    /// Returns the `+CPIN` state, retrying while the SIM is busy.
    func simStatus() async throws -> String {
        for _ in 0..<20 {
            let response = try await execute(.readPINStatus)
            if let status = response.first(PINStatus.self) {
                return status.code
            }
            if case .cmeError(let error) = response.result {
                if error.code == 10 { return "NOT INSERTED" }
                if error.code == 14 {
                    try await Task.sleep(for: .milliseconds(500))
                    continue
                }
            }
            throw ModemCommandError(command: "AT+CPIN?", result: response.result)
        }
        throw ModemFailure.unhealthy("SIM stays busy")
    }

    func enterPIN() async throws {
        guard let pin = settings.pin else {
            throw ModemFailure.needsOperator("SIM needs a PIN and none is configured")
        }
        let record = PINRecord(stateDirectory: settings.stateDirectory)
        let iccid = try? await readICCID()
        if record.wasRejected(pin: pin, iccid: iccid) {
            throw ModemFailure.needsOperator("the configured PIN was rejected before; it is not sent again; configure the right PIN")
        }
        if let counts = try? await execute(dialect.pinCounterCommand).first(PINRetryCounts.self), let left = counts.pin {
            logger.info("SIM PIN attempts left", ["sim.pin_attempts": .plain(String(left))])
            if left <= 1 {
                throw ModemFailure.needsOperator("only \(left) PIN attempt left; enter the PIN by hand to avoid a PUK lock")
            }
        }
        let response = try await execute(try ATCommand.enterPIN(pin))
        if response.result.isSuccess {
            logger.info("SIM PIN accepted")
            try await waitForSIMReady()
            return
        }
        if case .cmeError(let error) = response.result, error.isIncorrectPassword {
            try? record.recordRejection(pin: pin, iccid: iccid)
            count("sim.pin_rejected")
            throw ModemFailure.needsOperator("the SIM rejected the configured PIN; it will not be sent again")
        }
        throw ModemCommandError(command: "AT+CPIN", result: response.result)
    }

    func waitForSIMReady() async throws {
        for _ in 0..<40 {
            if try await simStatus() == "READY" { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw ModemFailure.unhealthy("SIM not ready after the PIN")
    }

    func readICCID() async throws -> String? {
        let response = try await execute(dialect.iccidCommand)
        return try? DeviceIdentity.iccid(in: response.lines)
    }

    func readSIMIdentity() async throws {
        for _ in 0..<20 {
            let response = try await execute(.imsi)
            if response.result.isSuccess {
                imsi = try? DeviceIdentity.imsi(in: response.lines)
                break
            }
            // CME 14: the SIM is busy for a while after it is unlocked.
            try await Task.sleep(for: .milliseconds(500))
        }
        iccid = try? await readICCID()
    }

    /// Waits for the SMS-ready URC or for SMS commands to work.
    func waitForSMSReady() async throws {
        let deadline = clock.now.advanced(by: settings.smsReadyTimeout)
        while clock.now < deadline {
            if smsReady { return }
            let response = try await execute(.readPreferredStorage)
            if response.result.isSuccess {
                smsReady = true
                return
            }
            try await Task.sleep(for: .milliseconds(300))
        }
        throw ModemFailure.unhealthy("SMS not ready within \(settings.smsReadyTimeout)")
    }

    func configureSMS() async throws {
        try await expectOK(.setMessageFormat(.pdu))

        // Receiving storage: ME where the module has it (more room than the SIM), else SM.
        let supported = try? await execute(.testPreferredStorage).first(SupportedStorages.self)
        let memories = supported?.memories.first ?? ["SM"]
        let memory = memories.contains("ME") ? "ME" : "SM"
        try await expectOK(.setPreferredStorage([memory, memory, memory]))
        receiveMemory = memory
        // Messages may wait in either memory: the SIM keeps those that arrived while another
        // device or firmware had it, so the sweep lists both.
        sweepMemories = [memory] + ["SM", "ME"].filter { $0 != memory && memories.contains($0) }

        // New messages are stored and announced (+CMTI), so they survive until deleted;
        // status reports come directly (+CDS).
        try await expectOK(.setNewMessageIndications(mode: 2, messageIndication: 1, broadcastIndication: 0, statusReportIndication: 1, bufferHandling: 0))

        let service = try? await execute(ATCommand("AT+CSMS?", response: .prefixed("+CSMS")))
        acknowledgementNeeded = service?.lines.first?.hasPrefix("+CSMS: 1") ?? false

        let centre = try? await execute(.readServiceCentre).first(ServiceCentreAddress.self)
        smscAddress = centre?.decodedAddress
        if smscAddress?.isEmpty ?? true {
            emit(.alarm("no SMS service centre set on the SIM; set it with AT+CSCA"))
        }

        moreMessagesSupported = (try? await execute(.setMoreMessagesToSend(2)))?.result.isSuccess ?? false
    }

    func enableRegistrationReports() async throws {
        for domain in [NetworkRegistration.Domain.circuitSwitched, .packetSwitched, .eps] {
            _ = try await execute(.setRegistrationReporting(domain, mode: 2))
        }
    }
}
