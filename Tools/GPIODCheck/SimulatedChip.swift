import Glibc

/// A gpio-sim chip made through configfs, with access to the sysfs attributes that stand in
/// for the wiring: `pull` drives an input from outside, `value` shows what an output drives.
///
/// See the kernel's Documentation/admin-guide/gpio/gpio-sim.rst for the layout.
struct SimulatedChip {
    static let configRoot = "/sys/kernel/config/gpio-sim"

    /// Line names of the main test chip, by offset; lines past the list stay unnamed.
    static let boardLineNames = ["panic_button", "door_contact", "led_status", "siren", "modem_reset"]
    static let lineCount = 8

    let configDirectory: String
    /// The platform device, such as `gpio-sim.0`.
    let deviceName: String
    /// The chip's name, such as `gpiochip0`.
    let chipName: String
    let label: String

    /// Creates the device with one bank of `lineCount` lines and switches it live.
    static func create(name: String, label: String, lineNames: [String]) throws -> SimulatedChip {
        let device = "\(configRoot)/\(name)"
        let bank = "\(device)/gpio-bank0"
        try makeDirectory(device)
        try makeDirectory(bank)
        try writeAttribute("\(bank)/num_lines", String(lineCount))
        try writeAttribute("\(bank)/label", label)
        for (offset, lineName) in lineNames.enumerated() {
            try makeDirectory("\(bank)/line\(offset)")
            try writeAttribute("\(bank)/line\(offset)/name", lineName)
        }
        try writeAttribute("\(device)/live", "1")
        return SimulatedChip(
            configDirectory: device,
            deviceName: try readAttribute("\(device)/dev_name"),
            chipName: try readAttribute("\(bank)/chip_name"),
            label: label)
    }

    /// The path of the chip's character device.
    var devicePath: String { "/dev/\(chipName)" }

    /// The chip number that `gpiod_chip_open_lookup` accepts, such as `0` for `gpiochip0`.
    var number: String { String(chipName.dropFirst("gpiochip".count)) }

    /// Reads the pull that gpio-sim applies to a line: `pull-up` or `pull-down`.
    func pull(offset: Int) throws -> String {
        try Self.readAttribute(lineAttribute(offset, "pull"))
    }

    /// Pulls a line up or down, as a button or contact wired to it would.
    func setPull(offset: Int, up: Bool) throws {
        try Self.writeAttribute(lineAttribute(offset, "pull"), up ? "pull-up" : "pull-down")
    }

    /// Reads the electrical level of a line: `true` for high.
    func level(offset: Int) throws -> Bool {
        try Self.readAttribute(lineAttribute(offset, "value")) == "1"
    }

    /// Takes the chip away, as an unbound driver or an unplugged USB GPIO expander would.
    func remove() throws {
        try Self.writeAttribute("\(configDirectory)/live", "0")
    }

    private func lineAttribute(_ offset: Int, _ attribute: String) -> String {
        "/sys/devices/platform/\(deviceName)/\(chipName)/sim_gpio\(offset)/\(attribute)"
    }

    // MARK: Files

    struct FileError: Error, CustomStringConvertible {
        let operation: String
        let path: String
        let code: Int32

        var description: String { "\(operation) \(path) failed: \(String(cString: strerror(code)))" }
    }

    private static func makeDirectory(_ path: String) throws {
        guard mkdir(path, 0o755) == 0 else { throw FileError(operation: "mkdir", path: path, code: errno) }
    }

    static func writeAttribute(_ path: String, _ text: String) throws {
        let descriptor = open(path, O_WRONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(operation: "open", path: path, code: errno) }
        defer { close(descriptor) }
        let bytes = Array(text.utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else {
            throw FileError(operation: "write", path: path, code: errno)
        }
    }

    /// Reads a sysfs or configfs attribute without its trailing line feed.
    static func readAttribute(_ path: String) throws -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw FileError(operation: "open", path: path, code: errno) }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = read(descriptor, &buffer, buffer.count)
        guard count >= 0 else { throw FileError(operation: "read", path: path, code: errno) }
        let text = String(decoding: buffer.prefix(count), as: UTF8.self)
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }
}
