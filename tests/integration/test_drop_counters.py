"""Every drop counted, on real daemons (issue "Nothing lost, proven", Bounds and counts):
what lmaster and perad acknowledge or decide but cannot keep or send is a counter in
their own metrics, and a rate-limited log line.

1. lmaster's job registry on a full file system: the registry lives on a 1 MiB tmpfs
   filled to the last byte once a first job event has landed. An agent (played by hand,
   common/wire.h) sends LOST_EVENTS job events (step starts of new jobs, and the end of
   the job that landed); each is acknowledged, none can be written. Checked: the
   job_events_lost lmaster publishes equals the events missing from the registry
   (LOST_EVENTS), one log line says so (rate-limited: the first loss only), lmaster stays
   up and forwards the agent's points, and once there is room again the next event
   lands and the counter stays.
2. perad with Graphite away: perad's [graphite] names a port where nothing listens;
   KEPT_AWAY finished jobs (job events through a real lmaster) are classified, one per
   poll, and their class points cannot be sent. Then a receiver listens on that port
   (carbon's plaintext protocol, which perad speaks) and one more job is classified.
   Checked: the class_points_dropped perad publishes with that send equals the points it
   could not send (KEPT_AWAY, one per verdict) and the figure it logged; the new
   verdict's point arrives, the dropped ones are not re-sent, and every verdict is in
   the registry.

Run: /usr/bin/python3 test_drop_counters.py --build-dir BUILD
"""

import errno
import os
import re
import socket
import sqlite3
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402

LOST_EVENTS = 5
KEPT_AWAY = 3
HOST = lib.short_hostname()


class HandAgent:
    """An agent connection to lmaster played by hand: a Hello, then frames that each wait
    for their Ack (batches and job events share one sequence, as lagent's do)."""

    def __init__(self, test, port, host):
        self.host = host
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        test.addCleanup(self.sock.close)
        self.sock.sendall(lib.wire_hello(host))
        self.seq = 0

    def _send(self, frame_of):
        self.seq += 1
        self.sock.sendall(frame_of(self.seq))
        acked = lib.read_ack(self.sock)
        if acked != self.seq:
            raise AssertionError("lmaster acked %d, not %d" % (acked, self.seq))

    def event(self, event):
        self._send(lambda seq: lib.wire_job_event(seq, event))

    def points(self, points):
        self._send(lambda seq: lib.wire_batch(seq, points))

    def meta(self):
        return {"uid": 0, "user": "root", "nodelist": self.host, "nnodes": 1, "cpus": 1}

    def step_start(self, job):
        self.event({"type": "step_start", "job_id": job, "host": self.host, "time": time.time(),
                    "step_id": "0", "meta": self.meta()})

    def job_end(self, job):
        self.event({"type": "job_end", "job_id": job, "host": self.host, "time": time.time(),
                    "reason": "last step ended", "exit_status": 0, "reattached": False, "meta": self.meta()})


def registry_rows(path, sql):
    """Rows of a query on a registry, read-only, beside the daemons that write it."""
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def job_status(path):
    """{job_id: status} of every job in the registry."""
    return dict(registry_rows(path, "SELECT job_id, status FROM jobs"))


def fill(directory):
    """Fills the file system of `directory` to the last byte; returns the filler's path."""
    filler = os.path.join(directory, "filler")
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
    return filler


class DropCounters(lib.FructosaTestCase):

    # --- 1 ---

    def test_job_events_lost_to_a_full_registry_are_counted(self):
        fs = self.subdir("registryfs")
        res = lib.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", fs])
        self.assertEqual(res.returncode, 0, "mount failed: %s" % res.stderr)
        self.addCleanup(lib.run, ["umount", "-l", fs])
        registry = os.path.join(fs, "registry.db")
        carbon = lib.FakeCarbon(self).start()
        master = lib.Lmaster(self, carbon, overrides={"registry": {"path": registry}}).run().wait_listening()
        lost_series = "fructosa.lmaster.%s.job_events_lost" % HOST

        def lost():
            vals = carbon.values(lost_series)
            return vals[-1][1] if vals else None

        lib.wait_until(lambda: lost() == 0, 20, "job_events_lost = 0 before any loss")
        agent = HandAgent(self, master.port, "evnode")
        landed = 9100
        agent.step_start(landed)
        lib.wait_until(lambda: job_status(registry).get(landed) == "running", 10, "the first job in the registry")

        filler = fill(fs)
        new_jobs = list(range(9101, 9101 + LOST_EVENTS - 1))
        for job in new_jobs:
            agent.step_start(job)
        agent.job_end(landed)  # an update of a row that is there: no room for it either
        lib.wait_until(lambda: lost() == LOST_EVENTS, 20, "job_events_lost = %d" % LOST_EVENTS)

        # lmaster lives, and forwards the agent's points.
        now = time.time()
        agent.points([("evnode.after.value", now, 42.0)])
        lib.wait_until(lambda: carbon.values("evnode.after.value"), 20, "the agent's point after the losses")
        self.assertEqual(carbon.values("evnode.after.value"), [(now, 42.0)])
        self.assertTrue(master.alive())

        # What did not land, read from the registry (lost events are never retried, so
        # reading once there is room again reads the same).
        os.remove(filler)
        status = job_status(registry)
        not_landed = [j for j in new_jobs if j not in status] + ([landed] if status.get(landed) == "running" else [])
        print("\nregistry full: %d job events acknowledged, %d not in the registry, job_events_lost = %d"
              % (LOST_EVENTS, len(not_landed), lost()))
        self.assertEqual(len(not_landed), LOST_EVENTS)
        self.assertEqual(lost(), len(not_landed))

        log = lib.read_text(master.log_path)  # its log file (`run` copies it to the console too)
        self.assertEqual(lib.count_matching_lines(log, "lost so far"), 1, "one line, rate-limited")
        said = re.search(re.escape("job registry %s: " % registry) +
                         r"(?:[^\n]*: )?database or disk is full \(event from evnode lost; 1 lost so far\)", log)
        self.assertTrue(said, "no line saying the first event was lost:\n" + log[-3000:])
        print("lmaster said: " + said.group(0))

        # Room again: the next event lands and the counter stays.
        agent.step_start(9200)
        lib.wait_until(lambda: job_status(registry).get(9200) == "running", 10, "an event after the disk was freed")
        t = time.time()
        lib.wait_until(lambda: [ts for ts, _ in carbon.values(lost_series) if ts > t + 1], 10,
                       "job_events_lost after the disk was freed")
        self.assertEqual(lost(), LOST_EVENTS)
        self.assertTrue(master.alive())

    # --- 2 ---

    def test_class_points_perad_could_not_send_are_counted(self):
        graphite = lib.FakeCarbon(self)  # not listening yet: Graphite is away
        master = lib.Lmaster(self, None).run().wait_listening()
        lib.wait_until(lambda: os.path.exists(master.registry_path), 10, "lmaster's registry")
        perad = lib.Perad(self, master.registry_path, carbon=graphite).run()
        lib.wait_until(lambda: "perad started" in perad.log(), 20, "perad to start")
        agent = HandAgent(self, master.port, "clsnode")

        def classified():
            return lib.count_matching_lines(lib.read_text(perad.log_path), "classified 1 job")

        def finish(job, classified_before):
            agent.step_start(job)
            agent.job_end(job)
            lib.wait_until(lambda: classified() == classified_before + 1, 20, "job %d classified" % job)

        away = list(range(8101, 8101 + KEPT_AWAY))
        for i, job in enumerate(away):
            finish(job, i)
        log = lib.read_text(perad.log_path)
        self.assertEqual(lib.count_matching_lines(log, "cannot send"), 1, "one line, rate-limited")
        self.assertIn("cannot send 1 job classes to Graphite at 127.0.0.1:%d: Connection refused (1 class points "
                      "dropped so far; the verdicts stay in the registry)" % graphite.line_port, log)

        graphite.start()
        back = 8200
        finish(back, KEPT_AWAY)
        dropped_series = "fructosa.perad.%s.class_points_dropped" % HOST
        lib.wait_until(lambda: graphite.paths("fructosa.perad.jobs.%d.class." % back), 10,
                       "the class point of job %d" % back)
        dropped = graphite.values(dropped_series)
        print("\nGraphite away: %d verdicts, class_points_dropped = %s" % (KEPT_AWAY, [v for _, v in dropped]))
        self.assertEqual([v for _, v in dropped], [float(KEPT_AWAY)])
        # Only the new verdict's point: the dropped ones are counted, never re-sent.
        self.assertEqual(graphite.paths("fructosa.perad.jobs."), graphite.paths("fructosa.perad.jobs.%d." % back))
        self.assertEqual(len(graphite.paths("fructosa.perad.jobs.")), 1)
        self.assertEqual(graphite.malformed, [])
        self.assertIn("Graphite at 127.0.0.1:%d takes job classes again" % graphite.line_port, perad.log())
        verdicts = registry_rows(master.registry_path, "SELECT job_id FROM classifications ORDER BY job_id")
        self.assertEqual([j for (j,) in verdicts], away + [back])
        self.assertTrue(perad.alive() and master.alive())


if __name__ == "__main__":
    lib.main()
