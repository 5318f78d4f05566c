"""LiMon end to end: lagent samples the host, ships to lmaster, lmaster forwards to a
private carbon-cache, and the values that land in whisper match what /proc says.

Run:  /usr/bin/python3 test_limon_end_to_end.py --build-dir BUILD
"""

import glob
import os
import re
import time

import fructosa_testlib as tl

# How long the first series of every sensor may take to land (1 s sampling, 1 s batches,
# carbon's writer flushing about once a second).
FIRST_DATA_TIMEOUT = 30


def missing_source_sensors():
    """Sensors that cannot report on this machine because their source is not there
    (hardware, or the utmp file in a container). They must say "not available" once in
    lagent's log and send nothing."""
    missing = set()
    if not any(os.path.exists(p) for p in ("/var/run/utmp", "/run/utmp")):
        missing.add("Users")
    if not glob.glob("/sys/class/hwmon/hwmon*/temp*_input") and \
            not glob.glob("/sys/class/thermal/thermal_zone*/temp"):
        missing.add("SensorsTemperatures")
    if not glob.glob("/sys/class/hwmon/hwmon*/fan*_input"):
        missing.add("SensorsFans")
    batteries = [p for p in glob.glob("/sys/class/power_supply/*/type")
                 if tl.read_text(p).strip() == "Battery"]
    if not batteries:
        missing.add("SensorsBattery")
    return missing


# The sensors whose source may be missing; the other 16 must report on any Linux host.
OPTIONAL_SENSORS = {"SensorsTemperatures", "SensorsFans", "SensorsBattery", "Users"}


class LimonEndToEnd(tl.FructosaTestCase):

    def setUp(self):
        super().setUp()
        self.need_binaries("lagent", "lmaster")

    # --- helpers ---

    def series_with_values(self, carbon, prefix):
        """Series under `prefix` that hold at least one point."""
        return [s for s in carbon.series(prefix) if carbon.values(s)]

    def wait_for_sensors(self, carbon, host, sensors, timeout=FIRST_DATA_TIMEOUT):
        """Waits until every sensor in `sensors` has a series with values under host."""
        pending = set(sensors)

        def all_arrived():
            for s in sorted(pending):
                if self.series_with_values(carbon, "%s.%s" % (host, s)):
                    pending.discard(s)
            return not pending
        try:
            tl.wait_until(all_arrived, timeout, "series of every sensor", 0.5)
        except tl.WaitTimeout:
            self.fail("after %d s no values in carbon for %s (series present: %s)"
                      % (timeout, sorted(pending), carbon.series(host)[:50]))

    def latest(self, carbon, path):
        value = carbon.latest(path)
        self.assertIsNotNone(value, "no value for %s (series: %s)"
                             % (path, carbon.series(path.rsplit(".", 1)[0])[:40]))
        return value

    def lmaster_self_series(self, carbon, field):
        """fructosa.lmaster.<host>.<field>; the host part is lmaster's own short name."""
        matches = [s for s in carbon.series("fructosa.lmaster") if s.endswith("." + field)]
        return matches[0] if matches else None

    # --- tests ---

    def test_all_sensors_reach_carbon_through_lmaster_with_true_values(self):
        carbon = tl.CarbonCache(self).start()
        master = tl.Lmaster(self, carbon).run().wait_listening()
        host = "e2enode"
        agent = tl.Lagent(self, master.port, hostname=host, sensors=tl.SENSORS, interval=1).run()

        missing = missing_source_sensors()
        required = [s for s in tl.SENSORS if s not in OPTIONAL_SENSORS]
        self.wait_for_sensors(carbon, host, required)
        self.assertTrue(agent.alive(), "lagent exited")
        self.assertTrue(master.alive(), "lmaster exited")

        # Optional sensors whose source exists on this machine report like the others.
        for s in sorted(OPTIONAL_SENSORS - missing):
            self.wait_for_sensors(carbon, host, [s], timeout=10)

        # VirtualMemory.total is MemTotal.
        self.assertEqual(self.latest(carbon, host + ".VirtualMemory.total"),
                         tl.meminfo_bytes("MemTotal"))
        percent = self.latest(carbon, host + ".VirtualMemory.percent")
        self.assertTrue(0 <= percent <= 100, percent)

        # One CPUPercent series per online CPU, each within 0..100.
        cpus = tl.online_cpus()
        cpu_series = carbon.series(host + ".CPUPercent")
        self.assertEqual(sorted(cpu_series), sorted("%s.CPUPercent.%d" % (host, n) for n in cpus))
        for s in cpu_series:
            for _, v in carbon.values(s):
                self.assertTrue(0 <= v <= 100, "%s = %s" % (s, v))

        self.assertEqual(self.latest(carbon, host + ".CPUCount"), os.cpu_count())
        self.assertEqual(self.latest(carbon, host + ".BootTime"), tl.boot_time())
        self.assertEqual(self.latest(carbon, host + ".SwapMemory.total"),
                         tl.meminfo_bytes("SwapTotal"))

        st = os.statvfs("/")
        disk_total = st.f_blocks * st.f_frsize
        self.assertAlmostEqual(self.latest(carbon, host + ".DiskUsage.total"), disk_total,
                               delta=disk_total * 0.001)
        self.assertGreaterEqual(self.latest(carbon, host + ".NetIOCounters.bytes_recv"), 0)

        # CPUTimes.user is cumulative: it grows while this test burns CPU.
        first_ts, first_user = carbon.wait_for_values(host + ".CPUTimes.user")[-1]
        tl.burn_cpu(1.5)
        tl.wait_until(lambda: any(ts > first_ts and v > first_user
                                  for ts, v in carbon.values(host + ".CPUTimes.user")),
                      15, "CPUTimes.user to grow past %s" % first_user, 0.3)

        # lmaster's own metrics: points came in, none were dropped.
        points_in = tl.wait_until(lambda: self.lmaster_self_series(carbon, "points_in"), 20,
                                  "lmaster's fructosa.lmaster.<host>.points_in series", 0.3)
        tl.wait_until(lambda: any(v > 0 for _, v in carbon.values(points_in)), 20,
                      "points_in > 0", 0.3)
        dropped = tl.wait_until(lambda: self.lmaster_self_series(carbon, "points_dropped"), 20,
                                "lmaster's points_dropped series", 0.3)
        dropped_values = carbon.wait_for_values(dropped)
        self.assertTrue(all(v == 0 for _, v in dropped_values), dropped_values)
        for field in ("agents_connected", "batches_in", "points_out", "points_queued",
                      "bad_frames", "graphite_connected"):
            self.assertIsNotNone(self.lmaster_self_series(carbon, field),
                                 "no fructosa.lmaster.<host>.%s in %s"
                                 % (field, carbon.series("fructosa.lmaster")))
        agents = self.lmaster_self_series(carbon, "agents_connected")
        tl.wait_until(lambda: any(v >= 1 for _, v in carbon.values(agents)), 10,
                      "agents_connected >= 1", 0.3)

        # Missing source: "not available" logged exactly once, nothing sent.
        log = tl.read_text(agent.log_path)
        for s in sorted(missing):
            self.assertEqual(tl.count_matching_lines(log, s, "not available"), 1,
                             "%s should log 'not available' exactly once; log:\n%s"
                             % (s, log[-3000:]))
            self.assertEqual(carbon.series("%s.%s" % (host, s)), [])
        for s in sorted(set(tl.SENSORS) - missing):
            self.assertEqual(tl.count_matching_lines(log, s, "not available"), 0,
                             "%s claims to be unavailable" % s)

    def test_plaintext_protocol_reaches_carbon_line_receiver(self):
        carbon = tl.CarbonCache(self).start()
        # The pickle port points at nothing: data can only arrive through port 2003's twin.
        master = tl.Lmaster(self, carbon, overrides={"Graphite": {
            "protocol": "plaintext", "carbon receiver pickle port": tl.free_port()}})
        master.run().wait_listening()
        host = "plainnode"
        tl.Lagent(self, master.port, hostname=host,
                  sensors=["VirtualMemory", "CPUCount", "CPUPercent"]).run()
        self.wait_for_sensors(carbon, host, ["VirtualMemory", "CPUCount", "CPUPercent"])
        self.assertEqual(self.latest(carbon, host + ".VirtualMemory.total"),
                         tl.meminfo_bytes("MemTotal"))
        self.assertEqual(self.latest(carbon, host + ".CPUCount"), os.cpu_count())
        # carbon logs which receiver took the connection (LOG_LISTENER_CONN_SUCCESS).
        listener = carbon.log("listener.log")
        self.assertNotIn("MetricPickleReceiver", listener)
        self.assertIn("MetricLineReceiver", listener)

    def test_send_no_forwards_nothing_but_still_accepts(self):
        carbon = tl.CarbonCache(self).start()
        master = tl.Lmaster(self, carbon, overrides={"Graphite": {"send": "no"}})
        master.run().wait_listening()
        host = "quietnode"
        agent = tl.Lagent(self, master.port, hostname=host,
                          sensors=["VirtualMemory", "CPUPercent"]).run()
        # Give lagent time to ship several batches (1 s sampling, 1 s batches).
        time.sleep(6)
        self.assertTrue(agent.alive(), "lagent exited")
        self.assertTrue(master.alive(), "lmaster exited")
        self.assertEqual(carbon.series(), [], "send = no, yet carbon got data")
        # lmaster never even connected to carbon.
        self.assertNotIn("established", carbon.log("listener.log"))
        # points_in: lmaster publishes its counters as metrics, and with send = no they
        # go nowhere; but it logs its totals when it stops ("... N points in, ...").
        master.stop()
        totals = re.findall(r"(\d+) points in", master.log())
        self.assertTrue(totals, "lmaster logged no totals on stop:\n" + master.log()[-3000:])
        self.assertGreater(int(totals[-1]), 0, "lmaster counted no points from lagent")
        self.assertEqual(carbon.series(), [])

    def test_any_start_order_and_lmaster_restart(self):
        carbon = tl.CarbonCache(self).start()
        port = tl.free_port()
        host = "ordernode"
        path = host + ".VirtualMemory.total"
        agent = tl.Lagent(self, port, hostname=host, sensors=["VirtualMemory"]).run()
        time.sleep(3)
        self.assertTrue(agent.alive(), "lagent must keep running while lmaster is away")
        self.assertEqual(carbon.series(), [])

        master = tl.Lmaster(self, carbon, port=port).run().wait_listening()
        carbon.wait_for_values(path, timeout=40)

        # Restart lmaster: data must flow again, sampled after the restart.
        master.stop()
        self.assertFalse(tl.port_listening(port))
        time.sleep(3)
        self.assertTrue(agent.alive(), "lagent exited while lmaster was away")
        restarted = time.time()
        master.run().wait_listening()
        carbon.wait_for_values(path, timeout=40, since=restarted + 1)
        self.assertTrue(agent.alive())
        self.assertTrue(master.alive())


if __name__ == "__main__":
    tl.main()
