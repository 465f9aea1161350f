/// What one input did to a fuzz target: how many parse steps accepted it, the errors of
/// the steps that rejected it, and the invariants it broke.
///
/// A rejection is expected and fine; a violation is a bug, in the same way as a crash.
public struct FuzzResult: Sendable, Equatable {
    /// Parse steps that returned a value.
    public var acceptedCount = 0
    /// The descriptions of the errors that parse steps threw.
    public var rejections: [String] = []
    /// Broken invariants, each naming the parser, the rule and the values involved.
    public var violations: [String] = []

    public init() {}

    /// Records that a step accepted the input.
    mutating func accept() {
        acceptedCount += 1
    }

    /// Records an error a step threw, and a violation when the error has no text to show,
    /// because every rejection must tell the operator what was wrong.
    mutating func reject(_ error: some Error, by step: String) {
        let description = String(describing: error)
        rejections.append("\(step): \(description)")
        if description.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            violations.append("\(step) threw \(type(of: error)) with an empty description")
        }
    }

    /// Records a violation unless `condition` holds.
    mutating func expect(_ condition: Bool, _ rule: @autoclosure () -> String) {
        if !condition {
            violations.append(rule())
        }
    }
}
