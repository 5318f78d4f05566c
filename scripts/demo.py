#!/usr/bin/python3
"""The FrUCToSA demo, started by scripts/demo.sh: a private 3-node Slurm cluster
(slurmctld + three slurmd on this host, spank_fructosa.so in its plugstack.conf), one
lagent per node (all 20 host sensors), lmaster, carbon-cache, graphite-web and perad.
It runs a few profiled jobs of known behaviour, then shows their metrics, perad's
classification of each, writes PNG graphs of each job and of node n1 (graphite-web's own
renderer) and the Grafana dashboards.

The stack is the integration tests' own (tests/integration/fructosa_stack.py), so the
demo runs exactly what the tests check.
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
from fructosa_stack import (PY, ProfiledCluster, burn_cmd, busy_processes_cmd, stream_to_disk_cmd,  # noqa: E402
                            with_jobid)

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


# The demo's jobs: (what it shows, srun arguments, task command).
JOBS = [
    ("CPU-bound on its one core", ["-w", "n1", "-n1", "-c1"], burn_cmd(8)),
    ("sleeps on its core", ["-w", "n2", "-n1"], ["sleep", "8"]),
    ("serial program on 2 cores", ["-w", "n3", "-n1", "-c2"], burn_cmd(8)),
    ("3 nodes, busy on one only", ["-N3", "-n3", "--ntasks-per-node=1"],
     ["/bin/sh", "-c", 'if [ "$SLURM_PROCID" = 0 ]; then exec "$@"; else exec sleep 8; fi', "sh"] + burn_cmd(8)),
    ("touches 300 MB of its 400 MB", ["-w", "n1", "--mem=400"],
     [PY, "-c", "b = bytearray(300 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\nimport time\ntime.sleep(6)"]),
    ("exits 1", ["-w", "n2"], ["sh", "-c", "sleep 4; exit 1"]),
    ("streams 300 MB to disk", ["-w", "n3", "-n1", "-c1"], None),  # its command names the work directory
    ("4 busy processes on 1 core", ["-w", "n1", "-n1", "-c1"], busy_processes_cmd(4, 8)),
    ("busy 4 s, then idle 8 s", ["-w", "n2", "-n1", "-c1"], ["/bin/sh", "-c", '"$@"; exec sleep 8', "sh"] + burn_cmd(4)),
]


def run_jobs(stack, workdir):
    """Runs the demo jobs one after the other; returns [(jobid, what)]."""
    done = []
    for what, args, cmd in JOBS:
        if cmd is None:
            cmd = stream_to_disk_cmd(os.path.join(workdir, "stream.bin"), 50, 300)
        res = stack.srun("--fructosa=on", *args, *with_jobid(cmd), check=False, timeout=180)
        jobid = int(res.stdout.split()[0])
        say("job %d (%s) ended with exit %d" % (jobid, what, res.returncode))
        done.append((jobid, what))
    return done


def print_job_metrics(stack, jobs):
    print("\n%-8s %-30s %-6s %16s %16s %14s" % ("job", "what", "node", "max CPU % core", "mean efficiency",
                                                "memory peak"))
    print("-" * 96)
    for jobid, what in jobs:
        for node in stack.nodes:
            usage = stack.carbon.values("jobs.%d.%s.cpu.usage_percent" % (jobid, node))
            if not usage:
                continue
            eff = [v for _, v in stack.carbon.values("jobs.%d.%s.cpu.efficiency_percent" % (jobid, node))]
            peak = [v for _, v in stack.carbon.values("jobs.%d.%s.memory.peak" % (jobid, node))]
            print("%-8d %-30s %-6s %16.1f %16s %14s" % (
                jobid, what[:30], node, max(v for _, v in usage),
                "%.1f %%" % (sum(eff) / len(eff)) if eff else "-", human("x.memory_bytes", max(peak)) if peak else "-"))
    print()


def write_pictures(stack, jobs, out):
    """PNGs through graphite-web's renderer: each job's CPU efficiency and memory per node,
    and node n1's host view over the whole run; each checked not to be blank."""
    os.makedirs(out, exist_ok=True)
    for name in os.listdir(out):  # those of an earlier run, whose job ids may be reused
        if re.fullmatch(r"(job-\d+-(cpu|memory)|node-\w+)\.png", name):
            os.remove(os.path.join(out, name))
    port = stack.graphite.port
    written, first, last = [], None, None
    for jobid, what in jobs:
        job = stack.registry_job(jobid)
        start, end = job["start_time"], job["end_time"]
        first = start if first is None else min(first, start)
        last = end if last is None else max(last, end)
        paths = tl.render_png.write_job_pictures(port, out, jobid, start, end)
        written += [(p, "job %d (%s)" % (jobid, what)) for p in paths]
    written.append((tl.render_png.write_host_picture(port, out, "n1", int(first) - 30, int(last) + 5), "node n1"))
    for path, what in written:
        with open(path, "rb") as f:
            data = f.read()
        problem = tl.picture_problem(data, tl.render_png.WIDTH, tl.render_png.HEIGHT)
        print("  %-24s %5.1f KB  %s%s" % (os.path.basename(path), len(data) / 1024.0, what,
                                         "  NOT A GRAPH: " + problem if problem else ""))
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(os.path.dirname(HERE), "build"))
    ap.add_argument("--dir", help="work directory (default: a new temporary one)")
    ap.add_argument("--pictures", default="/tmp/fructosa-demo-pictures",
                    help="where the PNG graphs go (kept after the demo; default %(default)s)")
    ap.add_argument("--keep", action="store_true",
                    help="keep everything running until Ctrl-C, and keep the work directory")
    args = ap.parse_args()
    tl.BUILD_DIR = os.path.abspath(args.build_dir)
    # TERM (from demo.sh's trap, or kill) unwinds like Ctrl-C: everything started is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with tl.Workspace(args.dir, keep=args.keep) as ws:
        say("work directory %s" % ws.tmp)
        say("starting slurmctld + 3 slurmd (n1 n2 n3), carbon-cache, graphite-web, lmaster, 3 lagents, perad ...")
        stack = ProfiledCluster(ws, host_sensors=tl.SENSORS, host_interval=2, perad=True,
                                perad_rules={"too short seconds": 2, "serial min cores": 2, "stalled min seconds": 4,
                                            "io bound min rate mb per s": 25},
                                graphite_web=True).start()
        say("cluster up: plugstack %s" % os.path.join(stack.cluster.workdir, "plugstack.conf"))
        jobs = run_jobs(stack, ws.subdir("jobs"))

        say("host metrics of node n1 (20 sensors every 2 s), and lmaster's and lagent's own:")
        print_table(stack.carbon, limon_rows(stack.carbon, "n1"))
        say("per-job series (jobs.<jobid>.<node>.<group>.<field>) of the demo jobs:")
        print_job_metrics(stack, jobs)

        say("waiting for perad to classify every job ...")
        for jobid, _ in jobs:
            stack.verdict(jobid)
        print(stack.perad("summary", "--by", "class").stdout)
        for jobid, what in jobs:
            say("perad show %d   (%s)" % (jobid, what))
            print(stack.perad("show", str(jobid)).stdout)

        pictures = os.path.abspath(args.pictures)
        say("PNG graphs from graphite-web's renderer, in %s:" % pictures)
        write_pictures(stack, jobs, pictures)

        out = ws.subdir("dashboards")
        res = tl.run([tl.binary("make-fructosa-dashboard"), "--out", out, "--kind", "all"], timeout=60)
        say("Grafana dashboards written to %s: %s" % (out, ", ".join(sorted(os.listdir(out))) or res.stderr.strip()))
        if args.keep:
            say("running until Ctrl-C; graphite-web on http://127.0.0.1:%d, perad config %s"
                % (stack.graphite.port, stack.perad_conf))
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
        say("stopping everything the demo started")
    say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
