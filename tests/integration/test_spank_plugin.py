"""spank_fructosa.so in a real 3-node Slurm cluster (slurmctld + 3 slurmd on this host).

Run: /usr/bin/python3 test_spank_plugin.py --build-dir BUILD
The plugin is BUILD/spank/spank_fructosa.so. Needs root, munge and Debian's slurmd,
slurmctld and slurm-client; skipped otherwise. A small unix-socket listener per node
(socket path with %n, node_listener.py) stands in for lagent and records every line it gets.
"""

import json
import os
import re
import shutil
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402
from node_listener import NodeListener  # noqa: E402
from slurm_cluster import SlurmCluster  # noqa: E402

NODES = ("n1", "n2", "n3")
TIMEOUT_MS = 300
MIN_INTERVAL = 2
INTERVAL = 10
# How much longer than a launch without FrUCToSA a launch may take when lagent is
# missing or stuck: the plugin's timeout per message, times the messages on the
# critical path, plus a generous margin for this shared 2-core machine.
LAUNCH_MARGIN_S = 3 * TIMEOUT_MS / 1000.0 + 3.0


def requirements_missing():
    if os.geteuid() != 0:
        return "needs root (slurmd, cgroups)"
    for tool in ("/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/srun", "/usr/sbin/munged"):
        if not os.path.exists(tool):
            return "%s is not installed" % tool
    if not os.path.isdir("/sys/fs/cgroup/memory"):
        return "needs cgroup v1 controllers (see notes/virtual-cluster.md)"
    return None


class SpankPluginTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        why = requirements_missing()
        if why:
            raise unittest.SkipTest(why)
        cls.plugin = os.path.join(lib.BUILD_DIR, "spank", "spank_fructosa.so")
        if not os.path.exists(cls.plugin):
            raise unittest.SkipTest("plugin not built: %s" % cls.plugin)
        # Short path: unix socket paths are limited to 107 bytes.
        cls.workdir = tempfile.mkdtemp(prefix="fspank-", dir="/tmp")
        os.chmod(cls.workdir, 0o755)
        cls.sockdir = os.path.join(cls.workdir, "s")
        os.makedirs(cls.sockdir)
        cls.socket_pattern = os.path.join(cls.sockdir, "%n.sock")
        cls.listeners = {}
        cls.cluster = SlurmCluster(os.path.join(cls.workdir, "slurm"), nodes=NODES,
                                   plugin_path=cls.plugin, plugin_args=cls.args(),
                                   extern_steps=True)
        t0 = time.monotonic()
        cls.cluster.start()
        print("\ncluster %s up in %.1fs" % (cls.cluster.cluster_name, time.monotonic() - t0),
              file=sys.stderr)
        cls.start_listeners("read")

    @classmethod
    def tearDownClass(cls):
        cls.stop_listeners()
        cls.cluster.stop()
        shutil.rmtree(cls.workdir, ignore_errors=True)

    @classmethod
    def args(cls, **overrides):
        args = {"socket": cls.socket_pattern, "timeout_ms": TIMEOUT_MS,
                "min_interval": MIN_INTERVAL, "interval": INTERVAL}
        args.update(overrides)
        return ["%s=%s" % kv for kv in args.items()]

    @classmethod
    def start_listeners(cls, mode):
        cls.stop_listeners()
        for node in NODES:
            cls.listeners[node] = NodeListener(node, cls.socket_pattern.replace("%n", node), mode)

    @classmethod
    def stop_listeners(cls):
        for listener in cls.listeners.values():
            listener.close()
        cls.listeners = {}

    def setUp(self):
        self.cluster.write_plugstack(self.args())
        if any(l.mode != "read" for l in self.listeners.values()) or not self.listeners:
            self.start_listeners("read")

    # ---------------------------------------------------------------- helpers
    def srun(self, *args, timeout=60):
        t0 = time.monotonic()
        r = self.cluster.run(["srun"] + list(args), timeout=timeout)
        return r, time.monotonic() - t0

    def job_messages(self, job_id):
        """{node: [message, ...]} for one job, as the listeners got them."""
        return {node: [m for m in l.messages() if m.get("job_id") == job_id]
                for node, l in self.listeners.items()}

    def wait_messages(self, job_id, predicate, timeout=15):
        """Waits until predicate(job_messages) holds (step_end is sent when each
        slurmstepd exits, which may be just after srun returns)."""
        deadline = time.monotonic() + timeout
        msgs = self.job_messages(job_id)
        while time.monotonic() < deadline:
            msgs = self.job_messages(job_id)
            if predicate(msgs):
                return msgs
            time.sleep(0.1)
        self.fail("messages for job %s never matched; got %s\nslurmd log n1 tail:\n%s" % (
            job_id, json.dumps(msgs, indent=1), self.cluster.log_text("slurmd-n1")[-3000:]))

    @staticmethod
    def events(msgs, node, event, step_id):
        return [m for m in msgs[node] if m["event"] == event and m["step_id"] == step_id]

    def job_id_from(self, r):
        ids = {int(x) for x in r.stdout.split()}
        self.assertEqual(len(ids), 1, r.stdout)
        return ids.pop()

    def baseline_launch_s(self):
        """Wall time of a 1-task srun without profiling: the reference for the bounds."""
        r, t = self.srun("--fructosa=off", "true")
        self.assertEqual(r.returncode, 0, r.stderr)
        return t

    # ------------------------------------------------------------------ tests
    def test_three_node_step_start_and_end(self):
        r, t = self.srun("--fructosa=on", "-N3", "-n3", "--job-name=fr job \"x\"",
                         "sh", "-c", "echo $SLURM_JOB_ID")
        print("launch srun -N3 -n3 --fructosa=on: %.2fs" % t, file=sys.stderr)
        self.assertEqual(r.returncode, 0, r.stderr)
        job_id = self.job_id_from(r)
        msgs = self.wait_messages(job_id, lambda m: all(
            self.events(m, n, "step_end", "0") for n in NODES))
        for node in NODES:
            starts = self.events(msgs, node, "step_start", "0")
            ends = self.events(msgs, node, "step_end", "0")
            self.assertEqual(len(starts), 1, msgs[node])
            self.assertEqual(len(ends), 1, msgs[node])
            s, e = starts[0], ends[0]
            self.assertEqual(s["v"], 1)
            self.assertEqual(s["node"], node)
            self.assertEqual(s["uid"], 0)
            self.assertEqual(s["user"], "root")
            self.assertEqual(s["partition"], "debug")
            self.assertEqual(s["job_name"], "fr job \"x\"")
            self.assertEqual(s["nodelist"], "n[1-3]")
            self.assertEqual(s["nnodes"], 3)
            self.assertEqual(s["ntasks"], 3)
            self.assertEqual(s["local_tasks"], 1)
            self.assertGreaterEqual(s["cpus"], 1)
            self.assertGreater(s["mem_mb"], 0)
            self.assertEqual(s["gpus"], 0)
            self.assertEqual(s["interval"], INTERVAL)
            self.assertIn("account", s)
            self.assertLess(abs(s["time"] - time.time()), 120)
            mem = s["cgroup"].get("memory", "")
            self.assertIn("/slurm_%s/" % node, mem)
            self.assertIn("/job_%d/step_0" % job_id, mem)
            self.assertIn("cpuset", s["cgroup"])
            self.assertIn("unified", s["cgroup"])
            self.assertEqual(e["node"], node)
            self.assertEqual(e["exit_status"], 0)
            self.assertGreaterEqual(e["time"], s["time"])

    def test_off_sends_nothing(self):
        r, _ = self.srun("--fructosa=off", "-N3", "-n3", "sh", "-c", "echo $SLURM_JOB_ID")
        self.assertEqual(r.returncode, 0, r.stderr)
        job_id = self.job_id_from(r)
        self.cluster.wait_job(job_id)
        time.sleep(1.0)
        self.assertEqual(self.job_messages(job_id), {n: [] for n in NODES})

    def test_no_option_sends_nothing_by_default(self):
        r, _ = self.srun("sh", "-c", "echo $SLURM_JOB_ID")
        self.assertEqual(r.returncode, 0, r.stderr)
        job_id = self.job_id_from(r)
        self.cluster.wait_job(job_id)
        time.sleep(1.0)
        self.assertEqual(self.job_messages(job_id), {n: [] for n in NODES})

    def test_site_default_on_profiles_without_option_including_extern_step(self):
        self.cluster.write_plugstack(self.args(default="on"))
        r, _ = self.srun("-N2", "-n2", "sh", "-c", "echo $SLURM_JOB_ID")
        self.assertEqual(r.returncode, 0, r.stderr)
        job_id = self.job_id_from(r)
        msgs = self.wait_messages(job_id, lambda m: sum(
            len(self.events(m, n, "step_end", s)) for n in NODES for s in ("0", "extern")) == 4)
        nodes_used = [n for n in NODES if self.events(msgs, n, "step_start", "0")]
        self.assertEqual(len(nodes_used), 2, msgs)
        for node in nodes_used:
            ext = self.events(msgs, node, "step_start", "extern")
            self.assertEqual(len(ext), 1, msgs[node])
            self.assertIn("/job_%d/step_extern" % job_id, ext[0]["cgroup"]["memory"])
            self.assertEqual(ext[0]["node"], node)
            self.assertEqual(ext[0]["user"], "root")
            self.assertGreaterEqual(ext[0]["cpus"], 1)
            self.assertEqual(self.events(msgs, node, "step_end", "extern")[0]["exit_status"], 0)
        # --fructosa=off still wins over the site default for the user's steps.
        r, _ = self.srun("--fructosa=off", "sh", "-c", "echo $SLURM_JOB_ID")
        job_id = self.job_id_from(r)
        self.cluster.wait_job(job_id)
        time.sleep(1.0)
        self.assertFalse(any(m["step_id"] == "0" for ms in self.job_messages(job_id).values()
                             for m in ms))

    def test_sbatch_batch_step_and_its_sruns(self):
        job_id = self.cluster.submit(["--fructosa=on", "-N2", "-o", "/dev/null",
                                      "--wrap", "srun -N2 -n2 true; srun --fructosa=off true"])
        info = self.cluster.wait_job(job_id)
        self.assertEqual(info.get("JobState"), "COMPLETED", info)
        msgs = self.wait_messages(job_id, lambda m: any(
            self.events(m, n, "step_end", "batch") for n in NODES) and sum(
            len(self.events(m, n, "step_end", "0")) for n in NODES) == 2)
        batch_nodes = [n for n in NODES if self.events(msgs, n, "step_start", "batch")]
        self.assertEqual(len(batch_nodes), 1, msgs)
        start = self.events(msgs, batch_nodes[0], "step_start", "batch")[0]
        self.assertIn("/job_%d/step_batch" % job_id, start["cgroup"]["memory"])
        self.assertEqual(start["node"], batch_nodes[0])
        self.assertEqual(start["user"], "root")  # from /etc/passwd: no SLURM_JOB_USER there
        self.assertEqual(start["partition"], "debug")
        self.assertEqual(start["nnodes"], 2)      # the job's, like nodelist
        self.assertEqual(start["ntasks"], 1)      # the script
        self.assertEqual(start["local_tasks"], 1)
        self.assertEqual(self.events(msgs, batch_nodes[0], "step_end", "batch")[0]["exit_status"], 0)
        step0 = [n for n in NODES if self.events(msgs, n, "step_start", "0")]
        self.assertEqual(len(step0), 2, msgs)
        for node in step0:  # the node name is this node's, not the batch node's
            self.assertEqual(self.events(msgs, node, "step_start", "0")[0]["node"], node)
        self.assertFalse(any(m["step_id"] == "1" for ms in msgs.values() for m in ms))

    def test_interactive_step_from_salloc(self):
        # LaunchParameters=use_interactive_step: salloc runs the shell as the
        # "interactive" step; script(1) gives it the terminal it wants.
        r = self.cluster.run(["script", "-qec", "salloc --fructosa=on -N1", "/dev/null"],
                             input="echo JOB=$SLURM_JOB_ID\nexit 4\n", env={"SHELL": "/bin/sh"},
                             timeout=60)
        # The terminal may echo stray bytes (NUL) before the output: search, not split.
        ids = [int(x) for x in re.findall(r"JOB=(\d+)", r.stdout)]
        self.assertTrue(ids, r.stdout + r.stderr)
        job_id = ids[0]
        msgs = self.wait_messages(job_id, lambda m: any(
            self.events(m, n, "step_end", "interactive") for n in NODES))
        node = [n for n in NODES if self.events(msgs, n, "step_start", "interactive")][0]
        start = self.events(msgs, node, "step_start", "interactive")[0]
        self.assertIn("/job_%d/step_interactive" % job_id, start["cgroup"]["memory"])
        self.assertEqual(self.events(msgs, node, "step_end", "interactive")[0]["exit_status"], 4)

    def test_options_in_srun_help(self):
        r = self.cluster.run(["srun", "--help"])
        self.assertIn("--fructosa=on|off", r.stdout)
        self.assertIn("--fructosa-interval=SECONDS", r.stdout)
        self.assertIn("site default: off", r.stdout)

    def test_bad_option_value_fails_submission(self):
        r, _ = self.srun("--fructosa=bogus", "true")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("spank_fructosa", r.stderr)
        self.assertIn("on|off", r.stderr)
        r = self.cluster.run(["sbatch", "--fructosa=maybe", "--wrap", "true"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("on|off", r.stderr)
        r = self.cluster.run(["salloc", "--fructosa=1", "true"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("on|off", r.stderr)

    def test_interval_option(self):
        for bad in ("0.5", "0", "-3", "abc", "nan"):
            r, _ = self.srun("--fructosa=on", "--fructosa-interval=%s" % bad, "true")
            self.assertNotEqual(r.returncode, 0, bad)
            self.assertIn("fructosa-interval", r.stderr)
            self.assertIn(">= %g" % MIN_INTERVAL, r.stderr)
        r, _ = self.srun("--fructosa", "--fructosa-interval=2.5", "sh", "-c", "echo $SLURM_JOB_ID")
        self.assertEqual(r.returncode, 0, r.stderr)
        job_id = self.job_id_from(r)
        msgs = self.wait_messages(job_id, lambda m: any(
            self.events(m, n, "step_start", "0") for n in NODES))
        start = [m for ms in msgs.values() for m in ms if m["event"] == "step_start"][0]
        self.assertEqual(start["interval"], 2.5)

    def test_exit_status_reported(self):
        r, _ = self.srun("--fructosa=on", "-N2", "-n2", "sh", "-c", "echo $SLURM_JOB_ID; exit 3")
        self.assertNotEqual(r.returncode, 0)
        job_id = self.job_id_from(r)
        msgs = self.wait_messages(job_id, lambda m: sum(
            len(self.events(m, n, "step_end", "0")) for n in NODES) == 2)
        for node in NODES:
            for e in self.events(msgs, node, "step_end", "0"):
                self.assertEqual(e["exit_status"], 3)

    def check_job_unharmed(self, label):
        base = self.baseline_launch_s()
        r, t = self.srun("--fructosa=on", "-N3", "-n3", "true")
        print("launch %s: %.2fs (without profiling %.2fs, timeout %d ms)"
              % (label, t, base, TIMEOUT_MS), file=sys.stderr)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("spank_fructosa", r.stdout)
        self.assertLess(t, base + LAUNCH_MARGIN_S)
        return t, base

    def test_missing_socket_does_not_harm_job(self):
        self.stop_listeners()
        self.check_job_unharmed("with no lagent socket")
        self.assertIn("not delivered to lagent", self.cluster.log_text("slurmd-n1"))

    def test_listener_that_never_reads_does_not_harm_job(self):
        self.start_listeners("hold")
        self.check_job_unharmed("with a lagent that accepts and never reads")

    def test_listener_with_full_backlog_times_out(self):
        self.start_listeners("full")
        t, base = self.check_job_unharmed("with a lagent that never accepts (backlog full)")
        self.assertIn("timed out after %d ms while connecting" % TIMEOUT_MS,
                      self.cluster.log_text("slurmd-n2"))


class ClusterBesideKilledRunTest(unittest.TestCase):
    """A new cluster works beside the leftovers of a killed run with the same node
    names (fresh ports, dirs, cluster name, job id block), and each cleans only its
    own job cgroups."""

    def test_new_cluster_beside_killed_one(self):
        why = requirements_missing()
        if why:
            self.skipTest(why)
        workdir = tempfile.mkdtemp(prefix="fkill-", dir="/tmp")
        old = SlurmCluster(os.path.join(workdir, "old"), nodes=NODES)
        old.start()
        try:
            old_job = old.submit(["-N3", "-o", "/dev/null", "--wrap", "srun -N3 sleep 300"])
            deadline = time.monotonic() + 30
            while len(old.job_cgroup_dirs(old_job)) < 3 or not all(
                    os.path.isdir(os.path.join(d, "step_0")) for d in old.job_cgroup_dirs(old_job)):
                self.assertLess(time.monotonic(), deadline, "old job never started")
                time.sleep(0.2)
            old.kill_daemons()
            new = SlurmCluster(os.path.join(workdir, "new"), nodes=NODES)
            self.assertNotEqual(new.cluster_name, old.cluster_name)
            self.assertNotEqual(new.ctld_port, old.ctld_port)
            self.assertNotEqual(new.first_job_id, old.first_job_id)
            new.start()
            try:
                r = new.run(["srun", "-N3", "-n3", "sh", "-c", "echo $SLURM_JOB_ID"])
                self.assertEqual(r.returncode, 0, r.stderr)
                new_job = int(r.stdout.split()[0])
                self.assertTrue(new.owns_job(new_job))
                self.assertFalse(new.owns_job(old_job))
            finally:
                new.stop()
            self.assertEqual(new.job_cgroup_dirs(new_job), [])
            self.assertEqual(len(old.job_cgroup_dirs(old_job)), 3, "the old job is not ours")
        finally:
            old.stop()
            shutil.rmtree(workdir, ignore_errors=True)
        self.assertEqual(old.job_cgroup_dirs(old_job), [])


if __name__ == "__main__":
    lib.main()
