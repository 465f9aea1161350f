"""The three SMS daemons under test, each started as a child process on the simulator's tty.

- `alertbox run` with a configuration written here, driven through its console socket.
- `gammu-smsd` (files backend) with messages injected by `gammu-smsd-inject`.
- smstools' `smsd` with message files renamed into its outgoing spool.

Each class has `start()`, `submit(batch)` (write every message into the daemon's queue) and
`close()`; `pid` is the process whose tree is measured.
"""

import os
import socket
import subprocess
import time

from processes import BenchError, stop

PASSWORD = "bench-console-1"
PASSWORD_CHANGED = "bench-console-2"


# MARK: alertbox


def write_contacts(path, groups):
    """Write a contacts CSV with the 姓名,手机,分组 columns; groups maps a group to numbers."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("姓名,手机,分组\n")
        for group, numbers in groups.items():
            for position, number in enumerate(numbers):
                handle.write(f"{group}-{position},{number},{group}\n")


class AlertBox:
    """`alertbox run` against a simulator, with a console session logged in as admin."""

    def __init__(self, binary, profiles, directory, simulator, contacts_file=None, robots=(), panel_inputs=(), trigger_window_s=60):
        self.binary = binary
        self.profiles = profiles
        self.directory = directory
        self.simulator = simulator
        os.makedirs(directory, exist_ok=True)
        self.config = os.path.join(directory, "alertbox.toml")
        password_file = os.path.join(directory, "console-password")
        with open(password_file, "w") as handle:
            handle.write(PASSWORD + "\n")
        os.chmod(password_file, 0o600)
        lines = [
            "[box]",
            'id = "peer-bench"',
            f'state_directory = "{directory}/state"',
            'log_level = "warning"',
            f"[alerts]\ntrigger_window_s = {trigger_window_s}",
            "[board]",
            'profile = "simulator"',
            f'gpio_socket = "{simulator.directory}/gpio.sock"',
            "[modem]",
            f'device = "{simulator.port}"',
            # The widest budget the configuration accepts, as for a SIM on a bulk plan, so the
            # modem and not the budget limits the rate; the default (12 a minute, 180 an
            # hour) would hold 300 messages back for hours.
            "[sms.budget]",
            "per_minute = 600",
            "per_hour = 36000",
            "per_day = 50000",
            "p0_reserve_per_hour = 0",
            "p0_reserve_per_day = 0",
            "[console]",
            f'socket = "{directory}/console.sock"',
            "serial = false",
            f'initial_password_file = "{password_file}"',
        ]
        if contacts_file:
            lines += ["[contacts]", f'file = "{contacts_file}"']
        if robots:
            lines += ["[uplink]", 'clock = "assumed"']
        for robot in robots:
            key_file = os.path.join(directory, f"{robot['name']}.key")
            with open(key_file, "w") as handle:
                handle.write(robot["key"] + "\n")
            os.chmod(key_file, 0o600)
            groups = ", ".join(f'"{group}"' for group in robot["groups"])
            lines += ["[[im.robot]]", f'name = "{robot["name"]}"', 'kind = "wecom"', f'url = "{robot["url"]}"', f'key_file = "{key_file}"', f"groups = [{groups}]"]
        for entry in panel_inputs:
            lines += [
                "[[gpio.input]]",
                f'role = "{entry["role"]}"',
                'kind = "normally-open"',
                f'template = "{entry["template"]}"',
                f'audience = ["{entry["group"]}"]',
                "cooldown_s = 0",
                "rearm_after_release_ms = 0",
            ]
            lines += [f"{key} = {value}" for key, value in entry.get("filter", {}).items()]
        with open(self.config, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
        self.process = None
        self.console = None
        self.password_changed = False

    def start(self, timeout=60):
        """Start the box and return the seconds from exec to the console's login prompt."""
        self.log = open(os.path.join(self.directory, "alertbox.log"), "wb")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [self.binary, "run", "--config", self.config, "--profiles", self.profiles], stdout=self.log, stderr=self.log)
        socket_path = os.path.join(self.directory, "console.sock")
        deadline = started + timeout
        while True:
            if self.process.poll() is not None:
                raise BenchError(f"alertbox exited with {self.process.returncode}; see {self.directory}/alertbox.log")
            try:
                self.console = Console(socket_path)
                self.console.expect("用户名：", timeout=timeout)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise BenchError(f"alertbox console not ready within {timeout} s; see {self.directory}/alertbox.log")
                time.sleep(0.01)
        ready = time.monotonic() - started
        self.console.login(PASSWORD_CHANGED if self.password_changed else PASSWORD)
        self.password_changed = True
        return ready

    @property
    def pid(self):
        return self.process.pid

    def set_template(self, name, priority, text, language="zh"):
        self.console.command(f"templates set {name} {language} {priority} {text}", "已保存模板")

    def send_alert(self, template, group, confirm=False):
        """Send an alert from the console; return CLOCK_MONOTONIC ns when its last line left and the alert's number."""
        return self.console.send_alert(template, group, confirm)

    def close(self):
        if self.console:
            self.console.close()
        if self.process:
            stop(self.process)
            self.log.close()


class Console:
    """A console session over the box's UNIX socket, read as a terminal would."""

    PROMPT = "alertbox(admin)# "

    def __init__(self, path):
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.socket.connect(path)
        self.buffer = b""

    def expect(self, text, timeout=30):
        """Read until text appears; drop what came before it and return it."""
        wanted = text.encode()
        deadline = time.monotonic() + timeout
        while wanted not in self.buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BenchError(f"console: timed out waiting for {text!r}; last output {self.buffer[-300:].decode(errors='replace')!r}")
            self.socket.settimeout(remaining)
            try:
                chunk = self.socket.recv(65536)
            except TimeoutError:
                continue
            if not chunk:
                raise BenchError(f"console closed while waiting for {text!r}")
            self.buffer += chunk
        before, _, self.buffer = self.buffer.partition(wanted)
        return before.decode(errors="replace")

    def send(self, line):
        self.socket.sendall(line.encode() + b"\r")

    def read_more(self, timeout=30):
        self.socket.settimeout(timeout)
        chunk = self.socket.recv(65536)
        if not chunk:
            raise BenchError("console closed during login")
        self.buffer += chunk

    def login(self, password):
        """Log in as admin; the first login of a new box also sets PASSWORD_CHANGED."""
        self.send("admin")
        self.expect("密码：")
        self.send(password)
        while self.PROMPT.encode() not in self.buffer and "新密码：".encode() not in self.buffer:
            self.read_more()
        if self.PROMPT.encode() in self.buffer:
            self.expect(self.PROMPT)
            return
        self.expect("新密码：")
        self.send(PASSWORD_CHANGED)
        self.expect("再次输入新密码：")
        self.send(PASSWORD_CHANGED)
        self.expect(self.PROMPT)

    def command(self, line, expected):
        self.send(line)
        output = self.expect(self.PROMPT)
        if expected not in output:
            raise BenchError(f"console: {line!r} printed {output.strip()!r}, not {expected!r}")
        return output

    def send_alert(self, template, group, confirm):
        self.send(f"alert send {template} {group}")
        if confirm:
            self.expect("确认发送")
            self.expect("：")
            self.send("yes")
        sent = time.clock_gettime_ns(time.CLOCK_MONOTONIC)
        self.expect("已提交警报 #")
        alert_id = self.expect("：")
        # The progress line runs until a key is pressed.
        self.socket.sendall(b"\r")
        self.expect(self.PROMPT)
        return sent, alert_id

    def close(self):
        try:
            self.send("logout")
        except OSError:
            pass
        self.socket.close()


# MARK: gammu-smsd


def wait_for_log(process, log, marker, name, timeout=60):
    """Wait until the daemon's log file contains marker; raise if it exits or times out first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if os.path.exists(log) and marker in open(log, errors="replace").read():
            return
        if process.poll() is not None:
            raise BenchError(f"{name} exited with status {process.returncode}; see {log}")
        time.sleep(0.2)
    raise BenchError(f"timed out after {timeout} s waiting for {name} to log {marker!r}; see {log}")



class GammuSMSD:
    """gammu-smsd 1.42 with the files backend, as docs/simulator.md configures it."""

    # gammu-smsdrc(5): CommTimeout 30 s between outbox scans while idle, StatusFrequency 60 s,
    # ReceiveFrequency 15 s, LoopSleep 1 s. The tuned run scans every second and skips the
    # phone status polls the manual suggests dropping for throughput.
    TUNED = {"CommTimeout": "1", "LoopSleep": "1", "StatusFrequency": "0", "ReceiveFrequency": "60", "CheckSignal": "0", "CheckBattery": "0"}

    def __init__(self, directory, simulator, tuned):
        self.directory = directory
        self.tuned = tuned
        for name in ("inbox", "outbox", "sent", "error"):
            os.makedirs(os.path.join(directory, name), exist_ok=True)
        self.config = os.path.join(directory, "smsdrc")
        lines = [
            "[gammu]",
            f"device = {simulator.port}",
            "connection = at115200",
            "[smsd]",
            "service = files",
            f"inboxpath = {directory}/inbox/",
            f"outboxpath = {directory}/outbox/",
            f"sentsmspath = {directory}/sent/",
            f"errorsmspath = {directory}/error/",
            f"logfile = {directory}/gammu-smsd.log",
            "debuglevel = 0",
        ]
        if tuned:
            lines += [f"{key} = {value}" for key, value in self.TUNED.items()]
        with open(self.config, "w") as handle:
            handle.write("\n".join(lines) + "\n")
        self.process = None

    @property
    def settings(self):
        return ", ".join(f"{key}={value}" for key, value in self.TUNED.items()) if self.tuned else "defaults"

    def start(self):
        self.process = subprocess.Popen(
            ["gammu-smsd", "-c", self.config], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, LC_ALL="C.UTF-8"))
        # gammu-smsd connects and initialises the phone before it scans the outbox.
        wait_for_log(self.process, os.path.join(self.directory, "gammu-smsd.log"), "Starting phone communication", "gammu-smsd")
        time.sleep(3)

    @property
    def pid(self):
        return self.process.pid

    def inject_arguments(self, number, kind, text):
        arguments = ["gammu-smsd-inject", "-c", self.config, "TEXT", number]
        if kind != "gsm":
            arguments.append("-unicode")
        if kind == "zh3":
            arguments += ["-len", str(len(text))]
        return arguments + ["-text", text]

    def submit(self, batch):
        """Inject every message; gammu-smsd-inject writes one outbox file per message."""
        for number, kind, text in batch:
            subprocess.run(self.inject_arguments(number, kind, text), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ, LC_ALL="C.UTF-8"))

    def close(self):
        if self.process:
            stop(self.process)


# MARK: smstools


class SMSTools:
    """smstools' smsd 3.1.21 with one modem, as docs/simulator.md configures it."""

    # smsd.conf defaults (configure.html of smstools 3.1.21): delaytime 10 s for both the main
    # process, which moves files from outgoing to checked, and the modem process. Tuned: 1 s.
    TUNED = {"delaytime": "1", "delaytime_mainprocess": "1"}

    def __init__(self, directory, simulator, tuned):
        self.directory = directory
        self.tuned = tuned
        for name in ("outgoing", "checked", "failed", "sent", "incoming", "staging"):
            os.makedirs(os.path.join(directory, name), exist_ok=True)
        self.config = os.path.join(directory, "smsd.conf")
        lines = [
            "devices = GSM1",
            f"outgoing = {directory}/outgoing",
            f"checked = {directory}/checked",
            f"failed = {directory}/failed",
            f"sent = {directory}/sent",
            f"incoming = {directory}/incoming",
            f"logfile = {directory}/smsd.log",
            "loglevel = 5",
            f"infofile = {directory}/smsd.working",
            f"pidfile = {directory}/smsd.pid",
        ]
        if tuned:
            lines += [f"{key} = {value}" for key, value in self.TUNED.items()]
        lines += ["", "[GSM1]", f"device = {simulator.port}", "baudrate = 115200", "incoming = no"]
        with open(self.config, "w") as handle:
            handle.write("\n".join(lines) + "\n")
        self.process = None
        self.sequence = 0

    @property
    def settings(self):
        return ", ".join(f"{key}={value}" for key, value in self.TUNED.items()) if self.tuned else "defaults"

    def start(self):
        self.process = subprocess.Popen(["smsd", f"-c{self.config}", "-t"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_log(self.process, os.path.join(self.directory, "smsd.log"), "Waiting for messages to send", "smsd")

    @property
    def pid(self):
        return self.process.pid

    def write(self, number, kind, text, priority_high=False):
        """Write one message file and rename it into outgoing; returns CLOCK_MONOTONIC ns of the rename."""
        self.sequence += 1
        name = f"bench-{self.sequence:06d}"
        staging = os.path.join(self.directory, "staging", name)
        headers = [f"To: {number.lstrip('+')}"]
        if kind != "gsm":
            headers.append("Alphabet: UTF-8")
        if priority_high:
            headers.append("Priority: high")
        with open(staging, "w", encoding="utf-8") as handle:
            # No newline after the text: smsd would send it as part of the message.
            handle.write("\n".join(headers) + "\n\n" + text)
        os.rename(staging, os.path.join(self.directory, "outgoing", name))
        return time.clock_gettime_ns(time.CLOCK_MONOTONIC)

    def submit(self, batch):
        for number, kind, text in batch:
            self.write(number, kind, text)

    def close(self):
        if self.process:
            stop(self.process)
