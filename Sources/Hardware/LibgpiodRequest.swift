internal import CGPIOD
import Core
import Glibc

/// The pure mappings between `GPIOLineRequest` and libgpiod 1.6: request types, flags,
/// event timestamps, edge directions and `errno` values.
///
/// Nothing here touches a chip, so the mappings are unit-tested on machines without GPIO.
enum LibgpiodRequest {
    /// Returns the libgpiod request type for a direction. An input with edges requests both edges.
    /// `gpiod_line_request_config.request_type`.
    static func requestType(for direction: GPIODirection) -> Int32 {
        switch direction {
        case .input(_, edges: true): Int32(GPIOD_LINE_REQUEST_EVENT_BOTH_EDGES)
        case .input(_, edges: false): Int32(GPIOD_LINE_REQUEST_DIRECTION_INPUT)
        case .output: Int32(GPIOD_LINE_REQUEST_DIRECTION_OUTPUT)
        }
    }

    /// Returns the libgpiod request flags for a request: active-low and the bias of an input.
    ///
    /// Only inputs carry a bias, because `GPIODirection` gives none to outputs.
    /// `gpiod_line_request_config.flags`, `GPIOD_LINE_REQUEST_FLAG_*`.
    static func flags(for request: GPIOLineRequest) -> Int32 {
        var flags: Int32 = 0
        if request.activeLow {
            flags |= Int32(GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW)
        }
        if case .input(let bias, _) = request.direction {
            switch bias {
            case .asIs: break
            case .disabled: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_DISABLE)
            case .pullUp: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP)
            case .pullDown: flags |= Int32(GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_DOWN)
            }
        }
        return flags
    }

    /// Returns the value passed to `gpiod_line_request` as `default_val`: the logical initial
    /// value of an output, 0 for an input.
    ///
    /// The value stays logical because the kernel applies `ACTIVE_LOW` to the default values of
    /// a request as it does to later writes.
    static func defaultValue(for direction: GPIODirection) -> Int32 {
        if case .output(let initialActive) = direction, initialActive { return 1 }
        return 0
    }

    /// Converts an event timestamp to a monotonic instant.
    ///
    /// libgpiod 1.6 passes on the kernel's timestamp unchanged. Kernels from 5.7 on stamp
    /// events with `CLOCK_MONOTONIC`, the clock of `MonotonicInstant`. Older kernels stamp
    /// them with `CLOCK_REALTIME`, so the instants would be off by the time since boot.
    /// `struct gpiod_line_event.ts`.
    static func instant(of timestamp: timespec) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: Int64(timestamp.tv_sec) * 1_000_000_000 + Int64(timestamp.tv_nsec))
    }

    /// Returns whether a kernel release (`uname -r`, such as `6.1.0-57-amd64`) stamps line
    /// events with `CLOCK_MONOTONIC`, as Linux does from 5.7 on.
    /// Returns nil when the release does not start with a major and minor number.
    static func stampsMonotonic(kernelRelease release: String) -> Bool? {
        let numbers = release.split(whereSeparator: { !$0.isNumber }).prefix(2).compactMap { Int($0) }
        guard numbers.count == 2, release.first?.isNumber == true else { return nil }
        return (numbers[0], numbers[1]) >= (5, 7)
    }

    /// Converts a libgpiod event to the logical value after the edge: a rising edge makes the
    /// line active.
    ///
    /// The kernel already swaps rising and falling for an active-low line, so the event type is
    /// logical. `GPIOD_LINE_EVENT_RISING_EDGE`, `GPIOD_LINE_EVENT_FALLING_EDGE`.
    static func isActive(afterEventType eventType: Int32) -> Bool {
        eventType == Int32(GPIOD_LINE_EVENT_RISING_EDGE)
    }

    /// Returns the electrical level of a line for its logical value: inverted on an
    /// active-low line.
    static func electricalLevel(active: Bool, activeLow: Bool) -> Bool {
        active != activeLow
    }

    /// Maps the `errno` of a failed `gpiod_chip_open_lookup` to an error that names the chip
    /// and the role that needed it.
    static func chipError(_ error: Errno, chip: String, role: String) -> GPIOError {
        switch error.rawValue {
        case EACCES, EPERM:
            .permissionDenied(role: role, chip: chip, reason: error.description)
        case ENOTTY, ENODEV:
            .chipNotFound(chip: chip, reason: "not a GPIO character device, needed for \"\(role)\"")
        default:
            .chipNotFound(chip: chip, reason: "\(error.description), needed for \"\(role)\"")
        }
    }

    /// Maps the `errno` of a failed `gpiod_chip_find_line` or `gpiod_chip_get_line`.
    /// `ENOENT` (no line of that name) and `EINVAL` (offset past the last line) mean the line is
    /// not on the chip.
    static func lineLookupError(_ error: Errno, request: GPIOLineRequest) -> GPIOError {
        switch error.rawValue {
        case ENOENT, EINVAL:
            .lineNotFound(role: request.role, chip: request.chip, line: request.line)
        default:
            .failed(role: request.role, operation: "lookup of line \(request.line) on \(request.chip)", reason: error.description)
        }
    }

    /// Maps the `errno` of a failed `gpiod_line_request`.
    ///
    /// `EBUSY` means another consumer has requested the line. `EINVAL` or `EOPNOTSUPP` on a request
    /// with a bias means the kernel predates bias flags (Linux 5.5) or the chip's driver
    /// rejects the bias. A driver that returns `ENOTSUPP` is not reported, because the kernel
    /// then ignores the bias (`gpio_set_bias` in Linux 6.1).
    static func requestError(_ error: Errno, request: GPIOLineRequest) -> GPIOError {
        let bias: GPIOBias? = if case .input(let bias, _) = request.direction, bias != .asIs { bias } else { nil }
        switch error.rawValue {
        case EBUSY:
            return .lineBusy(role: request.role, chip: request.chip, line: request.line, reason: error.description)
        case EACCES, EPERM:
            return .permissionDenied(role: request.role, chip: request.chip, reason: error.description)
        case EINVAL, EOPNOTSUPP:
            if let bias { return .biasUnsupported(role: request.role, bias: bias) }
            fallthrough
        default:
            return .failed(role: request.role, operation: "request of line \(request.line) on \(request.chip)", reason: error.description)
        }
    }
}
