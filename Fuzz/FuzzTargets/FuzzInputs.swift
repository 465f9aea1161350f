public import Foundation

/// The stored inputs of the fuzz targets: seed corpora and saved crashes.
///
/// `Fuzz/Corpus/<target>/` contains the seeds that start a fuzz run, and
/// `Fuzz/Regressions/<target>/` every input that once crashed a target or broke an
/// invariant. Both are replayed by the regression suite.
public enum FuzzInputs {
    /// The kinds of stored input, named after their directories under `Fuzz/`.
    public enum Kind: String, CaseIterable, Sendable {
        case corpus = "Corpus"
        case regressions = "Regressions"
    }

    /// Returns the directory of `kind` for `target` below the repository's `Fuzz/` directory.
    public static func directory(_ kind: Kind, of target: FuzzTarget, fuzzDirectory: URL) -> URL {
        fuzzDirectory.appendingPathComponent(kind.rawValue).appendingPathComponent(target.rawValue)
    }

    /// Returns the regular files at `url`: the file itself, or a directory's files sorted by
    /// name, without subdirectories and hidden files. A missing directory has none.
    public static func files(at url: URL) throws -> [URL] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            return []
        }
        guard isDirectory.boolValue else {
            return [url]
        }
        return try FileManager.default.contentsOfDirectory(
            at: url, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]
        )
        .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
        .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
