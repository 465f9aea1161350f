import Foundation
import Glibc
import IMFakes

/// PBKDF2-HMAC-SHA256 (RFC 8018 §5.2) for the SMS command PIN's hash in the box's
/// configuration, in the `pbkdf2-sha256$ITERATIONS$SALT$HASH` form the box reads.
enum PINHashing {
    /// Hashes `pin` with a fresh salt and 1,000 iterations, the least the box accepts,
    /// because the hash only has to be valid.
    static func hash(pin: String, iterations: Int = 1000) -> String {
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255) }
        let password = Array(pin.utf8)
        // One 32-byte block: U1 = HMAC(P, S || INT(1)), Ui = HMAC(P, Ui-1), T = U1 ^ ... ^ Uc.
        var block = FakeSigning.hmacSHA256(key: password, message: salt + [0, 0, 0, 1]) ?? []
        var result = block
        for _ in 1..<iterations {
            block = FakeSigning.hmacSHA256(key: password, message: block) ?? []
            for index in result.indices { result[index] ^= block[index] }
        }
        return "pbkdf2-sha256$\(iterations)$\(hex(salt))$\(hex(result))"
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

/// SMS-DELIVER PDUs as the network hands them to the modem, for commands whose SMSC time
/// stamp (SCTS) the scenario chooses: the simulator's own handsets stamp messages in 2024,
/// which a box with a trusted clock rejects as stale.
enum DeliverPDU {
    /// Returns a UCS-2 SMS-DELIVER from `sender` (E.164) with no SMSC field, stamped `time` in UTC+8.
    static func make(text: String, from sender: String, time: Date) -> String {
        let digits = Array(sender.filter(\.isNumber))
        var octets: [UInt8] = [0x00, 0x04, UInt8(digits.count), 0x91]
        var index = 0
        while index < digits.count {
            let low = UInt8(String(digits[index]))!  // Filtered to digits above.
            let high = index + 1 < digits.count ? UInt8(String(digits[index + 1]))! : 0x0F  // Filtered to digits above.
            octets.append(high << 4 | low)
            index += 2
        }
        octets += [0x00, 0x08]
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(secondsFromGMT: 8 * 3600)!  // A constant, valid offset.
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: time)
        for value in [(parts.year ?? 2000) % 100, parts.month ?? 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0, 32] {
            // Semi-octets: the units digit in the high nibble. 32 quarters of an hour is UTC+8.
            octets.append(UInt8(value % 10) << 4 | UInt8(value / 10))
        }
        let body = text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        octets.append(UInt8(body.count))
        octets += body
        return octets.map { String(format: "%02X", $0) }.joined()
    }
}

/// A file that nothing should open, watched with inotify(7) for `IN_OPEN` and `IN_ACCESS`.
final class CanaryFile {
    let path: String
    private let descriptor: Int32

    init(path: String) throws {
        self.path = path
        try "canary: nothing may read this file\n".write(toFile: path, atomically: false, encoding: .utf8)
        descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0, inotify_add_watch(descriptor, path, UInt32(IN_OPEN | IN_ACCESS)) >= 0 else {
            throw ScenarioError("cannot watch \(path) with inotify: \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        close(descriptor)
    }

    /// Reads the events queued since the last call and returns how many there were.
    func events() -> Int {
        var buffer = [UInt8](repeating: 0, count: 4096)
        var count = 0
        while true {
            let length = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard length > 0 else { return count }
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= length {
                let nameLength = buffer.withUnsafeBytes { $0.load(fromByteOffset: offset + 12, as: UInt32.self) }
                count += 1
                offset += MemoryLayout<inotify_event>.size + Int(nameLength)
            }
        }
    }
}

/// A TCP listener on 127.0.0.1 that counts the connections made to it.
final class LoopbackListener: @unchecked Sendable {
    // @unchecked Sendable: `lock` guards `accepted`; the descriptor is closed only by `stop`.

    let port: Int
    private let descriptor: Int32
    private let lock = NSLock()
    private var acceptedCount = 0
    private var running = true

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.descriptor = descriptor
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(descriptor, pointer, length) == 0 && listen(descriptor, 16) == 0 ? getsockname(descriptor, pointer, &length) : -1
            }
        }
        guard bound == 0 else { throw ScenarioError("cannot listen on 127.0.0.1: \(String(cString: strerror(errno)))") }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread { self.acceptLoop() }
    }

    /// The connections accepted so far.
    var accepted: Int {
        lock.withLock { acceptedCount }
    }

    func stop() {
        lock.withLock { running = false }
        shutdown(descriptor, Int32(SHUT_RDWR))
        close(descriptor)
    }

    private func acceptLoop() {
        while lock.withLock({ running }) {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 200) >= 0 else { return }
            guard entry.revents & Int16(POLLIN) != 0 else { continue }
            let client = accept(descriptor, nil, nil)
            guard client >= 0 else { continue }
            lock.withLock { acceptedCount += 1 }
            close(client)
        }
    }
}

/// A client of the box's console socket that types lines and waits for text, as a person at
/// `alertbox console` does.
final class ConsoleClient {
    private let descriptor: Int32
    /// Output not yet matched, kept as bytes because a read may end inside a character.
    private var received: [UInt8] = []

    init(path: String) throws {
        descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw ScenarioError("socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (index, byte) in bytes.enumerated() { raw[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            close(descriptor)
            throw ScenarioError("cannot connect to the console at \(path): \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        close(descriptor)
    }

    /// Types `line` followed by Enter.
    func type(_ line: String) throws {
        let bytes = Array((line + "\r").utf8)
        guard bytes.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
            throw ScenarioError("cannot write to the console: \(String(cString: strerror(errno)))")
        }
    }

    /// Waits until the console printed `text` since the last match; returns whether it did
    /// within `timeout`. The output up to the match is consumed.
    func waitFor(_ text: String, timeout: Duration = .seconds(15)) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            let output = String(decoding: received, as: UTF8.self)
            if let found = output.range(of: text) {
                received = Array(output[found.upperBound...].utf8)
                return true
            }
            guard ContinuousClock.now < deadline else { return false }
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 200) >= 0 else { return false }
            guard entry.revents != 0 else { continue }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else { return false }
            received += buffer[..<count]
        }
    }
}
