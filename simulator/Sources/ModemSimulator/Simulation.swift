public import Core
import ATProtocol
import SMS

/// Something the simulation asks its runtime to do with a modem's port.
public enum SimulationOutput: Sendable, Equatable {
    /// Bytes for the host on the modem's tty.
    case write(modem: Int, bytes: [UInt8])
    /// The tty disappears, as a USB modem does when it re-enumerates.
    case portVanished(modem: Int)
    /// The tty is back, under a new device name behind the same stable path.
    case portReturned(modem: Int)
}

/// Modems and the carrier behind them, as one value driven by host bytes and time.
///
/// The runtime around it owns the pseudo-terminals and the clock; tests drive it directly
/// with instants of their choosing.
public struct Simulation: Sendable {
    private enum Timer: Sendable {
        case modem(Int, ModemTimer)
    }

    public var network: SimulatedNetwork
    public private(set) var modems: [SimulatedModem]
    private var timers = TimerQueue<Timer>()
    /// When each modem's power key or reset pin was asserted, while it is held.
    private var pinPresses: [Int: [ModemPin: MonotonicInstant]] = [:]
    /// How long the SMSC waits before retrying a delivery a modem could not take.
    public var deliveryRetry: Duration = .seconds(5)

    public init(modems: [ModemConfiguration], network: NetworkConfiguration = NetworkConfiguration(), seed: UInt64 = 1) {
        self.modems = modems.enumerated().map { SimulatedModem(configuration: $0.element, seed: seed &+ UInt64($0.offset)) }
        self.network = SimulatedNetwork(configuration: network)
    }

    /// The earliest instant at which `advance(to:)` has work.
    public var nextDue: MonotonicInstant? {
        [timers.nextDue, network.nextDue].compactMap { $0 }.min()
    }

    /// Powers every modem on.
    public mutating func start(at now: MonotonicInstant) -> [SimulationOutput] {
        var outputs: [SimulationOutput] = []
        for index in modems.indices {
            var effects = ModemEffects()
            modems[index].powerOn(&effects)
            outputs += apply(effects, modem: index, at: now)
        }
        return outputs
    }

    /// Takes bytes the host wrote to a modem's tty.
    public mutating func hostWrote(_ bytes: [UInt8], modem index: Int, at now: MonotonicInstant) -> [SimulationOutput] {
        var outputs = advance(to: now)
        var effects = ModemEffects()
        modems[index].receive(bytes, at: now, &effects)
        outputs += apply(effects, modem: index, at: now)
        return outputs
    }

    /// Runs every modem timer and network event due by `now`, in time order.
    public mutating func advance(to now: MonotonicInstant) -> [SimulationOutput] {
        var outputs: [SimulationOutput] = []
        while let due = nextDue, due <= now {
            if let timerDue = timers.nextDue, timerDue <= due {
                for timer in timers.popDue(at: timerDue) {
                    guard case .modem(let index, let modemTimer) = timer else { continue }
                    var effects = ModemEffects()
                    modems[index].fire(modemTimer, at: timerDue, &effects)
                    modems[index].drainQueue(at: timerDue, &effects)
                    outputs += apply(effects, modem: index, at: timerDue)
                }
                continue
            }
            for delivery in network.advance(to: due) {
                outputs += deliver(delivery, at: due)
            }
        }
        return outputs
    }

    /// Injects a fault into one modem, or into the network for `cmsError`.
    public mutating func inject(_ fault: Fault, modem index: Int, at now: MonotonicInstant) -> [SimulationOutput] {
        var outputs = advance(to: now)
        if case .cmsError(let cause, let destinations) = fault {
            for destination in destinations.isEmpty ? ["*"] : destinations {
                let key = destination == "*" ? "*" : ((try? PhoneNumber(parsing: destination).e164) ?? destination)
                network.destinationFaults[key] = cause
            }
            return outputs
        }
        var effects = ModemEffects()
        modems[index].apply(fault, at: now, &effects)
        outputs += apply(effects, modem: index, at: now)
        return outputs
    }

    /// Clears destination faults, so `AT+CMGS` succeeds again.
    public mutating func clearNetworkFaults() {
        network.destinationFaults = [:]
    }

    /// A handset sends `text` to a modem's SIM, as a person replying.
    public mutating func handsetSends(from handset: String, toModem index: Int, text: String, at now: MonotonicInstant) -> [SimulationOutput] {
        network.handsetSends(from: handset, to: modems[index].configuration.simNumber, text: text, at: now)
        return advance(to: now)
    }

    /// Powers a modem off, or on with its boot banner.
    public mutating func setPower(_ on: Bool, modem index: Int, at now: MonotonicInstant) -> [SimulationOutput] {
        var effects = ModemEffects()
        if on {
            modems[index].powerOn(&effects)
        } else {
            modems[index].powerOff()
        }
        return apply(effects, modem: index, at: now)
    }

    /// Takes a change of a modem pin that the box drives through the GPIO bridge: the end of a
    /// power key or reset pulse acts by its length, and the load switch cuts or restores power.
    public mutating func modemPin(_ pin: ModemPin, asserted: Bool, modem index: Int, at now: MonotonicInstant) -> [SimulationOutput] {
        guard modems.indices.contains(index) else { return [] }
        var outputs = advance(to: now)
        var effects = ModemEffects()
        switch pin {
        case .powerKey, .reset:
            if asserted {
                pinPresses[index, default: [:]][pin] = now
                return outputs
            }
            guard let pressed = pinPresses[index]?.removeValue(forKey: pin) else { return outputs }
            let held = pressed.duration(to: now)
            if pin == .powerKey {
                modems[index].powerKeyPulsed(held: held, &effects)
            } else {
                modems[index].resetPulsed(held: held, &effects)
            }
        case .powerEnable:
            modems[index].setSupply(asserted)
        case .status:
            break  // The modem drives STATUS; the box only reads it.
        }
        outputs += apply(effects, modem: index, at: now)
        return outputs
    }

    // MARK: Effects

    private mutating func apply(_ effects: ModemEffects, modem index: Int, at now: MonotonicInstant) -> [SimulationOutput] {
        var outputs: [SimulationOutput] = []
        if !effects.output.isEmpty {
            outputs.append(.write(modem: index, bytes: effects.output))
        }
        for vanished in effects.portChanges {
            outputs.append(vanished ? .portVanished(modem: index) : .portReturned(modem: index))
        }
        for (timer, delay) in effects.timers {
            timers.schedule(.modem(index, timer), at: now.advanced(by: delay))
        }
        for submission in effects.submissions {
            let outcome = network.submit(
                submission.pdu, fromSIM: modems[index].configuration.simNumber, reference: submission.reference, at: now)
            let (cause, latency): (Int?, Duration)
            switch outcome {
            case .accepted(let after): (cause, latency) = (nil, after)
            case .rejected(let code, let after): (cause, latency) = (code, after)
            }
            let event = ModemTimer.Event.sendResult(command: submission.command, reference: submission.reference, cmsCause: cause)
            timers.schedule(.modem(index, ModemTimer(generation: submission.generation, event: event)), at: now.advanced(by: latency))
        }
        return outputs
    }

    private mutating func deliver(_ delivery: NetworkDelivery, at now: MonotonicInstant) -> [SimulationOutput] {
        guard let index = modems.firstIndex(where: { $0.configuration.simNumber == delivery.sim }) else { return [] }
        var effects = ModemEffects()
        if !modems[index].accept(delivery, at: now, &effects) {
            network.retryLater(delivery, at: now.advanced(by: deliveryRetry))
        }
        return apply(effects, modem: index, at: now)
    }
}
