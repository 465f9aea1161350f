import Core
import Testing

@testable import Console

@Suite struct SessionMachineTests {
    let start = MonotonicInstant(nanoseconds: 1_000_000_000)

    func at(_ seconds: Int) -> MonotonicInstant {
        start.advanced(by: .seconds(seconds))
    }

    @Test func loginAsksNameThenPassword() {
        var machine = SessionMachine(idleLimit: .seconds(600), at: start)
        #expect(machine.start(at: start) == [.prompt(.username)])
        #expect(machine.input("admin", at: start) == [.prompt(.password)])
        #expect(machine.input("pw", at: start) == [.authenticate(user: "admin", password: "pw")])
    }

    @Test func forcedChangeBeforeCommands() {
        var machine = SessionMachine(idleLimit: .seconds(600), at: start)
        _ = machine.start(at: start)
        _ = machine.input("admin", at: start)
        _ = machine.input("old", at: start)
        let actions = machine.authenticated(.accepted(role: .admin, mustChangePassword: true), at: start)
        #expect(actions.last == .prompt(.newPassword))
        #expect(machine.input("status", at: start).first == .message(SessionMachine.passwordProblem("status", user: "admin")!))
    }

    @Test func mismatchedConfirmationStartsOver() {
        var machine = SessionMachine(idleLimit: .seconds(600), at: start)
        _ = machine.start(at: start)
        _ = machine.input("admin", at: start)
        _ = machine.input("old", at: start)
        _ = machine.authenticated(.accepted(role: .admin, mustChangePassword: true), at: start)
        _ = machine.input("long-enough-1", at: start)
        #expect(machine.input("long-enough-2", at: start).last == .prompt(.newPassword))
    }

    @Test func idleSessionCloses() {
        var machine = SessionMachine(idleLimit: .seconds(600), at: start)
        _ = machine.start(at: start)
        #expect(machine.tick(at: at(599)).isEmpty)
        #expect(machine.tick(at: at(600)) == [.closed(.idle)])
    }

    @Test func keyPressDefersIdle() {
        var machine = SessionMachine(idleLimit: .seconds(600), at: start)
        _ = machine.start(at: start)
        machine.touch(at: at(500))
        #expect(machine.tick(at: at(900)).isEmpty)
    }

    @Test func guardLocksUserAfterFiveFailures() {
        var loginGuard = LoginGuard()
        for second in 0..<4 {
            #expect(loginGuard.recordFailure(user: "admin", door: "serial", at: at(second)).isEmpty)
        }
        #expect(loginGuard.recordFailure(user: "admin", door: "socket-\(1)", at: at(4)) == ["user:admin"])
        #expect(loginGuard.lockout(user: "admin", door: "other", at: at(5)) == at(304))
        #expect(loginGuard.lockout(user: "admin", door: "other", at: at(304)) == nil)
    }

    @Test func guardLocksDoorAcrossUserNames() {
        var loginGuard = LoginGuard()
        for (index, name) in ["a", "b", "c", "d"].enumerated() {
            #expect(loginGuard.recordFailure(user: name, door: "serial", at: at(index)).isEmpty)
        }
        #expect(loginGuard.recordFailure(user: "e", door: "serial", at: at(4)) == ["door:serial"])
        #expect(loginGuard.lockout(user: "fresh", door: "serial", at: at(10)) != nil)
        #expect(loginGuard.lockout(user: "fresh", door: "socket", at: at(10)) == nil)
    }

    @Test func failuresOlderThanWindowDoNotCount() {
        var loginGuard = LoginGuard()
        for second in 0..<4 {
            _ = loginGuard.recordFailure(user: "admin", door: "serial", at: at(second))
        }
        #expect(loginGuard.recordFailure(user: "admin", door: "serial", at: at(400)).isEmpty)
    }
}
