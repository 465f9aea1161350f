import Core
import ATProtocol
import SMS

extension SimulatedModem {
    /// Runs the 27.005 SMS commands, and replies `ERROR` to anything unknown.
    mutating func runSMS(_ command: HostCommand, fields: [ATField], at now: MonotonicInstant, _ effects: inout ModemEffects) -> CommandOutcome {
        let numbers = fields.map(\.integer)
        let strings = fields.map(\.string)

        switch (command.name, command.form) {
        case ("+CSMS", .read):
            return .lines(["+CSMS: 0,1,1,1"])
        case ("+CSMS", .set):
            return .lines(["+CSMS: 1,1,1"])
        case ("+CSMS", .test):
            return .lines(["+CSMS: (0,1)"])
        case ("+CMGF", .read):
            return .lines([messageFormat.line])
        case ("+CMGF", .test):
            return .lines(["+CMGF: (0,1)"])
        case ("+CMGF", .set):
            guard let value = numbers.first ?? nil, let format = MessageFormat(rawValue: value) else { return .fail(cmsError(302)) }
            messageFormat = format
            return .lines([])
        case ("+CSCS", .read):
            return .lines([CharacterSet(names: [characterSet]).line])
        case ("+CSCS", .test):
            return .lines([CharacterSet(names: ["IRA", "GSM", "UCS2"]).testLine])
        case ("+CSCS", .set):
            guard let name = strings.first ?? nil, ["IRA", "GSM", "UCS2"].contains(name.uppercased()) else { return .fail(cmeError(4)) }
            characterSet = name.uppercased()
            return .lines([])
        case ("+CSDH", .read):
            return .lines(["+CSDH: \(showTextHeaders)"])
        case ("+CSDH", .set):
            showTextHeaders = (numbers.first ?? nil) ?? 0
            return .lines([])
        case ("+CSMP", .read):
            return .lines([textParameters.line])
        case ("+CSMP", .set):
            if let parameters = try? TextModeParameters(prefix: "+CSMP", fields: fields, line: command.argument) {
                textParameters = parameters
            }
            return .lines([])
        case ("+CMMS", .read):
            return .lines([SingleValueResponse(prefix: "+CMMS", value: moreMessagesMode).line])
        case ("+CMMS", .test):
            return .lines(["+CMMS: (0-2)"])
        case ("+CMMS", .set):
            guard let mode = numbers.first ?? nil, (0...2).contains(mode) else { return .fail(cmsError(302)) }
            moreMessagesMode = mode
            return .lines([])
        case ("+CNMA", _):
            return .lines([])
        default:
            break
        }

        // The rest needs a ready SIM and SMS service.
        if let failure = smsFailure(at: now) {
            switch (command.name, command.form) {
            case ("+CSCA", _), ("+CPMS", _), ("+CNMI", _), ("+CMGS", _), ("+CMGW", _), ("+CMSS", _),
                ("+CMGR", _), ("+CMGL", _), ("+CMGD", _):
                return .fail(failure)
            default:
                break
            }
        }

        switch (command.name, command.form) {
        case ("+CSCA", .read):
            return .lines([ServiceCentreAddress(address: serviceCentre, typeOfAddress: serviceCentre.hasPrefix("+") ? 145 : 129).line])
        case ("+CSCA", .set):
            guard let address = strings.first ?? nil, !address.isEmpty else { return .fail(cmsError(304)) }
            serviceCentre = address
            return .lines([])
        case ("+CPMS", .read):
            return .lines([PreferredStorage(storages: storages.map(storageStatus)).line])
        case ("+CPMS", .test):
            return .lines([SupportedStorages(memories: [dialect.storages, dialect.storages, dialect.storages]).line])
        case ("+CPMS", .set):
            let requested = strings.compactMap { $0?.uppercased() }
            guard !requested.isEmpty, requested.count <= 3, requested.allSatisfy({ memories[$0] != nil }) else {
                return .fail(cmsError(302))
            }
            for (index, name) in requested.enumerated() {
                storages[index] = name
            }
            let status = storages.map { storageStatus($0) }.map { PreferredStorage.Storage(memory: nil, used: $0.used, total: $0.total) }
            return .lines([PreferredStorage(storages: status).line])
        case ("+CNMI", .read):
            return .lines([indications.line])
        case ("+CNMI", .test):
            return .lines(["+CNMI: (0-2),(0-3),(0,2),(0-2),(0,1)"])
        case ("+CNMI", .set):
            let values = numbers
            func value(_ index: Int, _ range: ClosedRange<Int>) -> Int?? {
                guard index < values.count else { return .some(nil) }
                guard let number = values[index] else { return .some(nil) }
                return range.contains(number) ? .some(number) : nil
            }
            guard let mode = value(0, 0...3), let mt = value(1, 0...3), let bm = value(2, 0...3),
                let ds = value(3, 0...2), let bfr = value(4, 0...1)
            else { return .fail(cmsError(303)) }
            indications = NewMessageIndicationSettings(
                mode: mode ?? indications.mode, messageIndication: mt ?? indications.messageIndication,
                broadcastIndication: bm ?? indications.broadcastIndication,
                statusReportIndication: ds ?? indications.statusReportIndication,
                bufferHandling: bfr ?? indications.bufferHandling)
            return .lines([])

        case ("+CMGS", .set), ("+CMGW", .set):
            let sending = command.name == "+CMGS"
            if sending, let failure = sendFailure() { return .fail(failure) }
            if messageFormat == .pdu {
                guard let length = numbers.first ?? nil, (1...176).contains(length) else { return .fail(cmsError(304)) }
                let status = numbers.count > 1 ? MessageStatus(rawValue: numbers[1] ?? 2) ?? .storedUnsent : .storedUnsent
                return .prompt(sending ? .sendPDU(length: length) : .writePDU(length: length, status: status))
            }
            guard let destination = strings.first ?? nil, !destination.isEmpty else { return .fail(cmsError(304)) }
            return .prompt(sending ? .sendText(destination: destination) : .writeText(destination: destination))
        case ("+CMGS", .test), ("+CMGW", .test), ("+CMSS", .test), ("+CMGR", .test):
            return .lines([])

        case ("+CMSS", .set):
            if let failure = sendFailure() { return .fail(failure) }
            guard let index = numbers.first ?? nil, let record = memories[storages[1]]?.record(at: index) else {
                return .fail(cmsError(321))
            }
            var pdu = record.pdu
            if let destination = strings.count > 1 ? strings[1] : nil, let rewritten = Self.replacingDestination(pdu, with: destination) {
                pdu = rewritten
            }
            submit(pdu, command: "+CMSS", at: now, &effects)
            return .handled

        case ("+CMGR", .set):
            guard let index = numbers.first ?? nil, let store = memories[storages[0]] else { return .fail(cmsError(321)) }
            guard (1...store.capacity).contains(index) else { return .fail(cmsError(321)) }
            guard let record = store.record(at: index) else { return .lines([]) }
            memories[storages[0]]?.markRead(index)
            return .lines(messageLines(prefix: "+CMGR", index: index, record: record))

        case ("+CMGL", .set), ("+CMGL", .execute):
            let status: MessageStatus?
            if messageFormat == .pdu {
                let value = (numbers.first ?? nil) ?? 4
                guard let parsed = MessageStatus(rawValue: value) else { return .fail(cmsError(302)) }
                status = parsed == .all ? nil : parsed
            } else {
                let text = (strings.first ?? nil) ?? "ALL"
                guard let parsed = MessageStatus(text: text) else { return .fail(cmsError(302)) }
                status = parsed == .all ? nil : parsed
            }
            guard let store = memories[storages[0]] else { return .fail(cmsError(302)) }
            var lines: [String] = []
            for (index, record) in store.list(status) {
                lines += messageLines(prefix: "+CMGL", index: index, record: record)
                memories[storages[0]]?.markRead(index)
            }
            return .lines(lines)
        case ("+CMGL", .test):
            return .lines([messageFormat == .pdu ? "+CMGL: (0-4)" : "+CMGL: (\"REC UNREAD\",\"REC READ\",\"STO UNSENT\",\"STO SENT\",\"ALL\")"])

        case ("+CMGD", .set):
            guard let index = numbers.first ?? nil, let store = memories[storages[0]] else { return .fail(cmsError(321)) }
            let flag = numbers.count > 1 ? (numbers[1] ?? 0) : 0
            if flag > 0 {
                memories[storages[0]]?.delete(flag: flag)
                return .lines([])
            }
            guard (1...store.capacity).contains(index) else { return .fail(cmsError(321)) }
            memories[storages[0]]?.delete(index)
            return .lines([])
        case ("+CMGD", .test):
            let indexes = memories[storages[0]]?.list(nil).map(\.index) ?? []
            return .lines([DeletableMessages(indexes: indexes).line])

        default:
            return .fail(.error)
        }
    }

    /// The `+CPMS` status of one memory.
    func storageStatus(_ name: String) -> PreferredStorage.Storage {
        let store = memories[name]
        return PreferredStorage.Storage(memory: name, used: store?.used ?? 0, total: store?.capacity ?? 0)
    }

    /// The error SMS commands get now, or nil when SMS works.
    func smsFailure(at now: MonotonicInstant) -> FinalResult? {
        switch sim {
        case .notInserted: return cmsError(310)
        case .pinRequired: return cmsError(311)
        case .pukRequired: return cmsError(316)
        case .ready:
            if let until = simBusyUntil, now < until { return cmsError(314) }
            // Modules refuse SMS commands until their SMS-ready URC.
            return smsReady ? nil : cmsError(302)
        }
    }

    /// The error a send gets now for lack of service, or nil.
    func sendFailure() -> FinalResult? {
        functionality == 1 && isRegistered ? nil : cmsError(331)
    }

    /// The header and body lines of a stored message for `+CMGR` or `+CMGL`.
    func messageLines(prefix: String, index: Int, record: MessageStore.Record) -> [String] {
        if messageFormat == .pdu {
            let header = MessageHeader.pdu(prefix: prefix, index: index, status: record.status, length: record.tpduLength)
            return [header, Hex.encode(record.pdu)]
        }
        let status = "\"\(record.status.text)\""
        let indexPart = prefix == "+CMGL" ? "\(index)," : ""
        guard let decoded = try? PDUDecoder.decode(record.pdu) else {
            return ["\(prefix): \(indexPart)\(status)", ""]
        }
        switch decoded {
        case .deliver(let deliver):
            return ["\(prefix): \(indexPart)\(status),\"\(deliver.originator)\",,\"\(Self.textTimestamp(deliver.serviceCentreTimestamp))\"", textBody(deliver.userData)]
        case .submit(let submit):
            return ["\(prefix): \(indexPart)\(status),\"\(submit.destination)\",", textBody(submit.userData)]
        case .statusReport(let report):
            return [
                "\(prefix): \(indexPart)\(status),6,\(report.messageReference),\"\(report.recipient)\",145,\"\(Self.textTimestamp(report.serviceCentreTimestamp))\",\"\(Self.textTimestamp(report.dischargeTime))\",\(report.status.rawValue)"
            ]
        }
    }

    /// The text-mode body: UCS-2 as hex when `AT+CSCS="UCS2"` or the text needs it.
    func textBody(_ userData: UserData) -> String {
        if characterSet == "UCS2" || userData.alphabet == .ucs2 {
            return Hex.encode(UCS2.encode(userData.text))
        }
        return userData.text
    }

    /// A timestamp as text mode prints it: `24/01/05,08:00:00+32`.
    static func textTimestamp(_ stamp: SMSTimestamp) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let quarters = stamp.utcOffsetMinutes / 15
        let zone = (quarters < 0 ? "-" : "+") + two(abs(quarters))
        return "\(two(stamp.year % 100))/\(two(stamp.month))/\(two(stamp.day)),\(two(stamp.hour)):\(two(stamp.minute)):\(two(stamp.second))\(zone)"
    }

    /// Replaces TP-DA in a stored SUBMIT, for `AT+CMSS=<index>,<da>`.
    static func replacingDestination(_ pdu: [UInt8], with destination: String) -> [UInt8]? {
        guard case .submit(let submit) = try? PDUDecoder.decode(pdu),
            let number = try? PhoneNumber(parsing: destination)
        else { return nil }
        let options = SubmitOptions(
            statusReportRequest: submit.statusReportRequest, validityPeriod: submit.validityPeriod)
        return (try? SubmitEncoder.encode(submit.userData.text, to: number.smsAddress, options: options))?.first?.bytes
    }

    // MARK: Payloads

    /// Handles the payload after a prompt.
    mutating func finishPrompt(_ payload: String, at now: MonotonicInstant, _ effects: inout ModemEffects) {
        guard let purpose = prompt else { return }
        prompt = nil

        switch purpose {
        case .sendPDU(let length), .writePDU(let length, _):
            guard let bytes = try? Hex.decode(payload), !bytes.isEmpty, bytes.count - (Int(bytes[0]) + 1) == length else {
                reply([], cmsError(304), at: now, &effects)
                drainQueue(at: now, &effects)
                return
            }
            if case .writePDU(_, let status) = purpose {
                store(bytes, status: status, at: now, &effects)
            } else {
                submit(bytes, command: "+CMGS", at: now, &effects)
            }

        case .sendText(let destination), .writeText(let destination):
            let text = characterSet == "UCS2" ? (try? Hex.decode(payload)).map(UCS2.decode) ?? payload : payload
            let options = SubmitOptions(
                statusReportRequest: (textParameters.firstOctet ?? 17) & 0x20 != 0,
                validityPeriod: .relative(minutes: ValidityPeriod.minutes(relativeOctet: UInt8(textParameters.validityPeriod.integer ?? 167))))
            let address: SMSAddress = destination.hasPrefix("+") ? .international(destination) : .unknown(destination)
            guard let pdu = try? SubmitEncoder.encode(text, to: address, options: options).first?.bytes else {
                reply([], cmsError(304), at: now, &effects)
                drainQueue(at: now, &effects)
                return
            }
            if case .writeText = purpose {
                store(pdu, status: .storedUnsent, at: now, &effects)
            } else {
                submit(pdu, command: "+CMGS", at: now, &effects)
            }
        }
    }

    private mutating func store(_ pdu: [UInt8], status: MessageStatus, at now: MonotonicInstant, _ effects: inout ModemEffects) {
        guard let index = memories[storages[1]]?.store(pdu, status: status) else {
            reply([], cmsError(322), at: now, &effects)
            drainQueue(at: now, &effects)
            return
        }
        reply(["+CMGW: \(index)"], .ok, at: now, &effects)
        drainQueue(at: now, &effects)
    }

    /// Hands a part to the SMSC and waits for its result.
    mutating func submit(_ pdu: [UInt8], command: String, at now: MonotonicInstant, _ effects: inout ModemEffects) {
        if command == "+CMGS", let last = sendCommands.indices.last, sendCommands[last].destination == nil,
            case .submit(let submit) = try? PDUDecoder.decode(pdu)
        {
            sendCommands[last].destination = submit.destination.description
        }
        let reference = nextReference
        nextReference &+= 1
        if let reachedNetwork = rebootOnNextSend {
            rebootOnNextSend = nil
            if reachedNetwork {
                effects.submissions.append((pdu, reference, command, generation))
            }
            powerOn(&effects)
            return
        }
        busy = true
        effects.submissions.append((pdu, reference, command, generation))
    }

    // MARK: Deliveries from the network

    /// Takes a message or status report from the network. A false result makes the SMSC retry later.
    mutating func accept(_ delivery: NetworkDelivery, at now: MonotonicInstant, _ effects: inout ModemEffects) -> Bool {
        guard canReceive else { return false }
        switch delivery {
        case .message(_, let pdu):
            let routeDirectly = indications.messageIndication == 2
                || (indications.messageIndication == 3 && Self.messageClass(of: pdu) == .class3)
            if routeDirectly {
                let tpduLength = pdu.count - (Int(pdu[0]) + 1)
                if messageFormat == .pdu {
                    unsolicited(MessageHeader.pdu(prefix: "+CMT", length: tpduLength), body: Hex.encode(pdu), &effects)
                } else if case .deliver(let deliver) = try? PDUDecoder.decode(pdu) {
                    unsolicited(
                        "+CMT: \"\(deliver.originator)\",,\"\(Self.textTimestamp(deliver.serviceCentreTimestamp))\"",
                        body: textBody(deliver.userData), &effects)
                }
                return true
            }
            let memory = storages[2]
            guard let index = memories[memory]?.store(pdu, status: .receivedUnread) else { return false }
            if (indications.messageIndication ?? 0) >= 1 {
                unsolicited(StoredMessageIndication(prefix: "+CMTI", memory: memory, index: index).line, &effects)
            }
            return true

        case .statusReport(_, let pdu):
            switch indications.statusReportIndication ?? 0 {
            case 1:
                let tpduLength = pdu.count - (Int(pdu[0]) + 1)
                unsolicited(MessageHeader.pdu(prefix: "+CDS", length: tpduLength), body: Hex.encode(pdu), &effects)
            case 2:
                guard let index = memories["SR"]?.store(pdu, status: .receivedUnread) else { return false }
                unsolicited(StoredMessageIndication(prefix: "+CDSI", memory: "SR", index: index).line, &effects)
            default:
                break  // 27.005: with <ds> 0 no status report reaches the host.
            }
            return true
        }
    }

    static func messageClass(of pdu: [UInt8]) -> MessageClass? {
        guard case .deliver(let deliver) = try? PDUDecoder.decode(pdu) else { return nil }
        return deliver.dataCodingScheme.messageClass
    }
}

/// When an `AT+CMGS=` command line arrived, queued or not, and where its SUBMIT went.
struct SendCommandRecord: Sendable, Equatable {
    /// The instant the simulator read the whole command line.
    var arrival: MonotonicInstant
    /// The SUBMIT's destination address, once its payload arrived and decoded.
    var destination: String?
}
