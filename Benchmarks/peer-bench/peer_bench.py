#!/usr/bin/env python3
"""Measure alertbox against gammu-smsd and smstools on the same simulated modem, in one run.

Prints every figure with its aim and ratio, and writes them as Markdown (docs/benchmarks.md
from `make bench`). Usage:

    peer_bench.py --bin DIR [--messages N] [--samples N] [--output FILE] [--only PART,...]

DIR holds the release binaries (alertbox, alertbox-sim, scheduler-bench). Parts: throughput,
emergency, failover, footprint, scale. Nothing is asserted: a missed aim is printed as missed.
"""

import argparse
import datetime
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from daemons import AlertBox, GammuSMSD, SMSTools, write_contacts  # noqa: E402
from processes import BenchError, Simulator, cpu_seconds, memory_kib, monotonic_ns  # noqa: E402
import report  # noqa: E402

GSM_TEXT = "Fire drill in building 3 at 10:00: leave by the east stairs and meet at the car park."
ZH_SINGLE = "火警：三号楼二层起火，请立即从最近的安全出口撤离，勿乘电梯。"
# 150 UCS-2 characters: more than two parts of 67, so three.
ZH_THREE = ZH_SINGLE * 5
TEXTS = {"gsm": GSM_TEXT, "zh1": ZH_SINGLE, "zh3": ZH_THREE}
PARTS = {"gsm": 1, "zh1": 1, "zh3": 3}
LATENCIES_MS = (0, 1500)


def number(index):
    return f"+86138{index:08d}"


def make_batch(count):
    """Return (number, kind, text) for count messages: a third of each kind, distinct numbers."""
    kinds = ("gsm", "zh1", "zh3")
    return [(number(index + 1), kinds[index * 3 // count], TEXTS[kinds[index * 3 // count]]) for index in range(count)]


class Bench:
    def __init__(self, arguments):
        self.bin = arguments.bin
        self.sim_binary = os.path.join(self.bin, "alertbox-sim")
        self.box_binary = os.path.join(self.bin, "alertbox")
        self.profiles = arguments.profiles
        self.messages = arguments.messages
        self.samples = arguments.samples
        self.root = tempfile.mkdtemp(prefix="peer-bench-")
        self.results = {}
        self.run_index = 0
        # Called after each part and each throughput run, so a long run that is stopped early
        # still leaves the figures it has.
        self.publish = lambda: None
        self.lock = threading.RLock()

    def workdir(self, name):
        with self.lock:
            self.run_index += 1
            path = os.path.join(self.root, f"{self.run_index:02d}-{name}")
        os.makedirs(path)
        return path

    def say(self, text):
        print(f"peer-bench: {text}", file=sys.stderr, flush=True)

    # MARK: Throughput

    DAEMONS = (("alertbox", None), ("gammu-smsd", False), ("gammu-smsd", True), ("smsd", False), ("smsd", True))

    def throughput(self):
        """Run every daemon at each latency: one after another at 0 ms, side by side above it.

        At latency 0 the processes' speed sets the pace, so each runs alone. Above it the SMSC's
        answer time sets it (300 messages take over ten minutes each), so the runs share the
        machine, each with its own simulator; CPU and memory are per process tree either way.
        """
        rows = self.results.setdefault("throughput", [])

        def run(name, tuned, latency):
            try:
                row = self.throughput_run(name, tuned, latency)
            except BenchError as error:
                self.say(f"{name} at latency {latency} ms failed: {error}")
                row = {"daemon": name, "tuned": tuned, "latency_ms": latency, "error": str(error)}
            with self.lock:
                rows.append(row)
                rows.sort(key=lambda row: (row["latency_ms"], self.DAEMONS.index((row["daemon"], row["tuned"]))))
                self.publish()

        for latency in LATENCIES_MS:
            if latency == 0:
                for name, tuned in self.DAEMONS:
                    run(name, tuned, latency)
                continue
            threads = [threading.Thread(target=run, args=(name, tuned, latency)) for name, tuned in self.DAEMONS]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()

    def throughput_run(self, name, tuned, latency):
        label = name if tuned is None else f"{name} ({'tuned' if tuned else 'defaults'})"
        self.say(f"throughput: {label}, {self.messages} messages, SMSC latency {latency} ms")
        directory = self.workdir(f"throughput-{name}-{latency}")
        batch = make_batch(self.messages)
        parts = sum(PARTS[kind] for _, kind, _ in batch)
        simulator = Simulator(self.sim_binary, os.path.join(directory, "sim"), latency, gpio=(name == "alertbox"))
        daemon = None
        try:
            if name == "alertbox":
                groups = {}
                for recipient, kind, _ in batch:
                    groups.setdefault(f"bench-{kind}", []).append(recipient)
                contacts = os.path.join(directory, "contacts.csv")
                write_contacts(contacts, groups)
                daemon = AlertBox(self.box_binary, self.profiles, os.path.join(directory, "box"), simulator, contacts_file=contacts)
                daemon.start()
                for kind, text in TEXTS.items():
                    daemon.set_template(f"bench-{kind}", "p2", text)
                settings = "budget 600 parts a minute (the most the configuration accepts)"
            elif name == "gammu-smsd":
                daemon = GammuSMSD(os.path.join(directory, "gammu"), simulator, tuned)
                daemon.start()
                settings = daemon.settings
            else:
                daemon = SMSTools(os.path.join(directory, "smstools"), simulator, tuned)
                daemon.start()
                settings = daemon.settings
            time.sleep(2)

            cpu_before = cpu_seconds(daemon.pid)
            started = time.monotonic()
            if name == "alertbox":
                for kind in TEXTS:
                    daemon.send_alert(f"bench-{kind}", f"bench-{kind}")
            else:
                daemon.submit(batch)
            # Generous: every part at the SMSC latency plus 3 s, plus two minutes.
            timeout = parts * (latency / 1000 + 3) + 120
            simulator.wait_until(lambda status: status["handset_messages"] >= len(batch), timeout, f"{len(batch)} handset messages", interval=0.2)
            wall = time.monotonic() - started
            cpu = cpu_seconds(daemon.pid) - cpu_before
            peak = memory_kib(daemon.pid, "VmHWM")

            expected = {recipient: text for recipient, _, text in batch}
            intact = sum(1 for message in simulator.received() if message["complete"] and expected.get(message["to"]) == message["text"])
            return {
                "daemon": name, "tuned": tuned, "latency_ms": latency, "settings": settings, "messages": len(batch), "parts": parts,
                "wall_s": wall, "cpu_s": cpu, "peak_rss_kib": peak, "intact": intact,
            }
        finally:
            if daemon:
                daemon.close()
            simulator.close()

    # MARK: Emergency latency and failover

    def robot_simulator(self, directory, **options):
        """Start a simulator at SMSC latency 1500 ms with a fake WeCom robot behind its TCP proxy."""
        wecom_port = free_port()
        im_config = os.path.join(directory, "im.json")
        with open(im_config, "w") as handle:
            handle.write(
                '{"ports": {"wecom": %d}, "robots": [{"name": "bench-im", "api": "wecom", "key": "peer-bench-key", "rate_limits": []}]}' % wecom_port)
        return Simulator(self.sim_binary, os.path.join(directory, "sim"), 1500, im_config=im_config, proxies=f"im=0:{wecom_port}", **options)

    def emergency(self):
        """Measure alertbox's alarm latency idle and under a P2 backlog."""
        directory = self.workdir("emergency")
        simulator = self.robot_simulator(directory, gpio=True)
        box = None
        try:
            listen = simulator.control(op="proxy")["proxies"][0]["listen_port"]
            groups = {"bench-p0": [number(1)], "bench-p1": [number(2)], "bench-backlog": [number(1000 + index) for index in range(1000)]}
            contacts = os.path.join(directory, "contacts.csv")
            write_contacts(contacts, groups)
            robots = [{"name": "bench-im", "key": "peer-bench-key", "url": f"http://127.0.0.1:{listen}", "groups": ["bench-p0", "bench-p1"]}]
            # panic_1 keeps the panel's default contact filter; panic_2 has it switched off.
            panel = [{"role": "panic_1", "template": "bench-p0", "group": "bench-p0"},
                     {"role": "panic_2", "template": "bench-p0", "group": "bench-p0", "filter": {"debounce_ms": 0, "minimum_hold_ms": 0}}]
            box = AlertBox(self.box_binary, self.profiles, os.path.join(directory, "box"), simulator, contacts_file=contacts, robots=robots,
                           panel_inputs=panel, trigger_window_s=1)
            box.start()
            box.set_template("bench-p0", "p0", ZH_SINGLE)
            box.set_template("bench-p1", "p1", ZH_SINGLE)
            box.set_template("bench-backlog", "p2", ZH_SINGLE)
            time.sleep(3)

            results = {"latency_ms": 1500}
            results["idle"] = self.alarm_samples(simulator, box, self.samples)

            # The backlog: P2 goes by SMS only while the uplink is down, so it is planned during
            # an outage, and the samples run after the uplink is back.
            simulator.control(op="proxy", name="im", mode="refuse")
            time.sleep(8)
            _, backlog_id = box.send_alert("bench-backlog", "bench-backlog")
            simulator.control(op="proxy", name="im", mode="pass")
            time.sleep(15)
            results["backlog"] = self.alarm_samples(simulator, box, max(self.samples // 2, 3))
            box.console.command(f"alert cancel {backlog_id}", "已取消")
            self.results["emergency"] = results
        finally:
            if box:
                box.close()
            simulator.close()

    def wait_for_send(self, simulator, recipient, since, timeout=30):
        """Return the first AT+CMGS record at or after index since whose SUBMIT goes to recipient."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for record in simulator.sends(since):
                if record["to"] == recipient:
                    return record
            time.sleep(0.01)
        raise BenchError(f"timed out after {timeout} s waiting for an AT+CMGS to {recipient}")

    def wait_for_im(self, simulator, since, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            requests = simulator.control(op="im_received", since=since)["requests"]
            if requests:
                return requests[0]
            time.sleep(0.01)
        raise BenchError(f"timed out after {timeout} s waiting for an IM request")

    def alarm_samples(self, simulator, box, count):
        """Alternate GPIO presses and console P0 alerts; return the latencies in ms."""
        sources = {"gpio": "panic_1", "rawgpio": "panic_2", "console": None}
        samples = {f"{source}_{target}": [] for source in sources for target in ("sms", "im")}
        for index in range(count * len(sources)):
            source = list(sources)[index % len(sources)]
            role = sources[source]
            send_index = simulator.control(op="sends")["count"]
            im_index = simulator.control(op="im_received")["count"]
            if role:
                start = simulator.control(op="gpio_set", role=role, active=True)["ns"]
            else:
                start, _ = box.send_alert("bench-p0", "bench-p0", confirm=True)
            sms = self.wait_for_send(simulator, number(1), send_index)
            im = self.wait_for_im(simulator, im_index)
            samples[f"{source}_sms"].append((sms["at_ns"] - start) / 1e6)
            samples[f"{source}_im"].append((im["at_ns"] - start) / 1e6)
            if role:
                simulator.control(op="gpio_set", role=role, active=False)
            # Past the 1 s trigger window the next press is a new alarm; 3.1 s apart, the alarms
            # also stay within the robot's 20 messages a minute, which the box keeps to.
            time.sleep(3.1)
        return samples

    def failover(self):
        """Time the SMS fallback of a P1 alert after the uplink breaks, on a box of its own.

        A box of its own, because the P0 alarms of the latency runs go on escalating and the
        backlog's cancellation notices keep the modem busy: the fallback would then wait for
        the SMS in flight, which measures the modem and not the failover.
        """
        directory = self.workdir("failover")
        simulator = self.robot_simulator(directory, gpio=True)
        box = None
        try:
            listen = simulator.control(op="proxy")["proxies"][0]["listen_port"]
            contacts = os.path.join(directory, "contacts.csv")
            write_contacts(contacts, {"bench-p1": [number(2)]})
            robots = [{"name": "bench-im", "key": "peer-bench-key", "url": f"http://127.0.0.1:{listen}", "groups": ["bench-p1"]}]
            box = AlertBox(self.box_binary, self.profiles, os.path.join(directory, "box"), simulator, contacts_file=contacts, robots=robots,
                           trigger_window_s=1)
            box.start()
            box.set_template("bench-p1", "p1", ZH_SINGLE)
            time.sleep(3)
            self.results["failover"] = self.failover_samples(simulator, box)
        finally:
            if box:
                box.close()
            simulator.close()

    def failover_samples(self, simulator, box, count=5):
        """Break the uplink, send a P1 alert at once, and time the first SMS to its recipient."""
        results = {}
        for mode in ("blackhole", "refuse"):
            values = []
            for _ in range(count):
                send_index = simulator.control(op="sends")["count"]
                start = monotonic_ns()
                simulator.control(op="proxy", name="im", mode=mode)
                box.send_alert("bench-p1", "bench-p1")
                sms = self.wait_for_send(simulator, number(2), send_index, timeout=120)
                values.append((sms["at_ns"] - start) / 1e6)
                simulator.control(op="proxy", name="im", mode="pass")
                time.sleep(15)
            results[mode] = values
        return results

    def smstools_priority(self):
        """Time from a Priority: high file in smstools' spool to its AT+CMGS, idle and under backlog."""
        rows = []
        for tuned in (False, True):
            directory = self.workdir(f"smstools-priority-{'tuned' if tuned else 'defaults'}")
            simulator = Simulator(self.sim_binary, os.path.join(directory, "sim"), 1500)
            daemon = SMSTools(os.path.join(directory, "smstools"), simulator, tuned)
            try:
                daemon.start()
                time.sleep(2)
                row = {"settings": daemon.settings, "idle": [], "backlog": []}
                count = max(self.samples // 2, 3)
                for _ in range(count):
                    since = simulator.control(op="sends")["count"]
                    start = daemon.write(number(1), "zh1", ZH_SINGLE, priority_high=True)
                    row["idle"].append((self.wait_for_send(simulator, number(1), since, timeout=60)["at_ns"] - start) / 1e6)
                    time.sleep(2)
                for index in range(1000):
                    daemon.write(number(1000 + index), "zh1", ZH_SINGLE)
                simulator.wait_until(lambda status: sum(status["accepted_parts"].values()) >= count + 2, 120, "the backlog to start")
                for _ in range(count):
                    since = simulator.control(op="sends")["count"]
                    start = daemon.write(number(1), "zh1", ZH_SINGLE, priority_high=True)
                    row["backlog"].append((self.wait_for_send(simulator, number(1), since, timeout=120)["at_ns"] - start) / 1e6)
                rows.append(row)
            except BenchError as error:
                self.say(f"smstools priority ({'tuned' if tuned else 'defaults'}) failed: {error}")
                rows.append({"settings": "tuned" if tuned else "defaults", "error": str(error)})
            finally:
                daemon.close()
                simulator.close()
        self.results["smstools_priority"] = rows

    # MARK: Footprint and scale

    def footprint(self):
        directory = self.workdir("footprint")
        simulator = Simulator(self.sim_binary, os.path.join(directory, "sim"), 0, gpio=True)
        contacts = os.path.join(directory, "contacts.csv")
        write_contacts(contacts, {"bench-all": [number(index) for index in range(1, 100_001)]})
        box = AlertBox(self.box_binary, self.profiles, os.path.join(directory, "box"), simulator, contacts_file=contacts)
        results = {}
        try:
            results["ready_first_s"] = box.start(timeout=600)
            box.close()
            results["ready_s"] = box.start(timeout=600)
            time.sleep(10)
            results["idle_rss_kib"] = memory_kib(box.pid, "VmRSS")
            before = cpu_seconds(box.pid)
            time.sleep(60)
            results["idle_cpu_percent"] = (cpu_seconds(box.pid) - before) / 60 * 100
            box.set_template("bench-all", "p2", ZH_SINGLE)
            started = time.monotonic()
            _, alert_id = box.send_alert("bench-all", "bench-all")
            results["plan_all_s"] = time.monotonic() - started
            time.sleep(20)
            results["load_rss_kib"] = memory_kib(box.pid, "VmRSS")
            results["load_hwm_kib"] = memory_kib(box.pid, "VmHWM")
            box.console.command(f"alert cancel {alert_id}", "已取消")
        finally:
            box.close()
            simulator.close()
        self.results["footprint"] = results

    def scale(self):
        path = os.path.join(self.root, "scheduler-bench.sqlite")
        output = subprocess.run([os.path.join(self.bin, "scheduler-bench"), path], capture_output=True, text=True, check=False)
        self.results["scale"] = [line for line in output.stdout.splitlines() if line.strip()]

    def close(self):
        shutil.rmtree(self.root, ignore_errors=True)


def free_port():
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def package_version(name):
    output = subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True, check=False)
    return output.stdout.strip() or "not installed"


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo") as handle:
        for line in handle:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True, check=False).stdout.splitlines()
    return {
        "cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(), "swift": swift[0] if swift else "unknown",
        "gammu": package_version("gammu-smsd"), "smstools": package_version("smstools"),
        "date": datetime.date.today().isoformat(),
    }


def main():
    parser = argparse.ArgumentParser(description="Measure alertbox against gammu-smsd and smstools on alertbox-sim.")
    parser.add_argument("--bin", required=True, help="directory of the release binaries (swift build -c release --show-bin-path)")
    parser.add_argument("--profiles", default="board/profiles", help="board profiles directory (default board/profiles)")
    parser.add_argument("--messages", type=int, default=300, help="messages per throughput run, a multiple of 3 (default 300)")
    parser.add_argument("--samples", type=int, default=20, help="alarms per source in the idle latency runs (default 20)")
    parser.add_argument("--only", default="throughput,emergency,failover,footprint,scale", help="comma-separated parts to run")
    parser.add_argument("--output", help="write the Markdown report to this file")
    arguments = parser.parse_args()
    if arguments.messages <= 0 or arguments.messages % 3:
        parser.error(f"--messages {arguments.messages} must be a positive multiple of 3, one third of each text kind")
    parts = set(arguments.only.split(","))
    unknown = parts - {"throughput", "emergency", "failover", "footprint", "scale"}
    if unknown:
        parser.error(f"--only: unknown parts {', '.join(sorted(unknown))}; use throughput, emergency, failover, footprint, scale")

    bench = Bench(arguments)
    shown = ["DIR" if argument == arguments.bin else argument for argument in sys.argv[1:]]
    command = " ".join(["Benchmarks/peer-bench/peer_bench.py"] + shown)
    description = machine()

    def publish():
        page = report.render(bench.results, description, arguments, command)
        if arguments.output:
            with open(arguments.output, "w", encoding="utf-8") as handle:
                handle.write(page)
        return page

    bench.publish = publish
    # The short parts run first, so their figures are written before the long throughput runs.
    try:
        if "scale" in parts:
            bench.scale()
            publish()
        if "footprint" in parts:
            try:
                bench.footprint()
            except BenchError as error:
                bench.say(f"footprint failed: {error}")
                bench.results["footprint_error"] = str(error)
            publish()
        if "failover" in parts:
            try:
                bench.failover()
            except BenchError as error:
                bench.say(f"failover failed: {error}")
                bench.results["failover_error"] = str(error)
            publish()
        if "emergency" in parts:
            try:
                bench.emergency()
            except BenchError as error:
                bench.say(f"emergency latency failed: {error}")
                bench.results["emergency_error"] = str(error)
            publish()
            bench.smstools_priority()
            publish()
        if "throughput" in parts:
            bench.throughput()
    finally:
        bench.close()
    print(publish())

if __name__ == "__main__":
    main()
