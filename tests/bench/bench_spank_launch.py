#!/usr/bin/env python3
"""Benchmark: step launch latency added by spank_fructosa.so.

On the private 3-node test cluster, times `srun -w n1 true` --runs times (default 50)
in each setting and prints the medians: no plugin in plugstack.conf; plugin loaded but
--fructosa=off; --fructosa=on with lagent up; --fructosa=on with lagent down (socket
missing). Prints figures; asserts nothing (target: under 2 ms added).

  /usr/bin/python3 tests/bench/bench_spank_launch.py --build-dir build [--runs 50]
"""

import argparse
import os
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import fructosa_testlib as lib  # noqa: E402
from slurm_cluster import SlurmCluster  # noqa: E402


def median_launch(cluster, args, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        res = cluster.run(["srun", "-w", "n1"] + args + ["true"], timeout=60)
        times.append(time.perf_counter() - t0)
        if res.returncode != 0:
            sys.exit("srun failed: " + res.stderr)
    return statistics.median(times) * 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=lib.BUILD_DIR)
    ap.add_argument("--runs", type=int, default=50)
    args = ap.parse_args()
    lib.BUILD_DIR = os.path.abspath(args.build_dir)
    plugin = os.path.join(lib.BUILD_DIR, "spank", "spank_fructosa.so")

    with lib.Workspace() as ws:
        sock = os.path.join(ws.subdir("sockets"), "%n.sock")
        master = lib.Lmaster(ws, None, {"Graphite": {"send": "no"}}).run().wait_listening()
        agent = lib.Lagent(ws, master.port, hostname="n1", sensors=(), overrides={"jobs": {"socket": sock}},
                           name="lagent-n1").run()
        lib.wait_until(lambda: os.path.exists(sock.replace("%n", "n1")), 15, "lagent to listen")
        plugin_args = ["socket=" + sock, "timeout_ms=100"]
        cluster = SlurmCluster(ws.subdir("slurm"), nodes=("n1",), plugin_path=plugin, plugin_args=plugin_args)
        cluster.start()
        ws.addCleanup(cluster.stop)
        median_launch(cluster, [], 3)  # warm up

        # Settings are interleaved run by run (plugstack.conf is re-read by every srun),
        # so drift in this shared machine's load hits them all alike.
        missing = os.path.join(ws.tmp, "no-lagent-here.sock")
        settings = [
            ("no plugin", None, [], []),
            ("plugin, --fructosa=off", plugin, plugin_args, ["--fructosa=off"]),
            ("plugin, --fructosa=on, lagent up", plugin, plugin_args, ["--fructosa=on"]),
            ("plugin, --fructosa=on, lagent down", plugin, ["socket=" + missing, "timeout_ms=100"],
             ["--fructosa=on"]),
        ]
        times = {name: [] for name, _, _, _ in settings}
        for _ in range(args.runs):
            for name, path, pargs, srun_args in settings:
                cluster.plugin_path = path
                cluster.write_plugstack(pargs)
                times[name].append(median_launch(cluster, srun_args, 1))
        results = {name: statistics.median(t) for name, t in times.items()}
        del agent
        base = results["no plugin"]
        print("srun -w n1 true, median of %d runs each (1-node cluster on this host)" % args.runs)
        for name, ms in results.items():
            print("  %-38s %7.2f ms   added %+6.2f ms" % (name, ms, ms - base))


if __name__ == "__main__":
    main()
