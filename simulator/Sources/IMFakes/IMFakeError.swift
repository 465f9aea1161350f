/// A failed start or control request of the fake IM servers: a bad configuration value, an
/// unknown robot, a socket that could not be opened. The text names the value and the fix,
/// and never a robot key or signing secret.
public struct IMFakeError: Error, Equatable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
