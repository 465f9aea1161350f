import ATProtocol
import Core

/// The modem was not ready for a request that needs it ready.
public struct ModemNotReadyError: Error, CustomStringConvertible {
    public let state: ModemState

    public var description: String {
        "modem not ready (\(state))"
    }
}

extension ModemDriver {
    /// Restarts the module with `AT+CFUN=1,1`, after which the supervisor initialises it again.
    ///
    /// Returns once the modem accepted the command. The state has then left `ready`, so
    /// `waitUntilReady(timeout:)` waits for the initialisation after the restart. Call it with
    /// no send in progress: a part cut off by the restart reports an unknown outcome.
    /// - Throws: `ModemNotReadyError` unless the modem is ready, `ModemCommandError` when
    ///   the modem rejects the command, `ATEngineError` when no reply arrives in time.
    /// 3GPP TS 27.007 §8.2
    public func restartModem() async throws {
        guard state == .ready else {
            throw ModemNotReadyError(state: state)
        }
        try await expectOK(.setFunctionality(1, reset: true))

        restartRequested = true
        restartObserved = false
        count("modem.restart_requested")
        logger.notice("modem restart requested")
        setState(.connecting)
        // Wakes the monitor loop, which throws so that the supervisor waits for the boot.
        wakeHealthWaiter()
    }

    /// Waits until the modem shows the restart that `restartModem()` requested: a boot URC,
    /// or a lost port when a USB modem re-enumerates. Waits at most the startup timeout,
    /// because some modules print nothing on boot.
    func waitForRequestedRestart() async {
        let deadline = clock.now.advanced(by: settings.startupTimeout)
        while !stopped, !restartObserved, port != nil, clock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
        if !stopped, !restartObserved, port != nil {
            logger.warning("no boot URC after AT+CFUN=1,1; initialising again anyway")
        }
        restartRequested = false
        restartObserved = false
        healthProblem = nil
    }

    /// Hands every long message still missing parts upward as partial, with gap markers.
    ///
    /// A process about to stop calls it, because the parts it read are already deleted from
    /// the modem and would otherwise be lost with the process.
    public func deliverIncompleteMessages() {
        deliver(reassembler.expire(at: clock.now.advanced(by: reassembler.configuration.timeout)))
    }
}
