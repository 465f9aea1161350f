#if ALERTBOX_LIBFUZZER
    import CLibFuzzer
#endif
import Foundation

/// The `main` of every fuzz executable.
///
/// Built with `-DALERTBOX_LIBFUZZER` and `-sanitize=fuzzer` (what `scripts/fuzz` does), it
/// hands the command line to libFuzzer's driver. In an ordinary build it replays the files
/// and directories named on the command line through the target instead, which is how a
/// saved crash is reproduced under a debugger.
public enum FuzzMain {
    /// Runs the fuzzer or the replay and exits with its status.
    /// - Parameter testOneInput: the executable's `LLVMFuzzerTestOneInput`.
    public static func run(
        _ target: FuzzTarget, testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
    ) -> Never {
        #if ALERTBOX_LIBFUZZER
            var argc = CommandLine.argc
            var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
            exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
        #else
            exit(replay(target, paths: Array(CommandLine.arguments.dropFirst())))
        #endif
    }

    /// Runs every file in `paths` (directories are read one level deep) through `target`,
    /// printing one line per file; returns 1 when an invariant broke, 64 on a usage error.
    static func replay(_ target: FuzzTarget, paths: [String]) -> Int32 {
        guard !paths.isEmpty else {
            printError("usage: \(target.executableName) FILE|DIRECTORY...\n"
                + "Replays inputs through the \(target.rawValue) target; build with scripts/fuzz to fuzz.")
            return 64
        }
        var status: Int32 = 0
        for path in paths {
            guard FileManager.default.fileExists(atPath: path) else {
                printError("\(path): not found; name a saved input or a directory of them")
                return 66
            }
            let files: [URL]
            do {
                files = try FuzzInputs.files(at: URL(fileURLWithPath: path))
            } catch {
                printError("\(path): cannot be read: \(error.localizedDescription)")
                return 66
            }
            for file in files {
                let result: FuzzResult
                do {
                    result = target.run(Array(try Data(contentsOf: file)))
                } catch {
                    printError("\(file.path): cannot be read: \(error.localizedDescription)")
                    return 66
                }
                if result.violations.isEmpty {
                    print("\(file.path): ok, \(result.acceptedCount) accepted, \(result.rejections.count) rejected")
                } else {
                    status = 1
                    for violation in result.violations {
                        print("\(file.path): VIOLATION: \(violation)")
                    }
                }
            }
        }
        return status
    }

    private static func printError(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}
