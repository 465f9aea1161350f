import FuzzTargets

/// Fuzzes the TOML parser, configuration and board profiles. Built by `scripts/fuzz`, it runs libFuzzer; an ordinary
/// build replays the files named on the command line.
@main
enum TOMLFuzz {
    static func main() {
        FuzzMain.run(.toml, testOneInput: testOneInput)
    }
}

/// The libFuzzer entry point, which libFuzzer's driver calls once per input.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget.toml.testOneInput(data, size)
}
