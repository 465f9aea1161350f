import Core
import Foundation
import Glibc
import Hardware
import Scheduler
import Testing

@testable import Uplink

@Suite struct HealthTrackerTests {
    static func at(_ milliseconds: Int64) -> MonotonicInstant {
        MonotonicInstant(nanoseconds: milliseconds * 1_000_000)
    }

    @Test func refusalIsDownAtOnce() {
        var tracker = HealthTracker()
        #expect(tracker.recordFailure(.refused, at: Self.at(0)) == .down)
    }

    @Test func timeoutsDegradeThenDown() {
        var tracker = HealthTracker()
        #expect(tracker.recordFailure(.timedOut, at: Self.at(0)) == .degraded)
        #expect(tracker.recordFailure(.timedOut, at: Self.at(2000)) == .down)
    }

    @Test func successClearsDegraded() {
        var tracker = HealthTracker()
        _ = tracker.recordFailure(.other, at: Self.at(0))
        #expect(tracker.recordSuccess(at: Self.at(1000)) == .up)
    }

    @Test func upOnlyAfterHoldDown() {
        var tracker = HealthTracker(settings: .init(failuresToDown: 2, successesToUp: 3, holdDown: .seconds(10)))
        _ = tracker.recordFailure(.refused, at: Self.at(0))
        #expect(tracker.recordSuccess(at: Self.at(1000)) == nil)
        #expect(tracker.recordSuccess(at: Self.at(2000)) == nil)
        #expect(tracker.recordSuccess(at: Self.at(3000)) == nil)
        #expect(tracker.recordSuccess(at: Self.at(11_000)) == .up)
    }

    @Test func failureRestartsHoldDown() {
        var tracker = HealthTracker(settings: .init(failuresToDown: 2, successesToUp: 2, holdDown: .seconds(10)))
        _ = tracker.recordFailure(.refused, at: Self.at(0))
        _ = tracker.recordSuccess(at: Self.at(1000))
        _ = tracker.recordFailure(.timedOut, at: Self.at(5000))
        #expect(tracker.recordSuccess(at: Self.at(11_000)) == nil)
        #expect(tracker.recordSuccess(at: Self.at(21_000)) == .up)
    }

    @Test(arguments: [
        ([UplinkHealth.down, .up], UplinkHealth.up),
        ([.down, .degraded], .degraded),
        ([.down, .down], .down),
        ([], .down),
    ])
    func combinedTakesBest(_ channels: [UplinkHealth], _ expected: UplinkHealth) {
        #expect(HealthTracker.combined(channels) == expected)
    }
}

/// The TCP probe against sockets the test opens on 127.0.0.1.
@Suite struct TCPProbeTests {
    /// A listening socket on a free port; `backlog` 0 with its queue filled drops further SYNs,
    /// which a client sees as a blackholed path.
    final class Listener {
        let descriptor: Int32
        let port: UInt16
        var fillers: [Int32] = []

        init(backlog: Int32) throws {
            let listening = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            descriptor = listening
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let bound = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(listening, $0, length) == 0 && getsockname(listening, $0, &length) == 0
                }
            }
            guard bound, listen(listening, backlog) == 0 else { throw Errno.current }
            port = UInt16(bigEndian: address.sin_port)
        }

        /// Connects sockets that are never accepted until new SYNs are dropped.
        func fillQueue() {
            for _ in 0..<4 {
                let client = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                address.sin_port = port.bigEndian
                _ = withUnsafePointer(to: &address) { pointer in
                    pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(client, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
                }
                fillers.append(client)
            }
            usleep(100_000)
        }

        deinit {
            for filler in fillers { close(filler) }
            close(descriptor)
        }
    }

    @Test func listeningPortConnects() async throws {
        let listener = try Listener(backlog: 16)
        let probe = TCPProbe(name: "test")
        #expect(await probe.connect(address: "127.0.0.1", port: listener.port, timeout: .seconds(5)) == .connected)
        await probe.shutdown()
    }

    @Test func closedPortIsRefused() async throws {
        let port = try UInt16(LoopbackServer.closedPort())
        let probe = TCPProbe(name: "test")
        #expect(await probe.connect(address: "127.0.0.1", port: port, timeout: .seconds(5)) == .refused)
        await probe.shutdown()
    }

    @Test func droppedSynTimesOut() async throws {
        let listener = try Listener(backlog: 0)
        listener.fillQueue()
        let probe = TCPProbe(name: "test")
        #expect(await probe.connect(address: "127.0.0.1", port: listener.port, timeout: .milliseconds(300)) == .timedOut)
        await probe.shutdown()
    }

    @Test func hostNameIsResolved() async throws {
        let listener = try Listener(backlog: 4)
        let probe = TCPProbe(name: "test")
        // localhost comes from /etc/hosts, so no DNS server is asked.
        #expect(await probe.connect(address: "localhost", port: listener.port, timeout: .seconds(5)) == .connected)
        #expect(await probe.connect(address: "", port: listener.port, timeout: .seconds(1)) == .failed(Errno(rawValue: EHOSTUNREACH)))
        await probe.shutdown()
    }
}
