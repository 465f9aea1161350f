import FuzzTargets

/// Fuzzes the safe XML parser and the CAP parser. Built by `scripts/fuzz`, it runs libFuzzer; an ordinary
/// build replays the files named on the command line.
@main
enum CAPFuzz {
    static func main() {
        FuzzMain.run(.cap, testOneInput: testOneInput)
    }
}

/// The libFuzzer entry point, which libFuzzer's driver calls once per input.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget.cap.testOneInput(data, size)
}
