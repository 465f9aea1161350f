import Foundation
import Hardware

/// The persistent record of a PIN the SIM rejected.
///
/// Three wrong PINs lock a SIM behind its PUK, so a rejected PIN must never be sent again,
/// not even after the box restarts. The record contains the SIM's ICCID and a fingerprint of the
/// rejected PIN. When an operator configures another PIN, the fingerprint differs and the new
/// PIN may be tried. The file is created owner-only.
/// - Note: The fingerprint is FNV-1a, not a cryptographic hash. It only tells whether the
///   configured PIN changed; a four-digit PIN cannot be protected by hashing anyway.
struct PINRecord {
    let path: String

    init(stateDirectory: String) {
        path = stateDirectory + "/rejected-pin"
    }

    static func fingerprint(_ pin: String) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in pin.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01B3
        }
        return String(hash, radix: 16)
    }

    /// Returns whether the SIM with `iccid` rejected `pin` (any SIM when the ICCID is unknown).
    func wasRejected(pin: String, iccid: String?) -> Bool {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return false }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            guard fields.count == 2, fields[1] == Self.fingerprint(pin) else { continue }
            if iccid == nil || fields[0] == "*" || fields[0] == iccid { return true }
        }
        return false
    }

    /// Records that `pin` was rejected.
    func recordRejection(pin: String, iccid: String?) throws {
        let directory = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let existing = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        let line = "\(iccid ?? "*") \(Self.fingerprint(pin))\n"
        try OwnerOnlyFile.write(Array((existing + line).utf8), to: path)
    }
}
