#!/usr/bin/python3
"""The FrUCToSA demo: a private carbon-cache, lmaster and lagent (all 20 sensors, 1 s),
then a table of the latest values that reached carbon. Started by scripts/demo.sh.

The stack is built from the integration tests' fixtures (tests/integration/
fructosa_testlib.py), so the demo runs exactly what the tests check. Each step is one
function, so that later demos (Slurm jobs, perad) can add steps around start_limon().
"""

import argparse
import datetime
import os
import re
import signal
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tests", "integration"))
import fructosa_testlib as tl  # noqa: E402

# Series shown in the table, relative to the host; CPUPercent.* is expanded.
HOST_SERIES = [
    "CPUCount", "CPUPercent.*", "CPUTimesPercent.user", "CPUTimesPercent.system",
    "CPUTimesPercent.idle", "CPUFreq.current", "CPUStats.ctx_switches",
    "VirtualMemory.total", "VirtualMemory.available", "VirtualMemory.percent",
    "SwapMemory.total", "SwapMemory.percent", "DiskUsage.total", "DiskUsage.used",
    "DiskUsage.percent", "DiskIOCounters.read_bytes", "DiskIOCounters.write_bytes",
    "NetIOCounters.bytes_recv", "NetIOCounters.bytes_sent", "NetConnections.total",
    "NetConnections.tcp.LISTEN", "DiskPartitions.count", "Users.count", "BootTime",
]
SELF_SERIES = ["agents_connected", "batches_in", "points_in", "points_out", "points_dropped",
               "graphite_connected"]
AGENT_SERIES = ["points_sent", "points_queued", "points_dropped"]


def say(msg):
    print("demo: " + msg, flush=True)


def start_limon(ws, hostname, interval=1, web=True):
    """carbon-cache, lmaster (pickle) and lagent with every sensor; graphite-web too
    when `web`. Returns (carbon, lmaster, lagent, web or None)."""
    carbon = tl.CarbonCache(ws).start()
    say("carbon-cache listening on 127.0.0.1:%d (pickle) and :%d (plaintext), data in %s"
        % (carbon.pickle_port, carbon.line_port, carbon.whisper_dir))
    master = tl.Lmaster(ws, carbon, overrides={"logging": {"level": "INFO"}})
    master.start()
    master.wait_listening()
    say("lmaster listening on 127.0.0.1:%d (pid %d), config %s"
        % (master.port, master.proc.pid, master.conf_path))
    agent = tl.Lagent(ws, master.port, hostname=hostname, sensors=tl.SENSORS, interval=interval,
                      overrides={"logging": {"level": "INFO"}})
    agent.start()
    say("lagent sampling %d sensors every %s s as host '%s' (pid %d), config %s"
        % (len(tl.SENSORS), interval, hostname, agent.proc.pid, agent.conf_path))
    graphite = None
    if web:
        try:
            graphite = tl.GraphiteWeb(ws, carbon).start()
            say("graphite-web answering on http://127.0.0.1:%d" % graphite.port)
        except Exception as e:  # the table does not need it
            say("graphite-web did not start (%s); going on without it" % e)
    return carbon, master, agent, graphite


BYTE_SENSORS = ("VirtualMemory", "SwapMemory", "DiskUsage")


def human(path, value):
    """A readable rendering of `value` given what the series measures."""
    parts = path.split(".")
    field = parts[-1]
    if path.endswith("BootTime"):
        return datetime.datetime.fromtimestamp(value).strftime("%Y-%m-%d %H:%M:%S")
    if "percent" in field or "CPUPercent" in parts or "CPUTimesPercent" in parts:
        return "%.1f %%" % value
    if "bytes" in field or any(s in parts for s in BYTE_SENSORS):
        for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
            if abs(value) < 1024 or unit == "TiB":
                return ("%.0f %s" if unit == "B" else "%.1f %s") % (value, unit)
            value /= 1024.0
    if path.endswith("CPUFreq.current"):
        return "%.0f MHz" % value
    if value == int(value):
        return "{:,}".format(int(value))
    return "%g" % value


def expand(carbon, pattern):
    if pattern.endswith(".*"):
        prefix = pattern[:-2]
        found = carbon.series(prefix)
        return sorted(found, key=lambda s: [int(p) if p.isdigit() else p for p in s.split(".")])
    return [pattern]


def print_table(carbon, rows):
    """Prints `series | latest value | its time` for each series in `rows`."""
    lines = []
    for path in rows:
        vals = carbon.values(path, since=time.time() - 600)
        if vals:
            ts, v = vals[-1]
            lines.append((path, human(path, v), time.strftime("%H:%M:%S", time.localtime(ts))))
        else:
            lines.append((path, "(no data)", ""))
    width = max(len(l[0]) for l in lines)
    print("\n%-*s  %18s  %s" % (width, "series", "latest value", "at"))
    print("-" * (width + 30))
    for path, value, at in lines:
        print("%-*s  %18s  %s" % (width, path, value, at))
    print()


def limon_rows(carbon, hostname):
    rows = []
    for pattern in HOST_SERIES:
        rows.extend(expand(carbon, "%s.%s" % (hostname, pattern)))
    lmaster_hosts = sorted({s.split(".")[2] for s in carbon.series("fructosa.lmaster")})
    for h in lmaster_hosts:
        rows.extend("fructosa.lmaster.%s.%s" % (h, f) for f in SELF_SERIES)
    rows.extend("fructosa.lagent.%s.%s" % (hostname, f) for f in AGENT_SERIES)
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(os.path.dirname(HERE), "build"))
    ap.add_argument("--dir", help="work directory (default: a new temporary one)")
    ap.add_argument("--seconds", type=float, default=10, help="how long to collect (default 10)")
    ap.add_argument("--hostname", default="demo-" + re.sub(r"[^A-Za-z0-9_-]", "_", tl.short_hostname())[:40],
                    help="host name lagent reports")
    ap.add_argument("--no-web", action="store_true", help="do not start graphite-web")
    ap.add_argument("--keep", action="store_true",
                    help="keep everything running until Ctrl-C, and keep the work directory")
    args = ap.parse_args()
    tl.BUILD_DIR = os.path.abspath(args.build_dir)
    # TERM (from demo.sh's trap, or kill) unwinds like Ctrl-C: everything started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with tl.Workspace(args.dir, keep=args.keep) as ws:
        say("work directory %s" % ws.tmp)
        carbon, master, agent, web = start_limon(ws, args.hostname, web=not args.no_web)
        say("collecting for %g s ..." % args.seconds)
        time.sleep(args.seconds)
        print_table(carbon, limon_rows(carbon, args.hostname))
        series = carbon.series()
        say("%d series in carbon (%d for host %s); sensors not available on this machine:"
            % (len(series), len(carbon.series(args.hostname)), args.hostname))
        log = tl.read_text(agent.log_path)
        for s in tl.SENSORS:
            if tl.count_matching_lines(log, s, "not available"):
                print("    " + s)
        if web:
            now = int(time.time())
            target = "averageSeries(%s.CPUPercent.*)" % args.hostname
            try:
                points = web.render_values(target, now - 10, now).get(target, [])
                say("graphite-web %s over the last 10 s: %s"
                    % (target, ", ".join("%.1f" % v for _, v in points) or "(none yet)"))
            except Exception as e:
                say("graphite-web render failed: %s" % e)
        if args.keep:
            say("running until Ctrl-C; lagent log %s, lmaster log %s"
                % (agent.log_path, master.log_path))
            if web:
                say("try: curl 'http://127.0.0.1:%d/render?target=%s.VirtualMemory.percent"
                    "&from=-5min&format=json'" % (web.port, args.hostname))
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
        say("stopping lagent, lmaster, graphite-web and carbon-cache")
    say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
