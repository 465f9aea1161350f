import Core
import Foundation

/// Prints a scenario's timeline for a person to follow and records every expectation.
///
/// Each line starts with the seconds since the scenario began. Texts come in both operator
/// languages and the narrator prints the one chosen with `--lang` or `ALERTBOX_LANG`.
final class Narrator: @unchecked Sendable {
    // @unchecked Sendable: `lock` guards the counts and the output.

    let language: Language
    private let start = ContinuousClock.now
    private let lock = NSLock()
    private var failed: [String] = []
    private var passedCount = 0
    private var lines: [String] = []
    private let output: FileHandle

    init(language: Language, output: FileHandle = .standardOutput) {
        self.language = language
        self.output = output
    }

    /// The expectations that did not hold, in the scenario's language.
    var failures: [String] {
        lock.withLock { failed }
    }

    /// The number of expectations that held.
    var passed: Int {
        lock.withLock { passedCount }
    }

    /// Every line printed so far, for the log audit at the end of a run.
    var printed: [String] {
        lock.withLock { lines }
    }

    /// Seconds since the scenario began.
    var elapsed: Double {
        let duration = ContinuousClock.now - start
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Picks the text in the scenario's language.
    func text(_ zh: String, _ en: String) -> String {
        language == .english ? en : zh
    }

    /// Prints one line of the timeline.
    func say(_ zh: String, _ en: String) {
        emit(String(format: "[%6.1f s] ", elapsed) + text(zh, en))
    }

    /// Prints the heading of a step.
    func step(_ number: Int, _ zh: String, _ en: String) {
        emit("")
        emit(text("── 第 \(number) 步：", "── Step \(number): ") + text(zh, en))
    }

    /// Records an expectation and prints whether it held.
    @discardableResult
    func expect(_ condition: Bool, _ zh: String, _ en: String) -> Bool {
        let line = text(zh, en)
        lock.withLock {
            if condition { passedCount += 1 } else { failed.append(line) }
        }
        emit(String(format: "[%6.1f s]   ", elapsed) + (condition ? "✓ " : "✗ ") + line)
        return condition
    }

    /// Prints a line without a time stamp.
    func emit(_ line: String) {
        lock.withLock {
            lines.append(line)
            output.write(Data((line + "\n").utf8))
        }
    }
}
