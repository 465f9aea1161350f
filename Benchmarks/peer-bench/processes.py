"""Child processes of the benchmark: the simulator, the daemons, and their CPU and memory.

CPU time and peak memory come from /proc (proc(5)): utime and stime of every process in a
daemon's tree, and VmHWM, the peak resident set of each process.
"""

import json
import os
import signal
import socket
import subprocess
import time

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    """A step of the benchmark failed; the message names the step and the fix."""


def monotonic_ns():
    """CLOCK_MONOTONIC in nanoseconds, the clock of the simulator's `at_ns` and GPIO `ns`."""
    return time.clock_gettime_ns(time.CLOCK_MONOTONIC)


def tree(pid):
    """Return pid and every descendant of it, from the parent ids in /proc/*/stat."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry))
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        pending.extend(parents.get(current, []))
    return found


def cpu_seconds(pid):
    """User plus system CPU seconds of pid and its live descendants, from /proc/PID/stat."""
    total = 0
    for member in tree(pid):
        try:
            with open(f"/proc/{member}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # utime and stime are fields 14 and 15 of proc(5); fields here start at field 3.
        total += int(fields[11]) + int(fields[12])
    return total / CLOCK_TICKS


def memory_kib(pid, key):
    """Sum of one /proc/PID/status field (VmHWM, VmRSS) in KiB over pid and its descendants."""
    total = 0
    for member in tree(pid):
        try:
            with open(f"/proc/{member}/status") as handle:
                for line in handle:
                    if line.startswith(key + ":"):
                        total += int(line.split()[1])
        except OSError:
            continue
    return total


def stop(process, timeout=10):
    """Send SIGTERM, wait, then SIGKILL the child if it is still running."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Simulator:
    """A running `alertbox-sim run` in its own directory, with its control socket."""

    def __init__(self, binary, directory, latency_ms, gpio=False, im_config=None, proxies=None):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        self.arguments = [binary, "run", "--dir", directory, "--boot-ms", "200", "--latency", str(latency_ms)]
        if gpio:
            self.arguments.append("--gpio")
        if im_config:
            self.arguments += ["--im-config", im_config]
        if proxies:
            self.arguments += ["--proxy", proxies]
        self.log = open(os.path.join(directory, "sim.log"), "wb")
        self.process = subprocess.Popen(self.arguments, stdout=subprocess.PIPE, stderr=self.log)
        line = self.process.stdout.readline().decode()
        if not line.startswith("ready"):
            stop(self.process)
            raise BenchError(f"alertbox-sim did not start ({line.strip()!r}); see {directory}/sim.log")
        self.control_socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.control_socket.connect(os.path.join(directory, "control.sock"))
        self.replies = self.control_socket.makefile("rb")
        self.wait_until(lambda status: status["modems"][0]["sms_ready"], 30, "the modem's SMS-ready state")

    @property
    def port(self):
        return os.path.join(self.directory, "modem0")

    def control(self, **request):
        """Send one control request and return its reply; a failed request raises."""
        self.control_socket.sendall(json.dumps(request, ensure_ascii=False).encode() + b"\n")
        reply = json.loads(self.replies.readline())
        if not reply.get("ok"):
            raise BenchError(f"simulator op {request.get('op')} failed: {reply.get('error')}")
        return reply

    def wait_until(self, condition, timeout, what, interval=0.05):
        """Poll `status` until condition(status) holds; raise after timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            status = self.control(op="status")
            if condition(status):
                return status
            if time.monotonic() > deadline:
                raise BenchError(f"timed out after {timeout} s waiting for {what}")
            time.sleep(interval)

    def received(self, since=0):
        return self.control(op="received", since=since)["messages"]

    def sends(self, since=0):
        return self.control(op="sends", since=since)["sends"]

    def close(self):
        self.control_socket.close()
        stop(self.process)
        self.log.close()
