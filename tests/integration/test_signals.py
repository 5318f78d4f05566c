"""Signals every daemon survives, in `run` (foreground) and after `start` (daemonised):
SIGHUP (logrotate sends it) and SIGPIPE (a peer that went away). After both, lagent
still sends, lmaster still accepts agents and forwards, perad still classifies. SIGHUP
reopens the log file: after logrotate's move-and-HUP the daemon writes a new file at the
configured path, and the moved file gets nothing more.

Run:  /usr/bin/python3 test_signals.py --build-dir BUILD
"""

import os
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
                self.assertIn("SIGHUP: the configuration is not re-read", master.log())
                early.stop()
                late.stop()
                self.logrotate(master, "lmaster stopped")

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
