"""lagent counts what it drops, on real daemons (issue "Nothing lost, proven").

1. The plugin socket: N_MALFORMED messages from root that cannot be taken (bad JSON, a
   bad field, an unsupported version, too long, cut off by the sender's close, cut off
   by lagent's read deadline) and N_REFUSED valid messages from `nobody` (uid 65534,
   neither root nor an `allowed uids` entry). Checked: lagent publishes exactly
   plugin_malformed = N_MALFORMED and plugin_refused = N_REFUSED (never more, also
   seconds later); an empty connection and a silent one are neither; a sender whose
   uid is listed in `[jobs] allowed uids` is not refused; nobody's job is never
   followed; a good step_start from root afterwards is taken and reaches lmaster's
   registry.
2. Job events dropped with the spool's oldest segment: lmaster is away and the spool
   is bounded to 1 MiB (`spool max mb`; a segment is 4 MiB, so the first segment is
   dropped whole as the second one starts). EARLY_JOBS small jobs (step_start, step_end:
   three job events each, with lagent's job_end) go first; then jobs with a 60 kB job
   name fill the first segment until lagent says it dropped it; then LATE_JOBS small
   jobs. lmaster comes. Checked: every job event sent is either in lmaster's registry
   (counted row by row: a step's start, a step's end, a node's end) or counted in the
   events_dropped lagent publishes, exactly; the early jobs left no row at all, the late
   ones every row; the figures lagent logged ("... N points and M job events dropped so
   far") are the ones it publishes, points and events apart; lmaster took exactly the
   events in its registry (job_events_in).

Job events need no Slurm and no cgroup here: lagent logs that the job has no cgroup to
sample and still sends its events. Each message is sent on its own connection and the
sender waits for lagent to close it: lagent closes a connection once it has handled
(or refused) its message, so messages are handled in the order sent.

Run: /usr/bin/python3 test_lagent_drop_counts.py --build-dir BUILD
"""

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402

NOBODY = 65534
SLURM_UID = 64030       # listed in `allowed uids`: a SlurmUser that is not root
N_REFUSED = 3
READ_DEADLINE = 2.0     # lagent cuts a plugin connection off after this (plugin_socket.cpp)
MAX_MESSAGE = 64 * 1024
EARLY_JOBS = 4
LATE_JOBS = 4
FILLER_NAME = 60000     # bytes of a filler job's name: its step_start and job_end are ~60 kB each
MAX_FILLER_JOBS = 100   # 4 MiB of segment needs about 35

# Run as another uid: sends each line of stdin on its own connection to argv[1] and
# waits until lagent closes it (a refusal may close it before the line is written).
SENDER = r"""
import socket, sys
for line in sys.stdin.read().splitlines():
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(sys.argv[1])
        try:
            s.sendall(line.encode() + b"\n")
            while s.recv(4096):
                pass
        except (BrokenPipeError, ConnectionResetError):
            pass
"""


def step_start(job, node, step="0", uid=0, user="root", **extra):
    msg = {"v": 1, "event": "step_start", "time": time.time(), "job_id": job, "step_id": step, "node": node,
           "uid": uid, "user": user, "cpus": 1, "nnodes": 1, "nodelist": node}
    msg.update(extra)
    return json.dumps(msg)


def step_end(job, node, step="0", exit_status=0):
    return json.dumps({"v": 1, "event": "step_end", "time": time.time(), "job_id": job, "step_id": step,
                       "node": node, "exit_status": exit_status})


def wait_closed(s, timeout=10):
    """Waits until lagent closes the connection (after handling what it was sent)."""
    s.settimeout(timeout)
    try:
        while s.recv(4096):
            pass
    except ConnectionResetError:
        pass


def send(path, data, close_write=True):
    """Sends `data` (bytes) on a connection of its own; with close_write the sender then
    closes its side (a message cut off there ends at EOF), else it stays silent until
    lagent's read deadline cuts it off. Returns once lagent has closed it."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(10)
        s.connect(path)
        try:
            s.sendall(data)
            if close_write:
                s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # lagent stopped reading (too long) and closed: what it read is dropped
        wait_closed(s)


def send_line(path, line):
    send(path, line.encode() + b"\n")


def send_as(uid, path, lines):
    """Sends each line on its own connection from a process running as `uid`."""
    res = subprocess.run([sys.executable, "-c", SENDER, path], input="\n".join(lines), text=True,
                         user=uid, group=uid, extra_groups=[], cwd="/", capture_output=True, timeout=60)
    if res.returncode != 0:
        raise AssertionError("sender as uid %d failed: %s" % (uid, res.stderr))


class LagentDropCounts(lib.FructosaTestCase):

    def published(self, carbon, host, name):
        return [v for _, v in carbon.values("fructosa.lagent.%s.%s" % (host, name))]

    def latest(self, carbon, host, name):
        vals = self.published(carbon, host, name)
        return vals[-1] if vals else None

    def registry(self, master):
        db = sqlite3.connect("file:%s?mode=ro" % master.registry_path, uri=True, timeout=10)
        self.addCleanup(db.close)
        return db

    # --- 1 ---

    def test_plugin_messages_refused_and_malformed_are_counted_exactly(self):
        # nobody must reach the socket to be refused by lagent (not by the file system).
        os.chmod(self.tmp, 0o755)
        carbon = lib.FakeCarbon(self).start()
        master = lib.Lmaster(self, carbon).run().wait_listening()
        host = "plugnode"
        agent = lib.Lagent(self, master.port, hostname=host,
                           overrides={"jobs": {"allowed uids": SLURM_UID}}).run()
        os.chmod(agent.dir, 0o755)
        path = agent.config["jobs"]["socket"]
        lib.wait_until(lambda: self.latest(carbon, host, "plugin_malformed") == 0, 30, "plugin_malformed = 0")
        self.assertEqual(self.latest(carbon, host, "plugin_refused"), 0)

        job = 970000 + os.getpid() % 9999
        # Neither refused nor malformed: nothing was said.
        send(path, b"")                        # connected and closed at once
        send(path, b"", close_write=False)     # silent until the read deadline
        malformed = [
            lambda: send(path, b"{not json\n"),
            lambda: send_line(path, json.dumps({"v": 1, "event": "step_start", "job_id": 0, "step_id": "0",
                                                "node": host, "uid": 0})),   # job_id 0
            lambda: send_line(path, step_start(job, host).replace('"v": 1', '"v": 2')),
            lambda: send(path, b"x" * (MAX_MESSAGE + 4096), close_write=False),  # too long, no newline
            lambda: send(path, step_start(job, host)[:40].encode()),             # cut off: EOF mid-message
            lambda: send(path, step_start(job, host)[:40].encode(), close_write=False),  # cut off: deadline
        ]
        for m in malformed:
            m()
        refused_job = job + 1
        send_as(NOBODY, path, [step_start(refused_job, host, uid=NOBODY, user="nobody")] * N_REFUSED)
        slurm_job = job + 2
        send_as(SLURM_UID, path, [step_start(slurm_job, host)])  # the SlurmUser may send

        t_sent = time.time()
        lib.wait_until(lambda: self.latest(carbon, host, "plugin_malformed") == len(malformed)
                       and self.latest(carbon, host, "plugin_refused") == N_REFUSED, 20,
                       "plugin_malformed = %d and plugin_refused = %d" % (len(malformed), N_REFUSED), 0.2)
        time.sleep(3)  # three more publications: the figures stay where they are
        later = [v for ts, v in carbon.values("fructosa.lagent.%s.plugin_malformed" % host) if ts > t_sent + 1]
        self.assertTrue(later)
        self.assertEqual(set(later), {float(len(malformed))})
        self.assertEqual(max(self.published(carbon, host, "plugin_malformed")), len(malformed))
        self.assertEqual(max(self.published(carbon, host, "plugin_refused")), N_REFUSED)
        self.assertEqual(self.latest(carbon, host, "plugin_wrong_node"), 0)
        log = agent.log()
        self.assertIn("bad plugin message on %s: not valid JSON" % path, log)
        self.assertRegex(log, r"refused a message on %s from uid %d \(pid \d+\): only root and the SlurmUser may send"
                         % (re.escape(path), NOBODY))
        self.assertNotIn("from uid %d" % SLURM_UID, log)
        self.assertNotIn("job %d: step" % refused_job, log)
        self.assertIn("job %d: step 0 started" % slurm_job, log)
        self.assertEqual(self.latest(carbon, host, "jobs_tracked"), 1)  # the SlurmUser's job only

        # lagent still takes a good step event from root, and lmaster gets it.
        good_job = job + 3
        send_line(path, step_start(good_job, host))
        send_line(path, step_end(good_job, host))
        lib.wait_until(lambda: "job %d: finished on this node (last step ended)" % good_job in agent.log(), 10,
                       "job %d to end" % good_job)
        db = self.registry(master)

        def recorded():
            return db.execute("SELECT start_time IS NOT NULL, end_time IS NOT NULL FROM job_steps"
                              " WHERE job_id = ? AND host = ?", (good_job, host)).fetchall()
        lib.wait_until(lambda: recorded() == [(1, 1)], 20, "job %d's step in the registry" % good_job, 0.2)
        self.assertEqual(db.execute("SELECT COUNT(*) FROM jobs WHERE job_id = ?", (refused_job,)).fetchone()[0], 0)
        self.assertEqual(self.latest(carbon, host, "plugin_malformed"), len(malformed))
        self.assertEqual(self.latest(carbon, host, "plugin_refused"), N_REFUSED)
        self.assertTrue(agent.alive() and master.alive())
        print("\nplugin socket: %d malformed and %d refused messages counted exactly; a good step event "
              "taken afterwards" % (len(malformed), N_REFUSED))

    # --- 2 ---

    def test_job_events_dropped_with_the_oldest_spool_segment_are_counted_exactly(self):
        carbon = lib.FakeCarbon(self).start()
        port = lib.free_port()  # lmaster not there yet
        host = "spoolnode"
        agent = lib.Lagent(self, port, hostname=host, overrides={"lagent": {"spool max mb": 1}}).run()
        lib.wait_until(lambda: "started as host" in agent.log(), 20, "lagent to start")
        spool_dir = agent.config["lagent"]["spool directory"]
        path = agent.config["jobs"]["socket"]
        time.sleep(2.5)  # a few batches of points in the first segment too
        base = 960000 + os.getpid() % 9999
        sent = 0  # job events lagent sent to its queue: each job's step_start, step_end, job_end

        def run_job(job, name=""):
            nonlocal sent
            send_line(path, step_start(job, host, job_name=name))
            send_line(path, step_end(job, host))
            sent += 3

        early = [base + i for i in range(EARLY_JOBS)]
        for job in early:
            run_job(job)
        drop_line = "spool %s full: dropped the oldest" % spool_dir
        fillers = []
        while drop_line not in agent.log():
            self.assertLess(len(fillers), MAX_FILLER_JOBS, "the spool never dropped its oldest segment")
            fillers.append(base + 100 + len(fillers))
            run_job(fillers[-1], "f" * FILLER_NAME)
        late = [base + 1000 + i for i in range(LATE_JOBS)]
        for job in late:
            run_job(job)
        for job in early + fillers + late:
            self.assertIn("job %d: finished on this node (last step ended)" % job, agent.log())
        first = re.search(r"spool .* full: dropped the oldest; (\d+) points and (\d+) job events dropped so far",
                          agent.log())

        master = lib.Lmaster(self, carbon, port=port).run().wait_listening()
        master_host = lib.short_hostname()
        drained = lib.wait_until(
            lambda: re.findall(r"queue for lmaster draining; (\d+) points and (\d+) job events dropped so far",
                               agent.log()), 60, "lagent to say how many it dropped")
        points_dropped, events_dropped = int(drained[-1][0]), int(drained[-1][1])

        def job_events_in():
            vals = carbon.values("fructosa.lmaster.%s.job_events_in" % master_host)
            return vals[-1][1] if vals else 0
        lib.wait_until(lambda: job_events_in() + events_dropped >= sent, 60,
                       "lmaster to take every job event not dropped", 0.2)
        lib.wait_until(lambda: self.latest(carbon, host, "events_dropped") == events_dropped, 20,
                       "events_dropped = %d published" % events_dropped, 0.2)

        db = self.registry(master)

        def count(sql):
            return db.execute(sql, (host,)).fetchone()[0]
        in_registry = (count("SELECT COUNT(*) FROM job_steps WHERE host = ? AND start_time IS NOT NULL")
                       + count("SELECT COUNT(*) FROM job_steps WHERE host = ? AND end_time IS NOT NULL")
                       + count("SELECT COUNT(*) FROM job_nodes WHERE host = ? AND ended = 1"))
        print("\nspool of 1 MiB, lmaster away: %d job events sent (%d filler jobs), %d in lmaster's registry, "
              "%d counted as dropped (%d points dropped)"
              % (sent, len(fillers), in_registry, events_dropped, points_dropped))
        # Every job event is in the registry or counted as dropped: none lost uncounted,
        # none counted that arrived.
        self.assertEqual(in_registry + events_dropped, sent)
        self.assertEqual(self.latest(carbon, host, "events_dropped"), events_dropped)
        self.assertEqual(self.latest(carbon, host, "points_dropped"), points_dropped)
        self.assertEqual(job_events_in(), in_registry)  # one connection: nothing sent twice
        # The whole first segment went at once, and nothing after it: lagent's first word
        # on the drop already has the totals.
        self.assertIsNotNone(first)
        self.assertEqual((int(first.group(1)), int(first.group(2))), (points_dropped, events_dropped))
        self.assertGreaterEqual(events_dropped, 3 * EARLY_JOBS)
        self.assertGreater(points_dropped, 0)  # the points of that segment are counted apart
        for job in early:
            self.assertEqual(db.execute("SELECT COUNT(*) FROM jobs WHERE job_id = ?", (job,)).fetchone()[0], 0,
                             "early job %d left a row" % job)
        for job in late:
            self.assertEqual(db.execute("SELECT start_time IS NOT NULL, end_time IS NOT NULL FROM job_steps"
                                        " WHERE job_id = ? AND host = ?", (job, host)).fetchall(), [(1, 1)])
            self.assertEqual(db.execute("SELECT ended FROM job_nodes WHERE job_id = ? AND host = ?",
                                        (job, host)).fetchall(), [(1,)])
        self.assertTrue(agent.alive() and master.alive())


if __name__ == "__main__":
    lib.main()
