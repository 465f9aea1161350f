import ATProtocol
import Core
import SMS

extension ModemDriver {
    /// Keeps polling and housekeeping until the modem becomes unhealthy or the driver stops.
    func monitor() async throws {
        var nextSignal = clock.now.advanced(by: signalInterval)
        var nextRegistration = clock.now.advanced(by: settings.registrationPoll)
        var nextSweep = clock.now.advanced(by: settings.storageSweep)

        while !stopped {
            if restartRequested {
                throw ModemFailure.restartRequested
            }
            if let problem = healthProblem {
                throw ModemFailure.unhealthy(problem)
            }
            let now = clock.now
            if now >= nextSignal {
                try await pollSignal()
                nextSignal = clock.now.advanced(by: signalInterval)
            }
            if now >= nextRegistration {
                try await pollRegistration()
                nextRegistration = clock.now.advanced(by: settings.registrationPoll)
            }
            if now >= nextSweep {
                try await sweepStorage()
                nextSweep = clock.now.advanced(by: settings.storageSweep)
            }
            for (domain, state) in registrations.tick(at: clock.now) {
                announce(domain, state)
            }
            deliver(reassembler.expire(at: clock.now))

            var deadlines = [nextSignal, nextRegistration, nextSweep]
            deadlines += [registrations.nextDeadline, reassembler.nextDeadline].compactMap { $0 }
            // Deadlines never lie in the past here, because every due one ran above.
            await waitForHealthProblem(until: deadlines.min()!)
        }
    }

    /// The signal poll interval: fast until a valid reading exists, then slow.
    var signalInterval: Duration {
        signal?.rssiDBm == nil && signal?.rsrpDBm == nil ? settings.signalPollFast : settings.signalPollSlow
    }

    /// Sleeps until `deadline` or until a health problem is reported, whichever comes first.
    func waitForHealthProblem(until deadline: MonotonicInstant) async {
        guard healthProblem == nil, !stopped else { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            healthWaiter = continuation
            let timer = loop.schedule(atNanoseconds: deadline.nanoseconds) { [unowned self] in
                self.assumeIsolated { $0.wakeHealthWaiter() }
            }
            _ = timer
        }
    }

    // MARK: Polls

    func pollSignal() async throws {
        var rssi: Int?
        var rsrp: Int?
        let quality = try await execute(.readSignalQuality).first(SignalQuality.self)
        // Values outside 0-31 are not readings: 99 means unknown, anything else is garbage.
        if let value = quality?.rssi, (0...31).contains(value) {
            // 27.007 §8.5: 0 is -113 dBm or less, 31 is -51 dBm or more, 2 dB per step.
            rssi = -113 + 2 * value
        }
        switch dialect {
        case .quectel:
            if let report = try? await execute(.readQuectelSignal).first(QuectelSignalQuality.self),
                report.systemMode == "LTE", report.values.count >= 2
            {
                rsrp = report.values[1]
            }
        default:
            if let extended = try? await execute(.readExtendedSignalQuality).first(ExtendedSignalQuality.self),
                extended.rsrp != 255
            {
                rsrp = extended.rsrp - 141
            }
        }
        // 99 means not known: the last good reading stays, with its age.
        guard rssi != nil || rsrp != nil else {
            count("signal.unknown")
            return
        }
        let reading = SignalReading(rssiDBm: rssi, rsrpDBm: rsrp, takenAt: clock.now)
        if reading.bars != signal?.bars {
            logger.info("signal changed", ["signal.bars": .plain(String(reading.bars ?? -1)), "signal.rssi": .plain(String(rssi ?? 0))])
        }
        signal = reading
        emit(.signal(reading))
    }

    func pollRegistration() async throws {
        for domain in [NetworkRegistration.Domain.circuitSwitched, .packetSwitched, .eps] {
            let response = try await execute(.readRegistration(domain))
            if let registration = response.first(NetworkRegistration.self) {
                observe(domain, registration.state)
            }
        }
    }

    func pollOperator() async throws {
        guard let selection = try await execute(.readOperator).first(OperatorSelection.self), let name = selection.operatorName else { return }
        if name != operatorName {
            operatorName = name
            emit(.networkOperator(name))
            logger.info("operator", ["net.operator": .plain(name)])
        }
    }

    func observe(_ domain: NetworkRegistration.Domain, _ state: RegistrationState) {
        if let stable = registrations.observe(domain, state, at: clock.now) {
            announce(domain, stable)
        }
    }

    func announce(_ domain: NetworkRegistration.Domain, _ state: RegistrationState) {
        logger.notice("registration changed", ["net.domain": .plain(domain.rawValue), "net.state": .plain(state.description)])
        emit(.registration(domain, state))
        if state == .denied {
            emit(.alarm("registration denied on \(domain.rawValue); the SIM's subscription needs checking"))
        }
    }

    /// Whether the modem is registered where SMS can travel: CS, or EPS (SMS over SGs or IMS).
    public var isRegistered: Bool {
        registrations.stable[.circuitSwitched]?.isRegistered == true || registrations.stable[.eps]?.isRegistered == true
    }

    // MARK: Unsolicited result codes

    func handleUnsolicited(_ urc: URC) {
        switch urc.kind {
        case .messageStored:
            if let stored = urc.storedMessage {
                Task { await self.readStoredMessage(index: stored.index) }
            }
        case .messageDelivered:
            if let body = urc.body {
                receivePDU(body)
                if acknowledgementNeeded {
                    Task { _ = try? await self.execute(.acknowledgeNewMessage) }
                }
            }
        case .statusReport:
            if let body = urc.body {
                receivePDU(body)
                if acknowledgementNeeded {
                    Task { _ = try? await self.execute(.acknowledgeNewMessage) }
                }
            }
        case .circuitRegistration, .packetRegistration, .epsRegistration:
            if let registration = urc.registration {
                observe(registration.domain, registration.state)
            }
        case .simStatus:
            let code = urc.pinStatus?.code ?? ""
            simState = code
            emit(.sim(code))
            if state == .ready, code != "READY" {
                reportHealthProblem("SIM state changed to \(code)")
            }
        case .ready, .systemStart, .atReady, .poweredDown, .normalPowerDown:
            count("modem.restart")
            if restartRequested, urc.kind != .poweredDown, urc.kind != .normalPowerDown {
                restartObserved = true
            }
            // A restarted modem never replies to the command in flight, so it fails now and an
            // AT+CMGS cut off by the reset reports an unknown outcome at once.
            if engine.isBusy {
                perform(engine.reset())
            }
            if state != .initialising && state != .connecting {
                logger.warning("modem restarted by itself", ["at.urc": .plain(urc.line)])
                reportHealthProblem("modem restarted (\(urc.line))")
            }
        case .smsReady, .smsDone:
            smsReady = true
        case .quectelIndication where urc.line.uppercased().contains("SMS DONE"):
            smsReady = true
        default:
            logger.debug("URC", ["at.urc": .plain(urc.line)])
        }
    }

    // MARK: Receiving

    /// Reads, hands upward and deletes one stored message.
    func readStoredMessage(index: Int) async {
        await lockStorage()
        defer { unlockStorage() }
        do {
            let response = try await execute(.readMessage(index: index))
            let messages = (try? StoredMessage.messages(in: response.lines)) ?? []
            for message in messages {
                if let body = message.body {
                    receivePDU(body)
                }
            }
            try await expectOK(.deleteMessage(index: index))
        } catch {
            logger.warning("stored message not read", ["sms.index": .plain(String(index)), "error": .plain(String(describing: error))])
            if case ATEngineError.timedOut = error {
                reportHealthProblem("AT+CMGR timed out")
            }
        }
    }

    /// Lists every stored message, in case a `+CMTI` was missed, and processes each.
    func sweepStorage() async throws {
        await lockStorage()
        defer { unlockStorage() }
        var found = 0
        for memory in sweepMemories.isEmpty ? [receiveMemory] : sweepMemories {
            if memory != receiveMemory {
                // Only the first CPMS memory changes: the one AT+CMGL and AT+CMGD use.
                guard (try? await execute(.setPreferredStorage([memory])))?.result.isSuccess == true else { continue }
            }
            let response = try await execute(.listMessages(.all))
            guard response.result.isSuccess else { continue }
            let messages = (try? StoredMessage.messages(in: response.lines)) ?? []
            for message in messages {
                guard let index = message.header.index else { continue }
                if let body = message.body {
                    receivePDU(body)
                }
                _ = try await execute(.deleteMessage(index: index))
            }
            found += messages.count
            // A failure before this point leaves the modem unhealthy, and initialisation sets
            // the memories again.
            if memory != receiveMemory {
                _ = try await execute(.setPreferredStorage([receiveMemory]))
            }
        }
        if found > 0 {
            count("sweep.found")
            logger.info("storage sweep found messages", ["sms.count": .plain(String(found))])
        }
    }

    /// Waits until no other storage read or sweep runs, then claims the storage.
    func lockStorage() async {
        while storageBusy {
            await withCheckedContinuation { storageWaiters.append($0) }
        }
        storageBusy = true
    }

    func unlockStorage() {
        storageBusy = false
        if !storageWaiters.isEmpty {
            storageWaiters.removeFirst().resume()
        }
    }

    /// Decodes a received PDU and passes it to reassembly or status-report pairing.
    func receivePDU(_ hex: String) {
        let decoded: DecodedPDU
        do {
            decoded = try PDUDecoder.decode(hex: hex)
        } catch {
            count("sms.undecodable")
            logger.error("received PDU could not be decoded", ["error": .plain(error.description)])
            logger.debug("undecodable PDU", ["sms.pdu": .body(hex)])
            return
        }
        switch decoded {
        case .deliver(let part):
            count("sms.received_parts")
            deliver(reassembler.receive(ReceivedPart(part), at: clock.now))
        case .statusReport(let report):
            count("sms.status_reports")
            emit(.statusReport(reference: report.messageReference, recipient: report.recipient.description, status: report.status))
            if let match = reportMatcher.match(report, at: clock.now) {
                logger.info(
                    "status report paired",
                    ["sms.id": .plain(match.message), "sms.part": .plain(String(match.part)), "sms.status": .plain(report.status.description)])
            }
        case .submit:
            count("sms.stored_submit")
        }
    }

    func deliver(_ events: [ReassemblyEvent]) {
        for event in events {
            let message: ReassembledMessage
            let kind: IncomingMessage.Kind
            switch event {
            case .complete(let whole): (message, kind) = (whole, .complete)
            case .partial(let part): (message, kind) = (part, .partial)
            case .correction(let corrected): (message, kind) = (corrected, .correction)
            }
            logger.info("message received", ["sms.from": .phone(message.sender), "sms.parts": .plain(String(message.key?.total ?? 1)), "sms.kind": .plain("\(kind)")])
            logger.debug("message text", ["sms.body": .receivedSMS(message.text)])
            emit(
                .received(
                    IncomingMessage(
                        kind: kind, sender: message.sender, text: message.text, parts: message.key?.total ?? 1,
                        missingParts: message.missingParts, key: message.key, serviceCentreTimestamp: message.serviceCentreTimestamp)))
        }
    }
}
