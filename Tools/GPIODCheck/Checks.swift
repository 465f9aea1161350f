import Core
import Hardware

// Offsets of the main test chip's lines; SimulatedChip.boardLineNames names them.
let panicOffset = 0
let doorOffset = 1
let ledOffset = 2
let sirenOffset = 3
let resetOffset = 4

let quietLogger = Logger(label: "gpiod-check", level: .warning)

/// Returns the request for a button to ground: pulled up, active-low, with edges.
func panicButton(_ chip: String, edges: Bool = true) -> GPIOLineRequest {
    GPIOLineRequest(role: "panic", chip: chip, line: .name("panic_button"), direction: .input(bias: .pullUp, edges: edges), activeLow: true)
}

/// Returns the request for a dry contact to the supply, selected by offset: pulled down,
/// active-high, with edges.
func doorContact(_ chip: String, edges: Bool = true) -> GPIOLineRequest {
    GPIOLineRequest(
        role: "door", chip: chip, line: .offset(UInt32(doorOffset)), direction: .input(bias: .pullDown, edges: edges))
}

/// Opens one set of lines for a group of checks; on failure records it and returns nil.
func openLines(_ name: String, _ requests: [GPIOLineRequest], checks: CheckRecorder, logger: Logger = quietLogger) async
    -> LibgpiodLines?
{
    do {
        let lines = try await LibgpiodLines.open(requests, logger: logger)
        checks.check(name, true)
        return lines
    } catch {
        checks.fail(name, error)
        return nil
    }
}

/// Chip lookup by name, label, path and number, and line lookup by name and offset.
func runLookupChecks(chip: SimulatedChip, checks: CheckRecorder) async {
    let descriptors = [
        ("name", chip.chipName), ("label", chip.label), ("path", chip.devicePath), ("number", chip.number),
    ]
    for (kind, descriptor) in descriptors {
        guard
            let lines = await openLines(
                "lookup chip by \(kind) \"\(descriptor)\"", [panicButton(descriptor, edges: false), doorContact(descriptor, edges: false)],
                checks: checks)
        else { continue }
        // The bias of each request shows which line the lookup found.
        checks.check("lookup by \(kind): line by name is offset \(panicOffset)", (try? chip.pull(offset: panicOffset)) == "pull-up")
        checks.check("lookup by \(kind): line by offset is offset \(doorOffset)", (try? chip.pull(offset: doorOffset)) == "pull-down")
        await lines.close()
    }
}

/// Pull-up and pull-down seen through gpio-sim, and logical input values under active-low.
func runBiasAndValueChecks(chip: SimulatedChip, checks: CheckRecorder) async {
    let disabled = GPIOLineRequest(
        role: "spare", chip: chip.chipName, line: .offset(UInt32(resetOffset)), direction: .input(bias: .disabled, edges: false))
    guard
        let lines = await openLines(
            "request inputs with bias", [panicButton(chip.chipName, edges: false), doorContact(chip.chipName, edges: false), disabled],
            checks: checks)
    else { return }
    do {
        checks.check("pull-up input is pulled up", try chip.pull(offset: panicOffset) == "pull-up")
        checks.check("pull-down input is pulled down", try chip.pull(offset: doorOffset) == "pull-down")
        checks.check("active-low input high reads inactive", try await lines.value(of: "panic") == false)
        checks.check("active-high input low reads inactive", try await lines.value(of: "door") == false)

        try chip.setPull(offset: panicOffset, up: false)
        try chip.setPull(offset: doorOffset, up: true)
        checks.check("active-low input low reads active", try await lines.value(of: "panic") == true)
        checks.check("active-high input high reads active", try await lines.value(of: "door") == true)
        try chip.setPull(offset: panicOffset, up: true)
        try chip.setPull(offset: doorOffset, up: false)
    } catch {
        checks.fail("bias and input values", error)
    }
    await lines.close()
}

/// Initial values and writes of outputs, seen as electrical levels through gpio-sim.
func runOutputChecks(chip: SimulatedChip, checks: CheckRecorder) async {
    let requests = [
        GPIOLineRequest(role: "led", chip: chip.chipName, line: .name("led_status"), direction: .output(initialActive: true)),
        GPIOLineRequest(role: "siren", chip: chip.chipName, line: .name("siren"), direction: .output(initialActive: true), activeLow: true),
        GPIOLineRequest(
            role: "reset", chip: chip.chipName, line: .offset(UInt32(resetOffset)), direction: .output(initialActive: false), activeLow: true),
    ]
    guard let lines = await openLines("request outputs", requests, checks: checks) else { return }
    do {
        checks.check("active-high output starts active: level high", try chip.level(offset: ledOffset) == true)
        checks.check("active-low output starts active: level low", try chip.level(offset: sirenOffset) == false)
        checks.check("active-low output starts inactive: level high", try chip.level(offset: resetOffset) == true)
        checks.check("output reads back its logical value", try await lines.value(of: "siren") == true)

        try await lines.set("led", active: false)
        try await lines.set("siren", active: false)
        try await lines.set("reset", active: true)
        checks.check("active-high output set inactive: level low", try chip.level(offset: ledOffset) == false)
        checks.check("active-low output set inactive: level high", try chip.level(offset: sirenOffset) == true)
        checks.check("active-low output set active: level low", try chip.level(offset: resetOffset) == false)
        checks.check("output reads back a written value", try await lines.value(of: "siren") == false)
    } catch {
        checks.fail("output values", error)
    }
    await lines.close()
}

/// Edges produced by moving the simulated pulls: logical values, order and kernel timestamps.
func runEdgeChecks(chip: SimulatedChip, checks: CheckRecorder) async {
    guard
        let lines = await openLines(
            "request inputs with edges", [panicButton(chip.chipName), doorContact(chip.chipName)], checks: checks)
    else { return }
    let collector = EdgeCollector.collecting(lines.edges)
    let rounds = 4
    let before = SystemClock().now
    do {
        for _ in 0..<rounds {
            try chip.setPull(offset: panicOffset, up: false)
            try chip.setPull(offset: doorOffset, up: true)
            try chip.setPull(offset: panicOffset, up: true)
            try chip.setPull(offset: doorOffset, up: false)
        }
    } catch {
        checks.fail("drive edges", error)
    }
    let expected = rounds * 4
    let arrived = await collector.wait(timeout: .seconds(10)) { edges, _ in edges.count >= expected }
    let after = SystemClock().now
    let total = await collector.edges.count
    checks.check("every edge arrives", arrived && total == expected, "\(total) of \(expected) edges")

    for role in ["panic", "door"] {
        let edges = await collector.edges(of: role)
        let activeSequence = edges.map(\.active)
        let alternating = (0..<(rounds * 2)).map { $0 % 2 == 0 }
        checks.check("\(role) edges alternate, active first", activeSequence == alternating, "got \(activeSequence)")

        let stamps = edges.map(\.timestamp)
        let increasing = zip(stamps, stamps.dropFirst()).allSatisfy { $0 < $1 }
        checks.check("\(role) edge timestamps increase", increasing, "got \(stamps)")
        let monotonic = stamps.allSatisfy { before <= $0 && $0 <= after }
        checks.check("\(role) edge timestamps are on CLOCK_MONOTONIC", monotonic, "got \(stamps), window \(before)...\(after)")
    }
    await lines.close()
}

/// Errors for missing chips and lines, busy lines, duplicate roles and misuse.
func runErrorChecks(chip: SimulatedChip, checks: CheckRecorder) async {
    await checks.expectError("missing chip is chipNotFound", { if case .chipNotFound = $0 { true } else { false } }) {
        try await LibgpiodLines.open([panicButton("gpiochip99")], logger: quietLogger)
    }
    await checks.expectError("non-GPIO device is chipNotFound", { if case .chipNotFound = $0 { true } else { false } }) {
        try await LibgpiodLines.open([panicButton("/dev/null")], logger: quietLogger)
    }
    let missingName = GPIOLineRequest(role: "ghost", chip: chip.chipName, line: .name("no_such_line"), direction: .input(bias: .asIs, edges: false))
    await checks.expectError("missing line name is lineNotFound", { $0 == .lineNotFound(role: "ghost", chip: chip.chipName, line: .name("no_such_line")) }) {
        try await LibgpiodLines.open([missingName], logger: quietLogger)
    }
    let pastEnd = GPIOLineRequest(role: "ghost", chip: chip.chipName, line: .offset(99), direction: .input(bias: .asIs, edges: false))
    await checks.expectError("offset past the end is lineNotFound", { $0 == .lineNotFound(role: "ghost", chip: chip.chipName, line: .offset(99)) }) {
        try await LibgpiodLines.open([pastEnd], logger: quietLogger)
    }
    await checks.expectError("duplicate role is rejected", { $0 == .duplicateRole("panic") }) {
        try await LibgpiodLines.open([panicButton(chip.chipName), panicButton(chip.label)], logger: quietLogger)
    }

    guard let holder = await openLines("request line for busy checks", [panicButton(chip.chipName)], checks: checks) else { return }
    let led = GPIOLineRequest(role: "led", chip: chip.chipName, line: .name("led_status"), direction: .output(initialActive: false))
    await checks.expectError("second request of a held line is lineBusy", { if case .lineBusy(role: "panic", _, _, _) = $0 { true } else { false } }) {
        try await LibgpiodLines.open([led, panicButton(chip.chipName)], logger: quietLogger)
    }
    // The failed open must have released the output it had already requested.
    if let again = await openLines("failed open released its other lines", [led], checks: checks) {
        await again.close()
    }
    await checks.expectError("set on an input is notAnOutput", { $0 == .notAnOutput(role: "panic") }) {
        try await holder.set("panic", active: true)
    }
    await checks.expectError("unknown role is unknownRole", { $0 == .unknownRole("nobody") }) {
        try await holder.value(of: "nobody")
    }
    await holder.close()
}

/// close(): the stream finishes, later calls fail, a second close is harmless, and the same
/// lines can be requested again.
func runCloseChecks(chip: SimulatedChip, checks: CheckRecorder) async {
    guard let lines = await openLines("request lines to close", [panicButton(chip.chipName)], checks: checks) else { return }
    let collector = EdgeCollector.collecting(lines.edges)
    await lines.close()
    let finished = await collector.wait(timeout: .seconds(5)) { _, finished in finished }
    checks.check("close finishes the edge stream", finished)
    await checks.expectError("value after close is closed", { $0 == .closed }) {
        try await lines.value(of: "panic")
    }
    await lines.close()
    checks.check("second close is harmless", true)
    if let reopened = await openLines("closed lines can be requested again", [panicButton(chip.chipName)], checks: checks) {
        checks.check("reopened line reads", (try? await reopened.value(of: "panic")) == false)
        await reopened.close()
    }
}

/// Checks that a chip that goes away finishes the stream and logs the lost backend, once for
/// an input with edges and once for an input without, which only the periodic chip check can
/// notice.
func runChipRemovalCheck(checks: CheckRecorder) async {
    for edges in [true, false] {
        let kind = edges ? "input with edges" : "input without edges"
        let chip: SimulatedChip
        do {
            chip = try SimulatedChip.create(
                name: "vanishing-\(edges)", label: "alertbox-vanishing-\(edges)", lineNames: ["panic_button"])
        } catch {
            checks.fail("create a gpio-sim chip to remove", error)
            return
        }
        let sink = CapturingLogSink()
        let logger = Logger(label: "gpiod-check", level: .info, sink: sink)
        guard
            let lines = await openLines(
                "request \(kind) on the chip to remove", [panicButton(chip.chipName, edges: edges)], checks: checks, logger: logger)
        else { return }
        let collector = EdgeCollector.collecting(lines.edges)
        do {
            try chip.remove()
        } catch {
            checks.fail("remove the chip", error)
        }

        let finished = await collector.wait(timeout: .seconds(5)) { _, finished in finished }
        checks.check("removed chip of \(kind) finishes the stream", finished)
        let lostLine = sink.lines.first { $0.contains("GPIO backend was lost") }
        checks.check("removed chip of \(kind) logs backendLost", lostLine != nil, "log: \(sink.lines)")
        if let lostLine {
            print("  logged: \(lostLine)")
        }
        await checks.expectError("value after removal of \(kind) is backendLost", { if case .backendLost = $0 { true } else { false } }) {
            try await lines.value(of: "panic")
        }
        await lines.close()
    }
}
