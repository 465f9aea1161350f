import FuzzTargets

/// Fuzzes the AT line framer, classifier and typed reply parsers. Built by `scripts/fuzz`, it runs libFuzzer; an ordinary
/// build replays the files named on the command line.
@main
enum ATFuzz {
    static func main() {
        FuzzMain.run(.at, testOneInput: testOneInput)
    }
}

/// The libFuzzer entry point, which libFuzzer's driver calls once per input.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget.at.testOneInput(data, size)
}
