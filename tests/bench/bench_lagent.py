#!/usr/bin/env python3
"""Benchmark: lagent's CPU time and peak RSS with all 20 host sensors at 1 s.

Starts a private lmaster (send = no, so Graphite plays no part) and lagent, lets them
run for --seconds (default 60), then reads lagent's utime+stime and VmHWM from /proc.
Prints figures; asserts nothing (targets: < 0.2 % of one core, < 8 MiB RSS).

  /usr/bin/python3 tests/bench/bench_lagent.py --build-dir build [--seconds 60]
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import fructosa_testlib as lib  # noqa: E402


def proc_cpu_seconds(pid):
    """CPU time of every thread of `pid` in seconds, from schedstat (nanoseconds) where the
    kernel has it, else from /proc/<pid>/stat (clock ticks, 10 ms)."""
    try:
        total = 0
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[0])
        return total / 1e9
    except (OSError, ValueError):
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime


def proc_wakeups(pid):
    """How many times the threads of `pid` were put on a CPU (schedstat's third field: a
    process that sleeps between samples runs once per wakeup); None without schedstat."""
    try:
        total = 0
        for tid in os.listdir("/proc/%d/task" % pid):
            with open("/proc/%d/task/%s/schedstat" % (pid, tid)) as f:
                total += int(f.read().split()[2])
        return total
    except (OSError, ValueError, IndexError):
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=lib.BUILD_DIR)
    ap.add_argument("--seconds", type=float, default=60)
    args = ap.parse_args()
    lib.BUILD_DIR = os.path.abspath(args.build_dir)

    with lib.Workspace() as ws:
        master = lib.Lmaster(ws, None, {"Graphite": {"send": "no"}}).run().wait_listening()
        agent = lib.Lagent(ws, master.port, hostname="benchnode", sensors=lib.SENSORS, interval=1).run()
        lib.wait_until(lambda: os.path.exists("/proc/%d" % agent.proc.pid), 10, "lagent to start")
        time.sleep(2)  # start-up (config, first samples) is not what we measure
        cpu0, t0 = proc_cpu_seconds(agent.proc.pid), time.monotonic()
        time.sleep(args.seconds)
        cpu1, t1 = proc_cpu_seconds(agent.proc.pid), time.monotonic()
        hwm = lib.proc_status_kib(agent.proc.pid, "VmHWM")
        rss = lib.proc_status_kib(agent.proc.pid, "VmRSS")
        if not agent.alive():
            sys.exit("lagent died during the benchmark:\n" + agent.log()[-2000:])
        share = 100.0 * (cpu1 - cpu0) / (t1 - t0)
        print("lagent, 20 sensors at 1 s, %.0f s measured" % (t1 - t0))
        print("  CPU time        %.3f s  = %.3f %% of one core   (target < 0.2 %%)" % (cpu1 - cpu0, share))
        print("  peak RSS VmHWM  %.2f MiB (now %.2f MiB)         (target < 8 MiB)" % (hwm / 1024, rss / 1024))


if __name__ == "__main__":
    main()
