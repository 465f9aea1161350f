import Glibc

/// Raw-mode terminal settings for a modem line: 8N1, no echo, no line discipline.
/// `cfmakeraw(3)`, `tcsetattr(3)`.
public enum TerminalSettings {
    /// Puts the terminal in raw mode at `baudRate`, with the receiver on and modem control
    /// lines ignored (`CLOCAL`), so a read returns whatever bytes have arrived.
    public static func makeRaw(_ descriptor: FileDescriptor, baudRate: Int = 115_200) throws(Errno) {
        var settings = termios()
        try retryingOnInterrupt { tcgetattr(descriptor.rawValue, &settings) }
        cfmakeraw(&settings)
        settings.c_cflag |= tcflag_t(CLOCAL | CREAD)
        settings.c_cflag &= ~tcflag_t(CRTSCTS)
        // VMIN 1 with VTIME 0: a blocking read waits for at least one byte; the box reads
        // non-blocking behind poll(2) anyway.
        withUnsafeMutableBytes(of: &settings.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        let speed = try speedConstant(baudRate)
        cfsetispeed(&settings, speed)
        cfsetospeed(&settings, speed)
        try retryingOnInterrupt { tcsetattr(descriptor.rawValue, TCSANOW, &settings) }
    }

    /// Maps a baud rate to its `Bxxxx` constant.
    static func speedConstant(_ baudRate: Int) throws(Errno) -> speed_t {
        switch baudRate {
        case 9600: speed_t(B9600)
        case 19200: speed_t(B19200)
        case 38400: speed_t(B38400)
        case 57600: speed_t(B57600)
        case 115_200: speed_t(B115200)
        case 230_400: speed_t(B230400)
        case 460_800: speed_t(B460800)
        case 921_600: speed_t(B921600)
        default: throw Errno(rawValue: EINVAL)
        }
    }
}
