import Core
import Glibc
import Hardware

/// `alertbox console`: a thin client of the console's local socket. It puts the terminal in
/// raw mode and relays bytes both ways; the box does the line editing, login and commands.
enum ConsoleClient {
    static let defaultSocket = "/run/alertbox/console.sock"

    static let command = CommandSpec(
        name: "console",
        summary: LocalizedText(
            zh: "在本机连接报警箱控制台（与串口控制台相同的命令）",
            en: "open the box's console on this machine (the same commands as the serial console)"),
        synopsis: LocalizedText(zh: "[--socket PATH]", en: "[--socket PATH]"),
        discussion: LocalizedText(
            zh: "按 Ctrl-] 断开连接。退出码：0 会话结束；1 无法连接（alertbox 未运行或无权访问套接字）；64 参数错误。",
            en: "Ctrl-] disconnects. Exit status: 0 when the session ends; 1 when the socket cannot be reached (alertbox not running, or no permission); 64 on bad arguments."),
        options: [
            OptionSpec(
                name: "--socket", valueName: "PATH",
                help: LocalizedText(zh: "控制台套接字，默认 \(defaultSocket)", en: "the console socket, \(defaultSocket) by default"))
        ],
        prepare: { arguments, _ throws(CLIError) in
            guard arguments.positionals.isEmpty else {
                throw .usage(
                    LocalizedText(
                        zh: "多余的参数 '\(arguments.positionals[0])'；运行 'alertbox console --help' 查看用法",
                        en: "unexpected argument '\(arguments.positionals[0])'; run 'alertbox console --help' for usage"))
            }
            return Relay(socketPath: arguments.value("--socket") ?? defaultSocket)
        })

    /// Ctrl-], the telnet escape, which the console never needs.
    static let escapeByte: UInt8 = 0x1D

    struct Relay: RunnableCommand {
        let socketPath: String

        func run(_ output: inout CommandOutput) throws(CLIError) -> Int32 {
            let socket: FileDescriptor
            do {
                socket = try UnixSocket.connect(path: socketPath)
            } catch {
                throw .failure(
                    LocalizedText(
                        zh: "无法连接控制台套接字 \(socketPath)：\(error)；请确认 alertbox 正在运行且有权访问",
                        en: "cannot connect to the console socket \(socketPath): \(error); check that alertbox runs and you may use the socket"))
            }
            defer { socket.close() }

            // Raw mode only when standard input is a terminal; a pipe is relayed as it is.
            var saved = termios()
            let isTerminal = isatty(STDIN_FILENO) == 1 && tcgetattr(STDIN_FILENO, &saved) == 0
            if isTerminal {
                var raw = saved
                cfmakeraw(&raw)
                tcsetattr(STDIN_FILENO, TCSANOW, &raw)
            }
            defer {
                if isTerminal { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
            }
            relay(socket)
            return 0
        }

        /// Copies standard input to the socket and the socket to standard output until either ends.
        private func relay(_ socket: FileDescriptor) {
            let input = FileDescriptor(rawValue: STDIN_FILENO)
            let screen = FileDescriptor(rawValue: STDOUT_FILENO)
            var inputOpen = true
            while true {
                var entries = [pollfd(fd: socket.rawValue, events: Int16(POLLIN), revents: 0)]
                if inputOpen { entries.append(pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)) }
                guard poll(&entries, nfds_t(entries.count), -1) >= 0 || errno == EINTR else { return }
                if entries[0].revents != 0 {
                    guard let bytes = try? socket.read(maximum: 4096), !bytes.isEmpty else { return }
                    try? screen.writeAll(bytes)
                }
                if inputOpen, entries.count > 1, entries[1].revents != 0 {
                    let bytes = (try? input.read(maximum: 1024)) ?? []
                    if bytes.isEmpty {
                        // End of a piped input: keep showing what the box prints until it
                        // closes the session, so piped input should end with `logout`.
                        inputOpen = false
                        continue
                    }
                    if let escape = bytes.firstIndex(of: escapeByte) {
                        try? socket.writeAll(bytes[..<escape])
                        return
                    }
                    guard (try? socket.writeAll(bytes)) != nil else { return }
                }
            }
        }
    }
}
