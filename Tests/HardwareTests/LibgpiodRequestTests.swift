import CGPIOD
import Core
import Glibc
import Testing

@testable import Hardware

@Suite("LibgpiodRequest")
struct LibgpiodRequestTests {
    static let flagCases: [(GPIOBias, Bool, Int32)] = [
        (.asIs, false, 0),
        (.asIs, true, Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW)),
        (.disabled, false, Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE)),
        (.pullUp, true, Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP | GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW)),
        (.pullDown, false, Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN)),
    ]

    @Test("input flags carry bias and active-low", arguments: flagCases)
    func inputFlags(bias: GPIOBias, activeLow: Bool, expected: Int32) {
        let request = GPIOLineRequest(role: "panic", chip: "gpiochip0", line: .offset(0), direction: .input(bias: bias, edges: true), activeLow: activeLow)
        #expect(LibgpiodRequest.flags(for: request) == expected)
    }

    @Test("output flags carry only active-low")
    func outputFlags() {
        let lowOutput = GPIOLineRequest(role: "siren", chip: "gpiochip0", line: .offset(3), direction: .output(initialActive: true), activeLow: true)
        let highOutput = GPIOLineRequest(role: "led", chip: "gpiochip0", line: .offset(2), direction: .output(initialActive: true))
        #expect(LibgpiodRequest.flags(for: lowOutput) == Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW))
        #expect(LibgpiodRequest.flags(for: highOutput) == 0)
    }

    @Test("request type follows direction and edges")
    func requestType() {
        #expect(LibgpiodRequest.requestType(for: .input(bias: .asIs, edges: true)) == Int32(GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES))
        #expect(LibgpiodRequest.requestType(for: .input(bias: .pullUp, edges: false)) == Int32(GPIOD_LINE_REQUEST_DIRECTION_INPUT))
        #expect(LibgpiodRequest.requestType(for: .output(initialActive: false)) == Int32(GPIOD_LINE_REQUEST_DIRECTION_OUTPUT))
    }

    @Test("default value is the logical initial value")
    func defaultValue() {
        #expect(LibgpiodRequest.defaultValue(for: .output(initialActive: true)) == 1)
        #expect(LibgpiodRequest.defaultValue(for: .output(initialActive: false)) == 0)
        #expect(LibgpiodRequest.defaultValue(for: .input(bias: .pullUp, edges: true)) == 0)
    }

    @Test("event timestamp converts to nanoseconds")
    func timestamp() {
        let stamp = timespec(tv_sec: 1234, tv_nsec: 567_890_123)
        #expect(LibgpiodRequest.instant(of: stamp) == MonotonicInstant(nanoseconds: 1_234_567_890_123))
    }

    static let releaseCases: [(String, Bool?)] = [
        ("6.1.0-57-amd64", true),
        ("5.7.0", true),
        ("5.10.110-rockchip-rk3588", true),
        ("5.4.0-150-generic", false),
        ("4.19.232", false),
        ("", nil),
        ("rpi-6.6", nil),
    ]

    @Test("kernel release decides the timestamp clock", arguments: releaseCases)
    func timestampClock(release: String, expected: Bool?) {
        #expect(LibgpiodRequest.stampsMonotonic(kernelRelease: release) == expected)
    }

    @Test("rising edge is active, falling inactive")
    func edgeDirection() {
        #expect(LibgpiodRequest.isActive(afterEventType: Int32(GPIOD_LINE_EVENT_RISING_EDGE)))
        #expect(!LibgpiodRequest.isActive(afterEventType: Int32(GPIOD_LINE_EVENT_FALLING_EDGE)))
    }

    static let levelCases: [(Bool, Bool, Bool)] = [
        (true, false, true),
        (false, false, false),
        (true, true, false),
        (false, true, true),
    ]

    @Test("active-low inverts the electrical level", arguments: levelCases)
    func electricalLevel(active: Bool, activeLow: Bool, expectedHigh: Bool) {
        #expect(LibgpiodRequest.electricalLevel(active: active, activeLow: activeLow) == expectedHigh)
    }

    static let pullUpInput = GPIOLineRequest(
        role: "panic", chip: "gpiochip0", line: .name("panic_button"), direction: .input(bias: .pullUp, edges: true), activeLow: true)
    static let plainInput = GPIOLineRequest(role: "door", chip: "gpiochip0", line: .offset(1), direction: .input(bias: .asIs, edges: true))

    @Test("EBUSY maps to lineBusy")
    func busy() {
        let error = LibgpiodRequest.requestError(Errno(rawValue: EBUSY), request: Self.pullUpInput)
        #expect(error == .lineBusy(role: "panic", chip: "gpiochip0", line: .name("panic_button"), reason: Errno(rawValue: EBUSY).description))
    }

    @Test("EINVAL with bias maps to biasUnsupported", arguments: [EINVAL, EOPNOTSUPP])
    func biasRejected(code: Int32) {
        let error = LibgpiodRequest.requestError(Errno(rawValue: code), request: Self.pullUpInput)
        #expect(error == .biasUnsupported(role: "panic", bias: .pullUp))
    }

    @Test("EINVAL without bias stays a failure")
    func invalidWithoutBias() {
        let error = LibgpiodRequest.requestError(Errno(rawValue: EINVAL), request: Self.plainInput)
        guard case .failed(let role, let operation, _) = error else {
            Issue.record("expected .failed, got \(error)")
            return
        }
        #expect(role == "door")
        #expect(operation == "request of line offset 1 on gpiochip0")
    }

    @Test("EPERM on request maps to permissionDenied", arguments: [EPERM, EACCES])
    func requestDenied(code: Int32) {
        let error = LibgpiodRequest.requestError(Errno(rawValue: code), request: Self.plainInput)
        #expect(error == .permissionDenied(role: "door", chip: "gpiochip0", reason: Errno(rawValue: code).description))
    }

    @Test("line lookup ENOENT and EINVAL map to lineNotFound", arguments: [ENOENT, EINVAL])
    func lineMissing(code: Int32) {
        let error = LibgpiodRequest.lineLookupError(Errno(rawValue: code), request: Self.pullUpInput)
        #expect(error == .lineNotFound(role: "panic", chip: "gpiochip0", line: .name("panic_button")))
    }

    @Test("chip EACCES maps to permissionDenied")
    func chipDenied() {
        let error = LibgpiodRequest.chipError(Errno(rawValue: EACCES), chip: "gpiochip0", role: "panic")
        #expect(error == .permissionDenied(role: "panic", chip: "gpiochip0", reason: Errno(rawValue: EACCES).description))
    }

    @Test("chip ENOTTY names a non-GPIO device")
    func chipNotGPIO() {
        let error = LibgpiodRequest.chipError(Errno(rawValue: ENOTTY), chip: "/dev/null", role: "panic")
        #expect(error == .chipNotFound(chip: "/dev/null", reason: "not a GPIO character device, needed for \"panic\""))
    }
}
