"""The job's own figures from slurmctld (issue 14, "figures that are what they claim"), on
the private 3-node Slurm cluster with the real plugin, lagents, lmaster and perad:
- a job allocated 2 cores whose one profiled srun step uses 1 core: perad counts the 2
  allocated cores on that node, and the job's elapsed time is Slurm's end - start;
- a 2-node batch job whose second node's srun step ends early while the batch step runs
  on stays running (a short `[registry] partial after` notwithstanding) until the job
  ends, and is then finished, not partial.

Run: /usr/bin/python3 test_slurm_facts.py --build-dir BUILD
"""

import json
import os
import shlex
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402
from fructosa_stack import ProfiledCluster, burn_cmd  # noqa: E402

PARTIAL_AFTER = 2  # seconds: far shorter than the batch job below runs after its node ended


class SlurmFactsOnRealJobs(lib.SharedWorkspaceTestCase):
    @classmethod
    def start_class(cls):
        cls.stack = ProfiledCluster(cls.ws, perad=True, perad_rules={"too short seconds": 1},
                                    registry={"partial after": PARTIAL_AFTER}).start()

    def lmaster_log(self):
        return "\n".join(l for l in self.stack.master.log().splitlines() if "DEBUG" not in l)[-4000:]

    def test_two_allocated_cores_running_a_one_core_step(self):
        c = self.stack.cluster
        burn = " ".join(shlex.quote(a) for a in burn_cmd(3))
        jobid = c.submit(["-N1", "-w", "n1", "-c2", "-o", "/dev/null",
                          "--wrap", "sleep 1; srun --fructosa=on -n1 -c1 %s" % burn])
        info = c.wait_job(jobid)
        self.assertEqual(info.get("JobState"), "COMPLETED", info)
        try:
            v = self.stack.verdict(jobid)
        except AssertionError:
            sys.stderr.write("lmaster log:\n" + self.lmaster_log())
            raise
        row = self.stack.registry_job(jobid)
        self.assertEqual(json.loads(row["slurm_cpus_per_node"]), {"n1": 2}, row)
        self.assertIsNotNone(row["slurm_start_time"], row)
        self.assertIsNotNone(row["slurm_end_time"], row)
        features = v["features"]
        node = [n for n in features["nodes"] if n["host"] == "n1"]
        self.assertEqual(len(node), 1, features)
        self.assertEqual(node[0]["cpus"], 2, features)
        self.assertEqual(features["allocated_cpus"], 2, features)
        # Elapsed is the job's (Slurm's whole seconds), not the profiled step's span.
        self.assertEqual(features["elapsed_s"], row["slurm_end_time"] - row["slurm_start_time"], (features, row))
        self.assertEqual(v["slurm_start_time"], row["slurm_start_time"])
        # One of two cores busy for part of the job: at most about half efficient.
        self.assertLess(features["cpu_efficiency"], 0.6, features)

    def test_batch_job_whose_second_node_ends_early_is_finished_not_partial(self):
        c = self.stack.cluster
        # The batch step (profiled) runs on the first node; a 1 s step on the second node
        # (-r1: relative node 1) ends long before the batch script does.
        jobid = c.submit(["--fructosa=on", "-N2", "-w", "n2,n3", "-o", "/dev/null",
                          "--wrap", "srun -N1 -n1 -r1 sleep 1; sleep %d" % (PARTIAL_AFTER + 6)])
        # The early node's job_end arrives; the job must stay running past the grace time.
        seen = []
        early_end_at = None  # when the registry first had n3 ended while Slurm ran the job
        deadline = time.time() + 60
        while time.time() < deadline:
            row = self.stack.registry_job(jobid)
            running = c.job_info(jobid).get("JobState") == "RUNNING"
            if row:
                seen.append(row["status"])
                if early_end_at is None and running and any(n["host"] == "n3" and n["ended"] for n in row["nodes"]):
                    early_end_at = time.time()
                if row["status"] != "running" or not running:
                    break
            time.sleep(0.3)
        self.assertNotIn("partial", seen, self.lmaster_log())
        # The situation was there: n3 had ended, and the job ran on past the grace time.
        self.assertIsNotNone(early_end_at, seen)
        self.assertGreater(time.time() - early_end_at, PARTIAL_AFTER + 1.5)
        info = c.wait_job(jobid)
        self.assertEqual(info.get("JobState"), "COMPLETED", info)
        try:
            row = lib.wait_until(lambda: self.stack.registry_job(jobid, status="finished"), 30,
                                 "job %d to be finished in the registry" % jobid)
        except AssertionError:
            sys.stderr.write("registry: %s\nlmaster log:\n%s" % (self.stack.registry_job(jobid), self.lmaster_log()))
            raise
        self.assertEqual(row["missing_nodes"], "", row)
        self.assertEqual(row["partial_reason"], "", row)
        self.assertEqual(sorted(n["host"] for n in row["nodes"]), ["n2", "n3"], row)
        self.assertEqual(json.loads(row["slurm_cpus_per_node"]), {"n2": 1, "n3": 1}, row)


if __name__ == "__main__":
    lib.main()
