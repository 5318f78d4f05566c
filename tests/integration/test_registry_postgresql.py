"""The job registry on PostgreSQL shared by two lmasters (issue "Scale out", several
lmasters): a private PostgreSQL server (its own data directory under /tmp, a port on
127.0.0.1, stopped by pid), two lmasters and perad with the same `[registry] url`, the
private 3-node Slurm cluster whose lagents report n1 and n3 to one lmaster and n2 to the
other. A 3-node job ends as one finished job with its three nodes, whichever lmaster
recorded each, and perad classifies it.

Run: /usr/bin/python3 test_registry_postgresql.py --build-dir BUILD
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402
from fructosa_stack import ProfiledCluster, burn_cmd  # noqa: E402

# As test_perad_classification: test jobs last seconds.
RULES = {"too short seconds": 2, "serial min cores": 2, "stalled min seconds": 4}


class RegistryOnPostgresql(lib.SharedWorkspaceTestCase):
    @classmethod
    def start_class(cls):
        cls.pg = lib.PostgresServer(cls.ws).start()
        cls.url = cls.pg.create_database("fructosa")
        cls.stack = ProfiledCluster(cls.ws, perad=True, perad_rules=RULES, lmasters=2, postgres=cls.pg,
                                    registry={"path": None, "url": cls.url}).start()

    def test_three_node_job_over_two_lmasters_is_one_finished_job_that_perad_classifies(self):
        a, b = self.stack.masters
        self.assertNotEqual(a.port, b.port)
        # Busy on its first node, asleep on the other two: imbalanced.
        script = 'echo $SLURM_JOB_ID; if [ "$SLURM_PROCID" = 0 ]; then exec "$@"; else exec sleep 6; fi'
        res = self.stack.srun("--fructosa=on", "-N3", "-n3", "--ntasks-per-node=1", "/bin/sh", "-c", script,
                              "sh", *burn_cmd(6))
        jobid = int(res.stdout.split()[0])
        verdict = self.stack.verdict(jobid, timeout=60)
        self.assertEqual(verdict["class"], "imbalanced", json.dumps(verdict, indent=1)[:3000])

        # One job row, its three nodes ended, recorded by two lmasters.
        job = self.stack.registry_job(jobid)
        self.assertEqual(job["status"], "finished", job)
        self.assertEqual(job["nnodes"], 3, job)
        self.assertEqual(sorted(n["host"] for n in job["nodes"]), ["n1", "n2", "n3"], job)
        self.assertTrue(all(n["ended"] == 1 for n in job["nodes"]), job)
        self.assertEqual(self.pg.psql("fructosa", "SELECT COUNT(*) FROM jobs WHERE job_id = %d" % jobid).stdout.strip(),
                         "1")
        # Each lmaster received the job_end of its own nodes only.
        log_a, log_b = a.log(), b.log()
        for node, log, other in (("n1", log_a, log_b), ("n3", log_a, log_b), ("n2", log_b, log_a)):
            self.assertGreaterEqual(lib.count_matching_lines(log, "from %s" % node, "job_end"), 1, node)
            self.assertEqual(lib.count_matching_lines(other, "from %s" % node, "job_end"), 0, node)
        # Both lmasters name the registry by its URL.
        for log in (log_a, log_b):
            self.assertIn("job registry at %s" % self.url, log)

        # perad's admin commands read the same database.
        listed = json.loads(self.stack.perad("list", "--format", "json").stdout)
        self.assertEqual([row["job_id"] for row in listed if row["job_id"] == jobid], [jobid])
        shown = self.stack.perad("show", str(jobid), "--registry", self.url).stdout
        self.assertIn("Job %d" % jobid, shown)


if __name__ == "__main__":
    lib.main()
