import Foundation
import Hardware

/// The bridge's UNIX socket: the box's requests in, replies and edge events out, one JSON
/// object per line, and the scripted contact changes that tests queue.
///
/// The simulator's runtime owns it and calls it from its `poll(2)` loop, so it needs no lock.
/// The protocol is documented in `docs/simulator.md` under "GPIO bridge".
final class GPIOBridgeEndpoint {
    /// A scheduled contact change of a `gpio_sequence`.
    struct Step {
        let role: String
        let nanoseconds: Int64
        let closed: Bool
    }

    private(set) var bridge: GPIOBridge
    let path: String
    private var server: ControlServer
    /// Client ids by connection, so a reused descriptor number never inherits old lines.
    private var clientIDs: [FileDescriptor: Int] = [:]
    private var nextClientID = 1
    private(set) var steps: [Step] = []
    /// The power state each modem's `STATUS` line shows.
    private var modemRunning: [Int: Bool] = [:]

    init(board: GPIOBoard, path: String) throws {
        bridge = GPIOBridge(board: board)
        self.path = path
        server = try ControlServer(path: path)
    }

    var listener: FileDescriptor { server.listener }
    var descriptors: [FileDescriptor] { server.descriptors }

    func owns(_ descriptor: FileDescriptor) -> Bool {
        descriptor == server.listener || server.clients[descriptor] != nil
    }

    /// Accepts new clients and gives each an id.
    func acceptClients() {
        server.acceptClients()
        for descriptor in server.clients.keys where clientIDs[descriptor] == nil {
            clientIDs[descriptor] = nextClientID
            nextClientID += 1
        }
    }

    /// Reads a client's request lines; returns them, and whether the client has gone, in which
    /// case the caller releases its lines with `clientGone`.
    func readRequests(from descriptor: FileDescriptor) -> (client: Int, lines: [String], gone: Bool) {
        let client = clientIDs[descriptor] ?? 0
        let lines = server.readRequests(from: descriptor)
        let gone = server.clients[descriptor] == nil
        if gone {
            clientIDs[descriptor] = nil
        }
        return (client, lines, gone)
    }

    /// Releases the lines of a client whose connection closed.
    func clientGone(_ client: Int, at nanoseconds: Int64) -> [GPIOBridge.Effect] {
        bridge.releaseAll(client: client, at: nanoseconds)
    }

    /// Performs one request of the bridge protocol and returns the reply line and effects.
    func handle(_ line: String, client: Int, at nanoseconds: Int64) -> (reply: String, effects: [GPIOBridge.Effect]) {
        let request: ControlRequest
        do {
            request = try ControlRequest(json: line)
        } catch {
            return (controlReply(["ok": false, "code": "invalid", "error": error.description]), [])
        }
        var reply: [String: Any] = ["ok": true]
        if let id = request.fields["id"] {
            reply["id"] = id
        }
        do {
            let effects = try perform(request, client: client, at: nanoseconds, reply: &reply)
            return (controlReply(reply), effects)
        } catch let rejection as GPIOBridge.Rejection {
            reply["ok"] = false
            reply["code"] = rejection.code
            reply["error"] = rejection.message
        } catch {
            reply["ok"] = false
            reply["code"] = "invalid"
            reply["error"] = String(describing: error)
        }
        return (controlReply(reply), [])
    }

    private func perform(_ request: ControlRequest, client: Int, at nanoseconds: Int64, reply: inout [String: Any]) throws -> [GPIOBridge.Effect] {
        let role = try request.require(request.string("role"), "role", "the line's role, such as \"panic_1\"")
        switch request.op {
        case "request":
            let direction = try request.require(request.string("direction"), "direction", "\"input\" or \"output\"")
            guard direction == "input" || direction == "output" else {
                throw ControlError("invalid \"direction\" \"\(direction)\"; give \"input\" or \"output\"")
            }
            let biasName = request.string("bias") ?? GPIOBridge.Bias.asIs.rawValue
            guard let bias = GPIOBridge.Bias(rawValue: biasName) else {
                throw ControlError("invalid \"bias\" \"\(biasName)\"; give as-is, disabled, pull-up or pull-down")
            }
            let (active, effects) = try bridge.request(
                role, client: client, output: direction == "output", activeLow: request.bool("active_low") ?? false, bias: bias,
                edges: request.bool("edges") ?? false, initialActive: request.bool("initial") ?? false, at: nanoseconds)
            reply["active"] = active
            return effects
        case "set":
            let active = try request.require(request.bool("active"), "active", "true or false")
            return try bridge.set(role, client: client, active: active, at: nanoseconds)
        case "get":
            reply["active"] = try bridge.value(role, client: client)
            return []
        case "release":
            return try bridge.release(role, client: client, at: nanoseconds)
        default:
            throw ControlError("unknown op \"\(request.op)\"; use request, set, get or release")
        }
    }

    /// Sends an edge event to the client it belongs to.
    func send(_ effect: GPIOBridge.Effect) {
        guard case .edge(let client, let role, let active, let nanoseconds) = effect,
            let descriptor = clientIDs.first(where: { $0.value == client })?.key
        else { return }
        server.respond(controlReply(["event": "edge", "role": role, "active": active, "ns": nanoseconds]), to: descriptor)
    }

    func respond(_ line: String, to descriptor: FileDescriptor) {
        server.respond(line, to: descriptor)
    }

    // MARK: Test side

    /// Opens or closes a contact now, and drops the steps still queued for that line.
    func setContact(_ role: String, closed: Bool, at nanoseconds: Int64) throws -> [GPIOBridge.Effect] {
        steps.removeAll { $0.role == role }
        return try bridge.setContact(role, closed: closed, at: nanoseconds)
    }

    /// Queues contact changes at exact instants, replacing any steps queued for that line.
    func queue(_ newSteps: [Step]) {
        guard let role = newSteps.first?.role else { return }
        steps.removeAll { $0.role == role }
        steps += newSteps
        steps.sort { $0.nanoseconds < $1.nanoseconds }
    }

    /// The instant of the next queued step, in `CLOCK_MONOTONIC` nanoseconds.
    var nextStep: Int64? {
        steps.first?.nanoseconds
    }

    /// Applies the queued steps due by `nanoseconds`, each stamped with its own instant.
    func runDueSteps(at nanoseconds: Int64) -> [GPIOBridge.Effect] {
        var effects: [GPIOBridge.Effect] = []
        while let step = steps.first, step.nanoseconds <= nanoseconds {
            steps.removeFirst()
            effects += (try? bridge.setContact(step.role, closed: step.closed, at: step.nanoseconds)) ?? []
        }
        return effects
    }

    /// Sets each modem's `STATUS` lines to its power state; returns the edges that follow.
    func syncModems(_ running: [Bool], at nanoseconds: Int64) -> [GPIOBridge.Effect] {
        var effects: [GPIOBridge.Effect] = []
        for (modem, isRunning) in running.enumerated() where modemRunning[modem] != isRunning {
            modemRunning[modem] = isRunning
            effects += bridge.setModemRunning(isRunning, modem: modem, at: nanoseconds)
        }
        return effects
    }

    func clearHistory() {
        bridge.clearHistory()
    }

    func close() {
        server.close()
    }
}
