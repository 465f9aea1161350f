"""Render the peer benchmark's results as Markdown, with each aim, ratio and verdict."""


def percentile(values, fraction):
    """The nearest-rank percentile of values (fraction 0.99 for p99)."""
    ordered = sorted(values)
    rank = max(int(-(-fraction * len(ordered) // 1)), 1)
    return ordered[min(rank, len(ordered)) - 1]


def verdict(met):
    return "met" if met else "**missed**"


def label(row):
    if row["tuned"] is None:
        return row["daemon"]
    return f"{row['daemon']} ({'tuned' if row['tuned'] else 'defaults'})"


def rate(row):
    return row["messages"] / row["wall_s"] * 60


def cpu_per_100(row):
    return row["cpu_s"] / row["messages"] * 100


def render_throughput(rows, lines):
    lines += [
        "## SMS throughput",
        "",
        "Each run starts a fresh simulator and one daemon, waits until the daemon is idle, then queues",
        "every message at once and stops the clock when the simulated handsets have put together as",
        "many messages as were queued. CPU is user plus system time of the daemon's whole process",
        "tree (smsd forks a modem process) during that interval; peak RSS is the sum of VmHWM over",
        "the tree at the end. Intact counts handset messages that are complete and equal to the text",
        "sent to that number.",
        "",
        "How each daemon gets its messages: alertbox through three console `alert send` commands, one",
        "P2 template per text kind to a group of a third of the recipients (the box runs in SMS mode,",
        "with no IM channel, so P2 goes by SMS); gammu-smsd through `gammu-smsd-inject`, one process per",
        "message, whose time is in the wall time but whose CPU is not in gammu-smsd's; smsd through",
        "message files that the benchmark writes and renames into its outgoing directory.",
        "",
        "alertbox sends no faster than its SIM budget allows, in parts: `[sms.budget] per_minute`",
        "(12 by default, because carriers suspend ordinary SIMs that send in bursts) accepts up to",
        "600 for a SIM on a bulk plan. The runs use 600, so the modem and not the budget sets the",
        "pace; the peers have no budget at all.",
        "",
        "| SMSC latency | daemon | settings | messages | parts | wall s | messages/min | CPU s per 100 messages | peak RSS MiB | intact |",
        "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        if "error" in row:
            lines.append(f"| {row['latency_ms']} ms | {label(row)} | | | | failed: {row['error']} | | | | |")
            continue
        lines.append(
            f"| {row['latency_ms']} ms | {label(row)} | {row['settings']} | {row['messages']} | {row['parts']} | {row['wall_s']:.1f} | {rate(row):.1f} | "
            f"{cpu_per_100(row):.2f} | {row['peak_rss_kib'] / 1024:.1f} | {row['intact']}/{row['messages']} |")
    lines += ["", "| aim | figure | ratio | verdict |", "|---|---|---:|---|"]
    for latency in sorted({row["latency_ms"] for row in rows}):
        measured = [row for row in rows if row["latency_ms"] == latency and "error" not in row]
        box = next((row for row in measured if row["daemon"] == "alertbox"), None)
        peers = [row for row in measured if row["daemon"] != "alertbox"]
        if box and peers:
            best_rate = max(peers, key=rate)
            ratio = rate(box) / rate(best_rate)
            if latency == 0:
                lines.append(
                    f"| latency 0: at least 2x the best peer's rate | alertbox {rate(box):.1f}/min, best peer {label(best_rate)} {rate(best_rate):.1f}/min | "
                    f"{ratio:.2f} | {verdict(ratio >= 2)} |")
            best_cpu = min(peers, key=cpu_per_100)
            cpu_ratio = cpu_per_100(box) / cpu_per_100(best_cpu) if cpu_per_100(best_cpu) > 0 else float("inf")
            lines.append(
                f"| latency {latency} ms: CPU per message at most 1/3 of the best peer's | alertbox {cpu_per_100(box):.2f} s, best peer {label(best_cpu)} "
                f"{cpu_per_100(best_cpu):.2f} s per 100 | {cpu_ratio:.2f} | {verdict(cpu_ratio <= 1 / 3)} |")
        if latency > 0:
            for row in measured:
                ideal = row["parts"] * latency / 1000
                ratio = ideal / row["wall_s"]
                lines.append(
                    f"| latency {latency} ms: at least 0.98 of the modem-limited ideal ({ideal:.0f} s for {row['parts']} parts) | {label(row)} {row['wall_s']:.1f} s | "
                    f"{ratio:.3f} | {verdict(ratio >= 0.98) if row['daemon'] == 'alertbox' else 'peer, no aim'} |")
    lines.append("")


def summary(values):
    if not values:
        return "no samples"
    return f"p50 {percentile(values, 0.5):.1f}, p99 {percentile(values, 0.99):.1f}, max {max(values):.1f} (n={len(values)})"


def render_emergency(results, smstools, lines):
    latency = results["latency_ms"]
    lines += [
        "## Emergency latency",
        "",
        f"One simulator at SMSC latency {latency} ms with the GPIO bridge and a fake WeCom robot behind",
        "the simulator's TCP proxy. A P0 template goes to one contact by SMS and to the robot. GPIO:",
        "`gpio_set panic_1 active` and its edge instant `ns`; console: the instant the `yes` that confirms",
        "`alert send` was written to the console socket. The end is the simulator's instant of the",
        "`AT+CMGS` line whose SUBMIT goes to that contact (`sends` op), and the fake's `at_ns` of the",
        "first robot request. All instants are CLOCK_MONOTONIC on this machine, in milliseconds.",
        "Two panic inputs send the same P0. `panic_1` keeps the panel's default contact filter",
        "(30 ms debounce, 100 ms minimum hold, so at least 100 ms of its figure is the filter, by",
        "design: a brushed button must not call the fire brigade); `panic_2` has the filter off",
        "(`debounce_ms = 0`, `minimum_hold_ms = 0`), for inputs whose source is already clean, such",
        "as a fire panel's relay, and shows the box's own latency.",
        "",
        "The backlog is a P2 alert to 1,000 contacts planned while the uplink was refused (P2 goes by",
        "SMS only while the uplink is down); the samples run after the uplink is back, while the modem",
        f"works through the backlog, one part per {latency} ms.",
        "",
        "| case | from | to | ms |",
        "|---|---|---|---|",
    ]
    for case in ("idle", "backlog"):
        samples = results.get(case, {})
        for key, values in samples.items():
            source, target = key.split("_")
            lines.append(f"| {case} | {SOURCES[source]} | {'first AT+CMGS' if target == 'sms' else 'first IM request'} | {summary(values)} |")
    for row in smstools:
        if "error" in row:
            lines.append(f"| smstools ({row['settings']}) | Priority: high file | first AT+CMGS | failed: {row['error']} |")
            continue
        for case in ("idle", "backlog"):
            lines.append(f"| {case}, smstools ({row['settings']}) | Priority: high file renamed into outgoing | its AT+CMGS | {summary(row[case])} |")
    lines += ["", "| aim | figure | verdict |", "|---|---|---|"]
    idle = results.get("idle", {})
    for key, values in idle.items():
        if values:
            p99 = percentile(values, 0.99)
            lines.append(f"| idle p99 under 50 ms: {key.replace('_', ' to ')} | {p99:.1f} ms | {verdict(p99 < 50)} |")
    backlog = results.get("backlog", {})
    for key, values in backlog.items():
        if values:
            p99 = percentile(values, 0.99)
            bound = latency + 50
            lines.append(f"| backlog p99 at most one in-flight SMS ({latency} ms) plus 50 ms: {key.replace('_', ' to ')} | {p99:.1f} ms | {verdict(p99 <= bound)} |")
    console = idle.get("console_sms", [])
    for row in smstools:
        if "error" in row or not console:
            continue
        for case in ("idle", "backlog"):
            box = results.get(case, {}).get("console_sms", [])
            if box and row[case]:
                ratio = percentile(box, 0.99) / percentile(row[case], 0.99)
                lines.append(
                    f"| {case}: alertbox console to AT+CMGS against smstools ({row['settings']}) | p99 ratio alertbox/smstools {ratio:.3f} | comparison |")
    lines.append("")


SOURCES = {"gpio": "GPIO edge, default filter", "rawgpio": "GPIO edge, filter off", "console": "console command"}


def render_failover(results, lines):
    lines += [
        "## Failover",
        "",
        "A box of its own, with one WeCom robot behind the simulator's TCP proxy and an idle modem",
        "(SMSC latency 1500 ms). The clock starts when the benchmark switches the proxy to",
        "`blackhole` (sockets stay open, nothing passes) or `refuse` (listener closed, connections",
        "reset); right after, the console sends a P1 alert to one contact whose group the robot",
        "covers. It stops at the `AT+CMGS` to that contact. The box finds a blackhole by its probe",
        "(a TCP connect every second, 1.5 s timeout, down after two failures in a row).",
        "",
        "| uplink fault | ms to the first SMS of the P1 fallback | aim | verdict |",
        "|---|---|---|---|",
    ]
    aims = {"blackhole": 5000, "refuse": 1000}
    for mode, values in results.items():
        worst = max(values)
        lines.append(f"| {mode} | {', '.join(f'{value:.0f}' for value in values)} | under {aims[mode]} ms | {verdict(worst < aims[mode])} (worst {worst:.0f} ms) |")
    lines.append("")


def render_footprint(results, lines):
    lines += [
        "## Footprint",
        "",
        "`alertbox run` in SMS mode with a contacts file of 100,000 people in one group. Ready is the",
        "time from exec to the console's login prompt, which opens after every other part started.",
        "The first start imports the file; the second finds it unchanged. Idle CPU is the box's",
        "utime plus stime over 60 s with nothing to send. Under load: 20 s after a P2 alert to all",
        "100,000 contacts (planned as 100,000 SMS deliveries), before it is cancelled.",
        "",
        "| figure | value | aim | verdict |",
        "|---|---:|---|---|",
        f"| start to ready, importing 100,000 contacts | {results['ready_first_s']:.2f} s | | |",
        f"| start to ready | {results['ready_s']:.2f} s | | |",
        f"| RSS idle | {results['idle_rss_kib'] / 1024:.1f} MiB | | |",
        f"| CPU idle over 60 s | {results['idle_cpu_percent']:.2f} % of one core | under 1 % | {verdict(results['idle_cpu_percent'] < 1)} |",
        f"| console `alert send` to 100,000 contacts, until it returns | {results['plan_all_s']:.2f} s | | |",
        f"| RSS under load | {results['load_rss_kib'] / 1024:.1f} MiB (peak {results['load_hwm_kib'] / 1024:.1f} MiB) | | |",
        "",
    ]


def render(results, machine, arguments, command):
    lines = [
        "# Benchmarks: alertbox, gammu-smsd and smstools",
        "",
        "`make bench` runs `Benchmarks/peer-bench/peer_bench.py` after the release build. Every daemon",
        "drives its own `alertbox-sim` modem (Quectel dialect) over a real pseudo-terminal on one",
        "machine: at SMSC latency 0 one run after another, at 1500 ms side by side (see SMS",
        "throughput). Absolute times vary between machines; compare the ratios, which come from the",
        "same run.",
        "",
        f"- Machine: {machine['cpu']}, {machine['cores']} cores, Linux {machine['kernel']}",
        f"- Toolchain: {machine['swift']}",
        f"- Peers: gammu-smsd {machine['gammu']}, smstools {machine['smstools']} (Debian packages)",
        f"- Date: {machine['date']}",
        f"- Command: `{command}`",
        f"- Messages per throughput run: {arguments.messages}; alarms per source when idle: {arguments.samples}",
        "",
    ]
    if "throughput" in results:
        render_throughput(results["throughput"], lines)
    if "emergency" in results:
        render_emergency(results["emergency"], results.get("smstools_priority", []), lines)
    elif "emergency_error" in results:
        lines += ["## Emergency latency", "", f"Not measured: {results['emergency_error']}", ""]
    if "failover" in results:
        render_failover(results["failover"], lines)
    elif "failover_error" in results:
        lines += ["## Failover", "", f"Not measured: {results['failover_error']}", ""]
    if "footprint" in results:
        render_footprint(results["footprint"], lines)
    elif "footprint_error" in results:
        lines += ["## Footprint", "", f"Not measured: {results['footprint_error']}", ""]
    if "scale" in results:
        lines += ["## Scale", "", "From `scheduler-bench` (see docs/benchmarks-scheduler.md for what it does):", ""]
        lines += [f"- {line}" for line in results["scale"]]
        lines.append("")
    return "\n".join(lines)
