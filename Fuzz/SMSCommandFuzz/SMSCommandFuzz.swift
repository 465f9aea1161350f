import FuzzTargets

/// Fuzzes the SMS command parser. Built by `scripts/fuzz`, it runs libFuzzer; an ordinary
/// build replays the files named on the command line.
@main
enum SMSCommandFuzz {
    static func main() {
        FuzzMain.run(.smsCommand, testOneInput: testOneInput)
    }
}

/// The libFuzzer entry point, which libFuzzer's driver calls once per input.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget.smsCommand.testOneInput(data, size)
}
