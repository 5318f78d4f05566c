"""Grafana dashboards of make-fructosa-dashboard (issue "Grafana dashboards").

There is no Grafana to install here, so the dashboards are checked the two ways that
remain (see /work/shared/notes/graphite-and-grafana.md):

1. RenderEveryTarget: a private carbon-cache + graphite-web, lmaster, lagents with every
   sensor for the nodes n1..n3 of a real 3-node Slurm cluster (spank_fructosa.so, as in
   test_job_profiling.py) plus one more lagent named CamelHost (case kept end to end),
   and a real profiled job. Every target of every panel of the node, per-host, cluster
   and job dashboards, its variables substituted (host = a real node, jobid = the job,
   node = the job's nodes), must return at least one non-null point from /render. The
   Graphite queries behind the variables (host, jobid, node) must list the real values.
2. SchemaAndUpload: the JSON type-checks against Grafana's own dashboard model
   (@grafana/schema + typescript, `npm install` into tests/integration/grafana_schema on
   first use); a broken copy must fail. The upload goes to a local http.server that
   checks method, path, Authorization header and body.

Panels allowed to be empty are those whose description says "Empty on machines without
<feature>" AND whose feature this machine lacks (decided below from /sys and /run, not
from a list of titles): hwmon temperature or fan sensors; cgroup v2 (pressure stall
information, and job I/O: Slurm's cgroup v1 plugin gives jobs no blkio cgroup); a utmp
file (logged-in sessions; containers have none); InfiniBand or Omni-Path ports, NFS or
Lustre client mounts, a PMU (hardware performance counters). The lagents run every host
sensor (lib.ALL_SENSORS), so the tables of top processes must show data; one test checks
that they name a running job's process. The GPU panels always get data: every lagent
here reads the fake libnvidia-ml.so.1 of the tests (a GPU and a MIG GPU), and Slurm
gives the job a GPU (gres.conf File= on a device node the test makes). Where the
machine has the feature, the panel must return data like any other.

Run: /usr/bin/python3 test_dashboards.py --build-dir BUILD
"""

import glob
import json
import os
import re
import shutil
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402
from fake_grafana import UploadHandler, start_fake_grafana  # noqa: E402
from fructosa_stack import PY, ProfiledCluster, burn_cmd, with_jobid  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_DIR = os.path.join(HERE, "grafana_schema")
NODES = ("n1", "n2", "n3")
EXTRA_HOST = "CamelHost"   # a lagent outside Slurm whose name has capitals

MARKER = "Empty on machines without "
# The fake NVML's GPUs (tests/fake_nvml/fake_nvml.c): GPU 0 (/dev/nvidia0, the job's) and
# GPU 1 in MIG mode with one instance.
NVML_TABLE = ("gpu 0 minor=0 util=40 mem_util=10 mem_used=2000000000 mem_total=16000000000 power_mw=120000 "
              "energy_mj=7000000 temp=50 sm_clock=1400 throttle=0\n"
              "gpu 1 minor=1 util=0 mem_util=0 mem_used=1000000000 mem_total=40000000000 power_mw=60000 "
              "energy_mj=100 temp=40 sm_clock=200 throttle=0\n"
              "mig 1 0 mem_used=1000000000 mem_total=10000000000\n")
# The job: burns CPU, holds memory and writes a file on each of its nodes for ~6 s.
JOB_TASK = ("import os,time\nb=bytearray(64<<20)\nfor i in range(0,len(b),4096): b[i]=1\n"
            "p='/tmp/fructosa-dash-%d' % os.getpid()\nt=time.time()\n"
            "while time.time()-t<6:\n"
            "    open(p,'wb').write(os.urandom(1<<20)); os.fsync(os.open(p,os.O_RDONLY)); sum(range(20000))\n"
            "os.unlink(p)\n")


def make_dashboards(out_dir, *args):
    res = lib.run([lib.binary("make-fructosa-dashboard")] + list(args) + ["--out", out_dir], timeout=60)
    if res.returncode != 0:
        raise AssertionError("make-fructosa-dashboard failed (%d):\n%s%s" % (res.returncode, res.stdout, res.stderr))
    return sorted(glob.glob(os.path.join(out_dir, "*.json")))


def all_panels(dashboard):
    for p in dashboard.get("panels", []):
        yield p
        for c in p.get("panels", []):
            yield c


def missing_features():
    """Marker reasons ("Empty on machines without <reason>") this machine justifies."""
    reasons = set()  # never "GPU sensors": the test brings its fake GPUs
    if not glob.glob("/sys/class/hwmon/hwmon*/temp*_input"):
        reasons.add("hwmon temperature sensors")
    if not glob.glob("/sys/class/hwmon/hwmon*/fan*_input"):
        reasons.add("hwmon fan sensors")
    if not os.path.exists("/sys/fs/cgroup/cgroup.controllers"):  # Slurm's cgroups are v1 here
        reasons.add("cgroup v2")
    if not os.path.exists("/run/utmp") and not os.path.exists("/var/run/utmp"):
        reasons.add("a utmp file")
    if not any(open(lid).read().strip() not in ("", "0x0", "0")
               for lid in glob.glob("/sys/class/infiniband/*/ports/*/lid")):
        reasons.add("InfiniBand or Omni-Path ports")
    with open("/proc/self/mountstats") as f:
        nfs = any(" with fstype nfs" in line for line in f)
    lustre = glob.glob("/sys/kernel/debug/lustre/llite/*") or glob.glob("/proc/fs/lustre/llite/*")
    if not nfs:
        reasons.add("NFS mounts")
    if not lustre:
        reasons.add("Lustre client mounts")
    if not nfs and not lustre:
        reasons.add("NFS or Lustre client mounts")
    # A core PMU: "cpu" (x86), "cpu_core"/"cpu_atom" (hybrid x86), "armv8_pmuv3_0" (Arm).
    if not glob.glob("/sys/bus/event_source/devices/cpu*") and not glob.glob("/sys/bus/event_source/devices/armv*"):
        reasons.add("hardware performance counters")
    return reasons


def marker_reason(panel):
    """The feature a panel's description says it needs, or None."""
    desc = panel.get("description", "")
    if MARKER not in desc:
        return None
    rest = desc.split(MARKER, 1)[1]
    for reason in ("hwmon temperature sensors", "hwmon fan sensors", "cgroup v2", "GPU sensors", "a utmp file",
                   "InfiniBand or Omni-Path ports", "NFS or Lustre client mounts", "NFS mounts",
                   "Lustre client mounts", "hardware performance counters"):
        if rest.startswith(reason):
            return reason
    raise AssertionError("panel %r: unknown reason in %r: decide in test_dashboards.py when it may be empty"
                         % (panel.get("title"), desc))


def substitute(target, values):
    """Replaces $name, ${name} and [[name]] of Grafana variables by `values`."""
    def repl(m):
        name = m.group(1) or m.group(2) or m.group(3)
        if name not in values:
            raise AssertionError("target %r uses $%s, which the test has no value for" % (target, name))
        return values[name]
    return re.sub(r"\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)\]\]", repl, target)


class RenderEveryTarget(lib.SharedWorkspaceTestCase):
    """One stack, one cluster, one job for the whole class: starting Slurm is slow."""

    @classmethod
    def start_class(cls):
        cls._start_stack()

    @classmethod
    def _start_stack(cls):
        ws = cls.ws
        ws.need_binaries("make-fructosa-dashboard")
        fake = os.path.join(lib.BUILD_DIR, "tests", "fake_nvml", "libnvidia-ml.so.1")
        table = os.path.join(ws.subdir("nvml"), "table")
        with open(table, "w") as f:
            f.write(NVML_TABLE)
        os.environ["FAKE_NVML_TABLE"] = table  # the lagents inherit it
        ws.addCleanup(os.environ.pop, "FAKE_NVML_TABLE", None)
        dev = os.path.join(ws.subdir("dev"), "nvidia0")
        os.mknod(dev, stat.S_IFCHR | 0o600, os.makedev(195, 0))
        sensors = dict({s: {} for s in lib.ALL_SENSORS}, GPU={"library": fake})
        cls.stack = ProfiledCluster(ws, nodes=NODES, host_sensors=sensors, host_interval=2, perad=True,
                                    perad_rules={"too short seconds": 2}, graphite_web=True,
                                    gpus={n: [dev] for n in NODES}).start()
        cls.carbon, cls.graphite, cls.master = cls.stack.carbon, cls.stack.graphite, cls.stack.master
        cls.cluster = cls.stack.cluster
        lib.Lagent(ws, cls.master.port, hostname=EXTRA_HOST, sensors=sensors, interval=2,
                   name="lagent-" + EXTRA_HOST).run()
        cls.job_started = time.time()
        res = cls.stack.srun("--fructosa=on", "-N3", "-n3", "--ntasks-per-node=1", "--mem=300", "--gres=gpu:1",
                             *with_jobid([PY, "-c", JOB_TASK]), timeout=180)
        cls.jobid = int(res.stdout.split()[0])
        cls.job_ended = time.time()
        # perad classifies the job and sends its class to Graphite for the job dashboard.
        cls.job_class = cls.stack.verdict(cls.jobid)["class"]
        lib.wait_until(lambda: cls.carbon.series("fructosa.perad.jobs.%d.class" % cls.jobid), 30,
                       "perad to send the class of job %d" % cls.jobid)

        cls.out = ws.subdir("dashboards")
        hosts = os.path.join(ws.tmp, "hosts.ini")
        with open(hosts, "w") as f:
            f.write("[hosts]\nn[1-3]\n%s\n" % EXTRA_HOST)
        cls.files = make_dashboards(cls.out, hosts)

    # --- helpers -------------------------------------------------------------------

    def load(self, name):
        with open(os.path.join(self.out, name)) as f:
            return json.load(f)

    def variables(self, dashboard, host="n1"):
        return {"ds": "irrelevant", "host": host, "jobid": str(self.jobid), "node": "{%s}" % ",".join(NODES)}

    def has_data(self, target):
        try:
            series = self.graphite.render(target, from_="-15min")
        except Exception as e:  # a 500 from a bad expression: report it as such
            return "render error: %s" % e
        if any(v is not None for s in series for v, _ in s["datapoints"]):
            return None
        return "no data (%d series, all empty or null)" % len(series)

    def check_every_target(self, file, host="n1", timeout=90):
        dashboard = self.load(file)
        allowed = missing_features()
        checks = []  # (panel title, refId, substituted target)
        for p in all_panels(dashboard):
            if p.get("type") in ("row", "text"):
                continue
            reason = marker_reason(p)
            if reason in allowed:
                continue
            for t in p.get("targets", []):
                checks.append((p["title"], t["refId"], substitute(t["target"], self.variables(dashboard, host))))
        self.assertGreater(len(checks), 10)
        # Rates need two points and some series only appear after a few samples: retry.
        deadline = time.monotonic() + timeout
        while True:
            failing = [(title, ref, target, why) for title, ref, target in checks
                       for why in [self.has_data(target)] if why]
            if not failing or time.monotonic() > deadline:
                break
            checks = [(t, r, x) for t, r, x, _ in failing]
            time.sleep(3)
        self.assertEqual([], failing, "%s: panels whose target returns no data:\n%s" % (
            file, "\n".join("  %r %s: %s -> %s" % f for f in failing)))

    # --- tests ---------------------------------------------------------------------

    def test_files_written_with_host_names_as_given(self):
        names = sorted(os.path.basename(f) for f in self.files)
        self.assertEqual(names, sorted(["fructosa-node.json", "fructosa-cluster.json", "fructosa-job.json",
                                        "n1.json", "n2.json", "n3.json", EXTRA_HOST + ".json"]))
        d = self.load(EXTRA_HOST + ".json")
        self.assertEqual(d["title"], "FrUCToSA node " + EXTRA_HOST)
        self.assertEqual(d["templating"]["list"][1]["current"]["value"], [EXTRA_HOST])

    def test_top_processes_name_the_job_of_a_busy_process(self):
        # The three nodes share this machine's /proc, so every lagent sees the job's
        # process; n2's list is checked, the node the job runs on.
        busy = self.stack.popen_srun("--fructosa=on", "-w", "n2", "-n1", "-c1", *with_jobid(burn_cmd(15)))
        try:
            jobid = int(busy.stdout.readline().split()[0])

            def named():
                for path in self.carbon.series("n2.TopProcesses.cpu"):
                    if path.endswith(".jobid") and self.carbon.latest(path) == jobid:
                        return path
                return None
            path = lib.wait_until(named, 30, "a TopProcesses series of n2 naming job %d" % jobid)
            # n2.TopProcesses.cpu.<rank>.<user>.<command>.jobid: the job's python3, busy.
            self.assertRegex(path, r"^n2\.TopProcesses\.cpu\.[1-5]\.[A-Za-z0-9_-]+\.python3\.jobid$")
            base = path[:-len(".jobid")]
            # Busy, though on a loaded 2-core machine far from a whole core.
            self.assertGreater(lib.wait_until(lambda: self.carbon.latest(base + ".cpu_percent"), 10,
                                              base + ".cpu_percent"), 10)
            # The pid is the job's own python3, still running in the job's cgroup.
            pid = int(self.carbon.latest(base + ".pid"))
            self.assertEqual(lib.pid_comm(pid), "python3")
            with open("/proc/%d/cgroup" % pid) as f:
                self.assertIn("/job_%d/" % jobid, f.read())
        finally:
            busy.communicate(timeout=60)

    def test_node_dashboard_targets_return_data(self):
        self.check_every_target("fructosa-node.json", host="n2")

    def test_per_host_dashboard_of_a_capitalised_host_returns_data(self):
        self.check_every_target(EXTRA_HOST + ".json", host=EXTRA_HOST)

    def test_cluster_dashboard_targets_return_data(self):
        self.check_every_target("fructosa-cluster.json")

    def test_cluster_figures_are_those_of_the_nodes_series(self):
        """lmaster's [aggregates] (the cluster dashboard's only source): the four hosts
        reporting, their memory mean, each node's CPU mean, the job's partition."""
        base = "fructosa.cluster.%s." % lib.short_hostname()
        hosts = list(NODES) + [EXTRA_HOST]
        lib.wait_until(lambda: self.carbon.latest(base + "cpu_percent_count") == len(hosts), 60,
                       "the cluster figures to count every host's CPU")
        self.assertEqual(self.carbon.latest(base + "nodes_reporting"), len(hosts))
        self.assertEqual(self.carbon.latest(base + "nodes_silent"), 0)
        self.assertEqual(self.carbon.latest(base + "memory_percent_count"), len(hosts))
        memory = [self.carbon.latest(h + ".VirtualMemory.percent") for h in hosts]
        mean = self.carbon.latest(base + "memory_percent_sum") / len(hosts)
        self.assertAlmostEqual(mean, sum(memory) / len(memory), delta=3, msg=memory)
        self.assertEqual(sum(self.carbon.latest(base + "cpu_percent_nodes.%d" % b) for b in range(10, 101, 10)),
                         len(hosts))
        for h in hosts:  # each host's mean over its CPUs: within the range of its CPUs' values
            mean_cpu = self.carbon.latest(h + ".node.cpu_percent_mean")
            self.assertIsNotNone(mean_cpu, h)
            self.assertTrue(0 <= mean_cpu <= 100, (h, mean_cpu))
        # The job's nodes count in its partition (slurm_config.py: debug); CamelHost ran no job.
        self.assertEqual(self.carbon.latest(base + "partition.debug.nodes_reporting"), len(NODES))
        self.assertEqual(self.carbon.series(base + "partition"),
                         sorted(base + "partition.debug." + f for f in (
                             "nodes_reporting", "cpu_percent_sum", "cpu_percent_count", "memory_percent_sum",
                             "memory_percent_count", "jobs_running")))
        # While it ran, the job was one job on three nodes. The window reaches past its end
        # (reports are stamped at the end of their interval), so the job-node pairs that
        # lagents sent series for in it bound the figures from above: when only the test's
        # job ran then, they must be exactly 3 and 1.
        during = (self.job_started, self.job_ended + 20)
        pairs = {}
        for s in self.carbon.series("jobs"):
            job, host = s.split(".")[1:3]
            if (job, host) not in pairs:
                pairs[(job, host)] = bool(self.carbon.values(s, *during))
            elif not pairs[(job, host)]:
                pairs[(job, host)] = bool(self.carbon.values(s, *during))
        seen = {p for p, any_point in pairs.items() if any_point}
        self.assertTrue({(str(self.jobid), n) for n in NODES} <= seen, seen)
        job_nodes = max(v for _, v in self.carbon.values(base + "job_nodes", *during))
        self.assertTrue(len(NODES) <= job_nodes <= len(seen), (job_nodes, seen))
        jobs_running = max(v for _, v in self.carbon.values(base + "jobs_running", *during))
        self.assertTrue(1 <= jobs_running <= len({j for j, _ in seen}), (jobs_running, seen))

    def test_job_dashboard_targets_return_data(self):
        self.check_every_target("fructosa-job.json")

    def test_host_variable_lists_exactly_the_hosts(self):
        var = self.load("fructosa-node.json")["templating"]["list"][1]
        m = re.fullmatch(r"expand\((.*)\)", var["query"])
        self.assertTrue(m, var["query"])
        # What Grafana does with an expand(...) query: /metrics/expand, then the regex.
        answer = self.graphite._get("/metrics/expand", {"query": m.group(1)})
        regex = re.compile(var["regex"].strip("/"))
        hosts = {regex.match(p).group(1) for p in answer["results"] if regex.match(p)}
        self.assertEqual(hosts, set(NODES) | {EXTRA_HOST})

    def test_job_variables_list_the_job_and_its_nodes(self):
        job_var, node_var = self.load("fructosa-job.json")["templating"]["list"][1:3]
        jobs = {f["path"].split(".")[-1] for f in self.graphite.find(job_var["query"])}
        self.assertIn(str(self.jobid), jobs)
        nodes = {f["path"].split(".")[-1]
                 for f in self.graphite.find(substitute(node_var["query"], {"jobid": str(self.jobid)}))}
        self.assertEqual(nodes, set(NODES))

    def test_job_figures_make_sense(self):
        """The job's panels show the job: efficiency and memory against the limit."""
        eff = self.graphite.render_values("aliasByNode(jobs.%d.*.cpu.efficiency_percent, 2)" % self.jobid, "-15min")
        self.assertEqual(set(eff), set(NODES))
        limit = self.graphite.render_values("aliasByNode(jobs.%d.*.memory.limit, 2)" % self.jobid, "-15min")
        self.assertEqual({round(v[-1][1] / 2**20) for v in limit.values()}, {300})
        pct = self.graphite.render_values("aliasByNode(asPercent(jobs.%d.*.memory.current, jobs.%d.*.memory.limit, 2), 2)"
                                          % (self.jobid, self.jobid), "-15min")
        self.assertEqual(set(pct), set(NODES))
        self.assertTrue(all(0 < max(v for _, v in s) <= 100 for s in pct.values()), pct)
        cls = self.graphite.render_values("aliasByNode(fructosa.perad.jobs.%d.class.*, 5)" % self.jobid, "-15min")
        self.assertEqual(list(cls), [self.job_class])


class SchemaAndUpload(lib.FructosaTestCase):

    def setUp(self):
        super().setUp()
        self.need_binaries("make-fructosa-dashboard")

    def npm_install(self):
        if os.path.exists(os.path.join(SCHEMA_DIR, "node_modules", "@grafana", "schema", "package.json")) and \
                os.path.exists(os.path.join(SCHEMA_DIR, "node_modules", "typescript", "bin", "tsc")):
            return
        npm = shutil.which("npm")
        if not npm:
            self.fail("npm is not installed: the @grafana/schema type check needs node and npm")
        res = lib.run([npm, "install", "--no-audit", "--no-fund"], cwd=SCHEMA_DIR, timeout=600)
        if res.returncode != 0:
            self.fail("npm install in %s failed (%d); the type check needs @grafana/schema and typescript "
                      "from the npm registry:\n%s%s" % (SCHEMA_DIR, res.returncode, res.stdout[-3000:],
                                                        res.stderr[-3000:]))

    def type_check(self, files):
        return lib.run(["node", os.path.join(SCHEMA_DIR, "check_dashboards.mjs")] + files, timeout=300)

    def test_every_dashboard_matches_grafanas_schema(self):
        self.npm_install()
        hosts = os.path.join(self.tmp, "hosts.ini")
        with open(hosts, "w") as f:
            f.write("[hosts]\nnode001\nGPU-Node7\n")
        files = make_dashboards(self.subdir("plain"), hosts)
        files += make_dashboards(self.subdir("prefixed"), "--prefix", "site.clusterA", "--kind", "all")
        self.assertEqual(len(files), 8)
        res = self.type_check(files)
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertIn("8 dashboard(s) match", res.stdout)

    def test_a_broken_dashboard_fails_the_type_check(self):
        self.npm_install()
        [job] = make_dashboards(self.subdir("d"), "--kind", "job")
        with open(job) as f:
            d = json.load(f)
        d["panels"][1]["gridPos"]["h"] = "8"
        d["templating"]["list"][1]["type"] = "querry"
        bad = os.path.join(self.tmp, "bad.json")
        with open(bad, "w") as f:
            json.dump(d, f)
        res = self.type_check([bad])
        self.assertEqual(res.returncode, 1, res.stdout + res.stderr)
        out = res.stdout + res.stderr
        self.assertIn("Type 'string' is not assignable to type 'number'", out)
        self.assertIn('"querry"', out)

    # --- upload --------------------------------------------------------------------

    def test_upload_posts_each_dashboard_with_the_token(self):
        url = start_fake_grafana(self)
        token = os.path.join(self.tmp, "token")
        with open(token, "w") as f:
            f.write("glsa_test_token\n")
        work = self.subdir("cwd")
        res = lib.run([lib.binary("make-fructosa-dashboard"), "--kind", "job", "--upload", url + "/grafana/",
                       "--token-file", token, "--folder-uid", "fructosa"], cwd=work, env={"GRAFANA_TOKEN": ""})
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual(os.listdir(work), [], "--upload without --out writes no files")
        self.assertEqual(len(UploadHandler.requests), 1)
        r = UploadHandler.requests[0]
        self.assertEqual(r["method"], "POST")
        self.assertEqual(r["path"], "/grafana/api/dashboards/db")
        self.assertEqual(r["headers"].get("Authorization"), "Bearer glsa_test_token")
        self.assertEqual(r["headers"].get("Content-Type"), "application/json")
        body = json.loads(r["body"])
        self.assertEqual(body["dashboard"]["uid"], "fructosa-job")
        self.assertTrue(body["overwrite"])
        self.assertEqual(body["folderUid"], "fructosa")
        self.assertNotIn("id", body["dashboard"])
        self.assertIn("uploaded fructosa-job", res.stdout)

    def test_upload_takes_the_token_from_the_environment_and_also_writes_with_out(self):
        url = start_fake_grafana(self)
        out = self.subdir("out")
        res = lib.run([lib.binary("make-fructosa-dashboard"), "--kind", "all", "--upload", url, "--out", out],
                      env={"GRAFANA_TOKEN": "env-token"})
        self.assertEqual(res.returncode, 0, res.stdout + res.stderr)
        self.assertEqual(sorted(json.loads(r["body"])["dashboard"]["uid"] for r in UploadHandler.requests),
                         ["fructosa-cluster", "fructosa-job", "fructosa-node"])
        self.assertTrue(all(r["headers"]["Authorization"] == "Bearer env-token" for r in UploadHandler.requests))
        self.assertTrue(all("folderUid" not in json.loads(r["body"]) for r in UploadHandler.requests))
        self.assertEqual(len(os.listdir(out)), 3)

    def test_upload_refused_by_grafana_fails_with_its_answer(self):
        url = start_fake_grafana(self, status=401)
        res = lib.run([lib.binary("make-fructosa-dashboard"), "--kind", "cluster", "--upload", url],
                      env={"GRAFANA_TOKEN": "wrong"})
        self.assertEqual(res.returncode, 1)
        self.assertIn("401", res.stderr)
        self.assertIn("invalid API key", res.stderr)

    def test_upload_without_token_is_refused_before_any_request(self):
        url = start_fake_grafana(self)
        res = lib.run([lib.binary("make-fructosa-dashboard"), "--upload", url], env={"GRAFANA_TOKEN": ""})
        self.assertEqual(res.returncode, 1)
        self.assertIn("GRAFANA_TOKEN", res.stderr)
        self.assertEqual(UploadHandler.requests, [])

    def test_command_line_errors(self):
        bad = os.path.join(self.tmp, "hosts.ini")
        with open(bad, "w") as f:
            f.write("[hosts]\nnode1\nnode2.example.org\n")
        res = lib.run([lib.binary("make-fructosa-dashboard"), bad, "--out", self.tmp])
        self.assertEqual(res.returncode, 1)
        self.assertIn("%s:3:" % bad, res.stderr)
        res = lib.run([lib.binary("make-fructosa-dashboard"), bad, "-s", "nodes"])
        self.assertEqual(res.returncode, 1)
        self.assertIn("no [nodes] section", res.stderr)
        res = lib.run([lib.binary("make-fructosa-dashboard"), "--kind", "everything"])
        self.assertEqual(res.returncode, 2)
        self.assertIn("--kind", res.stderr)
        res = lib.run([lib.binary("make-fructosa-dashboard"), "--upload", "https://grafana.example"],
                      env={"GRAFANA_TOKEN": "t"})
        self.assertEqual(res.returncode, 1)
        self.assertIn("https is not supported yet", res.stderr)


if __name__ == "__main__":
    lib.main()
