#!/usr/bin/env python3
"""Benchmark: lagent and Debian's collectd side by side, in the same window, both at 1 s.

lagent runs with every host sensor `lagent --list-sensors` names, each at 1 s except a sensor
with a default interval of its own (TopProcesses, 10 s: a table people read), which runs at that
default as it would in a lagent.conf that does not set its time_interval, and its disk spool, shipping to a private lmaster that forwards to a private carbon sink; collectd runs
with the 15 read plugins of issue 18 (cpu, memory, swap, disk, df, interface, load,
contextswitch, irq, users, uptime, cpufreq, thermal, tcpconns, cgroups) and write_graphite to
its own private plaintext sink (--without-tcp: both without their TCP socket counts). Both start, settle for --settle seconds, then are measured
over the same --seconds window: CPU seconds of each process (every thread, from schedstat
where the kernel has it, else utime+stime of /proc/<pid>/stat) and the points each sent with
a timestamp inside the window (counted by the sinks after the window, so late batches
count). lmaster's CPU is not lagent's: collectd writes to carbon itself and lmaster plays
carbon-relay's part. Prints a side-by-side table and asserts nothing (issue 18's goal:
lagent at most half of collectd's CPU).

Everything is private: a temporary directory, 127.0.0.1 ports, processes stopped by pid.
Needs collectd (Debian package collectd-core; scripts/install-deps.sh installs it).

  /usr/bin/python3 tests/bench/bench_lagent_vs_collectd.py --build-dir build [--seconds 60]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)
import fructosa_testlib as lib  # noqa: E402
from bench_lagent import proc_cpu_seconds, proc_wakeups  # noqa: E402

COLLECTD_PLUGINS = ["cpu", "memory", "swap", "disk", "df", "interface", "load", "contextswitch", "irq",
                    "users", "uptime", "cpufreq", "thermal", "tcpconns", "cgroups"]
LAGENT_HOST = "benchlagent"
COLLECTD_HOST = "benchcollectd"


# A sensor section without time_interval samples every 60 s, unless the sensor has a
# default of its own (SensorInfo::default_interval_s).
GENERIC_DEFAULT_INTERVAL = 60.0


def lagent_sensors():
    """Every sensor this lagent has, in the order of `lagent --list-sensors`, with its default
    time_interval: {name: seconds}."""
    out = subprocess.run([lib.binary("lagent"), "--list-sensors"], capture_output=True, text=True,
                         check=True).stdout
    sensors, name = {}, None
    for line in out.splitlines():
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", line):
            name = line
            sensors[name] = GENERIC_DEFAULT_INTERVAL
        m = re.match(r"\s+time_interval\s.*default ([0-9.]+)\)", line)
        if m and name:
            sensors[name] = float(m.group(1))
    return sensors


def collectd_config(workdir, sink_port, plugins):
    lines = [
        'Hostname "%s"' % COLLECTD_HOST,
        "FQDNLookup false",
        'BaseDir "%s"' % workdir,
        'PIDFile "%s"' % os.path.join(workdir, "collectd.pid"),
        'PluginDir "/usr/lib/collectd"',
        'TypesDB "/usr/share/collectd/types.db"',
        "Interval 1",
        "ReadThreads 5",
        "WriteThreads 1",
        "LoadPlugin logfile",
        "<Plugin logfile>",
        '  File "%s"' % os.path.join(workdir, "collectd.log"),
        "  LogLevel info",
        "</Plugin>",
    ]
    lines += ["LoadPlugin %s" % p for p in plugins]
    lines += [
        "LoadPlugin write_graphite",
        "<Plugin write_graphite>",
        '  <Node "sink">',
        '    Host "127.0.0.1"',
        '    Port "%d"' % sink_port,
        '    Protocol "tcp"',
        "  </Node>",
        "</Plugin>",
    ]
    path = os.path.join(workdir, "collectd.conf")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def tcp_socket_counts():
    """(in use, time-wait) TCP sockets from /proc/net/sockstat, or None."""
    try:
        with open("/proc/net/sockstat") as f:
            for line in f:
                if line.startswith("TCP:"):
                    w = line.split()
                    return int(w[w.index("inuse") + 1]), int(w[w.index("tw") + 1])
    except (OSError, ValueError):
        pass
    return None


def points_in(sink, prefix, t0, t1):
    with sink._lock:
        return sum(1 for p, ts, _ in sink._points if p.startswith(prefix) and t0 <= ts < t1)


def main():
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="Prints CPU seconds, % of one core, points, microseconds per point and the "
               "lagent/collectd ratios. Install collectd with: apt-get install collectd-core")
    ap.add_argument("--build-dir", default=lib.BUILD_DIR, help="the build with lagent and lmaster (default %(default)s)")
    ap.add_argument("--seconds", type=float, default=60, help="measured window (default %(default)s)")
    ap.add_argument("--settle", type=float, default=5, help="start-up seconds not measured (default %(default)s)")
    ap.add_argument("--collectd", default=shutil.which("collectd") or "/usr/sbin/collectd",
                    help="collectd binary (default %(default)s)")
    ap.add_argument("--without-tcp", action="store_true",
                    help="leave out lagent's NetConnections and collectd's tcpconns: both make the kernel walk its "
                         "whole TCP hash table each second, the same cost on each side")
    args = ap.parse_args()
    lib.BUILD_DIR = os.path.abspath(args.build_dir)
    if not os.access(args.collectd, os.X_OK):
        sys.exit("collectd not found at %s (apt-get install collectd-core)" % args.collectd)

    with lib.Workspace() as ws:
        sink = lib.FakeCarbon(ws).start()
        master = lib.Lmaster(ws, sink, {"Graphite": {"send": "yes"}}).run().wait_listening()
        defaults = lagent_sensors()
        plugins = list(COLLECTD_PLUGINS)
        if args.without_tcp:
            del defaults["NetConnections"]
            plugins.remove("tcpconns")
        sensors = list(defaults)
        # 1 s, except a sensor with its own default: that default (no time_interval).
        own_defaults = {s: d for s, d in defaults.items() if d != GENERIC_DEFAULT_INTERVAL}
        # The test library's 1 s self metrics are for tests that wait for them; lagent's
        # own default (10 s) here. None removes a key: lagent's default applies.
        overrides = {"logging": {"level": "INFO"}, "lagent": {"self metrics interval": None}}
        for s in own_defaults:
            overrides["sensor:" + s] = {"time_interval": None}
        agent = lib.Lagent(ws, master.port, hostname=LAGENT_HOST, sensors=sensors, interval=1,
                           overrides=overrides).run()
        cdir = ws.subdir("collectd")
        conf = collectd_config(cdir, sink.line_port, plugins)
        collectd = lib.start([args.collectd, "-f", "-C", conf], log_path=os.path.join(cdir, "console.out"),
                             name="collectd")
        ws.addCleanup(lib.stop, collectd)
        time.sleep(args.settle)
        for proc, name in ((agent.proc, "lagent"), (collectd, "collectd")):
            if not proc.alive():
                sys.exit("%s did not start; its log:\n%s" % (name, lib.read_text(
                    agent.log_path if name == "lagent" else os.path.join(cdir, "collectd.log"))[-2000:]))

        aw0, cw0 = proc_wakeups(agent.proc.pid), proc_wakeups(collectd.pid)
        a0, c0, t0, w0 = proc_cpu_seconds(agent.proc.pid), proc_cpu_seconds(collectd.pid), time.monotonic(), time.time()
        time.sleep(args.seconds)
        a1, c1, t1, w1 = proc_cpu_seconds(agent.proc.pid), proc_cpu_seconds(collectd.pid), time.monotonic(), time.time()
        aw1, cw1 = proc_wakeups(agent.proc.pid), proc_wakeups(collectd.pid)
        load = os.getloadavg()
        tcp_sockets = tcp_socket_counts()
        time.sleep(4)  # batches of the window's last second still on their way
        lagent_points = points_in(sink, LAGENT_HOST + ".", w0, w1)
        collectd_points = points_in(sink, COLLECTD_HOST + ".", w0, w1)
        if not agent.alive():
            sys.exit("lagent died during the benchmark:\n" + agent.log()[-2000:])

        wall = t1 - t0
        def rate(w0, w1):
            return (w1 - w0) / wall if w0 is not None and w1 is not None else None
        rows = [("lagent", "%d sensors + spool" % len(sensors), a1 - a0, lagent_points, rate(aw0, aw1)),
                ("collectd", "%d plugins + write_graphite" % len(plugins), c1 - c0, collectd_points, rate(cw0, cw1))]
        print("lagent and collectd side by side, both at 1 s, %.0f s window; load average %.2f %.2f %.2f, %d CPUs"
              % (wall, load[0], load[1], load[2], os.cpu_count()))
        if tcp_sockets:
            # Both sides' TCP counts walk the kernel's socket hash: its population sets that cost.
            print("  TCP sockets on the machine at the window's end: %d in use, %d time-wait" % tcp_sockets)
        # wakeups/s: how often its threads were put on a CPU (each costs a context switch).
        print("  %-9s %-30s %8s %10s %8s %9s %10s" % ("", "", "CPU-s", "% of core", "points", "µs/point", "wakeups/s"))
        for name, what, cpu, points, wakeups in rows:
            per_point = "%9.2f" % (1e6 * cpu / points) if points else "%9s" % "-"
            per_second = "%10.1f" % wakeups if wakeups is not None else "%10s" % "-"
            print("  %-9s %-30s %8.3f %9.3f%% %8d %s %s" % (name, what, cpu, 100 * cpu / wall, points, per_point,
                                                           per_second))
        (_, _, acpu, apts, _), (_, _, ccpu, cpts, _) = rows
        if ccpu > 0:
            print("  lagent / collectd: CPU %.2f×" % (acpu / ccpu), end="")
            if apts and cpts:
                print(", per point %.2f×" % ((acpu / apts) / (ccpu / cpts)), end="")
            print("   (issue 18's goal: CPU ≤ 0.5×)")
        print("  lagent sensors (1 s): " + ", ".join(s for s in sensors if s not in own_defaults))
        if own_defaults:
            print("  lagent sensors at their own default interval: " +
                  ", ".join("%s %g s" % (s, d) for s, d in own_defaults.items()))
        print("  collectd plugins: " + ", ".join(plugins))


if __name__ == "__main__":
    main()
