/// The kinds of untrusted input that the fuzzers feed, one executable each.
///
/// Each case runs one input through the product's real parsers and checks invariants beyond
/// "no crash": round trips and the limits the parsers document. The fuzz executables, their
/// replay mode and the regression suite all call ``run(_:)``, so a crash found by libFuzzer
/// replays the same way everywhere.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// SMS PDUs (DELIVER, SUBMIT, STATUS-REPORT) as raw octets, then reassembly.
    case pdu
    /// Bytes from a modem's serial port: framing, classification and typed reply parsers.
    case at
    /// CAP 1.2 XML documents from an upstream feed.
    case cap
    /// Contact lists imported as CSV in UTF-8 or GBK.
    case csv
    /// Keystrokes on the serial console and the command lines they form.
    case console
    /// Payloads that arrive on the MQTT inbound topic.
    case mqtt
    /// Texts of inbound SMS read as commands.
    case smsCommand = "sms-command"
    /// The configuration file and board profiles.
    case toml

    /// The executable that fuzzes this target, as named in Package.swift.
    public var executableName: String {
        switch self {
        case .pdu: "PDUFuzz"
        case .at: "ATFuzz"
        case .cap: "CAPFuzz"
        case .csv: "CSVFuzz"
        case .console: "ConsoleFuzz"
        case .mqtt: "MQTTFuzz"
        case .smsCommand: "SMSCommandFuzz"
        case .toml: "TOMLFuzz"
        }
    }

    /// Runs one input through this target's parsers and checks.
    public func run(_ bytes: [UInt8]) -> FuzzResult {
        var result = FuzzResult()
        switch self {
        case .pdu: PDUFuzzing.run(bytes, &result)
        case .at: ATFuzzing.run(bytes, &result)
        case .cap: CAPFuzzing.run(bytes, &result)
        case .csv: ContactCSVFuzzing.run(bytes, &result)
        case .console: ConsoleFuzzing.run(bytes, &result)
        case .mqtt: MQTTFuzzing.run(bytes, &result)
        case .smsCommand: SMSCommandFuzzing.run(bytes, &result)
        case .toml: TOMLFuzzing.run(bytes, &result)
        }
        return result
    }

    /// Runs one input handed over by libFuzzer and stops the process on a violated
    /// invariant, so that libFuzzer saves the input as a crash.
    public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        let result = run(bytes)
        if let violation = result.violations.first {
            fatalError("\(rawValue): invariant violated: \(violation)")
        }
        return 0
    }
}
