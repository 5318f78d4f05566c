"""lagent's bounds and counts on real daemons (issue "Nothing lost, proven").

1. The spool on a full file system: lagent's spool directory is a 1 MiB tmpfs filled to
   the last byte, lmaster is away. Every spool write fails; what it could not take stays
   in memory under `max queued points` (MAX_QUEUED here), the oldest dropped. Checked:
   the points_queued lagent published during the outage never pass MAX_QUEUED plus one
   batch interval's points; its resident memory stays within RSS_GROWTH_KIB of what it
   was when the drops began; once lmaster is back, lagent logs how many points it
   dropped in all and publishes exactly that figure as points_dropped (> 0).
2. A burst of PLUGIN_CONNECTIONS silent connections on the plugin socket, lagent started
   under a soft open-file limit of 1,024: lagent raises it to the hard limit, accepts
   them all (no pause), its CPUTimes sensor (/proc/stat) keeps sampling, every second
   of the burst has its point in carbon, sensor_errors stays 0 and lagent's CPU time
   over the burst stays under CPU_BOUND. Then a second lagent whose limits are lowered
   to LOW_FD_LIMIT once it runs (prlimit): out of descriptors it pauses accepting (plugin_accept_pauses > 0)
   instead of spinning, its CPU stays under CPU_BOUND, and a sensor read that failed
   meanwhile is a sensor error, never "not available".
3. A root sender's step_start naming another node, with a real cgroup of that node's
   tree on this machine: refused, counted in plugin_wrong_node, and no jobs.* series of
   it appear; the same job's start naming this lagent's node by its full name is taken.

Run: /usr/bin/python3 test_lagent_bounds.py --build-dir BUILD
"""

import errno
import json
import os
import re
import resource
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402

MAX_QUEUED = 500
RSS_GROWTH_KIB = 8 * 1024
PLUGIN_CONNECTIONS = 1200
LOW_FD_LIMIT = 256
CPU_BOUND = 0.10  # of one core


def cpu_seconds(pid):
    """utime + stime of a process, in seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_file_limit(pid):
    """(soft, hard) 'Max open files' of a process."""
    for line in lib.read_text("/proc/%d/limits" % pid).splitlines():
        if line.startswith("Max open files"):
            soft, hard = line.split()[3:5]
            return int(soft), int(hard)
    return None


class RssWatch(threading.Thread):
    def __init__(self, pid):
        super().__init__(daemon=True)
        self.pid, self.peak, self._done = pid, 0, threading.Event()

    def run(self):
        while not self._done.is_set():
            self.peak = max(self.peak, lib.proc_status_kib(self.pid, "VmRSS"))
            time.sleep(0.05)

    def stop(self):
        self._done.set()
        self.join()


class LagentBounds(lib.FructosaTestCase):

    def self_values(self, host, name, since=None):
        return self.carbon.values("fructosa.lagent.%s.%s" % (host, name), since=since)

    def self_latest(self, host, name):
        vals = self.self_values(host, name)
        return vals[-1][1] if vals else None

    def with_soft_fd_limit(self, soft, fn):
        """Runs fn (starting a daemon, which inherits the limit) under a soft limit."""
        saved = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, saved[1]))
        try:
            return fn()
        finally:
            resource.setrlimit(resource.RLIMIT_NOFILE, saved)

    # --- 1 ---

    def test_spool_on_a_full_disk_keeps_the_memory_bound_and_counts_what_it_drops(self):
        spool = self.subdir("spoolfs")
        res = lib.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", spool])
        self.assertEqual(res.returncode, 0, "mount failed: %s" % res.stderr)
        self.addCleanup(lib.run, ["umount", "-l", spool])
        with open(os.path.join(spool, "filler"), "wb", buffering=0) as f:  # not a byte left
            try:
                while True:
                    f.write(b"\0" * 4096)
            except OSError as e:
                self.assertEqual(e.errno, errno.ENOSPC)
        self.carbon = lib.CarbonCache(self).start()
        port = lib.free_port()  # lmaster not there yet
        host = "fullnode"
        agent = lib.Lagent(self, port, hostname=host, sensors=("VirtualMemory", "CPUTimes"), interval=0.1,
                           overrides={"lagent": {"spool directory": os.path.join(spool, "lagent"),
                                                 "max queued points": MAX_QUEUED, "batch interval": 0.2}}).run()
        lib.wait_until(lambda: "queue for lmaster full" in agent.log(), 30, "lagent's first drop")
        self.assertIn("write failed: No space left on device: batches are kept in memory, at most %d points"
                      % MAX_QUEUED, agent.log())
        pid = agent.proc.pid
        rss_at_first_drop = lib.proc_status_kib(pid, "VmRSS")
        t_down = time.time()
        watch = RssWatch(pid)
        watch.start()
        time.sleep(20)
        watch.stop()
        master = lib.Lmaster(self, self.carbon, port=port).run().wait_listening()

        drained = lib.wait_until(
            lambda: re.findall(r"queue for lmaster draining; (\d+) points and (\d+) job events dropped so far",
                               agent.log()), 60, "lagent to say how many it dropped")
        dropped = int(drained[-1][0])
        self.assertGreater(dropped, 0)
        self.assertEqual(int(drained[-1][1]), 0)
        lib.wait_until(lambda: self.self_latest(host, "points_dropped") == dropped, 30,
                       "points_dropped = %d in carbon" % dropped, 0.5)
        # What lagent held during the outage, as it published then (its newest figures
        # survive the drops): the memory bound plus at most one batch interval of points.
        # (lagent reconnects after its backoff: "the outage" lasts until then.)
        queued = [v for ts, v in self.self_values(host, "points_queued", since=t_down)]
        self.assertTrue(queued, "no points_queued from the outage reached carbon")
        print("\nspool full: %d points dropped in all, points_queued during the outage at most %d (bound %d), "
              "VmRSS %d KiB at the first drop, peak %d KiB"
              % (dropped, max(queued), MAX_QUEUED, rss_at_first_drop, watch.peak))
        self.assertLessEqual(max(queued), MAX_QUEUED * 1.5)
        self.assertLess(watch.peak - rss_at_first_drop, RSS_GROWTH_KIB)
        self.assertTrue(master.alive() and agent.alive())
        self.assertEqual(self.self_latest(host, "events_dropped"), 0.0)

    # --- 2 ---

    def burst(self, path, count, hold_s):
        """Opens `count` silent connections to `path`, holds them `hold_s`, closes them.
        Returns how many connected."""
        socks = []
        for _ in range(count):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(5)
            try:
                s.connect(path)
                socks.append(s)
            except OSError:
                s.close()
        time.sleep(hold_s)
        for s in socks:
            s.close()
        return len(socks)

    def start_burst_agent(self, host, soft, hard=None):
        """A lagent started under a soft open-file limit; with `hard`, both limits of the
        running lagent are then lowered to it (lowering needs no privilege)."""
        agent = lib.Lagent(self, self.master.port, hostname=host, name=host, sensors=("CPUTimes",), interval=0.5)
        self.with_soft_fd_limit(soft, agent.run)
        if hard is not None:
            lib.wait_until(lambda: "started as host" in agent.log(), 20, "%s to start" % host)
            resource.prlimit(agent.proc.pid, resource.RLIMIT_NOFILE, (hard, hard))
        self.carbon.wait_for_values("%s.CPUTimes.user" % host, timeout=30, count=2)
        return agent

    def test_a_burst_of_plugin_connections_leaves_the_sensors_alone(self):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        self.assertGreater(hard, PLUGIN_CONNECTIONS + 200, "hard open-file limit too low for the test")
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, PLUGIN_CONNECTIONS + 200), hard))
        self.addCleanup(resource.setrlimit, resource.RLIMIT_NOFILE, (soft, hard))
        self.carbon = lib.CarbonCache(self).start()
        self.master = lib.Lmaster(self, self.carbon).run().wait_listening()

        host = "burstnode"
        agent = self.start_burst_agent(host, 1024)
        self.assertEqual(open_file_limit(agent.proc.pid), (hard, hard))  # raised at start
        sock_path = agent.config["jobs"]["socket"]
        cpu0, t0 = cpu_seconds(agent.proc.pid), time.time()
        connected = self.burst(sock_path, PLUGIN_CONNECTIONS, 4)
        time.sleep(1)
        cpu = (cpu_seconds(agent.proc.pid) - cpu0) / (time.time() - t0)
        t1 = time.time()
        self.assertEqual(connected, PLUGIN_CONNECTIONS)
        # Every second of the burst has its CPUTimes point.
        lib.wait_until(lambda: self.carbon.values("%s.CPUTimes.user" % host, since=t1 + 1), 20,
                       "CPUTimes after the burst")
        have = {int(ts) for ts, _ in self.carbon.values("%s.CPUTimes.user" % host, since=t0 - 1)}
        missing = [s for s in range(int(t0) + 1, int(t1)) if s not in have]
        lib.wait_until(lambda: self.self_values(host, "plugin_accept_pauses", since=t1 + 1), 20,
                       "lagent's self metrics after the burst")
        print("\n%d connections under a soft limit of 1024 (raised to %d): lagent CPU %.1f %%, %d seconds "
              "without CPUTimes" % (connected, hard, 100 * cpu, len(missing)))
        self.assertEqual(missing, [])
        self.assertNotIn("sensor CPUTimes: not available", agent.log())
        self.assertEqual(self.self_latest(host, "sensor_errors"), 0.0)
        self.assertEqual(self.self_latest(host, "plugin_accept_pauses"), 0.0)
        self.assertLess(cpu, CPU_BOUND)

        # Out of descriptors for real: a hard limit lagent cannot raise (set after its start).
        low = "lowfdnode"
        agent2 = self.start_burst_agent(low, LOW_FD_LIMIT, LOW_FD_LIMIT)
        self.assertEqual(open_file_limit(agent2.proc.pid), (LOW_FD_LIMIT, LOW_FD_LIMIT))
        cpu0, t0 = cpu_seconds(agent2.proc.pid), time.time()
        connected = self.burst(agent2.config["jobs"]["socket"], LOW_FD_LIMIT * 2, 4)
        time.sleep(1)
        cpu = (cpu_seconds(agent2.proc.pid) - cpu0) / (time.time() - t0)
        t1 = time.time()
        lib.wait_until(lambda: self.self_values(low, "plugin_accept_pauses", since=t1 + 1), 20,
                       "lagent's self metrics after the second burst")
        pauses = self.self_latest(low, "plugin_accept_pauses")
        errors = self.self_latest(low, "sensor_errors")
        log = agent2.log()
        print("%d connections under a hard limit of %d: lagent CPU %.1f %%, %d accept pauses, %d sensor errors"
              % (connected, LOW_FD_LIMIT, 100 * cpu, pauses, errors))
        self.assertGreater(pauses, 0)
        self.assertIn("cannot accept on %s: Too many open files; pausing 250 ms" % agent2.config["jobs"]["socket"], log)
        self.assertLess(cpu, CPU_BOUND)
        self.assertNotIn("sensor CPUTimes: not available", log)
        # A read that failed for want of a descriptor is counted, and said.
        self.assertEqual(errors > 0, "sensor CPUTimes: read failed" in log)
        self.assertTrue(agent.alive() and agent2.alive())

    # --- 3 ---

    def test_a_step_start_naming_another_node_is_refused_and_counted(self):
        job = 990000 + os.getpid() % 9999
        other = "nx9"
        dirs = []
        for ctrl in ("cpuacct", "memory"):
            d = "/sys/fs/cgroup/%s/slurm_%s/uid_0/job_%d/step_0" % (ctrl, other, job)
            os.makedirs(d)
            for level in range(4):  # step_0, job, uid_0, slurm_nx9: removed deepest first
                dirs.append(d)
                d = os.path.dirname(d)
        self.addCleanup(lambda: [os.rmdir(d) for d in dirs if os.path.isdir(d)])
        self.carbon = lib.CarbonCache(self).start()
        master = lib.Lmaster(self, self.carbon).run().wait_listening()
        host = "m1"
        agent = lib.Lagent(self, master.port, hostname=host).run()
        self.carbon.wait_for_values("fructosa.lagent.%s.plugin_wrong_node" % host, timeout=30)

        def send(node):
            msg = {"v": 1, "event": "step_start", "time": time.time(), "job_id": job, "step_id": "0", "node": node,
                   "uid": 0, "user": "root", "cpus": 1,
                   "cgroup": {"cpuacct": "/slurm_%s/uid_0/job_%d/step_0" % (other, job),
                              "memory": "/slurm_%s/uid_0/job_%d/step_0" % (other, job)}}
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.connect(agent.config["jobs"]["socket"])
                s.sendall((json.dumps(msg) + "\n").encode())

        send(other)
        lib.wait_until(lambda: self.self_latest(host, "plugin_wrong_node") == 1, 20, "plugin_wrong_node = 1")
        self.assertIn("job %d: refused a step_start naming node '%s' on the plugin socket of '%s' (1 refused so far)"
                      % (job, other, host), agent.log())
        time.sleep(3)
        self.assertEqual(self.carbon.series("jobs.%d" % job), [])
        self.assertEqual(self.self_latest(host, "jobs_tracked"), 0.0)
        # The same message naming this node (by its full name) is taken: the tracker
        # follows the job, looking for its cgroup in this node's own tree (slurm_m1).
        send(host + ".cluster.example")
        lib.wait_until(lambda: self.self_latest(host, "jobs_tracked") == 1, 20, "jobs_tracked = 1")
        self.assertIn("job %d: step 0 started" % job, agent.log())
        self.assertEqual(self.self_latest(host, "plugin_wrong_node"), 1.0)
        time.sleep(3)
        self.assertEqual(self.carbon.series("jobs.%d" % job), [])  # slurm_nx9's cgroup is never sampled
        print("\nstep_start naming node %s refused and counted; no jobs.%d series" % (other, job))


if __name__ == "__main__":
    lib.main()
