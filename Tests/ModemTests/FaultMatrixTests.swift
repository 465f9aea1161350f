import Foundation
import TestSupport
import SMS
import Testing

@testable import Modem

/// Every recoverable simulator fault in every phase: the driver must be ready again within a
/// bounded time and send afterwards.
@Suite(.serialized) struct FaultMatrixTests {
    enum Phase: String, CaseIterable, Sendable {
        case initialising
        case idle
        case sending
        case receiving
        /// Two parts of a three-part message are in, the third comes after the recovery.
        case reassembling
    }

    static let faults: [[String: any Sendable]] = [
        ["fault": "garbage", "count": 200],
        ["fault": "urc_storm", "interval_ms": 50, "duration": 2],
        ["fault": "vendor_noise", "interval_ms": 100, "duration": 3],
        ["fault": "no_answer", "duration": 3],
        ["fault": "slow_answer", "delay_ms": 1500, "duration": 4],
        ["fault": "reboot"],
        ["fault": "reenumerate", "down_for_ms": 1000],
    ]

    static let cases: [(fault: String, phase: Phase)] = faults.flatMap { fault in
        Phase.allCases.map { (fault["fault"] as! String, $0) }
    }

    @Test(arguments: cases)
    func recoversAndSends(fault name: String, phase: Phase) async throws {
        let simulator = try await SimulatorProcess.launch()
        defer { simulator.stop() }
        var request: [String: Any] = ["op": "fault"]
        for (key, value) in Self.faults.first(where: { $0["fault"] as? String == name })! {
            request[key] = value
        }

        let (driver, log) = await ModemDriverTests.start(simulator)
        let longText = String(repeating: "第一部分", count: 40)
        let longParts = try NetworkPDUEncoder.deliver(
            longText, from: .international("+8613800000004"), smsc: .international("+8613800000000"),
            timestamp: SMSTimestamp(year: 2024, month: 1, day: 5, hour: 8, minute: 0, second: 0, utcOffsetMinutes: 480),
            reference: .eightBit(0x5C))
        switch phase {
        case .initialising:
            try await Task.sleep(for: .milliseconds(300))
            try simulator.control(request)
        case .idle:
            #expect(await driver.waitUntilReady(timeout: .seconds(45)))
            try simulator.control(request)
        case .sending:
            #expect(await driver.waitUntilReady(timeout: .seconds(45)))
            async let result = driver.send(OutgoingSMS(id: "during", recipient: ModemDriverTests.number("13800000001"), text: "火警测试"))
            try simulator.control(request)
            _ = await result
        case .receiving:
            #expect(await driver.waitUntilReady(timeout: .seconds(45)))
            try simulator.control(["op": "send", "from": "+8613800000002", "text": "收到"])
            try simulator.control(request)
        case .reassembling:
            #expect(await driver.waitUntilReady(timeout: .seconds(45)))
            for part in longParts.prefix(2) {
                try simulator.control(["op": "deliver_pdu", "pdu": Hex.encode(part)])
            }
            try simulator.control(request)
        }

        // Bounded recovery: ready again, and a send goes through.
        try await Task.sleep(for: .milliseconds(500))
        #expect(await driver.waitUntilReady(timeout: .seconds(40)))
        let message = OutgoingSMS(id: "after", recipient: ModemDriverTests.number("13800000003"), text: "Test")
        var after = await driver.send(message)
        // A hang the driver had no command to notice shows up as one temporary failure with no
        // PDU sent; the driver recovers, and the retry that a scheduler makes goes through.
        if case .failed(.temporary, _, 0, _) = after {
            try await Task.sleep(for: .milliseconds(500))
            #expect(await driver.waitUntilReady(timeout: .seconds(40)))
            after = await driver.send(message)
        }
        guard case .accepted = after else {
            Issue.record("\(name) during \(phase): send after recovery gave \(after)")
            await driver.stop()
            return
        }
        #expect(try await simulator.waitForTexts(to: "+8613800000003", ["Test"]) == ["Test"])
        if phase == .reassembling {
            // The parts read before the fault are kept: the last one completes the message.
            try simulator.control(["op": "deliver_pdu", "pdu": Hex.encode(longParts[2])])
            let completed = await log.wait { events in
                events.contains { if case .received(let message) = $0 { message.missingParts.isEmpty && message.text == longText } else { false } }
            }
            #expect(completed, "\(name) during reassembly: the message was not completed after the recovery")
        }
        await driver.stop()
    }
}
