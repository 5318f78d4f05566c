"""perad on real jobs (issue "perad"): jobs with known behaviour, run on the private
3-node Slurm cluster and profiled by the real plugin, lagents and lmaster, end in the
expected class; and the admin commands answer about them.

Run: /usr/bin/python3 test_perad_classification.py --build-dir BUILD
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402
from fructosa_stack import PY, ProfiledCluster, burn_cmd, with_jobid  # noqa: E402

# Test jobs last seconds, not hours: only the duration threshold moves; the serial flag
# looks at 2-core jobs (the test cluster's nodes have 2 cores).
RULES = {"too short seconds": 2, "serial min cores": 2, "stalled min seconds": 4}


class PeradOnRealJobs(lib.SharedWorkspaceTestCase):
    @classmethod
    def start_class(cls):
        cls.stack = ProfiledCluster(cls.ws, perad=True, perad_rules=RULES).start()

    def check_class(self, jobid, expected, flags=()):
        v = self.stack.verdict(jobid)
        self.assertIn(v["class"], expected, json.dumps(v, indent=1)[:3000])
        for f in flags:
            self.assertIn(f, v["flags"], v)
        self.assertIn(v["class"], v["recommendations"], v)
        return v

    def test_cpu_bound_job_on_all_its_cores_is_efficient(self):
        jobid = self.stack.srun_job("--fructosa=on", "-w", "n1", "-n1", "-c1", *with_jobid(burn_cmd(6)))
        self.check_class(jobid, ["efficient"])

    def test_sleep_is_idle(self):
        jobid = self.stack.srun_job("--fructosa=on", "-w", "n2", "-n1", *with_jobid(["sleep", "6"]))
        self.check_class(jobid, ["idle"])

    def test_serial_program_on_two_cores(self):
        jobid = self.stack.srun_job("--fructosa=on", "-w", "n3", "-n1", "--cpus-per-task=2",
                                    *with_jobid(burn_cmd(6)))
        v = self.stack.verdict(jobid)
        self.assertTrue(v["class"] == "underutilized-cpu" or "serial-on-many-cores" in v["flags"], v)
        if "serial-on-many-cores" in v["flags"]:
            self.assertIn("ran serially", v["recommendations"]["serial-on-many-cores"])

    def test_three_node_job_busy_on_one_node_is_imbalanced(self):
        script = 'echo $SLURM_JOB_ID; if [ "$SLURM_PROCID" = 0 ]; then exec "$@"; else exec sleep 6; fi'
        res = self.stack.srun("--fructosa=on", "-N3", "-n3", "--ntasks-per-node=1", "/bin/sh", "-c", script,
                              "sh", *burn_cmd(6))
        jobid = int(res.stdout.split()[0])
        self.check_class(jobid, ["imbalanced"])

    def test_job_over_its_memory_limit(self):
        hog = "b = bytearray(400 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1"
        res = self.stack.srun("--fructosa=on", "-w", "n1", "--mem=100", *with_jobid([PY, "-c", hog]), check=False)
        self.assertNotEqual(res.returncode, 0, "the memory hog was not stopped")
        jobid = int(res.stdout.split()[0])
        v = self.check_class(jobid, ["memory-pressure", "failed"])
        if v["class"] == "failed":
            self.assertIn("OUT_OF_MEMORY", json.dumps(v["evidence"]))

    def test_job_that_exits_1_failed(self):
        jobid = self.stack.srun_job("--fructosa=on", "-w", "n2", *with_jobid(["sh", "-c", "sleep 3; exit 1"]),
                                    check=False)
        v = self.check_class(jobid, ["failed"])
        self.assertIn("1", json.dumps(v["evidence"]))

    def test_job_that_goes_quiet_long_before_its_end_is_flagged_stalled(self):
        script = 'echo $SLURM_JOB_ID; "$@"; exec sleep 7'
        res = self.stack.srun("--fructosa=on", "-w", "n3", "-n1", "/bin/sh", "-c", script, "sh", *burn_cmd(3))
        jobid = int(res.stdout.split()[0])
        v = self.stack.verdict(jobid)
        self.assertIn("stalled", v["flags"], json.dumps(v, indent=1)[:3000])
        self.assertIn("stalled", v["recommendations"])

    def test_admin_commands_answer_about_real_jobs(self):
        jobid = self.stack.srun_job("--fructosa=on", "-w", "n3", *with_jobid(["sleep", "3"]))
        self.stack.verdict(jobid)
        listed = json.loads(self.stack.perad("list", "--format", "json", "--user", "root").stdout)
        self.assertIn(jobid, [row["job_id"] for row in listed])
        summary = self.stack.perad("summary", "--by", "class").stdout
        self.assertIn("idle", summary)
        shown = self.stack.perad("show", str(jobid)).stdout
        self.assertIn("Job %d" % jobid, shown)
        missing = self.stack.perad("show", "999999999", check=False)
        self.assertEqual(missing.returncode, 1)
        self.assertEqual(len(missing.stderr.strip().splitlines()), 1, missing.stderr)


if __name__ == "__main__":
    lib.main()
