import Core
import Glibc
import Hardware
import Testing

/// LibgpiodLines through the real libgpiod against this machine's /dev, for every path that
/// needs no GPIO chip. scripts/gpio-sim-check covers the paths that need one.
@Suite("LibgpiodLines without a chip")
struct LibgpiodLinesTests {
    static func input(role: String = "panic", chip: String) -> GPIOLineRequest {
        GPIOLineRequest(role: role, chip: chip, line: .name("panic_button"), direction: .input(bias: .pullUp, edges: true), activeLow: true)
    }

    /// Opens the requests and returns the error, or nil when the open succeeded.
    static func openError(_ requests: [GPIOLineRequest]) async -> GPIOError? {
        do {
            let lines = try await LibgpiodLines.open(requests, logger: Logger(label: "test", level: .critical))
            await lines.close()
            return nil
        } catch {
            return error
        }
    }

    @Test(
        "missing chip is chipNotFound",
        arguments: ["gpiochip97", "97", "/dev/gpiochip97", "no-such-label", "/dev/no-such-device"])
    func missingChip(chip: String) async throws {
        try #require(access("/dev/gpiochip97", F_OK) != 0, "this machine has a /dev/gpiochip97")
        let error = await Self.openError([Self.input(chip: chip)])
        guard case .chipNotFound(let reportedChip, let reason) = error else {
            Issue.record("expected chipNotFound, got \(String(describing: error))")
            return
        }
        #expect(reportedChip == chip)
        #expect(reason.contains("\"panic\""))
    }

    @Test("character device that is not GPIO is rejected")
    func notGPIODevice() async {
        let error = await Self.openError([Self.input(chip: "/dev/null")])
        #expect(error == .chipNotFound(chip: "/dev/null", reason: "not a GPIO character device, needed for \"panic\""))
    }

    @Test("duplicate role is rejected before any chip opens")
    func duplicateRole() async {
        let error = await Self.openError([Self.input(chip: "gpiochip97"), Self.input(chip: "gpiochip98")])
        #expect(error == .duplicateRole("panic"))
    }

    @Test("chip error text names chip, role and fix")
    func chipErrorText() async {
        let error = await Self.openError([Self.input(role: "fire_relay", chip: "gpiochip97")])
        let text = error?.description ?? ""
        #expect(text.contains("GPIO chip \"gpiochip97\" not found"))
        #expect(text.contains("\"fire_relay\""))
        #expect(text.contains("gpiodetect"))
    }

    @Test("empty set of lines opens and closes")
    func emptyOpenClose() async throws {
        let lines = try await LibgpiodLines.open([], logger: Logger(label: "test", level: .critical))
        await #expect(throws: GPIOError.unknownRole("panic")) {
            try await lines.value(of: "panic")
        }
        await lines.close()
        var iterator = lines.edges.makeAsyncIterator()
        #expect(await iterator.next() == nil)
    }

    @Test("calls after close fail with closed")
    func useAfterClose() async throws {
        let lines = try await LibgpiodLines.open([], logger: Logger(label: "test", level: .critical))
        await lines.close()
        await lines.close()
        await #expect(throws: GPIOError.closed) {
            try await lines.value(of: "panic")
        }
        await #expect(throws: GPIOError.closed) {
            try await lines.set("siren", active: true)
        }
    }
}
