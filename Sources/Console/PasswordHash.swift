import CCrypto

/// A stored password: PBKDF2-HMAC-SHA256 with a per-user random salt.
///
/// The stored form is `pbkdf2-sha256$ITERATIONS$SALT$HASH` with the salt and hash in hex,
/// so a later release can raise the iteration count for new passwords and still verify old
/// ones. RFC 8018 §5.2 for PBKDF2.
public struct PasswordHash: Sendable, Equatable, CustomStringConvertible {
    /// Rounds for new passwords. OWASP's 2023 advice for PBKDF2-HMAC-SHA256 is 600,000; the
    /// box takes 210,000 so that a login on a slow single-board CPU stays near a second.
    /// NOTE: the login time on the target SBC is estimated from x86 timings, not measured.
    public static let defaultIterations = 210_000
    /// The fewest rounds a stored hash may have; fewer is rejected as tampered.
    public static let minimumIterations = 100_000
    static let saltLength = 16
    static let hashLength = 32

    public let iterations: Int
    public let salt: [UInt8]
    public let hash: [UInt8]

    /// Hashes `password` with a new random salt.
    /// `PKCS5_PBKDF2_HMAC(3)`, `RAND_bytes(3)`.
    public static func make(_ password: String, iterations: Int = defaultIterations) throws(ConsoleError) -> PasswordHash {
        var salt = [UInt8](repeating: 0, count: saltLength)
        guard alertbox_random_bytes(&salt, salt.count) == 1 else {
            throw ConsoleError(.cryptoFailed, detail: "RAND_bytes failed")
        }
        return PasswordHash(iterations: iterations, salt: salt, hash: try derive(password, salt: salt, iterations: iterations))
    }

    /// Parses the stored form.
    /// - Throws: `ConsoleError` when the text is not a hash this version wrote.
    public init(parsing text: String) throws(ConsoleError) {
        let fields = text.split(separator: "$", omittingEmptySubsequences: false)
        guard fields.count == 4, fields[0] == "pbkdf2-sha256", let iterations = Int(fields[1]),
            iterations >= Self.minimumIterations, let salt = Self.bytes(hex: fields[2]), salt.count >= 8,
            let hash = Self.bytes(hex: fields[3]), hash.count == Self.hashLength
        else {
            throw ConsoleError(.invalidPasswordHash, detail: "stored password hash has an unknown form; reset the password with 'users reset'")
        }
        self.init(iterations: iterations, salt: salt, hash: hash)
    }

    init(iterations: Int, salt: [UInt8], hash: [UInt8]) {
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    public var description: String {
        "pbkdf2-sha256$\(iterations)$\(Self.hex(salt))$\(Self.hex(hash))"
    }

    /// Checks `password` against the hash, comparing in constant time.
    /// `PKCS5_PBKDF2_HMAC(3)`, `CRYPTO_memcmp(3)`.
    public func verify(_ password: String) throws(ConsoleError) -> Bool {
        let candidate = try Self.derive(password, salt: salt, iterations: iterations)
        return candidate.withUnsafeBytes { left in
            hash.withUnsafeBytes { right in alertbox_constant_time_compare(left.baseAddress, right.baseAddress, Self.hashLength) == 0 }
        }
    }

    static func derive(_ password: String, salt: [UInt8], iterations: Int) throws(ConsoleError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: hashLength)
        let secret = Array(password.utf8)
        let status = secret.withUnsafeBytes { raw in
            alertbox_pbkdf2_sha256(raw.baseAddress, raw.count, salt, salt.count, UInt32(iterations), &output, output.count)
        }
        guard status == 1 else { throw ConsoleError(.cryptoFailed, detail: "PKCS5_PBKDF2_HMAC failed") }
        return output
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
    }

    static func bytes(hex: Substring) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var result: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            result.append(byte)
            index = next
        }
        return result
    }

    /// Returns `count` random characters from an alphabet without look-alikes (no 0/O, 1/l/I),
    /// for one-time passwords that are read off a log and typed at a console.
    public static func randomPassword(count: Int = 12) throws(ConsoleError) -> String {
        let alphabet = Array("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var bytes = [UInt8](repeating: 0, count: count)
        guard alertbox_random_bytes(&bytes, bytes.count) == 1 else { throw ConsoleError(.cryptoFailed, detail: "RAND_bytes failed") }
        // 256 is not a multiple of the alphabet's 55 letters, so the first letters come up
        // slightly more often (5 in 256 against 4); 12 characters still carry about 69 bits.
        return String(bytes.map { alphabet[Int($0) % alphabet.count] })
    }
}
