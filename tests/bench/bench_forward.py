#!/usr/bin/env python3
"""Benchmark: lmaster forwarding to carbon, side by side with carbon-c-relay (issue 16).

One stream, two forwarders, the same counting sink (build/tests/bench_forward, C++):
- lmaster (auth none, its disk spool on, plaintext to the sink), fed by N agents
  speaking FrUCToSA's wire protocol (Hello, batches of 5,000 points, at most 4
  unacknowledged per agent, as lagent);
- carbon-c-relay from Debian (`-w 2 -b 10000 -q <points>`, a one-destination
  `forward` cluster), fed the same points as plaintext lines over N connections.
The sink checks every line and counts each (agent, point) once, so losses and
duplicates show. Rounds are interleaved (lmaster, relay, lmaster, relay, ...) and the
median is printed: lines/s from the first point sent to the last point received, CPU
seconds per million points of the forwarder (utime + stime from /proc), its peak RSS.
Then the case of many agents (--many, default 1,000) for lmaster alone, and the
reconnection storm (--storm, default 10,000 agents): every agent connected and
acknowledged, lmaster restarted (SIGTERM, then started again on the same port), and
the agents, reconnecting as lagent does (0.2 s doubling to 30 s, no jitter), timed
until each one has had a batch acknowledged by the new lmaster; the new lmaster's peak
RSS over the storm, and its own counters (handshakes_evicted, hellos_queue_full, ...).
Prints figures; asserts nothing.

  /usr/bin/python3 tests/bench/bench_forward.py --build-dir build [--points 4000000]
      [--agents 4] [--rounds 3] [--many 1000] [--many-points 2000000] [--storm 10000]
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import fructosa_testlib as lib  # noqa: E402

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def start_sink(tool, port, expect, ws):
    log = open(os.path.join(ws.subdir("sink-%d" % port), "out"), "w+")
    p = subprocess.Popen([tool, "sink", "--port", str(port), "--expect", str(expect), "--idle", "20"],
                         stdout=log, stderr=subprocess.STDOUT)
    lib.wait_until(lambda: lib.port_listening(port), 10, "the counting sink to listen")
    return p, log


def sink_result(p, log):
    p.wait(timeout=600)
    log.seek(0)
    lines = [json.loads(l) for l in log.read().splitlines() if l.startswith("{")]
    return lines[-1]


def run_agents(tool, port, agents, points, protocol):
    out = subprocess.run([tool, "agents", "--port", str(port), "--agents", str(agents), "--points", str(points),
                          "--protocol", protocol], capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        raise SystemExit("bench_forward agents failed: " + out.stderr.strip())
    return json.loads(out.stdout.strip().splitlines()[-1])


def one_lmaster(ws, tool, agents, points, name):
    sink_port = lib.free_port()
    sink, log = start_sink(tool, sink_port, points, ws)
    master = lib.Lmaster(ws, None, {"Graphite": {"carbon receiver plaintext port": sink_port,
                                                 "protocol": "plaintext", "spool max mb": 2048},
                                    "lmaster": {"self metrics interval": 3600, "max agents": max(agents, 10)},
                                    "logging": {"level": "INFO"}}, name=name).run().wait_listening()
    cpu0 = cpu_seconds(master.proc.pid)
    sent = run_agents(tool, master.port, agents, points, "wire")
    got = sink_result(sink, log)
    cpu = cpu_seconds(master.proc.pid) - cpu0
    rss = lib.proc_status_kib(master.proc.pid, "VmHWM")
    master.stop()
    return figures("lmaster", sent, got, cpu, rss, points)


def one_relay(ws, tool, relay, agents, points, name):
    sink_port = lib.free_port()
    sink, log = start_sink(tool, sink_port, points, ws)
    d = ws.subdir(name)
    conf = os.path.join(d, "relay.conf")
    with open(conf, "w") as f:
        f.write("cluster sink\n    forward\n        127.0.0.1:%d proto tcp\n    ;\n"
                "match *\n    send to sink\n    stop\n    ;\n" % sink_port)
    port = lib.free_port()
    proc = lib.start([relay, "-f", conf, "-p", str(port), "-w", "2", "-b", "10000", "-q", str(points),
                      "-l", os.path.join(d, "relay.log")], log_path=os.path.join(d, "stdout"), name="carbon-c-relay")
    ws.addCleanup(lib.stop, proc)
    lib.wait_until(lambda: lib.port_listening(port), 10, "carbon-c-relay to listen")
    cpu0 = cpu_seconds(proc.pid)
    sent = run_agents(tool, port, agents, points, "plaintext")
    got = sink_result(sink, log)
    cpu = cpu_seconds(proc.pid) - cpu0
    rss = lib.proc_status_kib(proc.pid, "VmHWM")
    lib.stop(proc)
    return figures("carbon-c-relay", sent, got, cpu, rss, points)


def read_event(proc, name, timeout):
    """The next JSON line of `proc`'s stdout with "event": name (waits at most timeout)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise SystemExit("bench_forward storm ended early: " + proc.stderr.read().strip())
        if line.startswith("{"):
            ev = json.loads(line)
            if ev.get("event") == name:
                return ev
    raise SystemExit("no %s event within %d s" % (name, timeout))


def status_figures(path):
    """lmaster's status file as {name: value}."""
    out = {}
    try:
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    out[parts[0]] = float(parts[1])
    except OSError:
        pass
    return out


def one_storm(ws, tool, agents):
    """`agents` agents connected to lmaster; lmaster restarted; the time until all are back."""
    sink_port = lib.free_port()
    sink, log = start_sink(tool, sink_port, 0, ws)
    port = lib.free_port()
    status = os.path.join(ws.subdir("storm-status"), "lmaster.status")

    def lmaster(name):
        return lib.Lmaster(ws, None, {"Graphite": {"carbon receiver plaintext port": sink_port,
                                                   "protocol": "plaintext"},
                                      "lmaster": {"self metrics interval": 1, "max agents": agents,
                                                  "status file": status},
                                      "logging": {"level": "WARNING"}}, name=name, port=port).run().wait_listening()

    first = lmaster("lmaster-storm-1")
    gen = subprocess.Popen([tool, "storm", "--port", str(port), "--agents", str(agents)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    ws.addCleanup(lambda: gen.poll() is None and gen.kill())
    t0 = time.time()
    up = read_event(gen, "up", 600)
    connect_s = up["t"] - t0
    first_rss = lib.proc_status_kib(first.proc.pid, "VmHWM")
    stopped_at = time.time()
    first.stop()
    started_at = time.time()
    second = lmaster("lmaster-storm-2")
    listening_at = time.time()
    back = read_event(gen, "back", 600)
    time.sleep(1.5)  # one more self-metrics report into the status file
    rss = lib.proc_status_kib(second.proc.pid, "VmHWM")
    counters = status_figures(status)
    second.stop()
    gen.wait(timeout=30)
    sink.kill()
    return {"agents": agents, "first_connect_s": connect_s, "first_rss_mib": first_rss / 1024.0,
            "down_s": started_at - stopped_at, "start_to_listen_s": listening_at - started_at,
            "back_s": back["t"] - started_at, "rss_mib": rss / 1024.0, "attempts": back["attempts"],
            "refused_connects": back["refused_connects"], "closed_unacked": back["closed_unacked"],
            "error_frames": back["error_frames"], "first_error": back["first_error"], "counters": counters}


def figures(who, sent, got, cpu, rss_kib, points):
    span = max(got["last"] - sent["start"], 1e-6)
    return {"who": who, "lines_per_s": got["distinct"] / span, "accepted_s": sent["end"] - sent["start"],
            "forwarded_s": span, "cpu_per_million": cpu / points * 1e6, "rss_mib": rss_kib / 1024.0,
            "lost": points - got["distinct"], "duplicates": got["duplicates"], "bad": got["bad"]}


def median_row(rows):
    keys = ["lines_per_s", "accepted_s", "forwarded_s", "cpu_per_million", "rss_mib"]
    out = {k: statistics.median(r[k] for r in rows) for k in keys}
    out.update({k: sum(r[k] for r in rows) for k in ("lost", "duplicates", "bad")})
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=lib.BUILD_DIR)
    ap.add_argument("--points", type=int, default=4_000_000)
    ap.add_argument("--agents", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--many", type=int, default=1000, help="agents of the second case (0: skip it)")
    ap.add_argument("--many-points", type=int, default=2_000_000)
    ap.add_argument("--storm", type=int, default=10_000, help="agents of the reconnection storm (0: skip it)")
    args = ap.parse_args()
    lib.BUILD_DIR = os.path.abspath(args.build_dir)
    tool = os.path.join(lib.BUILD_DIR, "tests", "bench_forward")
    if not os.path.exists(tool):
        raise SystemExit("%s is not built (cmake --build %s --target bench_forward)" % (tool, lib.BUILD_DIR))
    relay = shutil.which("carbon-c-relay")
    load = os.getloadavg()[0]
    rows = {"lmaster": [], "carbon-c-relay": []}
    with lib.Workspace() as ws:
        for r in range(args.rounds):
            rows["lmaster"].append(one_lmaster(ws, tool, args.agents, args.points, "lmaster-%d" % r))
            if relay:
                rows["carbon-c-relay"].append(one_relay(ws, tool, relay, args.agents, args.points, "relay-%d" % r))
        many = None
        if args.many:
            lib.raise_fd_limit() if hasattr(lib, "raise_fd_limit") else None
            many = one_lmaster(ws, tool, args.many, args.many_points, "lmaster-many")
        storm = one_storm(ws, tool, args.storm) if args.storm else None
    if args.rounds:
        print_side_by_side(args, load, rows, many)
    if storm:
        print_storm(storm, load)


def print_side_by_side(args, load, rows, many):
    print("\n%d points, %d agents, median of %d interleaved rounds (load %.1f at start)" %
          (args.points, args.agents, args.rounds, load))
    print("| forwarder | lines/s to the sink | accepted in | forwarded in | CPU-s per million points | peak RSS "
          "| lost | duplicates |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for who, rs in rows.items():
        if not rs:
            print("| %s | not installed (apt-get install carbon-c-relay) | | | | | | |" % who)
            continue
        m = median_row(rs)
        print("| %s | %s | %.2f s | %.2f s | %.2f | %.1f MiB | %d | %d |" % (
            who, format(int(m["lines_per_s"]), ","), m["accepted_s"], m["forwarded_s"], m["cpu_per_million"],
            m["rss_mib"], m["lost"], m["duplicates"]))
    if many:
        print("| lmaster, %d agents, %d points | %s | %.2f s | %.2f s | %.2f | %.1f MiB | %d | %d |" % (
            args.many, args.many_points, format(int(many["lines_per_s"]), ","), many["accepted_s"],
            many["forwarded_s"], many["cpu_per_million"], many["rss_mib"], many["lost"], many["duplicates"]))


def print_storm(storm, load):
    c = storm["counters"]
    print("\nReconnection storm: %d agents connected and acknowledged (in %.1f s, lmaster peak RSS %.1f MiB); "
          "lmaster restarted (SIGTERM took %.2f s, the new one listened %.2f s after its start); load %.1f at start" % (
              storm["agents"], storm["first_connect_s"], storm["first_rss_mib"], storm["down_s"],
              storm["start_to_listen_s"], load))
    print("| agents | all back and acknowledged, from the new lmaster's start | its peak RSS | connection attempts | "
          "refused connects | closed before an Ack | handshakes_evicted | hellos_queue_full | Error frames |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    print("| %s | %.2f s | %.1f MiB | %s | %s | %s | %s | %s | %d%s |" % (
        format(storm["agents"], ","), storm["back_s"], storm["rss_mib"], format(storm["attempts"], ","),
        format(storm["refused_connects"], ","), format(storm["closed_unacked"], ","),
        format(int(c.get("handshakes_evicted", -1)), ","), format(int(c.get("hellos_queue_full", -1)), ","),
        storm["error_frames"], (" (%s)" % storm["first_error"]) if storm["first_error"] else ""))


if __name__ == "__main__":
    main()
