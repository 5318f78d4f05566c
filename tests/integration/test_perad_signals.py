"""The signals perad's classes need, measured on the real 3-node cluster (cgroup v1):
a job streaming to disk is io-bound (its bytes read from its tasks' /proc/<pid>/io), a
1-core job running 4 busy processes is oversubscribed (its tasks' run-queue delay), a
job busy then idle is stalled with the time it stopped, a sleeping job is idle and not
stalled; and `perad reclassify` after a rule change publishes the new classes.

Run: /usr/bin/python3 test_perad_signals.py --build-dir BUILD
"""

import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402
from fructosa_stack import (ProfiledCluster, burn_cmd, busy_processes_cmd, stream_to_disk_cmd,  # noqa: E402
                            with_jobid)

# Jobs last seconds, not hours: only the duration thresholds move. The writer below
# streams 50 MB/s; the job's average over its whole span (start-up included) is a
# little less, so the io-bound rate threshold is 25 MB/s here (50 by default).
RULES = {"too short seconds": 2, "stalled min seconds": 4, "io bound min rate mb per s": 25}

class PeradSignalsOnRealJobs(lib.SharedWorkspaceTestCase):
    @classmethod
    def start_class(cls):
        cls.stack = ProfiledCluster(cls.ws, perad=True, perad_rules=RULES).start()

    def run_job(self, *srun_args, cmd):
        return self.stack.srun_job("--fructosa=on", *srun_args, *with_jobid(cmd))

    def show(self, v):
        return json.dumps(v, indent=1)[:4000]

    def test_job_streaming_to_disk_is_io_bound(self):
        target = os.path.join(self.ws.subdir("io"), "stream.bin")
        jobid = self.run_job("-w", "n1", "-n1", "-c1", cmd=stream_to_disk_cmd(target, 50, 300))
        # The series follows the stream sample by sample. Its last point may lack the final
        # sample's bytes: that sample usually falls in the same second as the last periodic
        # one, and whisper keeps the first of two points of one slot when carbon writes
        # them together (README, Known limits). The job's summary has them: see below.
        series = "jobs.%d.n1.io.write_bytes" % jobid
        lib.wait_until(lambda: [v for _, v in self.stack.carbon.values(series) if v >= 250 << 20], 20,
                       "%s to reach 250 MiB: %s" % (series, self.stack.carbon.values(series)))
        v = self.stack.verdict(jobid)
        self.assertEqual(v["class"], "io-bound", self.show(v))
        # its core sat unused too: the same unused core-seconds, told with the cause first
        self.assertIn("underutilized-cpu", v["secondary_classes"], self.show(v))
        ev = v["evidence"]["io-bound"]
        # 300 MiB in all, the last interval's too (the writer is reaped by slurmstepd,
        # whose /proc/<pid>/io lagent reads for the bytes written after the last sample)
        self.assertGreaterEqual(ev["io_write_mb"], 300, self.show(v))
        self.assertRegex(v["recommendations"]["io-bound"],
                         r"^the job moved [0-9.]+ MB/s while its CPUs were [0-9.]+% busy: it waits on I/O; "
                         r"stage data to node-local or scratch storage and use fewer, larger reads and writes$")

    def test_one_core_job_with_four_busy_processes_is_oversubscribed(self):
        jobid = self.run_job("-w", "n2", "-n1", "-c1", cmd=busy_processes_cmd(4, 8))
        delay = self.stack.job_values(jobid, "n2", "cpu.runqueue_delay_percent", count=3)
        self.assertGreater(max(delay), 150, "4 busy processes on 1 core wait for it: %s" % delay)
        v = self.stack.verdict(jobid)
        self.assertIn("oversubscribed", v["flags"], self.show(v))
        self.assertIn("ask for 4 cores", v["recommendations"]["oversubscribed"], self.show(v))

    def test_busy_then_idle_job_is_stalled_with_its_stop_time(self):
        started = time.time()
        jobid = self.run_job("-w", "n3", "-n1", "-c1", cmd=["/bin/sh", "-c", '"$@"; exec sleep 8', "sh"] + burn_cmd(4))
        v = self.stack.verdict(jobid)
        self.assertIn("stalled", v["flags"], self.show(v))
        stopped = v["evidence"]["stalled"]["last_busy_time"]
        # The burner ran ~4 s after the step started: activity stopped 3-8 s after srun began.
        self.assertGreater(stopped, started + 3, self.show(v))
        self.assertLess(stopped, started + 8, self.show(v))
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(stopped))
        self.assertIn(stamp, v["recommendations"]["stalled"], self.show(v))

    def test_sleeping_job_is_idle_not_stalled(self):
        jobid = self.run_job("-w", "n1", "-n1", "-c1", cmd=["sleep", "8"])
        v = self.stack.verdict(jobid)
        self.assertEqual(v["class"], "idle", self.show(v))
        self.assertNotIn("stalled", v["flags"], self.show(v))

    def test_reclassify_after_a_rule_change_republishes_the_classes(self):
        jobid = self.run_job("-w", "n2", "-n1", "-c1", cmd=["sleep", "5"])
        v = self.stack.verdict(jobid)
        self.assertEqual(v["class"], "idle", self.show(v))
        old = "fructosa.perad.jobs.%d.class.idle" % jobid
        lib.wait_until(lambda: self.stack.carbon.values(old), 20, "perad to publish " + old)
        # The site raises "too short seconds" to a minute: the 5-second job becomes too-short.
        conf = os.path.join(self.ws.subdir("reclassify"), "perad.conf")
        with open(self.stack.perad_conf) as f:
            text = f.read()
        changed = re.sub(r"(?m)^too short seconds *= *2$", "too short seconds = 60", text)
        self.assertNotEqual(changed, text, text)
        with open(conf, "w") as f:
            f.write(changed)
        res = lib.run([lib.binary("perad"), "reclassify", "-c", conf], timeout=60)
        self.assertEqual(res.returncode, 0, res.stderr)
        new = "fructosa.perad.jobs.%d.class.too-short" % jobid
        lib.wait_until(lambda: [p for p in self.stack.carbon.values(new) if p[1] == 1], 20,
                       "reclassify to publish " + new)
        lib.wait_until(lambda: [p for p in self.stack.carbon.values(old) if p[1] == 0], 20,
                       "reclassify to zero the old class " + old)


if __name__ == "__main__":
    lib.main()
