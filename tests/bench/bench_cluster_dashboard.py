#!/usr/bin/env python3
"""Benchmark: the cluster dashboard on graphite-web at 2,000 nodes (issue 16).

A synthetic history of N nodes (default 2,000, 16 CPUs each, one hour at 10 s) lies in
the whisper files of a private carbon-cache, read by a private graphite-web (the
fixtures of tests/integration/fructosa_testlib): the raw per-node series the cluster
dashboard used to read (CPUPercent.<n>, VirtualMemory.percent, CPUTimesPercent.iowait,
SwapMemory.percent, lagent's jobs_tracked and points_queued), and the series lmaster's
[aggregates] publish for the same nodes (master/cluster_aggregator.h), computed here the
same way (per-node means, sums and counts over the reporting nodes, 10 % bands, jobs,
partitions), split over --lmasters lmasters as agents spread over them. The files are
written directly (whisper.create/update_many, what carbon-cache would have written):
pushing tens of millions of points through carbon takes too long on a small machine.

Then every target of the cluster dashboard `make-fructosa-dashboard --kind cluster`
writes is rendered over the history (median of --rounds), beside the targets of the
dashboard before aggregates, and the table is printed: target, seconds, series. Goal:
every new target under 2 s. Prints figures; asserts nothing.

  /usr/bin/python3 tests/bench/bench_cluster_dashboard.py --build-dir build [--nodes 2000]
      [--cpus 16] [--hours 1] [--lmasters 2] [--rounds 3] [--old-rounds 1] [--skip-old]
"""

import argparse
import json
import math
import os
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import fructosa_testlib as lib  # noqa: E402

STEP = 10  # seconds: lmaster's [aggregates] interval, and the history's resolution
PARTITIONS = ("cpu", "gpu", "mem")
NODES_PER_JOB = 4

# The cluster dashboard's targets before aggregates (raw per-node series), as written by
# make-fructosa-dashboard until then.
OLD_TARGETS = [
    ("Nodes reporting", "sumSeries(movingMax(isNonNull(*.VirtualMemory.percent), '2min'))"),
    ("Nodes not reporting", "sumSeries(offset(scale(movingMax(isNonNull(*.VirtualMemory.percent), '2min'), -1), 1))"),
    ("Jobs running", "sumSeries(fructosa.lagent.*.jobs_tracked)"),
    ("Mean CPU load", "averageSeries(*.CPUPercent.*)"),
    ("Mean memory used", "averageSeries(*.VirtualMemory.percent)"),
    ("CPU load per node (heat map)", "groupByNode(*.CPUPercent.*, 0, 'average')"),
    ("Memory used per node (heat map)", "aliasByNode(*.VirtualMemory.percent, 0)"),
    ("Nodes reporting (strip)", "aliasByNode(movingMax(isNonNull(*.VirtualMemory.percent), '2min'), 0)"),
    ("I/O wait per node", "aliasByNode(*.CPUTimesPercent.iowait, 0)"),
    ("Swap used per node", "aliasByNode(*.SwapMemory.percent, 0)"),
    ("Points waiting in lagents", "aliasByNode(fructosa.lagent.*.points_queued, 2)"),
]


def node_values(i, k, cpus):
    """One node's figures at slot k: CPU per CPU, memory, iowait, swap, disk, GPU, net rates."""
    phase = (i * 7919 + k) % 360
    busy = 50 + 45 * math.sin(2 * math.pi * (phase / 360.0 + i / 97.0))
    per_cpu = [min(100.0, max(0.0, busy + ((c * 13 + i) % 11) - 5)) for c in range(cpus)]
    return {
        "cpu": per_cpu,
        "memory": 20 + (i * 37 + k) % 75,
        "iowait": (i + k) % 7,
        "swap": (i % 5) * 2,
        "disk": 30 + i % 60,
        "gpu": (i * 3 + k) % 100 if PARTITIONS[i % 3] == "gpu" else None,
        "net_recv": 1e6 + (i % 100) * 1e4,
        "net_sent": 5e5 + (i % 50) * 1e4,
    }


class Writer:
    """Whisper files of one carbon-cache, 10 s slots over the history."""

    def __init__(self, carbon, points):
        import whisper
        self.whisper = whisper
        self.root = carbon.whisper_dir
        self.points = points
        self.files = 0

    def write(self, path, series):
        """series: [(timestamp, value)], None values left out."""
        file = os.path.join(self.root, *path.split(".")) + ".wsp"
        os.makedirs(os.path.dirname(file), exist_ok=True)
        if not os.path.exists(file):
            self.whisper.create(file, [(STEP, self.points)], xFilesFactor=0, aggregationMethod="average")
        self.whisper.update_many(file, [(t, v) for t, v in series if v is not None])
        self.files += 1


def write_history(carbon, nodes, cpus, slots, lmasters):
    now = int(time.time()) // STEP * STEP
    stamps = [now - (slots - 1 - k) * STEP for k in range(slots)]
    w = Writer(carbon, slots + 10)
    # Aggregates, per lmaster and slot: {figure: value}
    agg = [[{} for _ in range(slots)] for _ in range(lmasters)]

    def add(lm, k, name, v):
        agg[lm][k][name] = agg[lm][k].get(name, 0.0) + v

    for i in range(nodes):
        host = "node%05d" % i
        lm = i % lmasters
        part = PARTITIONS[i % 3]
        job = 100000 + i // NODES_PER_JOB
        values = [node_values(i, k, cpus) for k in range(slots)]
        for c in range(cpus):
            w.write("%s.CPUPercent.%d" % (host, c), [(stamps[k], values[k]["cpu"][c]) for k in range(slots)])
        w.write(host + ".VirtualMemory.percent", [(stamps[k], values[k]["memory"]) for k in range(slots)])
        w.write(host + ".CPUTimesPercent.iowait", [(stamps[k], values[k]["iowait"]) for k in range(slots)])
        w.write(host + ".SwapMemory.percent", [(stamps[k], values[k]["swap"]) for k in range(slots)])
        w.write("fructosa.lagent.%s.jobs_tracked" % host, [(t, 1) for t in stamps])
        w.write("fructosa.lagent.%s.points_queued" % host, [(t, i % 3) for t in stamps])
        means = [sum(v["cpu"]) / cpus for v in values]
        w.write(host + ".node.cpu_percent_mean", list(zip(stamps, means)))
        # What lmaster's aggregator adds up for this node (cluster_aggregator.cpp).
        for k, v in enumerate(values):
            figures = {"cpu_percent": means[k], "memory_percent": v["memory"], "iowait_percent": v["iowait"],
                       "swap_percent": v["swap"], "disk_percent": v["disk"], "gpu_util_percent": v["gpu"],
                       "net_recv_bytes_per_s": v["net_recv"], "net_sent_bytes_per_s": v["net_sent"]}
            add(lm, k, "nodes_reporting", 1)
            add(lm, k, "nodes_silent", 0)
            add(lm, k, "partition.%s.nodes_reporting" % part, 1)
            for name, x in figures.items():
                add(lm, k, name + "_count", 0)
                if x is None:
                    continue
                add(lm, k, name + "_sum", x)
                add(lm, k, name + "_count", 1)
                if name in ("cpu_percent", "memory_percent"):
                    add(lm, k, "partition.%s.%s_sum" % (part, name), x)
                    add(lm, k, "partition.%s.%s_count" % (part, name), 1)
                    bucket = min(10, max(1, math.ceil(x / 10))) * 10
                    for b in range(10, 101, 10):
                        add(lm, k, "%s_nodes.%d" % (name, b), 1 if b == bucket else 0)
            add(lm, k, "job_nodes", 1)
            add(lm, k, "lagents.points_queued", i % 3)
            for name in ("points_dropped", "reconnects", "sensor_errors"):
                add(lm, k, "lagents." + name, 0)
            agg[lm][k].setdefault(("jobs", part), set()).add(job)
    for lm in range(lmasters):
        base = "fructosa.cluster.lm%d." % lm
        by_name = {}
        for k in range(slots):
            figures = agg[lm][k]
            jobs = {name: figures.pop(name) for name in [n for n in figures if isinstance(n, tuple)]}
            figures["jobs_running"] = len(set().union(*jobs.values()))
            for (_, part), ids in jobs.items():
                figures["partition.%s.jobs_running" % part] = len(ids)
            for name, v in figures.items():
                by_name.setdefault(name, []).append((stamps[k], v))
        for name, series in by_name.items():
            w.write(base + name, series)
        # lmaster's own series, for the pipeline row.
        self_base = "fructosa.lmaster.lm%d." % lm
        for name in ("points_in", "points_out", "points_dropped", "points_invalid", "bad_frames",
                     "connections_refused", "job_events_in"):
            w.write(self_base + name, [(t, k * 1000.0 if name in ("points_in", "points_out") else 0)
                                       for k, t in enumerate(stamps)])
        for name, v in (("points_queued", 0), ("graphite_connected", 1), ("agents_connected", nodes // lmasters)):
            w.write(self_base + name, [(t, v) for t in stamps])
    return w.files


def new_targets(out_dir):
    res = lib.run([lib.binary("make-fructosa-dashboard"), "--kind", "cluster", "--out", out_dir], timeout=60)
    if res.returncode != 0:
        raise SystemExit("make-fructosa-dashboard failed:\n%s%s" % (res.stdout, res.stderr))
    with open(os.path.join(out_dir, "fructosa-cluster.json")) as f:
        d = json.load(f)
    out = []
    for p in d["panels"]:
        for panel in [p] + p.get("panels", []):
            for t in panel.get("targets", []):
                out.append((panel["title"], t["target"]))
    return out


def render_seconds(port, target, since):
    url = "http://127.0.0.1:%d/render?%s" % (port, urllib.parse.urlencode(
        {"target": target, "from": since, "until": "now", "format": "json"}))
    t0 = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            body = json.loads(r.read())
    except urllib.error.HTTPError as e:
        return time.monotonic() - t0, "HTTP %d" % e.code
    except Exception as e:  # a worker killed at gunicorn's timeout: report, do not stop
        return time.monotonic() - t0, type(e).__name__
    nonnull = any(v is not None for s in body for v, _ in s["datapoints"])
    return time.monotonic() - t0, "%d series%s" % (len(body), "" if nonnull else ", no data")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=lib.BUILD_DIR)
    ap.add_argument("--nodes", type=int, default=2000)
    ap.add_argument("--cpus", type=int, default=16)
    ap.add_argument("--hours", type=float, default=1)
    ap.add_argument("--lmasters", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--old-rounds", type=int, default=1, help="renders of each old target (they are slow)")
    ap.add_argument("--skip-old", action="store_true", help="time only the new targets")
    args = ap.parse_args()
    lib.BUILD_DIR = os.path.abspath(args.build_dir)
    slots = int(args.hours * 3600 / STEP)
    since = "-%dmin" % int(args.hours * 60)
    load = os.getloadavg()[0]
    with lib.Workspace() as ws:
        carbon = lib.CarbonCache(ws, retentions="%ds:%d" % (STEP, slots + 10)).start()
        t0 = time.monotonic()
        files = write_history(carbon, args.nodes, args.cpus, slots, args.lmasters)
        written = time.monotonic() - t0
        graphite = lib.GraphiteWeb(ws, carbon).start()
        targets = [("new", title, t) for title, t in new_targets(ws.subdir("dashboards"))]
        if not args.skip_old:
            targets += [("old", title, t) for title, t in OLD_TARGETS]
        rows = []
        for kind, title, target in targets:
            times, what = [], ""
            for _ in range(args.rounds if kind == "new" else args.old_rounds):
                s, what = render_seconds(graphite.port, target, since)
                times.append(s)
            rows.append((kind, title, target, statistics.median(times), what))
    print("\n%d nodes of %d CPUs, %.1f h at %d s, %d lmasters: %d whisper files written in %.0f s; "
          "graphite-web (1 gunicorn worker), median of %d renders of each new target, %d of each old one "
          "(load %.1f at start, %.1f at the end)" % (
              args.nodes, args.cpus, args.hours, STEP, args.lmasters, files, written, args.rounds, args.old_rounds,
              load, os.getloadavg()[0]))
    print("| dashboard | panel | target | seconds | answer |")
    print("| --- | --- | --- | --- | --- |")
    for kind, title, target, s, what in rows:
        print("| %s | %s | `%s` | %.2f | %s |" % (kind, title, target.replace("|", "\\|"), s, what))
    new = [r[3] for r in rows if r[0] == "new"]
    print("\nnew targets: %d, slowest %.2f s, %d over 2 s" % (len(new), max(new), sum(1 for s in new if s >= 2)))


if __name__ == "__main__":
    main()
