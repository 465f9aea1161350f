import CCrypto
import Foundation
import SMS

/// A salted PBKDF2-HMAC-SHA256 hash of the SMS command PIN, as the configuration file keeps it.
///
/// The written form is `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`. A PIN of a few
/// digits can be found from its hash by trying every value, so the hash keeps the PIN out of
/// the configuration file and backups in clear, and the lockout is what stops guessing by SMS.
/// RFC 8018 §5.2 for PBKDF2.
public struct PINHash: Sendable, Equatable, CustomStringConvertible {
    public static let scheme = "pbkdf2-sha256"
    /// The iterations `make` uses. Python's OpenSSL-backed `hashlib.pbkdf2_hmac` took 59 ms
    /// for them on one shared AMD EPYC core. A Cortex-A7 board takes an estimated few hundred
    /// milliseconds, paid once per command from an allow-listed number.
    public static let defaultIterations = 50_000
    /// PINs are this many digits long.
    public static let lengths = 4...12

    public let iterations: Int
    public let salt: [UInt8]
    public let hash: [UInt8]

    /// Parses the written form.
    /// - Throws: `SMSCommandSettingsError` naming `sms_commands.pin_hash` when the form is wrong.
    public init(parsing text: String) throws(SMSCommandSettingsError) {
        let fields = text.split(separator: "$", omittingEmptySubsequences: false).map(String.init)
        guard fields.count == 4, fields[0] == Self.scheme, let iterations = Int(fields[1]), iterations >= 1000,
            let salt = try? Hex.decode(fields[2]), salt.count >= 8, let hash = try? Hex.decode(fields[3]), hash.count == 32
        else {
            throw SMSCommandSettingsError(
                key: "sms_commands.pin_hash", zh: "不是有效的 PIN 哈希；格式应为 pbkdf2-sha256$迭代次数$盐$哈希，请按 docs/sms-commands.zh-CN.md 的方法重新生成",
                en: "not a valid PIN hash; the form is pbkdf2-sha256$iterations$salt$hash, so make a new one as docs/sms-commands.md shows")
        }
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// Hashes `pin` with a fresh random salt.
    /// - Throws: `SMSCommandSettingsError` when the PIN is not 4 to 12 ASCII digits.
    public static func make(pin: String, iterations: Int = defaultIterations) throws(SMSCommandSettingsError) -> PINHash {
        guard lengths.contains(pin.utf8.count), pin.utf8.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw SMSCommandSettingsError(key: "sms_commands.pin", zh: "PIN 必须是 4 到 12 位数字；请换一个", en: "the PIN must be 4 to 12 digits; choose another")
        }
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return PINHash(iterations: iterations, salt: salt, hash: derive(pin, salt: salt, iterations: iterations))
    }

    init(iterations: Int, salt: [UInt8], hash: [UInt8]) {
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// Returns whether `pin` is the hashed PIN, comparing the hashes in constant time.
    ///
    /// This runs PBKDF2 on the calling thread; callers on the concurrency pool use `matches(_:)`.
    /// `CRYPTO_memcmp(3)`.
    public func matchesBlocking(_ pin: String) -> Bool {
        let candidate = Self.derive(pin, salt: salt, iterations: iterations)
        guard candidate.count == hash.count else { return false }
        return candidate.withUnsafeBytes { left in
            hash.withUnsafeBytes { right in CRYPTO_memcmp(left.baseAddress, right.baseAddress, hash.count) == 0 }
        }
    }

    /// Returns whether `pin` is the hashed PIN, running PBKDF2 on a detached thread so that no
    /// thread of the concurrency pool is blocked while it runs.
    public func matches(_ pin: String) async -> Bool {
        await withCheckedContinuation { continuation in
            let hash = self
            Thread.detachNewThread { continuation.resume(returning: hash.matchesBlocking(pin)) }
        }
    }

    /// The written form.
    public var description: String {
        "\(Self.scheme)$\(iterations)$\(Hex.encode(salt).lowercased())$\(Hex.encode(hash).lowercased())"
    }

    /// `PKCS5_PBKDF2_HMAC(3)` with `EVP_sha256()`, 32 bytes.
    static func derive(_ pin: String, salt: [UInt8], iterations: Int) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: 32)
        let password = Array(pin.utf8)
        let status = password.withUnsafeBufferPointer { passwordBytes in
            salt.withUnsafeBufferPointer { saltBytes in
                PKCS5_PBKDF2_HMAC(
                    passwordBytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, Int32(password.count),
                    saltBytes.baseAddress, Int32(salt.count), Int32(clamping: iterations), EVP_sha256(), Int32(output.count), &output)
            }
        }
        // PBKDF2 fails only when libcrypto cannot allocate. The empty result then matches no
        // stored hash, because those are 32 bytes long.
        return status == 1 ? output : []
    }
}
