public import Core
import Foundation
public import NetFaults
import Glibc
import Hardware
public import IMFakes
import SMS

/// Runs a simulation on real pseudo-terminals, each behind a stable symlink, with a control
/// socket, on the calling thread.
///
/// The loop waits in `poll(2)` for host bytes, control requests or the simulation's next
/// timer, so it uses no CPU while nothing happens.
///
/// A modem's output reaches a host only while some process has its tty open. Output written
/// while no process has the tty open is dropped, as a USB modem's is, so that a client never
/// reads the URCs and replies that were meant for the client before it. A pseudo-terminal
/// would keep them for the next client.
public final class SimulatorRuntime {
    /// Where the runtime puts its symlinks and control socket.
    public struct Layout: Sendable {
        public var directory: String

        public init(directory: String) {
            self.directory = directory
        }

        public func portPath(_ modem: Int) -> String {
            "\(directory)/modem\(modem)"
        }

        public var controlPath: String {
            "\(directory)/control.sock"
        }
    }

    private struct Port {
        var terminal: PseudoTerminal?
        /// Whether some process has the subordinate side open. The master reports `POLLHUP`
        /// while none has.
        var hostAttached = false
        var pendingOutput: [UInt8] = []
    }

    /// How often ports without a host are checked for one, because `poll(2)` on a master
    /// reports `POLLHUP` without pause while no host has the tty open.
    private static let attachCheckMilliseconds: Int32 = 50

    public let layout: Layout
    var simulation: Simulation
    let clock = SystemClock()
    let origin: MonotonicInstant
    private var ports: [Port]
    private var control: ControlServer
    private var scheduledFaults: [(at: Duration, modem: Int, fault: Fault)]
    private var directoryLock: Int32 = -1
    let log: Logger
    /// The fake IM servers, which take the control ops starting with `im_`, or nil when
    /// the simulator runs without them.
    public var imFakes: IMFakeHub?
    /// TCP proxies by name, which the `proxy` op switches between passing, refusing and dropping.
    public var proxies: [String: TCPProxy] = [:]
    /// The GPIO bridge socket, or nil when the simulator runs without it.
    var gpio: GPIOBridgeEndpoint?

    /// Opens one pseudo-terminal per modem and the control socket.
    public init(simulation: Simulation, layout: Layout, faults: [(at: Duration, modem: Int, fault: Fault)] = [], logger: Logger) throws {
        self.simulation = simulation
        self.layout = layout
        self.log = logger
        scheduledFaults = faults.sorted { $0.at < $1.at }
        do {
            try FileManager.default.createDirectory(atPath: layout.directory, withIntermediateDirectories: true)
        } catch {
            throw ControlError("cannot create the directory \(layout.directory); choose a writable --dir")
        }
        // One simulator per directory: a second one would take over the socket and links.
        let lock = open(layout.directory + "/.lock", O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard lock >= 0, flock(lock, LOCK_EX | LOCK_NB) == 0 else {
            if lock >= 0 { close(lock) }
            throw ControlError("another alertbox-sim is running in \(layout.directory); stop it or choose another --dir")
        }
        directoryLock = lock
        origin = clock.now
        ports = Array(repeating: Port(), count: simulation.modems.count)
        control = try ControlServer(path: layout.controlPath)
        for index in ports.indices {
            try openPort(index)
        }
    }

    /// The elapsed time since start, as the simulation's instant.
    var now: MonotonicInstant {
        MonotonicInstant(nanoseconds: origin.duration(to: clock.now).nanoseconds)
    }

    /// Runs until `shouldStop` returns true; it is checked after every wake-up, and a signal
    /// wakes `poll(2)` with `EINTR`.
    public func run(until shouldStop: () -> Bool) {
        process(simulation.start(at: now))
        while !shouldStop() {
            checkForNewHosts()
            let attachedMasters = ports.filter(\.hostAttached).compactMap(\.terminal?.master)
            let descriptors = attachedMasters + control.descriptors + (gpio?.descriptors ?? [])
            var entries = descriptors.map { pollfd(fd: $0.rawValue, events: Int16(POLLIN), revents: 0) }
            for port in ports where !port.pendingOutput.isEmpty {
                if let master = port.terminal?.master, let slot = descriptors.firstIndex(of: master) {
                    entries[slot].events |= Int16(POLLOUT)
                }
            }
            let ready = poll(&entries, nfds_t(entries.count), timeoutMilliseconds())
            if ready < 0, errno != EINTR {
                log.error("poll failed", ["errno": .plain(Errno.current.description)])
                return
            }

            for (slot, entry) in entries.enumerated() where entry.revents != 0 {
                let descriptor = descriptors[slot]
                if let index = ports.firstIndex(where: { $0.terminal?.master == descriptor }) {
                    if entry.revents & Int16(POLLOUT) != 0 {
                        flush(index)
                    }
                    if entry.revents & Int16(POLLIN) != 0 {
                        readHost(index)
                    } else if entry.revents & Int16(POLLHUP) != 0 {
                        detachHost(index)
                    }
                } else if descriptor == control.listener {
                    control.acceptClients()
                } else if let gpio, gpio.owns(descriptor) {
                    serveGPIO(gpio, descriptor)
                } else {
                    for line in control.readRequests(from: descriptor) {
                        control.respond(handleControl(line), to: descriptor)
                    }
                }
            }
            runDueFaults()
            process(simulation.advance(to: now))
            updateGPIO()
        }
        shutDown()
    }

    private func timeoutMilliseconds() -> Int32 {
        var deadlines = [simulation.nextDue].compactMap { $0 }
        if let fault = scheduledFaults.first {
            deadlines.append(MonotonicInstant(nanoseconds: fault.at.nanoseconds))
        }
        if let step = gpio?.nextStep {
            deadlines.append(MonotonicInstant(nanoseconds: step - origin.nanoseconds))
        }
        let longest: Int32 = ports.contains { $0.terminal != nil && !$0.hostAttached } ? Self.attachCheckMilliseconds : 1000
        guard let next = deadlines.min() else { return longest }
        let milliseconds = now.duration(to: next).nanoseconds / 1_000_000
        return Int32(max(0, min(Int64(longest), milliseconds + 1)))
    }

    private func runDueFaults() {
        while let first = scheduledFaults.first, MonotonicInstant(nanoseconds: first.at.nanoseconds) <= now {
            scheduledFaults.removeFirst()
            log.notice("fault injected", ["sim.modem": .plain(String(first.modem)), "sim.fault": .plain(first.fault.name)])
            process(simulation.inject(first.fault, modem: first.modem, at: now))
        }
    }

    // MARK: Ports

    private func openPort(_ index: Int) throws {
        // The raw mode that `open()` sets through the keeper stays with the pair after the
        // keeper closes, for every host that opens the tty later.
        let (terminal, keeper) = try PseudoTerminal.open()
        keeper.close()
        ports[index].terminal = terminal
        ports[index].hostAttached = false
        ports[index].pendingOutput = []
        let path = layout.portPath(index)
        // Replace the symlink atomically, so a client never sees the path missing mid-swap.
        let temporary = path + ".new"
        unlink(temporary)
        guard symlink(terminal.subordinatePath, temporary) == 0, rename(temporary, path) == 0 else {
            throw Errno.current
        }
        log.info("modem port ready", ["sim.modem": .plain(String(index)), "modem.port": .plain(path), "sim.pty": .plain(terminal.subordinatePath)])
    }

    private func closePort(_ index: Int) {
        ports[index].terminal?.master.close()
        ports[index].terminal = nil
        ports[index].hostAttached = false
        ports[index].pendingOutput = []
        unlink(layout.portPath(index))
    }

    /// Marks ports whose master no longer reports `POLLHUP` as held open by a host.
    private func checkForNewHosts() {
        for index in ports.indices where !ports[index].hostAttached {
            guard let master = ports[index].terminal?.master,
                let events = try? master.poll(events: Int16(POLLIN), timeoutMilliseconds: 0),
                !events.hangUp
            else { continue }
            ports[index].hostAttached = true
            log.info("host opened modem port", ["sim.modem": .plain(String(index)), "modem.port": .plain(layout.portPath(index))])
        }
    }

    /// Forgets the host of a port after its last process closed the tty, and discards what
    /// it left unread, so the next host starts clean as on a real tty.
    private func detachHost(_ index: Int) {
        guard ports[index].hostAttached, let terminal = ports[index].terminal else { return }
        ports[index].hostAttached = false
        ports[index].pendingOutput = []
        // Only the subordinate side can flush its own input queue; the master cannot.
        if let subordinate = try? FileDescriptor.open(terminal.subordinatePath, flags: O_RDWR | O_NOCTTY | O_NONBLOCK) {
            tcflush(subordinate.rawValue, TCIFLUSH)
            subordinate.close()
        }
        log.info("host closed modem port", ["sim.modem": .plain(String(index)), "modem.port": .plain(layout.portPath(index))])
    }

    private func readHost(_ index: Int) {
        guard let master = ports[index].terminal?.master else { return }
        while true {
            let bytes: [UInt8]
            do {
                bytes = try master.read(maximum: 4096)
            } catch {
                // EIO: the last process that held the tty open has closed it.
                if error != .wouldBlock {
                    detachHost(index)
                }
                return
            }
            if bytes.isEmpty { return }
            process(simulation.hostWrote(bytes, modem: index, at: now))
        }
    }

    private func flush(_ index: Int) {
        guard let master = ports[index].terminal?.master, !ports[index].pendingOutput.isEmpty else { return }
        do {
            let written = try master.write(ports[index].pendingOutput)
            ports[index].pendingOutput.removeFirst(written)
        } catch {
            if error != .wouldBlock {
                ports[index].pendingOutput = []
            }
        }
    }

    func process(_ outputs: [SimulationOutput]) {
        for output in outputs {
            switch output {
            case .write(let index, let bytes):
                guard ports[index].terminal != nil, ports[index].hostAttached else { continue }
                ports[index].pendingOutput += bytes
                flush(index)
            case .portVanished(let index):
                log.notice("modem port vanished", ["sim.modem": .plain(String(index))])
                closePort(index)
            case .portReturned(let index):
                do {
                    try openPort(index)
                } catch {
                    log.error("modem port could not be reopened", ["sim.modem": .plain(String(index)), "error": .plain(String(describing: error))])
                }
            }
        }
    }

    private func shutDown() {
        for index in ports.indices {
            closePort(index)
        }
        control.close()
        gpio?.close()
        imFakes?.stopAndWait()
        log.notice("simulator stopped", ["sim.dir": .plain(layout.directory)])
        if directoryLock >= 0 {
            close(directoryLock)
        }
    }

    // MARK: Control

    func handleControl(_ line: String) -> String {
        do {
            let request = try ControlRequest(json: line)
            let reply = try perform(request)
            return controlReply(["ok": true].merging(reply) { $1 })
        } catch {
            return controlReply(["ok": false, "error": String(describing: error)])
        }
    }

    /// Lists the proxies, or sets one's mode: `{"op":"proxy","name":"mqtt","mode":"blackhole"}`.
    private func proxy(_ request: ControlRequest) throws -> [String: Any] {
        func describe(_ name: String, _ proxy: TCPProxy) -> [String: Any] {
            ["name": name, "mode": proxy.mode.rawValue, "listen_port": Int(proxy.listenPort), "target_port": Int(proxy.targetPort)]
        }
        guard let name = request.string("name") else {
            return ["proxies": proxies.keys.sorted().map { describe($0, proxies[$0]!) }]  // The keys come from `proxies`.
        }
        guard let proxy = proxies[name] else {
            let known = proxies.keys.sorted().joined(separator: ", ")
            throw ControlError("no proxy \"\(name)\"; this simulator has \(known.isEmpty ? "none (start it with --proxy NAME=LISTEN:TARGET)" : known)")
        }
        if let modeName = request.string("mode") {
            guard let mode = TCPProxy.Mode(rawValue: modeName) else {
                throw ControlError("unknown proxy mode \"\(modeName)\"; use pass, refuse or blackhole")
            }
            proxy.setMode(mode)
            log.notice("proxy mode set", ["sim.proxy": .plain(name), "proxy.mode": .plain(modeName)])
        }
        return describe(name, proxy)
    }

    private func modemIndex(_ request: ControlRequest) throws(ControlError) -> Int {
        let index = request.int("modem") ?? 0
        guard simulation.modems.indices.contains(index) else {
            throw ControlError("no modem \(index); this simulator has \(simulation.modems.count)")
        }
        return index
    }

    private func perform(_ request: ControlRequest) throws -> [String: Any] {
        if request.op.hasPrefix("gpio_") {
            return try performGPIO(request)
        }
        if request.op.hasPrefix("im_") {
            guard let imFakes else {
                throw ControlError("op \"\(request.op)\" needs the fake IM servers; start alertbox-sim run with --im, --im-tls or --im-config FILE")
            }
            return try imFakes.perform(request.fields)
        }
        switch request.op {
        case "proxy":
            return try proxy(request)
        case "status":
            let modems: [[String: Any]] = simulation.modems.enumerated().map { index, modem in
                [
                    "index": index, "port": layout.portPath(index), "dialect": modem.dialect.rawValue,
                    "power": modem.isPoweredOn ? "on" : "off", "sim_number": modem.configuration.simNumber,
                    "registered": modem.isRegistered, "sms_ready": modem.isReadyForSMS, "rssi": modem.rssi, "pin_attempts": modem.pinAttempts,
                    "memories": modem.memoryUsage,
                    "pty": ports[index].terminal?.subordinatePath ?? "",
                ]
            }
            return [
                "modems": modems, "handset_messages": simulation.network.received.count,
                "dropped_parts": simulation.network.droppedParts,
                "accepted_parts": simulation.network.acceptedParts.mapValues(\.count),
                "elapsed_ms": now.nanoseconds / 1_000_000,
                "gpio_socket": gpio?.path ?? "",
            ]
        case "fault":
            let fault = try request.fault()
            let index = try modemIndex(request)
            log.notice("fault injected", ["sim.modem": .plain(String(index)), "sim.fault": .plain(fault.name)])
            process(simulation.inject(fault, modem: index, at: now))
            return [:]
        case "clear_faults":
            simulation.clearNetworkFaults()
            return [:]
        case "send":
            let from = try request.require(request.string("from"), "from", "the handset's number")
            guard (try? PhoneNumber(parsing: from)) != nil else {
                throw ControlError("invalid \"from\" '\(from)'; give the handset's number, such as +8613800000001")
            }
            let text = try request.require(request.string("text"), "text", "the message text")
            process(simulation.handsetSends(from: from, toModem: try modemIndex(request), text: text, at: now))
            return [:]
        case "deliver_pdu":
            // A raw SMS-DELIVER (SMSC field first) reaches the modem now, as the network sends it.
            let hex = try request.require(request.string("pdu"), "pdu", "an SMS-DELIVER PDU in hex, SMSC field first")
            let index = try modemIndex(request)
            guard let bytes = try? Hex.decode(hex) else { throw ControlError("\"pdu\" is not valid hex") }
            simulation.network.retryLater(.message(toSIM: simulation.modems[index].configuration.simNumber, pdu: bytes), at: now)
            process(simulation.advance(to: now))
            return [:]
        case "handset":
            let number = try request.require(request.string("number"), "number", "the handset's number in E.164")
            var behaviour = simulation.network.behaviour(of: number)
            if request.fields.keys.contains("report_status") {
                behaviour.reportStatus = request.int("report_status").map(UInt8.init(truncatingIfNeeded:))
            }
            if let delay = request.duration("delivery_delay") {
                behaviour.deliveryDelay = .fixed(delay)
            }
            if let replies = request.fields["replies"] as? [[String: Any]] {
                behaviour.replies = replies.compactMap { reply in
                    guard let text = reply["text"] as? String else { return nil }
                    let delay = (reply["delay_ms"] as? NSNumber).map { Duration.milliseconds($0.int64Value) } ?? .seconds(1)
                    return ReplyRule(trigger: reply["trigger"] as? String, text: text, delay: delay)
                }
            }
            simulation.network.handsets[number] = behaviour
            return [:]
        case "received":
            let number = request.string("number")
            let since = request.int("since") ?? 0
            let messages = simulation.network.received.enumerated().filter { index, message in
                index >= since && (number == nil || message.to == number)
            }
            return [
                "count": simulation.network.received.count,
                "messages": messages.map { index, message in
                    [
                        "index": index, "from": message.from, "to": message.to, "text": message.text,
                        "parts": message.parts, "complete": message.complete,
                        "at_ms": message.receivedAt.nanoseconds / 1_000_000,
                    ] as [String: Any]
                },
            ]
        case "sends":
            // AT+CMGS command lines, on this run's timeline and on CLOCK_MONOTONIC, the clock of
            // GPIO edges and of the IM fakes' `at_ns`.
            let index = try modemIndex(request)
            let since = max(request.int("since") ?? 0, 0)
            let records = simulation.modems[index].sendCommands
            return [
                "count": records.count,
                "sends": records.enumerated().dropFirst(since).map { position, record in
                    [
                        "index": position, "at_ms": record.arrival.nanoseconds / 1_000_000,
                        "at_ns": origin.nanoseconds + record.arrival.nanoseconds, "to": record.destination ?? NSNull(),
                    ] as [String: Any]
                },
            ]
        case "network":
            var configuration = simulation.network.configuration
            if let latency = request.duration("submit_latency") {
                configuration.submitLatency = .fixed(latency)
            }
            if request.fields.keys.contains("cap_per_hour") {
                configuration.capPerHour = request.int("cap_per_hour")
            }
            if request.fields.keys.contains("cap_per_day") {
                configuration.capPerDay = request.int("cap_per_day")
            }
            if let behaviour = request.string("cap_behaviour") {
                configuration.capBehaviour = behaviour == "drop" ? .silentDrop : .reject(cmsCause: request.int("cap_cause") ?? 38)
            }
            simulation.network.configuration = configuration
            return [:]
        case "power":
            let index = try modemIndex(request)
            process(simulation.setPower(request.bool("on") ?? true, modem: index, at: now))
            return [:]
        default:
            throw ControlError("unknown op \"\(request.op)\"; use status, fault, clear_faults, send, deliver_pdu, handset, received, sends, network, power, proxy, a gpio_ op or an im_ op")
        }
    }
}
