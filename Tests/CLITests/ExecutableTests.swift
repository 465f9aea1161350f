import Foundation
import IMFakes
import Testing
import TestSupport

/// The built `alertbox` executable, run as a child process the way a field engineer runs it.
@Suite struct ExecutableTests {
    /// Runs the executable that the build put next to the test bundle, and waits for it on
    /// a thread of its own.
    static func run(_ arguments: [String], stdin: String? = nil) async throws -> (status: Int32, output: String, error: String) {
        let bundle = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        let executable = bundle.deletingLastPathComponent().appendingPathComponent("alertbox")
        return try await onOwnThread {
            let process = Process()
            process.executableURL = executable
            process.arguments = arguments
            process.environment = ["ALERTBOX_LANG": "en"]
            let output = ProcessLaunch.pipe()
            let error = ProcessLaunch.pipe()
            let input = ProcessLaunch.pipe()
            process.standardOutput = output
            process.standardError = error
            process.standardInput = input
            try ProcessLaunch.run(process)
            if let stdin {
                input.fileHandleForWriting.write(Data(stdin.utf8))
            }
            try input.fileHandleForWriting.close()
            let outputData = output.fileHandleForReading.readDataToEndOfFile()
            let errorData = error.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
        }
    }

    @Test func decodeExitsZero() async throws {
        let result = try await Self.run(["sms", "decode", "0891683108000000F0040D91683108000000F1000842105080000023046D4B8BD5"])
        #expect(result.status == 0)
        #expect(result.output.contains("Text: 测试\n"))
        #expect(result.error.isEmpty)
    }

    @Test func badHexExits64WithOneLine() async throws {
        let result = try await Self.run(["sms", "decode", "XYZ"])
        #expect(result.status == 64)
        #expect(result.output.isEmpty)
        #expect(result.error.split(separator: "\n").count == 1)
    }

    @Test func planReadsPipedText() async throws {
        let result = try await Self.run(["sms", "plan", "-"], stdin: "火警\n")
        #expect(result.status == 0)
        #expect(result.output.contains("Part 1: 2/70  火警"))
    }
}
