import Testing

@testable import CLI

@Suite struct ConsoleClientTests {
    @Test func missingSocketFailsWithPath() {
        let result = CommandLineTool.run(["console", "--socket", "/nonexistent/console.sock", "--lang", "en"])
        #expect(result.exitStatus == 1)
        #expect(result.standardError.contains("cannot connect to the console socket /nonexistent/console.sock"))
    }

    @Test func extraArgumentIsUsageError() {
        #expect(CommandLineTool.run(["console", "extra"]).exitStatus == 64)
    }
}
