public import Core

/// An error that ends a command, with the exit status it maps to.
public enum CLIError: Error, Equatable {
    /// Bad arguments or bad input: exit status 64 (`EX_USAGE` of sysexits.h).
    case usage(LocalizedText)
    /// The command failed for another reason: exit status 1.
    case failure(LocalizedText)

    public var exitStatus: Int32 {
        switch self {
        case .usage: 64
        case .failure: 1
        }
    }

    public var message: LocalizedText {
        switch self {
        case .usage(let text), .failure(let text): text
        }
    }
}
