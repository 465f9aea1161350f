import FuzzTargets

/// Fuzzes the SMS PDU decoder, encoders and reassembler. Built by `scripts/fuzz`, it runs libFuzzer; an ordinary
/// build replays the files named on the command line.
@main
enum PDUFuzz {
    static func main() {
        FuzzMain.run(.pdu, testOneInput: testOneInput)
    }
}

/// The libFuzzer entry point, which libFuzzer's driver calls once per input.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget.pdu.testOneInput(data, size)
}
