import Core
import Foundation
import Hardware
import Testing

@testable import Console

/// Drives the local socket door, as `alertbox console` reaches it.
@Suite(.serialized) struct SocketConsoleTests {
    @Test func loginAndStatusInEnglish() async throws {
        let harness = try await ConsoleHarness()
        defer { Task { await harness.remove() } }
        try await harness.settings.set("console.language", "en", author: "test")
        _ = try await harness.settings.commit(author: "test")
        let path = harness.directory + "/console.sock"
        let console = try SocketConsole(path: path, runner: harness.runner)
        await console.start()
        defer { Task { await console.stop() } }

        let terminal = try TerminalDriver(descriptor: try UnixSocket.connect(path: path))
        defer { terminal.close() }
        try await terminal.expect("login: ")
        try terminal.send("admin\r\n")
        try await terminal.expect("Password: ")
        try terminal.send(ConsoleHarness.adminPassword + "\r\n")
        try await terminal.expect("New password: ")
        try terminal.send("short\r\n")
        try await terminal.expect("The new password is too short: use at least 8 characters.")
        try terminal.send("socket-pass-1\r\nsocket-pass-1\r\n")
        try await terminal.expect("alertbox(admin)# ")
        try terminal.send("status\r\n")
        try await terminal.expect("Uplink")
        try await terminal.expect("SMS budget")
        try terminal.send("logout\r\n")
        try await terminal.expect("Logged out.")
    }

    @Test func doorLockoutAcrossUserNames() async throws {
        let harness = try await ConsoleHarness()
        defer { Task { await harness.remove() } }
        let path = harness.directory + "/console.sock"
        let console = try SocketConsole(path: path, runner: harness.runner)
        await console.start()
        defer { Task { await console.stop() } }
        let terminal = try TerminalDriver(descriptor: try UnixSocket.connect(path: path))
        defer { terminal.close() }
        for name in ["root", "guest", "test", "user", "pi"] {
            try await terminal.expect("用户名：")
            try terminal.send("\(name)\rguess\r")
        }
        try await terminal.expect("已锁定，请 5 分钟后再试。")
        try await terminal.expect("用户名：")
        try terminal.send("admin\r" + ConsoleHarness.adminPassword + "\r")
        try await terminal.expect("已锁定")
    }
}
