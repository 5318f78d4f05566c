"""A private multi-node Slurm cluster on this one machine, for integration tests.

Standard library only (runs with Debian's /usr/bin/python3). One slurmctld and one
`slurmd -N <node>` per node, all with SLURM_CONF pointing at a slurm.conf written
under the cluster's own work directory, on fresh 127.0.0.1 ports, so a cluster runs
beside a real installation and beside the leftovers of an earlier, killed run.
See /work/shared/notes/virtual-cluster.md for the facts this relies on.

    cluster = SlurmCluster(workdir, plugin_path="build/spank/spank_fructosa.so",
                           plugin_args=["socket=/tmp/x/%n.sock"])
    cluster.start()
    try:
        result = cluster.run(["srun", "-N3", "-n3", "true"])
    finally:
        cluster.stop()
"""

import contextlib
import os
import random
import re
import signal
import time

import fructosa_testlib as lib
from slurm_config import (CGROUP_V1_ROOT, write_cgroup_conf, write_gres_conf, write_plugstack_conf,
                          write_slurm_conf)

SLURM_BIN = "/usr/bin"
SLURM_SBIN = "/usr/sbin"
CGROUP_V1_CONTROLLERS = ("cpuset", "memory", "cpuacct", "cpu", "freezer", "devices", "pids")
JOB_ID_BLOCK = 100000
TERMINAL_JOB_STATES = ("COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL",
                       "OUT_OF_MEMORY", "PREEMPTED", "BOOT_FAIL", "DEADLINE")


class ClusterError(AssertionError):
    """The cluster could not be started or did not answer in time. An AssertionError,
    like the other fixtures' failures: lib.wait_until stops at once on it."""


class SlurmCluster:
    """One slurmctld and one slurmd per node, all private to `workdir`.

    plugin_path: a SPANK plugin listed in the cluster's plugstack.conf (optional).
    plugin_args: its arguments (list of strings) on the plugstack line.
    extern_steps: PrologFlags=Contain, so every job gets an "extern" step.
    gpus: {node: [device file, ...]}: GRES gpu on those nodes (gres.conf File=), e.g.
      character devices 195:N a test made with mknod; constrain_devices: cgroup.conf's
      ConstrainDevices=yes (the job's devices cgroup allows only its GPUs).
    """

    def __init__(self, workdir, nodes=("n1", "n2", "n3"), plugin_path=None, plugin_args=(),
                 plugin_required=False, extern_steps=False, max_time="5", start_timeout=60, gpus=None,
                 constrain_devices=False):
        self.workdir = os.path.abspath(workdir)
        self.nodes = tuple(nodes)
        self.plugin_path = os.path.abspath(plugin_path) if plugin_path else None
        self.plugin_args = list(plugin_args)
        self.plugin_required = plugin_required
        self.extern_steps = extern_steps
        self.gpus = dict(gpus or {})
        self.constrain_devices = constrain_devices
        self.max_time = max_time
        self.start_timeout = start_timeout
        self.hostname = lib.short_hostname()
        self.cluster_name = "fr%d%04d" % (os.getpid() % 100000, random.randrange(10000))
        # Job ids unique per run: cgroup directories (slurm_<node>/uid_U/job_J) left by
        # an earlier, killed run with the same node names never collide with ours, and
        # [first_job_id, first_job_id + JOB_ID_BLOCK) tells our jobs from theirs.
        self.first_job_id = random.randrange(1, 600) * JOB_ID_BLOCK
        self.ctld_port = lib.free_port()
        self.node_ports = {node: lib.free_port() for node in self.nodes}
        self.conf_path = os.path.join(self.workdir, "slurm.conf")
        self.env = self._make_env()
        self._procs = {}          # name -> lib.Proc of a daemon this object started
        self._cgroup_preexisting = set()
        self.started_munged = False

    # ------------------------------------------------------------------ config
    def _make_env(self):
        env = {k: v for k, v in os.environ.items()
               if not (k.startswith("SLURM_") or k.startswith("SBATCH_")
                       or k.startswith("SALLOC_") or k.startswith("SRUN_")
                       or k.startswith("SPANK_") or k.startswith("_SLURM_SPANK"))}
        env["SLURM_CONF"] = self.conf_path
        return env

    def _path(self, *parts):
        return os.path.join(self.workdir, *parts)

    def write_config(self):
        os.makedirs(self.workdir, exist_ok=True)
        for d in ("state", "log", "run"):
            os.makedirs(self._path(d), exist_ok=True)
        for node in self.nodes:
            os.makedirs(self._path("spool", node), exist_ok=True)
        write_slurm_conf(self)
        write_cgroup_conf(self._path("cgroup.conf"), self.constrain_devices)
        if self.gpus:
            write_gres_conf(self._path("gres.conf"), self.gpus)
        self.write_plugstack(self.plugin_args)

    def write_plugstack(self, plugin_args):
        """(Re)writes plugstack.conf. srun/sbatch and new slurmstepds read it on each
        start, so tests may change the plugin's arguments between jobs."""
        self.plugin_args = list(plugin_args)
        write_plugstack_conf(self._path("plugstack.conf"), self.plugin_path, self.plugin_args,
                             self.plugin_required)

    # --------------------------------------------------------------- lifecycle
    def start(self):
        self.started_munged = lib.ensure_munged(timeout=15)
        self.write_config()
        self._record_cgroups()
        try:
            self._spawn("slurmctld", [os.path.join(SLURM_SBIN, "slurmctld"), "-D", "-i"])
            self._wait_for(self._ctld_answers, "slurmctld to answer")
            for node in self.nodes:
                self._spawn("slurmd-" + node, [os.path.join(SLURM_SBIN, "slurmd"), "-D", "-N", node])
            self._wait_for(self._nodes_idle, "nodes %s to be idle" % ",".join(self.nodes))
        except Exception:
            self.stop()
            raise
        return self

    def _spawn(self, name, argv):
        self._procs[name] = lib.start(argv, env=self.env, inherit_env=False, name=name,
                                      log_path=self._path("log", name + ".out"))

    def _check_alive(self):
        for name, proc in self._procs.items():
            if not proc.alive():
                raise ClusterError("%s exited with %s; see %s" % (
                    name, proc.returncode(), self._path("log")))

    def _wait_for(self, predicate, what):
        def ready():
            self._check_alive()
            return predicate()
        try:
            lib.wait_until(ready, self.start_timeout, what, 0.3)
        except lib.WaitTimeout as e:
            raise ClusterError("%s; logs in %s" % (e, self._path("log"))) from None

    def _ctld_answers(self):
        return self.run(["scontrol", "ping"], timeout=10).returncode == 0

    def node_states(self):
        r = self.run(["sinfo", "-h", "-N", "-o", "%N %t"], timeout=10)
        states = {}
        for line in r.stdout.splitlines():
            parts = line.split()
            if len(parts) == 2:
                states[parts[0]] = parts[1]
        return states

    def _nodes_idle(self):
        states = self.node_states()
        return all(states.get(n) == "idle" for n in self.nodes)

    def stop(self):
        """Cancels this cluster's jobs, then stops exactly the daemons it started (by
        pid) and waits for them; removes the cgroup directories of its own jobs."""
        ctld = self._procs.get("slurmctld")
        if ctld is not None and ctld.alive():
            self.run(["scancel", "--full", "--quiet", "-u", "root"], timeout=15)

            def queue_empty():
                r = self.run(["squeue", "-h", "-o", "%i"], timeout=10)
                return r.returncode != 0 or not r.stdout.strip()
            with contextlib.suppress(lib.WaitTimeout):
                lib.wait_until(queue_empty, 20, "the cluster's jobs to end", 0.3)
        for name in [n for n in self._procs if n != "slurmctld"] + ["slurmctld"]:
            proc = self._procs.get(name)
            if proc is not None:
                lib.stop(proc, timeout=15)
        self._procs.clear()
        self._clean_cgroups()

    def kill_daemons(self):
        """Simulates a crashed run (tests only): SIGKILL slurmctld and the slurmds,
        leaving running jobs and their cgroups behind. stop() still cleans up."""
        for proc in self._procs.values():
            if proc.alive():
                proc.popen.kill()
                proc.popen.wait(timeout=10)

    def job_cgroup_dirs(self, jobid, controller="memory"):
        """The job_<id> cgroup directories of a job on this cluster's nodes."""
        found = []
        for node in self.nodes:
            node_dir = os.path.join(CGROUP_V1_ROOT, controller, "slurm_" + node)
            for uid_dir in _subdirs(node_dir, "uid_"):
                job_dir = os.path.join(uid_dir, "job_%d" % int(jobid))
                if os.path.isdir(job_dir):
                    found.append(job_dir)
        return found

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ----------------------------------------------------------------- cgroups
    def _node_cgroup_dirs(self):
        for ctrl in CGROUP_V1_CONTROLLERS:
            for node in self.nodes:
                yield os.path.join(CGROUP_V1_ROOT, ctrl, "slurm_" + node)

    def _record_cgroups(self):
        self._cgroup_preexisting = {d for d in self._node_cgroup_dirs() if os.path.isdir(d)}

    def owns_job(self, jobid):
        return self.first_job_id <= int(jobid) < self.first_job_id + JOB_ID_BLOCK

    def _our_job_cgroups(self):
        job_re = re.compile(r"^job_(\d+)$")
        for node_dir in self._node_cgroup_dirs():
            for uid_dir in _subdirs(node_dir, "uid_"):
                for job_dir in _subdirs(uid_dir, "job_"):
                    m = job_re.match(os.path.basename(job_dir))
                    if m and self.owns_job(m.group(1)):
                        yield job_dir

    def _clean_cgroups(self):
        """After the daemons are gone: kills what still runs in this run's job
        cgroups (slurmstepds and tasks our jobs started, e.g. when scancel could not
        finish them), then rmdirs (bottom-up) those job_<id> directories and the
        uid_* and slurm_<node> directories this run created, if empty. rmdir fails on
        a cgroup that still has processes or children, and job ids outside this run's
        block are never touched, so nothing of another run is removed."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            pids = set()
            for job_dir in self._our_job_cgroups():
                pids |= _cgroup_pids(job_dir)
            if not pids:
                break
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            time.sleep(0.2)
        # A slurmstepd that was just killed may still be tearing its cgroups down:
        # retry briefly so slurm_<node> does not stay behind for the next run.
        deadline = time.monotonic() + 5
        while True:
            left = list(self._our_job_cgroups())
            for job_dir in left:
                _rmdir_tree(job_dir)
            if not left or not list(self._our_job_cgroups()) or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        for node_dir in self._node_cgroup_dirs():
            if node_dir not in self._cgroup_preexisting and os.path.isdir(node_dir):
                for uid_dir in _subdirs(node_dir, "uid_"):
                    _try_rmdir(uid_dir)
                _try_rmdir(node_dir)

    # ------------------------------------------------------------------- usage
    def run(self, args, timeout=60, input=None, env=None, cwd=None):
        """Runs a Slurm client (srun, sbatch, sinfo, squeue, scontrol, ...) against
        this cluster. Returns subprocess.CompletedProcess with text stdout/stderr."""
        full_env = dict(self.env)
        if env:
            full_env.update(env)
        argv = list(args)
        if not os.path.isabs(argv[0]):
            argv[0] = os.path.join(SLURM_BIN, argv[0])
        return lib.run(argv, env=full_env, inherit_env=False, input=input, timeout=timeout,
                       cwd=cwd or self.workdir)

    def submit(self, args, timeout=60, **kw):
        """sbatch --parsable ...; returns the job id (int)."""
        r = self.run(["sbatch", "--parsable"] + list(args), timeout=timeout, **kw)
        if r.returncode != 0:
            raise ClusterError("sbatch failed (%d): %s" % (r.returncode, r.stderr.strip()))
        return int(r.stdout.strip().split(";")[0])

    def job_info(self, jobid):
        """scontrol show job as a dict (Key=Value tokens), or {} if unknown."""
        r = self.run(["scontrol", "-o", "show", "job", str(jobid)], timeout=10)
        if r.returncode != 0:
            return {}
        info = {}
        for token in r.stdout.split():
            if "=" in token:
                k, v = token.split("=", 1)
                info.setdefault(k, v)
        return info

    def wait_job(self, jobid, timeout=60):
        """Waits until the job reaches a terminal state; returns its job_info dict."""
        def finished():
            info = self.job_info(jobid)
            return info if info.get("JobState") in TERMINAL_JOB_STATES else None
        try:
            return lib.wait_until(finished, timeout, "job %s to finish" % jobid, 0.3)
        except lib.WaitTimeout:
            raise ClusterError("job %s not finished after %ss: %s" % (
                jobid, timeout, self.job_info(jobid))) from None

    def log_text(self, name):
        """Contents of a daemon log: "slurmctld" or "slurmd-<node>"."""
        return lib.read_text(self._path("log", name + ".log"))


def _subdirs(path, prefix):
    try:
        return [os.path.join(path, e) for e in os.listdir(path)
                if e.startswith(prefix) and os.path.isdir(os.path.join(path, e))]
    except OSError:
        return []


def _cgroup_pids(path):
    """Pids in a cgroup directory tree (cgroup.procs of it and every child)."""
    pids = set()
    try:
        with open(os.path.join(path, "cgroup.procs")) as f:
            pids |= {int(x) for x in f.read().split()}
    except (OSError, ValueError):
        pass
    for child in _subdirs(path, ""):
        pids |= _cgroup_pids(child)
    return pids


def _try_rmdir(path):
    try:
        os.rmdir(path)
        return True
    except OSError:
        return False


def _rmdir_tree(path):
    """Removes a cgroup directory tree bottom-up with rmdir only (never unlink: the
    files in a cgroup are the kernel's)."""
    for entry in _subdirs(path, ""):
        _rmdir_tree(entry)
    _try_rmdir(path)


if __name__ == "__main__":
    # Manual check: start a cluster, run a 3-node job, stop.
    import sys
    import tempfile
    wd = tempfile.mkdtemp(prefix="fslurm-")
    c = SlurmCluster(wd, plugin_path=sys.argv[1] if len(sys.argv) > 1 else None,
                     plugin_args=sys.argv[2:])
    t0 = time.monotonic()
    c.start()
    print("started in %.1fs at %s" % (time.monotonic() - t0, wd))
    try:
        r = c.run(["srun", "-N%d" % len(c.nodes), "-n%d" % len(c.nodes), "sh", "-c",
                   "echo $SLURMD_NODENAME $SLURM_JOB_ID; cat /proc/self/cgroup | grep memory"])
        print(r.returncode, r.stdout, r.stderr)
    finally:
        c.stop()
