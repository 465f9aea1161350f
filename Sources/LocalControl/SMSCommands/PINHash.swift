import CCrypto
public import Core
import Foundation

/// A salted PBKDF2-HMAC-SHA256 hash of the SMS command PIN, as the configuration file keeps it.
///
/// The written form is `pbkdf2-sha256$<iterations>$<salt hex>$<hash hex>`. A PIN of a few
/// digits can be found from its hash by trying every value, so the hash keeps the PIN out of
/// the configuration file and backups in clear, and the lockout is what stops guessing by SMS.
/// RFC 8018 §5.2 for PBKDF2.
public struct PINHash: Sendable, Equatable, CustomStringConvertible {
    public static let scheme = "pbkdf2-sha256"
    /// The iterations `make` uses: about 30 ms on one x86-64 core, and an estimated few hundred
    /// on a Cortex-A7 board, paid once per command from an allow-listed number.
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
            let salt = Self.bytes(hex: fields[2]), salt.count >= 8, let hash = Self.bytes(hex: fields[3]), hash.count == 32
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

    /// Returns whether `pin` is the hashed PIN, running PBKDF2 on a thread of its own so the
    /// concurrency pool never waits for it.
    public func matches(_ pin: String) async -> Bool {
        await withCheckedContinuation { continuation in
            let hash = self
            Thread.detachNewThread { continuation.resume(returning: hash.matchesBlocking(pin)) }
        }
    }

    /// The written form.
    public var description: String {
        "\(Self.scheme)$\(iterations)$\(Self.hex(salt))$\(Self.hex(hash))"
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
        // PBKDF2 only fails when libcrypto cannot allocate; a zeroed output then never matches a stored hash.
        return status == 1 ? output : []
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0x0F)]] })
    }

    private static func bytes(hex text: String) -> [UInt8]? {
        let scalars = Array(text.lowercased().utf8)
        guard scalars.count.isMultiple(of: 2), !scalars.isEmpty else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: scalars.count, by: 2) {
            guard let high = nibble(scalars[index]), let low = nibble(scalars[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case 0x30...0x39: character - 0x30
        case 0x61...0x66: character - 0x61 + 10
        default: nil
        }
    }
}
