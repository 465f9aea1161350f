/// A failed MQTT operation: invalid settings, a libmosquitto setup call, or a request the
/// library rejected.
///
/// It carries libmosquitto's `MOSQ_ERR_*` code where there is one and a sentence naming the
/// value and the fix. It never carries a password or a payload, so it can be logged as it is.
public struct MQTTError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// A setting is out of range or inconsistent.
        case invalidSettings
        /// libmosquitto failed to initialise, create a client or take an option, such as an
        /// unreadable CA file.
        case setupFailed
        /// The connection was stopped, so no request is taken.
        case stopped
        /// libmosquitto rejected a subscribe or publish request.
        case requestFailed
    }

    public let kind: Kind
    /// libmosquitto's `MOSQ_ERR_*` code, or 0 for errors raised by this module.
    public let code: Int32
    public let detail: String

    public init(_ kind: Kind, code: Int32 = 0, detail: String) {
        self.kind = kind
        self.code = code
        self.detail = detail
    }

    public var description: String {
        code == 0 ? detail : "\(detail) (mosquitto error \(code))"
    }
}
