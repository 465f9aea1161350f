import FuzzTargets

/// Fuzzes the contact import from CSV in UTF-8 or GBK. Built by `scripts/fuzz`, it runs libFuzzer; an ordinary
/// build replays the files named on the command line.
@main
enum CSVFuzz {
    static func main() {
        FuzzMain.run(.csv, testOneInput: testOneInput)
    }
}

/// The libFuzzer entry point, which libFuzzer's driver calls once per input.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget.csv.testOneInput(data, size)
}
