// Entry point: `alertbox run` starts the box; every other command runs and exits with its status.
import CLI
import Glibc
import Runtime

let arguments = Array(CommandLine.arguments.dropFirst())
if let runArguments = CommandLineTool.daemonArguments(arguments) {
    exit(await RunCommand.main(runArguments, environment: ProcessEnvironment.current))
}

let result = CommandLineTool.run(
    arguments,
    environment: ProcessEnvironment.current,
    readStandardInput: ProcessEnvironment.readStandardInput)
if !result.standardOutput.isEmpty {
    ProcessEnvironment.write(result.standardOutput, to: STDOUT_FILENO)
}
if !result.standardError.isEmpty {
    ProcessEnvironment.write(result.standardError, to: STDERR_FILENO)
}
exit(result.exitStatus)
