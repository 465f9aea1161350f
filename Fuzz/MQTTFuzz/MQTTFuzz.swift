import FuzzTargets

/// Fuzzes the MQTT inbound verifier and alert payloads. Built by `scripts/fuzz`, it runs libFuzzer; an ordinary
/// build replays the files named on the command line.
@main
enum MQTTFuzz {
    static func main() {
        FuzzMain.run(.mqtt, testOneInput: testOneInput)
    }
}

/// The libFuzzer entry point, which libFuzzer's driver calls once per input.
@_cdecl("LLVMFuzzerTestOneInput")
func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget.mqtt.testOneInput(data, size)
}
