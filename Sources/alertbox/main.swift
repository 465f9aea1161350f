// Entry point: run the command line and exit with its status.
import CLI
import Glibc

let result = CommandLineTool.run(
    Array(CommandLine.arguments.dropFirst()),
    environment: ProcessEnvironment.current,
    readStandardInput: ProcessEnvironment.readStandardInput)
if !result.standardOutput.isEmpty {
    ProcessEnvironment.write(result.standardOutput, to: STDOUT_FILENO)
}
if !result.standardError.isEmpty {
    ProcessEnvironment.write(result.standardError, to: STDERR_FILENO)
}
exit(result.exitStatus)
