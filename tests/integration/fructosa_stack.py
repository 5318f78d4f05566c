"""A whole FrUCToSA installation on one machine, for the tests and the demo.

ProfiledCluster starts, in order: a private Slurm cluster (slurmctld + one slurmd per
node, spank_fructosa.so in its plugstack.conf), carbon-cache, lmaster (job registry,
enrichment from that slurmctld), one lagent per node name on its own plugin socket,
and optionally perad and graphite-web. Everything is registered with the owner's
cleanups (a unittest TestCase or a fructosa_testlib.Workspace) and stopped by pid.
"""

import json
import os
import sqlite3
import subprocess

import fructosa_testlib as lib
from slurm_cluster import SlurmCluster

PY = "/usr/bin/python3"


def burn_cmd(seconds):
    """A task that keeps one core busy for `seconds`."""
    return [PY, "-c", "import time\nt=time.time()\nwhile time.time()-t<%s: pass" % seconds]


# Writes TOTAL MiB at RATE MiB/s into PATH, 1 MiB at a time, syncing as it goes, then
# removes the file. Buffered writes count in /proc/<pid>/io write_bytes when the pages
# are dirtied, so the job's I/O shows while it runs.
_STREAM = """
import os, sys, time
path, rate, total = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
block = b"x" * (1 << 20)
t0 = time.time()
with open(path, "wb") as f:
    for i in range(total):
        f.write(block)
        if i % 8 == 7:
            f.flush(); os.fsync(f.fileno())
        ahead = (i + 1) / rate - (time.time() - t0)
        if ahead > 0:
            time.sleep(ahead)
os.remove(path)
"""


def stream_to_disk_cmd(path, rate_mib_s, total_mib):
    """A task that streams `total_mib` MiB to `path` at `rate_mib_s` MiB/s with little CPU."""
    return [PY, "-c", _STREAM, path, str(rate_mib_s), str(total_mib)]


def busy_processes_cmd(count, seconds):
    """A task that starts `count` processes, each keeping a core busy for `seconds`."""
    burn = burn_cmd(seconds)
    return ["/bin/sh", "-c", 'i=0; while [ $i -lt %d ]; do "$@" & i=$((i+1)); done; wait' % count, "sh"] + burn


def with_jobid(cmd):
    """A task command that prints $SLURM_JOB_ID first, then runs `cmd` (a list)."""
    return ["/bin/sh", "-c", 'echo $SLURM_JOB_ID; exec "$@"', "sh"] + list(cmd)


class ProfiledCluster:
    def __init__(self, owner, nodes=("n1", "n2", "n3"), timeout_ms=200, interval=1, host_sensors=("VirtualMemory",),
                 host_interval=5, perad=False, perad_rules=None, graphite_web=False, registry=None, gpus=None,
                 constrain_devices=False, agent_overrides=None, lmasters=1, postgres=None):
        self.owner = owner
        self.nodes = tuple(nodes)
        self.timeout_ms = timeout_ms
        self.interval = interval
        self.host_sensors = host_sensors
        self.host_interval = host_interval
        self.want_perad = perad
        self.perad_rules = perad_rules or {}
        self.want_graphite_web = graphite_web
        # lmaster.conf's [registry] keys beyond the defaults here (e.g. a short "partial after").
        self.registry = dict({"partial after": 60}, **(registry or {}))
        self.gpus = gpus  # SlurmCluster's: {node: [device file, ...]}
        self.constrain_devices = constrain_devices
        # lagent.conf sections beyond the defaults here (e.g. [sampling]), for every node.
        self.agent_overrides = agent_overrides or {}
        # Several lmasters share the registry (a PostgreSQL one: `postgres`, a
        # PostgresServer, with registry={"path": None, "url": ...}); node i reports to
        # lmaster i mod lmasters.
        self.lmaster_count = lmasters
        self.postgres = postgres
        self.masters = []
        self.agents = {}
        self.perad_proc = None
        self.graphite = None

    # --- start ---------------------------------------------------------------------

    def start(self):
        owner = self.owner
        owner.need_binaries("lagent", "lmaster", *(["perad"] if self.want_perad else []))
        plugin = os.path.join(lib.BUILD_DIR, "spank", "spank_fructosa.so")
        if not os.path.exists(plugin):
            raise AssertionError("spank_fructosa.so is not built: " + plugin)
        self.sock_pattern = os.path.join(owner.subdir("sockets"), "%n.sock")
        self.plugin_args = ["socket=" + self.sock_pattern, "timeout_ms=%d" % self.timeout_ms,
                            "min_interval=0.5", "interval=%s" % self.interval]
        self.cluster = SlurmCluster(owner.subdir("slurm"), nodes=self.nodes, plugin_path=plugin,
                                    plugin_args=self.plugin_args, gpus=self.gpus,
                                    constrain_devices=self.constrain_devices)
        # slurmctld first: lmaster reads its slurm.conf at start to enrich job records.
        self.cluster.start()
        owner.addCleanup(self.cluster.stop)
        self.carbon = lib.CarbonCache(owner).start()
        for i in range(self.lmaster_count):
            self.masters.append(lib.Lmaster(owner, self.carbon,
                                            {"slurm": {"enrich": "yes", "conf": self.cluster.conf_path},
                                             "registry": self.registry},
                                            name="lmaster" if i == 0 else "lmaster%d" % (i + 1)).run())
        for m in self.masters:
            m.wait_listening()
        self.master = self.masters[0]
        for i, node in enumerate(self.nodes):
            master = self.masters[i % len(self.masters)]
            self.agents[node] = lib.Lagent(owner, master.port, hostname=node, sensors=self.host_sensors,
                                           interval=self.host_interval,
                                           overrides=lib.merge_config(
                                               {"jobs": {"socket": self.sock_pattern, "min interval": 0.5}},
                                               self.agent_overrides),
                                           name="lagent-" + node).run()
        for node in self.nodes:
            path = self.sock_pattern.replace("%n", node)
            lib.wait_until(lambda: os.path.exists(path), 15, "lagent of %s to listen on %s" % (node, path))
        # graphite-web before perad: perad.conf's [graphite] web url points at it.
        if self.want_graphite_web:
            self.graphite = lib.GraphiteWeb(owner, self.carbon).start()
        if self.want_perad:
            self._start_perad()
        return self

    def _start_perad(self):
        d = self.owner.subdir("perad")
        self.perad_conf = os.path.join(d, "perad.conf")
        lib.write_ini(self.perad_conf, {
            "registry": ({"url": self.registry["url"]} if self.registry.get("url")
                         else {"path": self.master.registry_path}),
            "perad": {"poll interval": 1},
            "rules": self.perad_rules,
            "graphite": dict({"host": "127.0.0.1", "carbon receiver plaintext port": self.carbon.line_port},
                             **({"web url": "http://127.0.0.1:%d" % self.graphite.port} if self.graphite else {})),
            "logging": {"filename": os.path.join(d, "perad.log"), "level": "DEBUG"},
        })
        self.perad_proc = lib.start([lib.binary("perad"), "run", "-c", self.perad_conf,
                                     "-p", os.path.join(d, "perad.pid")],
                                    log_path=os.path.join(d, "console.out"), name="perad")
        self.owner.addCleanup(lib.stop, self.perad_proc)

    # --- jobs ----------------------------------------------------------------------

    def srun(self, *args, timeout=120, check=True):
        res = self.cluster.run(["srun"] + list(args), timeout=timeout)
        if check and res.returncode != 0:
            raise AssertionError("srun %s failed (%d):\n%s%s" % (" ".join(args), res.returncode, res.stdout,
                                                                   res.stderr))
        return res

    def srun_job(self, *args, check=True, **kw):
        """Runs `srun ARGS... with_jobid(CMD)`-style commands; returns the job id the task printed."""
        res = self.srun(*args, check=check, **kw)
        return int(res.stdout.split()[0])

    def popen_srun(self, *args):
        return subprocess.Popen(["srun"] + list(args), stdout=subprocess.PIPE, text=True, env=self.cluster.env)

    # --- what landed ---------------------------------------------------------------

    def job_values(self, jobid, node, field, count=1, timeout=20):
        path = "jobs.%d.%s.%s" % (jobid, node, field)
        lib.wait_until(lambda: len(self.carbon.values(path)) >= count, timeout, "series " + path)
        return [v for _, v in self.carbon.values(path)]

    def registry_job(self, jobid, **want):
        """The registry's jobs row of `jobid` (with a list of its job_nodes rows under
        "nodes") if every column in `want` has the wanted value; else None."""
        if self.registry.get("url"):
            return self._pg_registry_job(jobid, want)
        db = sqlite3.connect("file:%s?mode=ro" % self.master.registry_path, uri=True, timeout=5)
        db.row_factory = sqlite3.Row
        try:
            row = db.execute("SELECT * FROM jobs WHERE job_id = ?", (jobid,)).fetchone()
            nodes = db.execute("SELECT * FROM job_nodes WHERE job_id = ?", (jobid,)).fetchall()
        except sqlite3.OperationalError:
            return None
        finally:
            db.close()
        if row is None or any(row[k] != v for k, v in want.items()):
            return None
        out = dict(row)
        out["nodes"] = [dict(n) for n in nodes]
        return out

    def _pg_registry_job(self, jobid, want):
        res = self.postgres.psql(self.registry["url"].rsplit("/", 1)[1],
                                 "SELECT json_build_object('job', row_to_json(j), 'nodes',"
                                 " (SELECT COALESCE(json_agg(row_to_json(n)), '[]') FROM job_nodes n"
                                 " WHERE n.job_id = j.job_id)) FROM jobs j WHERE j.job_id = %d" % int(jobid),
                                 check=False)
        if res.returncode != 0 or not res.stdout.strip():
            return None
        got = json.loads(res.stdout)
        row = got["job"]
        if any(row[k] != v for k, v in want.items()):
            return None
        row["nodes"] = got["nodes"]
        return row

    def perad(self, *args, check=True):
        res = lib.run([lib.binary("perad")] + list(args) + ["-c", self.perad_conf], timeout=30)
        if check and res.returncode != 0:
            raise AssertionError("perad %s failed (%d): %s" % (" ".join(args), res.returncode, res.stderr))
        return res

    def verdict(self, jobid, timeout=60):
        """perad's stored verdict on `jobid` (`perad show --format json`), taken once the job
        is finished and lmaster has added Slurm's final state (which makes perad judge again)."""
        lib.wait_until(lambda: self.registry_job(jobid, status="finished") and
                       self.registry_job(jobid)["slurm_state"], timeout,
                       "job %d to be finished and enriched in the registry" % jobid)

        def classified():
            res = self.perad("show", str(jobid), "--format", "json", check=False)
            if res.returncode != 0:
                return None
            shown = json.loads(res.stdout)
            return shown if shown.get("classification_stored") and shown.get("slurm_state") else None
        return lib.wait_until(classified, timeout, "perad to classify job %d" % jobid)
