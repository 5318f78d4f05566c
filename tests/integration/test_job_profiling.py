"""Per-job profiling end to end on a real 3-node Slurm cluster (issue "Per-job profiling").

slurmctld + three slurmd (n1, n2, n3) on this host with spank_fructosa.so in a private
plugstack.conf, one lagent per node name (each on its own plugin socket, %n), lmaster and
a private carbon-cache. Jobs with known behaviour must leave the right job series in carbon:
jobs.<jobid>.<node>.<group>.<field>.

Run: /usr/bin/python3 test_job_profiling.py --build-dir BUILD
"""

import json
import os
import shlex
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402
from fructosa_stack import PY, ProfiledCluster, burn_cmd, with_jobid  # noqa: E402

NODES = ("n1", "n2", "n3")
TIMEOUT_MS = 200
# This VM has no RAPL: the Energy sensor reads the checked-in powercap fixture tree, so
# jobs get energy keys (0 J: the fixture's counters do not move).
POWERCAP_FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "fixtures", "rapl",
                                "sys", "class", "powercap")
HOST_SENSORS = {"VirtualMemory": {}, "Energy": {"powercap root": os.path.normpath(POWERCAP_FIXTURE)}}


class JobProfiling(lib.SharedWorkspaceTestCase):
    """One cluster and one FrUCToSA stack for the whole class: starting Slurm is slow."""

    @classmethod
    def start_class(cls):
        cls.stack = ProfiledCluster(cls.ws, nodes=NODES, timeout_ms=TIMEOUT_MS, host_sensors=HOST_SENSORS).start()
        cls.cluster, cls.carbon, cls.master = cls.stack.cluster, cls.stack.carbon, cls.stack.master
        cls.agents, cls.sock_pattern, cls.plugin_args = cls.stack.agents, cls.stack.sock_pattern, cls.stack.plugin_args

    def srun(self, *args, **kw):
        return self.stack.srun(*args, **kw)

    def srun_job(self, *args, **kw):
        return self.stack.srun_job(*args, **kw)

    def job_values(self, *args, **kw):
        return self.stack.job_values(*args, **kw)

    def job_series(self, jobid):
        return self.carbon.series("jobs.%d" % jobid)

    # --- tests ---------------------------------------------------------------------

    def test_cpu_burner_on_three_nodes_shows_high_cpu_on_each(self):
        jobid = self.srun_job("--fructosa=on", "-N3", "-n3", "--ntasks-per-node=1",
                              *with_jobid(burn_cmd(5)))
        # The three "nodes" share this host's cores and each slurmd pins its first task to
        # core 0, so three burners share one core: a third of a core each is "fully busy".
        for node in NODES:
            usage = self.job_values(jobid, node, "cpu.usage_percent", count=2)
            self.assertGreater(max(usage), 25, "%s: %s" % (node, usage))
            eff = self.job_values(jobid, node, "cpu.efficiency_percent")
            self.assertGreater(max(eff), 12, "%s: %s" % (node, eff))
            self.assertTrue(self.job_values(jobid, node, "memory.current"))

    def test_sleep_job_shows_near_zero_cpu(self):
        jobid = self.srun_job("--fructosa=on", "-N1", "-w", "n2", *with_jobid(["sleep", "4"]))
        usage = self.job_values(jobid, "n2", "cpu.usage_percent", count=2)
        self.assertLess(max(usage), 5, usage)

    def test_memory_job_shows_its_peak(self):
        alloc = "b = bytearray(500 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\nimport time\ntime.sleep(3)"
        jobid = self.srun_job("--fructosa=on", "--mem=900", "-w", "n3", *with_jobid([PY, "-c", alloc]))
        peak = max(self.job_values(jobid, "n3", "memory.peak", count=2))
        self.assertGreater(peak, 480 << 20)
        self.assertLess(peak, 800 << 20)

    def test_jobs_sharing_a_node_keep_their_own_figures(self):
        busy = self.stack.popen_srun("--fructosa=on", "-w", "n1", "-n1", "-c1", *with_jobid(burn_cmd(5)))
        quiet_id = self.srun_job("--fructosa=on", "-w", "n1", "-n1", "-c1", *with_jobid(["sleep", "4"]))
        busy_id = int(busy.communicate(timeout=60)[0].split()[0])
        self.assertNotEqual(quiet_id, busy_id)
        self.assertGreater(max(self.job_values(busy_id, "n1", "cpu.usage_percent", count=2)), 40)
        self.assertLess(max(self.job_values(quiet_id, "n1", "cpu.usage_percent", count=2)), 5)

    def test_off_gives_no_job_series(self):
        jobid = self.srun_job("--fructosa=off", "-N1", *with_jobid(["sleep", "2"]))
        on_id = self.srun_job("--fructosa=on", "-N1", *with_jobid(["sleep", "2"]))
        self.job_values(on_id, "n1", "memory.current")  # the profiled twin arrived...
        time.sleep(1)
        self.assertEqual(self.job_series(jobid), [])    # ...the other one has nothing

    def test_default_on_profiles_jobs_without_the_option(self):
        self.cluster.write_plugstack(self.plugin_args + ["default=on"])
        try:
            jobid = self.srun_job("-N1", "-w", "n2", *with_jobid(["sleep", "2"]))
        finally:
            self.cluster.write_plugstack(self.plugin_args)
        self.assertTrue(self.job_values(jobid, "n2", "memory.current"))

    def test_sbatch_with_the_option_is_profiled(self):
        out = os.path.join(self.ws.tmp, "batch.out")
        jobid = self.cluster.submit(["--fructosa=on", "-N1", "-w", "n3", "-o", out,
                                     "--wrap", " ".join(shlex.quote(a) for a in burn_cmd(3))])
        self.cluster.wait_job(jobid)
        self.assertGreater(max(self.job_values(jobid, "n3", "cpu.usage_percent", count=2)), 40)

    def test_short_job_still_gets_samples_and_a_summary(self):
        jobid = self.srun_job("--fructosa=on", "-N1", "-w", "n1", *with_jobid(burn_cmd(2)))
        record = lib.wait_until(lambda: self.stack.registry_job(jobid, status="finished"), 20,
                                "job %d to be finished in the registry" % jobid)
        summary = json.loads(record["nodes"][0]["summary"])
        self.assertGreaterEqual(summary["samples"], 2, summary)
        # The 2 s burn's CPU time is in the summary; on a loaded 2-core machine it may get
        # half a core, so the bound is a quarter of its wall time, far above "nothing".
        self.assertGreater(summary["cpu_seconds"], 0.5, summary)
        # The Energy sensor's totals reached the job: its estimate is in the summary.
        for key in ("energy_cpu_joules", "energy_dram_joules", "energy_joules"):
            self.assertIn(key, summary)
        # lmaster asked slurmctld for what the plugin cannot know.
        try:
            lib.wait_until(lambda: self.stack.registry_job(jobid, slurm_state="COMPLETED"), 30,
                           "job %d to be enriched with Slurm's final state" % jobid)
        except AssertionError:
            sys.stderr.write("lmaster log:\n" + "\n".join(l for l in self.master.log().splitlines() if "DEBUG" not in l)[-4000:])
            raise
        self.assertGreater(max(self.job_values(jobid, "n1", "cpu.usage_percent")), 40)

    def test_bogus_value_is_refused_at_submission(self):
        res = self.srun("--fructosa=bogus", "true", check=False)
        self.assertNotEqual(res.returncode, 0)
        self.assertIn("on", res.stderr)
        self.assertIn("off", res.stderr)

    def test_job_runs_unharmed_when_lagent_is_down(self):
        agent = self.agents["n2"]
        agent.stop()
        try:
            # Best of three each: Slurm's own scheduling jitter is larger than what we test.
            plain, profiled = [], []
            for _ in range(3):
                t0 = time.monotonic()
                self.srun("--fructosa=off", "-w", "n2", "true")
                plain.append(time.monotonic() - t0)
                t0 = time.monotonic()
                res = self.srun("--fructosa=on", "-w", "n2", "true")
                profiled.append(time.monotonic() - t0)
            plain, profiled = min(plain), min(profiled)
        finally:
            agent.run()
            lib.wait_until(lambda: os.path.exists(self.sock_pattern.replace("%n", "n2")), 15, "lagent n2 back")
        self.assertEqual(res.returncode, 0)
        print("\nlaunch without lagent: %.3f s profiled vs %.3f s unprofiled" % (profiled, plain))
        # Two messages (start, end) may each wait the timeout; the rest is margin for 2 cores.
        self.assertLess(profiled - plain, 2 * TIMEOUT_MS / 1000 + 1.5)

    def test_non_root_sender_is_refused(self):
        path = self.sock_pattern.replace("%n", "n3")
        d = os.path.dirname(path)
        while d.startswith(self.ws.tmp):  # let `nobody` reach the socket (mkdtemp makes 0700)
            os.chmod(d, 0o755)
            d = os.path.dirname(d)
        pid = os.fork()
        if pid == 0:  # child: become nobody, then try to forge a job start
            try:
                os.setgid(65534)
                os.setuid(65534)
                s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                s.connect(path)
                try:
                    s.sendall(b'{"v":1,"event":"step_start","job_id":999999,"step_id":"0","node":"n3","uid":65534}\n')
                except (BrokenPipeError, ConnectionResetError):
                    pass  # lagent already hung up on us: that is the refusal
                s.close()
                os._exit(0)
            except BaseException as e:
                sys.stderr.write("nobody's attempt: %r\n" % (e,))
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        self.assertEqual(status, 0, "nobody could not even connect to " + path)
        agent = self.agents["n3"]
        lib.wait_until(lambda: "refused a message" in agent.log(), 10, "lagent n3 to log the refusal")
        self.assertIn("from uid 65534", agent.log())
        self.assertNotIn("job 999999", agent.log())

    def test_restarted_lagent_reattaches_to_a_running_job(self):
        proc = self.stack.popen_srun("--fructosa=on", "-w", "n1", *with_jobid(["sleep", "8"]))
        jobid = int(proc.stdout.readline())
        self.job_values(jobid, "n1", "memory.current")
        agent = self.agents["n1"]
        agent.stop()
        agent.run()
        lib.wait_until(lambda: "job %d: re-attached" % jobid in agent.log(), 15, "lagent n1 to re-attach")
        proc.communicate(timeout=60)
        self.assertEqual(proc.returncode, 0)


if __name__ == "__main__":
    lib.main()
