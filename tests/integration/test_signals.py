"""Signals every daemon survives, in `run` (foreground) and after `start` (daemonised):
SIGHUP (logrotate sends it) and SIGPIPE (a peer that went away). After both, lagent
still sends, lmaster still accepts agents and forwards, perad still classifies. SIGHUP
reopens the log file: after logrotate's move-and-HUP the daemon writes a new file at the
configured path, and the moved file gets nothing more. SIGHUP also re-reads the config
file: lagent applies new sensors, intervals and lmaster list, every daemon its log level
(perad its rules), and each other changed key is logged as needing a restart.

Run:  /usr/bin/python3 test_signals.py --build-dir BUILD
"""

import os
import re
import signal
import sqlite3
import time

import fructosa_testlib as tl

REOPENED = "SIGHUP: log file reopened"
MODES = ("run", "start")
# What each daemon logs once it serves (after its signal handlers are installed).
READY = {"lagent": "started as host", "lmaster": "ready: forwarding", "perad": "perad started"}


def insert_finished_job(registry, job_id):
    """A finished one-node job waiting for perad's verdict, written as lmaster would."""
    now = time.time()
    db = sqlite3.connect(registry, timeout=10)
    try:
        with db:
            db.execute(
                "INSERT INTO jobs(job_id, user, uid, nodelist, nnodes, ntasks, cpus_per_node, total_cpus, "
                "start_time, end_time, first_end_time, status, finished_at, pending_classification, exit_status) "
                "VALUES (?, 'alice', 1000, 'n1', 1, 1, '{\"n1\":1}', 1, ?, ?, ?, 'finished', ?, 1, 0)",
                (job_id, now - 600, now - 60, now - 60, now - 60))
            db.execute("INSERT INTO job_nodes(job_id, host, cpus, start_time, end_time, ended, exit_status) "
                       "VALUES (?, 'n1', 1, ?, ?, 1, 0)", (job_id, now - 600, now - 60))
    finally:
        db.close()


def verdict_of(registry, job_id):
    db = sqlite3.connect("file:%s?mode=ro" % registry, uri=True, timeout=10)
    try:
        row = db.execute("SELECT class FROM classifications WHERE job_id = ?", (job_id,)).fetchone()
    finally:
        db.close()
    return row[0] if row else None


class DaemonSignals(tl.FructosaTestCase):

    def setUp(self):
        super().setUp()
        self.need_binaries("lagent", "lmaster", "perad")

    # --- helpers --------------------------------------------------------------------

    def launch(self, daemon, mode):
        """`run` or `start`; returns once the daemon serves (its signal handlers are in
        place: `start` returns then; for `run`, its log says so)."""
        if mode == "run":
            daemon.run()
        else:
            daemon.start()
        self.assertIsNotNone(daemon.proc, "%s did not come up" % daemon.name)
        tl.wait_until(lambda: READY[daemon.program] in tl.read_text(daemon.log_path) or not daemon.alive(), 20,
                      "%s to be ready" % daemon.name)
        self.assertTrue(daemon.alive(), "%s exited:\n%s" % (daemon.name, daemon.log()[-3000:]))
        return daemon.proc.pid

    def hup_and_pipe(self, daemon):
        """SIGHUP, then SIGPIPE; returns once the HUP has been handled (its log line)."""
        before = tl.read_text(daemon.log_path).count(REOPENED)
        os.kill(daemon.proc.pid, signal.SIGHUP)
        tl.wait_until(lambda: tl.read_text(daemon.log_path).count(REOPENED) > before or not daemon.alive(), 15,
                      "%s to log the SIGHUP" % daemon.name)
        self.assertTrue(daemon.alive(), "%s died of SIGHUP" % daemon.name)
        os.kill(daemon.proc.pid, signal.SIGPIPE)

    def logrotate(self, daemon, stop_line):
        """logrotate's move-and-HUP, then a stop: the lines after the HUP (the reopen and
        the stop) are in a new file at the configured path, none in the moved one."""
        moved = daemon.log_path + ".1"
        os.rename(daemon.log_path, moved)
        os.kill(daemon.proc.pid, signal.SIGHUP)
        tl.wait_until(lambda: REOPENED in tl.read_text(daemon.log_path), 15,
                      "%s to write %s anew after the HUP" % (daemon.name, daemon.log_path))
        self.assertTrue(daemon.alive())
        old_lines = tl.read_text(moved).count("\n")
        daemon.stop()
        new = tl.read_text(daemon.log_path)
        self.assertIn(stop_line, new)
        self.assertEqual(new.count(REOPENED), 1, new)
        self.assertEqual(tl.read_text(moved).count("\n"), old_lines, "lines went to the moved file")
        self.assertNotIn(stop_line, tl.read_text(moved))

    # --- the daemons ----------------------------------------------------------------

    def test_lagent_survives_hup_and_pipe_and_still_sends(self):
        carbon = tl.CarbonCache(self).start()
        master = tl.Lmaster(self, carbon).run().wait_listening()
        for mode in MODES:
            with self.subTest(mode=mode):
                host = "sig" + mode
                agent = tl.Lagent(self, master.port, hostname=host, sensors=["VirtualMemory"],
                                  name="lagent-" + mode)
                self.launch(agent, mode)
                series = "%s.VirtualMemory.total" % host
                carbon.wait_for_values(series, timeout=30)
                self.hup_and_pipe(agent)
                after = time.time() + 1
                carbon.wait_for_values(series, timeout=30, since=after)
                self.assertTrue(agent.alive(), "lagent (%s) died of SIGPIPE" % mode)
                self.logrotate(agent, "lagent stopped")

    def test_lmaster_survives_hup_and_pipe_and_still_accepts(self):
        carbon = tl.CarbonCache(self).start()
        for mode in MODES:
            with self.subTest(mode=mode):
                master = tl.Lmaster(self, carbon, name="lmaster-" + mode)
                self.launch(master, mode)
                master.wait_listening()
                early = tl.Lagent(self, master.port, hostname="early" + mode, name="early-" + mode).run()
                carbon.wait_for_values("early%s.VirtualMemory.total" % mode, timeout=30)
                self.hup_and_pipe(master)
                after = time.time() + 1
                # The agent it had keeps being forwarded, and a new one is accepted.
                late = tl.Lagent(self, master.port, hostname="late" + mode, name="late-" + mode).run()
                carbon.wait_for_values("late%s.VirtualMemory.total" % mode, timeout=30)
                carbon.wait_for_values("early%s.VirtualMemory.total" % mode, timeout=30, since=after)
                self.assertTrue(master.alive(), "lmaster (%s) died of SIGPIPE" % mode)
                self.assertIn("SIGHUP: configuration re-read", master.log())
                early.stop()
                late.stop()
                self.logrotate(master, "lmaster stopped")

    def assert_needs_restart(self, daemon, key):
        """The daemon's log names `key` ("[section] key") as changed but needing a restart."""
        pattern = r"SIGHUP: %s changed \(%s:\d+\): needs a restart of %s" % (
            re.escape(key), re.escape(daemon.conf_path), daemon.program)
        tl.wait_until(lambda: re.search(pattern, tl.read_text(daemon.log_path)), 15,
                      "%s to name %s as needing a restart" % (daemon.name, key))

    def test_lagent_hup_applies_sensors_intervals_and_lmaster_list_and_names_the_rest(self):
        carbon = tl.CarbonCache(self).start()
        first = tl.Lmaster(self, carbon, name="lmaster-first").run().wait_listening()
        second = tl.Lmaster(self, carbon, name="lmaster-second",
                            overrides={"Graphite": {"prefix": "second"}}).run().wait_listening()
        agent = tl.Lagent(self, first.port, hostname="reload", sensors={"VirtualMemory": {}}, interval=1)
        self.launch(agent, "run")
        carbon.wait_for_values("reload.VirtualMemory.total", timeout=30)
        # A new sensor, a new interval, the other lmaster, and a key that needs a restart.
        agent.config["sensor:VirtualMemory"]["time_interval"] = 2
        agent.config["sensor:CPUCount"] = {"time_interval": 1}
        agent.config["lmaster"]["incoming data port"] = second.port
        agent.config["lagent"]["batch interval"] = 2
        agent.write_config()
        self.hup_and_pipe(agent)
        tl.wait_until(lambda: "SIGHUP: configuration re-read" in tl.read_text(agent.log_path), 15,
                      "lagent to re-read its configuration")
        log = tl.read_text(agent.log_path)
        self.assertIn("SIGHUP: sensors re-read: 2 sensors", log)
        self.assertIn("SIGHUP: lmaster list re-read: 127.0.0.1:%d" % second.port, log)
        self.assert_needs_restart(agent, "[lagent] batch interval")
        self.assertEqual(tl.count_matching_lines(tl.read_text(agent.log_path), "needs a restart"), 1)
        # The new sensor's points go to the second lmaster (its prefix), the kept one's too.
        after = time.time()
        carbon.wait_for_values("second.reload.CPUCount", timeout=30)
        carbon.wait_for_values("second.reload.VirtualMemory.total", timeout=30, since=after)
        self.assertTrue(agent.alive())
        # A bad file keeps the running configuration.
        agent.config["lagent"]["batch interval"] = 0
        agent.write_config()
        self.hup_and_pipe(agent)
        tl.wait_until(lambda: "SIGHUP: keeping the running configuration: %s:" % agent.conf_path
                      in tl.read_text(agent.log_path), 15, "lagent to refuse the bad file")
        after = time.time() + 1
        carbon.wait_for_values("second.reload.CPUCount", timeout=30, since=after)

    def test_lmaster_and_perad_hup_apply_the_log_level_and_name_what_needs_a_restart(self):
        master = tl.Lmaster(self)
        self.launch(master, "run")
        master.wait_listening()
        master.config["lmaster"]["idle timeout"] = 123
        master.config["logging"]["level"] = "INFO"
        master.write_config()
        self.hup_and_pipe(master)
        self.assert_needs_restart(master, "[lmaster] idle timeout")
        tl.wait_until(lambda: "SIGHUP: configuration re-read" in tl.read_text(master.log_path), 15,
                      "lmaster to re-read its configuration")
        log = tl.read_text(master.log_path)
        self.assertIn("SIGHUP: log level re-read", log)
        self.assertEqual(tl.count_matching_lines(log, "needs a restart"), 1, log)

        perad = tl.Perad(self, master.registry_path)
        self.launch(perad, "run")
        perad.config["registry"]["busy timeout ms"] = 777
        perad.config["perad"]["batch size"] = 10
        perad.config["rules"] = {"too short seconds": 30}
        perad.write_config()
        self.hup_and_pipe(perad)
        self.assert_needs_restart(perad, "[registry] busy timeout ms")
        tl.wait_until(lambda: "SIGHUP: rules re-read" in tl.read_text(perad.log_path), 15, "perad's rules")
        self.assertEqual(tl.count_matching_lines(tl.read_text(perad.log_path), "needs a restart"), 1)
        insert_finished_job(master.registry_path, 9300)
        self.assertTrue(tl.wait_until(lambda: verdict_of(master.registry_path, 9300), 30, "perad to classify"))

    def test_perad_survives_hup_and_pipe_and_still_classifies(self):
        master = tl.Lmaster(self).run().wait_listening()  # makes the registry
        for i, mode in enumerate(MODES):
            with self.subTest(mode=mode):
                perad = tl.Perad(self, master.registry_path, name="perad-" + mode)
                self.launch(perad, mode)
                self.hup_and_pipe(perad)
                # SIGHUP still re-reads the rules as before.
                tl.wait_until(lambda: "SIGHUP: rules re-read" in tl.read_text(perad.log_path), 15,
                              "perad to re-read its rules")
                job = 9100 + i
                insert_finished_job(master.registry_path, job)
                verdict = tl.wait_until(lambda: verdict_of(master.registry_path, job), 30,
                                        "perad (%s) to classify job %d after the signals" % (mode, job))
                self.assertTrue(verdict)
                self.assertTrue(perad.alive(), "perad (%s) died of SIGPIPE" % mode)
                self.logrotate(perad, "signal 15: stopping")


if __name__ == "__main__":
    tl.main()
