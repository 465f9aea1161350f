import Core
import Hardware
import Dispatch
import Glibc
import Modem
import SMS

/// One `alertbox modem` command: open the device, wait until ready, act, print, stop.
struct ModemCommand: RunnableCommand {
    /// The work the command does once the modem is ready.
    enum Action: Sendable {
        case status
        case send(recipient: PhoneNumber, text: String, report: Bool, reportWait: Duration)
        case inbox(wait: Duration)
        case reset
    }

    let devicePath: String
    let baudRate: Int
    let pin: String?
    /// The `--state-dir` value, or nil for the default with its fallbacks.
    let stateDirectory: String?
    let readyTimeout: Duration
    let verbose: Bool
    let json: Bool
    let action: Action

    init(_ arguments: ParsedArguments, commandPath: String, action: Action) throws(CLIError) {
        guard let device = arguments.value("--device"), !device.isEmpty else {
            throw .usage(
                LocalizedText(
                    zh: "缺少 --device PATH；运行 '\(commandPath) --help' 查看用法",
                    en: "missing --device PATH; run '\(commandPath) --help' for usage"))
        }
        devicePath = device
        let baudText = arguments.value("--baud") ?? "115200"
        guard let baud = Int(baudText), baud > 0 else {
            throw .usage(
                LocalizedText(
                    zh: "--baud 的值 '\(baudText)' 无效；应为正整数，如 115200",
                    en: "invalid --baud '\(baudText)'; give a positive whole number such as 115200"))
        }
        baudRate = baud
        pin = arguments.value("--pin")
        if let directory = arguments.value("--state-dir"), directory.isEmpty {
            throw .usage(LocalizedText(zh: "--state-dir 不能为空", en: "--state-dir must not be empty"))
        }
        stateDirectory = arguments.value("--state-dir")
        readyTimeout = try Self.seconds(arguments, "--timeout", default: 60, minimum: 1)
        verbose = arguments.flag("--verbose")
        json = arguments.flag("--json")
        self.action = action
    }

    /// Reads a whole number of seconds, 0 or more, from an option.
    static func seconds(_ arguments: ParsedArguments, _ name: String, default fallback: Int, minimum: Int = 0) throws(CLIError) -> Duration {
        guard let text = arguments.value(name) else { return .seconds(fallback) }
        guard let value = Int(text), (minimum...86_400).contains(value) else {
            throw .usage(
                LocalizedText(
                    zh: "\(name) 的值 '\(text)' 无效；应为 \(minimum) 到 86400 的整数秒",
                    en: "invalid \(name) '\(text)'; give whole seconds from \(minimum) to 86400"))
        }
        return .seconds(value)
    }

    func run(_ output: inout CommandOutput) throws(CLIError) -> Int32 {
        try checkDevice()
        let settings = ModemSettings(devicePath: devicePath, baudRate: baudRate, pin: pin, stateDirectory: resolvedStateDirectory())
        let logger = Logger(label: "alertbox", level: verbose ? .info : .critical)
        let action = action
        let readyTimeout = readyTimeout

        let outcome = Self.waitForAsync {
            await ModemSession.perform(action, settings: settings, logger: logger, readyTimeout: readyTimeout)
        }
        let report = ModemReport(language: output.language, json: json)
        switch outcome {
        case .failure(let error):
            throw error
        case .success(let result):
            return report.render(result, into: &output)
        }
    }

    /// Fails with one clear line when the device is missing or not accessible, instead of
    /// letting the driver wait for it to appear as the alert box does.
    private func checkDevice() throws(CLIError) {
        guard access(devicePath, F_OK) == 0 else {
            throw .failure(
                LocalizedText(
                    zh: "设备 \(devicePath) 不存在；请检查模块的线缆和电源，或用 --device 指定正确的路径（如 /dev/serial/by-id/ 下的链接）",
                    en: "device \(devicePath) not found; check the modem's cable and power, or give the right path with --device (such as a link under /dev/serial/by-id/)"))
        }
        guard access(devicePath, R_OK | W_OK) == 0 else {
            throw .failure(
                LocalizedText(
                    zh: "没有读写设备 \(devicePath) 的权限；请以 root 运行，或把用户加入 dialout 组",
                    en: "no permission to read and write \(devicePath); run as root or add the user to the dialout group"))
        }
        // Open once here so that a busy port, a file that is not a terminal or a baud rate the
        // port cannot take fails at once with its cause, instead of after --timeout.
        do {
            let port = try SerialPort.open(path: devicePath, baudRate: baudRate)
            port.close()
        } catch let error where error == .busy {
            throw .failure(
                LocalizedText(
                    zh: "设备 \(devicePath) 正被另一个进程使用（如运行中的 alertbox 或 ModemManager）；请先停止它",
                    en: "device \(devicePath) is busy: another process (a running alertbox, ModemManager) has it open; stop that process first"))
        } catch let error where error == Errno(rawValue: EINVAL) {
            throw .usage(
                LocalizedText(
                    zh: "--baud \(baudRate) 不受支持；可用 9600、19200、38400、57600、115200、230400、460800、921600",
                    en: "--baud \(baudRate) is not supported; use 9600, 19200, 38400, 57600, 115200, 230400, 460800 or 921600"))
        } catch {
            throw .failure(
                LocalizedText(
                    zh: "无法把 \(devicePath) 作为串口打开：\(error)；请确认它是模块的串口设备",
                    en: "cannot open \(devicePath) as a serial port: \(error); check that it is the modem's serial device"))
        }
    }

    /// Picks the state directory: `--state-dir`, else `/var/lib/alertbox` when writable,
    /// else `$XDG_STATE_HOME/alertbox`, else a directory under `$TMPDIR` or `/tmp`.
    ///
    /// NOTE: a temporary directory may be emptied at boot, so a rejected PIN recorded there
    /// can be tried once more after a reboot.
    private func resolvedStateDirectory() -> String {
        if let stateDirectory {
            return stateDirectory
        }
        let environment = ProcessEnvironment.current
        var candidates = ["/var/lib/alertbox"]
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty {
            candidates.append(xdg + "/alertbox")
        }
        for candidate in candidates where Self.isWritableDirectory(candidate) {
            return candidate
        }
        let temporary = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return temporary + "/alertbox-\(getuid())"
    }

    /// Creates the directory when missing and reports whether this process can write in it.
    private static func isWritableDirectory(_ path: String) -> Bool {
        if access(path, F_OK) != 0 {
            _ = mkdir(path, 0o700)
        }
        return access(path, W_OK | X_OK) == 0
    }

    /// Runs `work` on the concurrency pool and blocks the calling thread until it finishes.
    ///
    /// `RunnableCommand.run` is synchronous and the driver is an actor. In `alertbox` the
    /// caller is the main thread, which no task needs, because `work` runs on the cooperative
    /// pool and the driver on its own event-loop thread. So blocking here cannot deadlock.
    ///
    /// NOTE: called from a task on the cooperative pool (an in-process test), this blocks a
    /// pool thread, and several such calls at once could starve the pool.
    static func waitForAsync<T: Sendable>(_ work: @escaping @Sendable () async -> T) -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await work()
            box.value.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        // `work` stored its value before it signalled the semaphore.
        return box.value.withLock { $0! }
    }
}

/// A value handed from a task to the thread that waits for it.
private final class ResultBox<T: Sendable>: Sendable {
    let value = Locked<T?>(nil)
}
