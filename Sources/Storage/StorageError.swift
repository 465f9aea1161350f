/// A failed database operation.
///
/// It names the operation (a statement's name, a migration, a pragma) and carries SQLite's
/// result code and message, but never the bound values, so no phone number or message text
/// reaches a log through it.
public struct StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The operation that failed, such as `deliveries.nextBatch` or `migration 3`.
    public let operation: String
    /// SQLite's extended result code, or 0 for errors raised by this module.
    public let code: Int32
    public let message: String

    public init(operation: String, code: Int32, message: String) {
        self.operation = operation
        self.code = code
        self.message = message
    }

    public var description: String {
        code == 0 ? "\(operation): \(message)" : "\(operation) failed (SQLite \(code)): \(message)"
    }

    /// Whether the database file is damaged, so the box must not run on it.
    public var isCorruption: Bool {
        // SQLITE_CORRUPT (11) and SQLITE_NOTADB (26), with their extended codes.
        [11, 26].contains(code & 0xFF)
    }
}
