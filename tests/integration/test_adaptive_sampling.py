"""Adaptive sampling on a real Slurm node (issue 18, "Sampling that adapts"): with
lagent.conf [sampling] adaptive = yes, a job's interval series
jobs.<jobid>.<node>.sampling.interval_seconds shows the fast interval at the job's start,
then the job's own one, and the job's samples really come that often; the host's
fructosa.lagent.<node>.sample_interval_seconds stays within the configured bounds.

One node (n1), its lagent and lmaster, a private carbon-cache (1 s precision).

Run: /usr/bin/python3 test_adaptive_sampling.py --build-dir BUILD
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402
from fructosa_stack import ProfiledCluster, with_jobid  # noqa: E402

JOB_INTERVAL = 4   # the job's own interval (the plugin's interval=)
FAST_INTERVAL = 1  # [sampling] job fast interval
FAST_SECONDS = 6   # [sampling] job fast seconds
HOST_MIN, HOST_MAX = 1, 8


class AdaptiveSampling(lib.SharedWorkspaceTestCase):
    @classmethod
    def start_class(cls):
        cls.stack = ProfiledCluster(
            cls.ws, nodes=("n1",), interval=JOB_INTERVAL, host_sensors=("VirtualMemory",), host_interval=2,
            agent_overrides={"sampling": {"adaptive": "yes", "job fast seconds": FAST_SECONDS,
                                          "job fast interval": FAST_INTERVAL,
                                          "host min interval": HOST_MIN, "host max interval": HOST_MAX}}).start()

    def test_a_job_is_sampled_fast_at_its_start_then_at_its_own_interval(self):
        jobid = self.stack.srun_job("--fructosa=on", "-N1", "-w", "n1", *with_jobid(["sleep", "16"]))
        path = "jobs.%d.n1.sampling.interval_seconds" % jobid
        carbon = self.stack.carbon
        lib.wait_until(lambda: JOB_INTERVAL in [v for _, v in carbon.values(path)], 20,
                       "%s to show the job's own interval" % path)
        values = [v for _, v in carbon.values(path)]
        # Fast first (about FAST_SECONDS / FAST_INTERVAL samples), then the job's own:
        # never fast again once it was slow.
        self.assertEqual(values[0], FAST_INTERVAL, values)
        self.assertGreaterEqual(values.count(FAST_INTERVAL), 3, values)
        first_slow = values.index(JOB_INTERVAL)
        self.assertEqual(set(values[:first_slow]), {FAST_INTERVAL}, values)
        self.assertEqual(set(values[first_slow:]), {JOB_INTERVAL}, values)
        # The samples themselves came that often: 1 s apart at the start, 4 s later.
        times = [t for t, _ in carbon.values("jobs.%d.n1.memory.current" % jobid)]
        gaps = [b - a for a, b in zip(times, times[1:])]
        self.assertGreaterEqual(len(gaps), 5, times)
        self.assertLessEqual(min(gaps[:3]), 2, gaps)
        self.assertGreaterEqual(max(gaps[-2:]), JOB_INTERVAL - 1, gaps)

    def test_the_hosts_interval_is_published_within_its_bounds(self):
        path = "fructosa.lagent.n1.sample_interval_seconds"
        carbon = self.stack.carbon
        lib.wait_until(lambda: len(carbon.values(path)) >= 2, 30, path)
        values = [v for _, v in carbon.values(path)]
        self.assertTrue(all(HOST_MIN <= v <= HOST_MAX for v in values), values)


if __name__ == "__main__":
    lib.main()
