"""lmaster feeding a Graphite cluster directly (issue 16, "Graphite as a cluster").

Three private carbon-caches (instances a, b, c), one lmaster with
`[Graphite] destinations` listing them, two real lagents, and one graphite-web that
reads all three caches' whisper files and asks them through CarbonLink (hashed on the
same ring, CARBONLINK_HOSTS), as a site's graphite-web in front of a cluster does.

Checked:
- every series lives on exactly the cache that carbon's own ring (carbon.hashing from
  Debian's graphite-carbon, imported here) picks for it, and every cache holds some;
- graphite-web finds and renders every series;
- cache b stopped for 15 s: the series on a and c keep arriving meanwhile, and once b
  is back its series have every second of the outage (from lmaster's spool for b).

Run: /usr/bin/python3 test_carbon_cluster.py --build-dir BUILD
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402

from carbon.hashing import ConsistentHashRing  # noqa: E402  (Debian's graphite-carbon)

AGENTS = ("clnode1", "clnode2")
SENSORS = ("VirtualMemory", "SwapMemory", "CPUTimes", "CPUStats")
OUTAGE = 15


class CarbonCluster(lib.FructosaTestCase):
    def test_series_follow_carbons_ring_and_a_stopped_cache_loses_nothing(self):
        caches = {i: lib.CarbonCache(self, name="carbon-" + i).start() for i in "abc"}
        master = lib.Lmaster(self, None, overrides={"Graphite": {
            "destinations": ", ".join("127.0.0.1:%d:%s" % (c.pickle_port, i) for i, c in caches.items())}})
        master.run().wait_listening()
        self.assertIn("a Graphite cluster of 3 by carbon_ch", master.log())
        for host in AGENTS:
            lib.Lagent(self, master.port, hostname=host, sensors=SENSORS, name="lagent-" + host).run()
        web = lib.GraphiteWeb(self, None, cluster=[(caches[i], i) for i in "abc"]).start()

        # Carbon's own ring, as carbon-relay and graphite-web build it.
        ring = ConsistentHashRing([("127.0.0.1", i) for i in "abc"])

        def placed():
            where = {}
            for i, c in caches.items():
                for s in c.series():
                    where.setdefault(s, []).append(i)
            agent_series = [s for s in where if s.split(".")[0] in AGENTS]
            return where if len(agent_series) >= 40 and all(caches[i].series() for i in "abc") else None
        where = lib.wait_until(placed, 40, "series of both agents on all three caches", 0.5)
        for series, instances in where.items():
            self.assertEqual(instances, [ring.get_node(series)[1]], series)

        # graphite-web finds and renders every series (CarbonLink covers unflushed points).
        agent_series = sorted(s for s in where if s.split(".")[0] in AGENTS)
        for host in AGENTS:
            rendered = web.render_values(host + ".*.*")
            rendered.update(web.render_values(host + ".*.*.*"))
            for s in agent_series:
                if s.startswith(host + "."):
                    self.assertTrue(rendered.get(s), "graphite-web has no points of " + s)

        # Cache b away for OUTAGE seconds.
        on_b = [s for s in agent_series if where[s] == ["b"] and s.endswith("VirtualMemory.total")]
        on_a = [s for s in agent_series if where[s] == ["a"]]
        self.assertTrue(on_a, "no agent series on cache a")
        caches["b"].stop()
        stopped = time.time()
        time.sleep(OUTAGE)
        for s in on_a[:5]:
            self.assertTrue(caches["a"].values(s, since=stopped + 2),
                            "%s stopped arriving on cache a while b was down" % s)
        caches["b"].start()
        back = time.time()
        probe = on_b[0] if on_b else [s for s in agent_series if where[s] == ["b"]][0]

        def filled():
            got = {int(ts) for ts, _ in caches["b"].values(probe, since=stopped - 3, until=back + 3)}
            want = set(range(int(stopped) - 2, int(back) + 2))
            return got >= want or None
        lib.wait_until(filled, 40, "every second of the outage of %s on cache b" % probe, 0.5)
        # lmaster said, per destination, that b was away (and only b).
        connected = web.render_values("fructosa.lmaster.*.destinations.*.connected", from_=int(stopped) - 5)
        self.assertEqual(len(connected), 3, sorted(connected))
        for name, points in connected.items():
            during = [v for ts, v in points if stopped + 3 <= ts <= back - 2]
            self.assertTrue(during, name)
            self.assertEqual(set(during), {0.0} if name.endswith(":b.connected") else {1.0}, name)

        # lmaster's own counters, found through graphite-web like any series: nothing dropped.
        dropped = web.render_values("fructosa.lmaster.*.points_dropped", from_="-5min")
        self.assertTrue(dropped, "lmaster's points_dropped is not in graphite-web")
        for name, points in dropped.items():
            self.assertTrue(points, name)
            self.assertEqual(points[-1][1], 0, name)


if __name__ == "__main__":
    lib.main()
