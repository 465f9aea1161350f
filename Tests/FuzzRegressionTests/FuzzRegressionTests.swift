import Foundation
import FuzzTargets
import Testing

/// Replays the stored fuzz inputs in process through the same checks the fuzzers run.
///
/// Every file under `Fuzz/Corpus/<target>/` and `Fuzz/Regressions/<target>/` must pass its
/// target without a crash and without a broken invariant; a parser may reject it, but only
/// with an error that has a description. A crash takes the whole test process down, which
/// fails the run as surely as a failed expectation.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    /// The repository's `Fuzz/` directory, found from this file's path.
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    @Test("stored inputs keep every invariant", arguments: FuzzTarget.allCases)
    func storedInputsKeepInvariants(target: FuzzTarget) throws {
        for kind in FuzzInputs.Kind.allCases {
            let directory = FuzzInputs.directory(kind, of: target, fuzzDirectory: Self.fuzzDirectory)
            for file in try FuzzInputs.files(at: directory) {
                let result = target.run(Array(try Data(contentsOf: file)))
                #expect(result.violations.isEmpty, "\(kind.rawValue)/\(target.rawValue)/\(file.lastPathComponent): \(result.violations)")
            }
        }
    }

    @Test("seed corpus is present", arguments: FuzzTarget.allCases)
    func seedCorpusIsPresent(target: FuzzTarget) throws {
        let directory = FuzzInputs.directory(.corpus, of: target, fuzzDirectory: Self.fuzzDirectory)
        #expect(try FuzzInputs.files(at: directory).count >= 3, "\(directory.path) has fewer than 3 seeds")
    }

    @Test("corpus reaches accepting parsers", arguments: FuzzTarget.allCases)
    func corpusReachesAcceptingParsers(target: FuzzTarget) throws {
        // Seeds that every parser rejects would start the fuzzer far from the code it is for.
        let directory = FuzzInputs.directory(.corpus, of: target, fuzzDirectory: Self.fuzzDirectory)
        let accepted = try FuzzInputs.files(at: directory).map { target.run(Array(try Data(contentsOf: $0))).acceptedCount }
        #expect(accepted.reduce(0, +) > 0, "no seed of \(target.rawValue) is accepted by any parser")
    }

}
