"""Two lmasters in front of a Graphite cluster: agents spread, fail over and come back;
a carbon-cache away for 30 s and an lmaster killed with SIGKILL lose nothing (issue 16,
"Several lmasters").

Three private carbon-caches (a, b, c) on carbon's ring; two lmasters, each with the same
`[Graphite] destinations` (so a series lands on the same cache whichever lmaster it came
through); graphite-web reading all three (CARBONLINK_HOSTS on the same ring); four real
lagents listing both lmasters with `order = spread` and `failback seconds = 2`. Their host
names are chosen so that lagent's spread (FNV-1a of the host name) puts two on each
lmaster; the test computes the hash itself and fails if the names stop spreading.

Meanwhile:
  1. cache b stopped (SIGTERM: carbon flushes its cache to whisper and stops listening)
     and started again 30 s later;
  2. while b is away, lmaster M0 is killed with SIGKILL: it has acknowledged points for b
     that are only in its spool for b. Its agents fail over to M1. 8 s later M0 is
     started again with the same spool; its agents move back to it; once b is back, M0
     sends b what it held.

Checked:
- each agent first connects to the lmaster its host name hashes to, and both lmasters
  have two agents (their status files say `agents_connected 2`);
- M0's agents fail over to M1 (lagent logs "(failed over)", M1 has four agents), and
  after M0's restart move back ("moving back to it"; two agents each again);
- the restarted M0 found points from before the kill in its spool for b;
- nothing lost: through graphite-web's render API (all three caches, CarbonLink for what
  is not flushed yet), every series of every agent has a point in every second from
  before the outage to after it. lagent samples every 0.25 s, so an empty second is a
  lost point, not a sampling phase: whisper keeps one point per second (1s:1d);
- no drop was counted by either lmaster or by any lagent.

Run: /usr/bin/python3 test_lmaster_failover.py --build-dir BUILD
"""

import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402

AGENTS = ("hanode1", "hanode2", "hanode3", "hanode4")
SENSOR = "VirtualMemory"
INTERVAL = 0.25
OUTAGE = 30        # cache b away (the 30 s)
KILL_AFTER = 8     # into the outage, M0 is killed...
DEAD_FOR = 8       # ...and stays dead this long
FAILBACK = 2       # lagent's `failback seconds`


def spread_index(host, n):
    """lagent's `order = spread`: FNV-1a (32 bits) of the host name, modulo the list."""
    h = 2166136261
    for c in host.encode():
        h = ((h ^ c) * 16777619) & 0xFFFFFFFF
    return h % n


def read_status(path):
    """{name: value} of a daemon's status file ('updated <epoch>' and 'name value' lines)."""
    out = {}
    for line in lib.read_text(path).splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                out[parts[0]] = float(parts[1])
            except ValueError:
                pass
    return out


class LmasterFailover(lib.FructosaTestCase):
    def kill9(self, daemon):
        os.kill(daemon.proc.pid, signal.SIGKILL)
        lib.wait_until(lambda: not daemon.proc.alive(), 10, "%s to die" % daemon.name)
        if daemon.proc.popen is not None:
            daemon.proc.popen.wait()
        daemon.proc = None

    def agents_on(self, master, count, since, what):
        """Waits until `master`'s status file, written after `since`, says `count` agents."""
        def right():
            s = read_status(master.status_path)
            return s.get("updated", 0) > since and s.get("agents_connected") == count
        lib.wait_until(right, 20, what, 0.2)

    def test_two_lmasters_spread_fail_over_and_lose_nothing(self):
        caches = {i: lib.CarbonCache(self, name="carbon-" + i).start() for i in "abc"}
        destinations = ", ".join("127.0.0.1:%d:%s" % (c.pickle_port, i) for i, c in caches.items())
        masters = []
        for n in range(2):
            m = lib.Lmaster(self, None, name="lmaster%d" % n,
                            overrides={"Graphite": {"destinations": destinations}})
            m.status_path = os.path.join(m.dir, "lmaster.status")
            m.config["lmaster"]["status file"] = m.status_path
            m.config["lmaster"]["name"] = "lmaster%d" % n  # one host, two lmasters: two names
            masters.append(m.run().wait_listening())
        master_list = ", ".join("127.0.0.1:%d" % m.port for m in masters)
        preferred = {h: masters[spread_index(h, 2)] for h in AGENTS}
        self.assertEqual(sorted(sum(1 for h in AGENTS if preferred[h] is m) for m in masters), [2, 2],
                         "the host names no longer spread two on each lmaster: choose others")
        agents = {}
        for h in AGENTS:
            agents[h] = lib.Lagent(self, masters[0].port, hostname=h, sensors=(SENSOR,), interval=INTERVAL,
                                   name="lagent-" + h,
                                   overrides={"lmaster": {"host": master_list, "order": "spread",
                                                          "failback seconds": FAILBACK}}).run()
        web = lib.GraphiteWeb(self, None, cluster=[(caches[i], i) for i in "abc"]).start()

        # Spread: each agent on the lmaster its host name hashes to, two on each.
        for h, a in agents.items():
            lib.wait_until(lambda: "connected to lmaster at 127.0.0.1:" in a.log(), 20, h + " to connect")
            first = a.log().split("connected to lmaster at 127.0.0.1:", 1)[1].split(";")[0]
            self.assertEqual(first, str(preferred[h].port), "%s connected first to %s" % (h, first))
        t0 = time.time()
        for n, m in enumerate(masters):
            self.agents_on(m, 2, t0, "two agents on lmaster%d" % n)

        # Every agent's series in the cluster, on all three caches, with b holding some of
        # the series of M0's agents (so M0's spool for b matters).
        def placed():
            where = {}
            for i, c in caches.items():
                for s in c.series():
                    if s.split(".")[0] in AGENTS:
                        where[s] = i
            hosts = {s.split(".")[0] for s in where}
            return where if hosts == set(AGENTS) and set(where.values()) == set("abc") else None
        lib.wait_until(placed, 30, "the series of every agent on all three caches", 0.5)
        time.sleep(1.5)  # every field's whisper file made
        where = placed()
        series = sorted(where)
        per_agent = {h: len([s for s in series if s.startswith(h + ".")]) for h in AGENTS}
        self.assertEqual(len(set(per_agent.values())), 1, per_agent)
        m0_hosts = [h for h in AGENTS if preferred[h] is masters[0]]
        self.assertTrue([s for s in series if where[s] == "b" and s.split(".")[0] in m0_hosts],
                        "no series of lmaster0's agents on cache b")
        t_from = int(time.time()) + 1
        time.sleep(2)

        # 1. Cache b away for OUTAGE seconds; 2. meanwhile lmaster0 killed and restarted.
        caches["b"].stop()
        t_b_stopped = time.time()
        time.sleep(KILL_AFTER)
        self.kill9(masters[0])
        t_killed = time.time()
        self.agents_on(masters[1], 4, t_killed, "lmaster0's agents to fail over to lmaster1")
        for h in m0_hosts:
            self.assertIn("connected to lmaster at 127.0.0.1:%d (failed over)" % masters[1].port,
                          agents[h].log(), h)
        time.sleep(max(0.0, t_killed + DEAD_FOR - time.time()))
        masters[0].run().wait_listening()
        t_restarted = time.time()
        self.agents_on(masters[0], 2, t_restarted, "two agents back on lmaster0")
        self.agents_on(masters[1], 2, t_restarted, "two agents left on lmaster1")
        for h in m0_hosts:
            self.assertIn("answers again: moving back to it", agents[h].log(), h)
        b_spool = os.path.join(masters[0].dir, "spool", "127.0.0.1_%d_b" % caches["b"].pickle_port)
        self.assertRegex(masters[0].log(), r"spool %s: \d+ bytes not yet in Graphite from before the restart"
                         % b_spool.replace(".", r"\."), "lmaster0 did not find its spool for b after the kill")
        time.sleep(max(0.0, t_b_stopped + OUTAGE - time.time()))
        caches["b"].start()
        t_until = int(time.time()) + 3

        # Nothing lost: every second of every series, through graphite-web.
        expected = set(range(t_from, t_until + 1))

        def missing():
            out = {}
            for h in AGENTS:
                got = web.render_values("%s.%s.*" % (h, SENSOR), from_=t_from - 1, until=t_until)
                for s in series:
                    if s.startswith(h + "."):
                        have = {int(ts) for ts, _ in got.get(s, [])}
                        if expected - have:
                            out[s] = sorted(expected - have)
            return out
        try:
            lib.wait_until(lambda: not missing(), 40, "every second of every series in graphite-web", 1)
        except AssertionError:
            gone = missing()
            marks = "b stopped at %+d, lmaster0 killed at %+d, restarted at %+d (s from the first second)" % (
                t_b_stopped - t_from, t_killed - t_from, t_restarted - t_from)
            self.fail("%d of %d series miss points; %s; e.g. %s" % (
                len(gone), len(series), marks,
                {s: [t - t_from for t in ts[:12]] for s, ts in list(gone.items())[:6]}))

        # No drop counted anywhere on the way.
        for n, m in enumerate(masters):
            self.assertEqual(read_status(m.status_path).get("points_dropped"), 0, "lmaster%d dropped" % n)
            # Each publishes under its own [lmaster] name, so their figures do not mix.
            own = "fructosa.lmaster.lmaster%d.agents_connected" % n
            self.assertTrue(web.render_values(own, from_=t_from).get(own), own)
        for h in AGENTS:
            dropped = web.render_values("fructosa.lagent.%s.points_dropped" % h, from_=t_from)
            self.assertTrue(dropped.get("fructosa.lagent.%s.points_dropped" % h), h)
            self.assertEqual(max(v for _, v in dropped["fructosa.lagent.%s.points_dropped" % h]), 0, h)
        print("\n%d series of %d agents over two lmasters, %d s each, every second present"
              % (len(series), len(AGENTS), len(expected)))


if __name__ == "__main__":
    lib.main()
