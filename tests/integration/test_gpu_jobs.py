"""GPUs on the real 3-node cluster (cgroup v1), with the fake libnvidia-ml.so.1 the tests
build (tests/fake_nvml) standing in for the driver: lagent's GPU sensor publishes the
node's GPUs, a job given a GPU by Slurm (GresTypes=gpu, gres.conf File= on a character
device 195:0 this test makes) gets jobs.<id>.<host>.gpu.<key>.* series and the gpu_*
keys of its node summary, and perad classifies the idle GPU job as gpu-idle.

Which GPU is the job's: lagent reads the job's devices cgroup first. Here Slurm 22.05's
cgroup/v1 plugin constrains devices by denying the GPUs a job was not given under an
allow-all parent, and the kernel shows such a list as "a *:* rwm" whatever it denies:
devices.list cannot name the job's GPU on this machine (the test prints what it says).
The GPU therefore comes from the ids Slurm gave the step, which spank_fructosa sends in
step_start's gpu_ids, and is then cross-checked with the job's process, which the test
lists on the GPU in the fake table (NVML's compute processes on a real node).

Run: /usr/bin/python3 test_gpu_jobs.py --build-dir BUILD
"""

import json
import os
import stat
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fructosa_testlib as lib  # noqa: E402
from fructosa_stack import ProfiledCluster, with_jobid  # noqa: E402

GiB = 1 << 30
# GPU 0 (/dev/nvidia0, minor 0) is Slurm's on n1; GPU 1 (minor 1) is on the machine but
# in no gres.conf, so no job is given it. GPU 0 idles at 3 % with 1 of its 16 GiB used.
GPU0 = ("gpu 0 minor=0 uuid=GPU-fake-0 util=3 mem_util=1 mem_used=%d mem_total=%d power_mw=45000 "
        "energy_mj={energy} temp=35 sm_clock=1410 throttle=0 ecc_corr=0 ecc_uncorr=0 proc_util=1\n"
        % (1 * GiB, 16 * GiB))
GPU1 = "gpu 1 minor=1 uuid=GPU-fake-1 util=0 mem_util=0 mem_used=0 mem_total=%d power_mw=30000 energy_mj=5\n" % (
    16 * GiB)
RULES = {"too short seconds": 2}


def read_text(path):
    with open(path) as f:
        return f.read()


class GpuJobsOnTheRealCluster(lib.SharedWorkspaceTestCase):
    @classmethod
    def start_class(cls):
        fake = os.path.join(lib.BUILD_DIR, "tests", "fake_nvml", "libnvidia-ml.so.1")
        if not os.path.exists(fake):
            raise AssertionError("the fake NVML is not built: " + fake)
        dev = os.path.join(cls.ws.subdir("dev"), "nvidia0")
        os.mknod(dev, stat.S_IFCHR | 0o600, os.makedev(195, 0))
        cls.table = os.path.join(cls.ws.subdir("nvml"), "table")
        cls.write_table(energy_mj=1000000)
        # The lagents inherit it: the fake library reads its table from there.
        os.environ["FAKE_NVML_TABLE"] = cls.table
        cls.ws.addCleanup(os.environ.pop, "FAKE_NVML_TABLE", None)
        sensors = {"VirtualMemory": {}, "GPU": {"library": fake, "hang timeout": 5}}
        cls.stack = ProfiledCluster(cls.ws, perad=True, perad_rules=RULES, host_sensors=sensors, host_interval=1,
                                    gpus={"n1": [dev]}, constrain_devices=True).start()

    @classmethod
    def write_table(cls, energy_mj, pid=None):
        text = GPU0.format(energy=energy_mj) + GPU1
        if pid is not None:
            text += "proc 0 pid=%d mem=%d\n" % (pid, 1 * GiB)
        tmp = cls.table + ".new"
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, cls.table)  # the fake reads it from lagent's GPU thread at any time

    def show(self, v):
        return json.dumps(v, indent=1)[:4000]

    def test_the_gpu_sensor_publishes_every_gpu_of_the_node(self):
        carbon = self.stack.carbon
        lib.wait_until(lambda: carbon.values("n1.GPU.1.power_watts"), 20, "n1.GPU.1.power_watts")
        self.assertEqual({v for _, v in carbon.values("n1.GPU.0.util_percent")}, {3})
        self.assertEqual({v for _, v in carbon.values("n1.GPU.0.memory_total")}, {16 * GiB})
        self.assertEqual({v for _, v in carbon.values("n1.GPU.1.power_watts")}, {30})
        self.assertEqual(carbon.values("n1.GPU.1.ecc_corrected"), [])  # NOT_SUPPORTED: absent, not 0

    def test_idle_gpu_job_has_gpu_series_summary_and_is_gpu_idle(self):
        d = self.ws.subdir("gpu-job")
        pidfile, envfile = os.path.join(d, "pid"), os.path.join(d, "env")
        cmd = ["/bin/sh", "-c", "env > %s; echo $$ > %s; exec sleep 10" % (envfile, pidfile)]
        srun = self.stack.popen_srun("--fructosa=on", "-w", "n1", "-n1", "-c1", "--gres=gpu:1", *with_jobid(cmd))
        self.addCleanup(srun.stdout.close)
        self.addCleanup(srun.wait, 60)
        jobid = int(srun.stdout.readline())
        pid = int(lib.wait_until(lambda: os.path.exists(pidfile) and read_text(pidfile).strip(), 20,
                                 "the job's pid in " + pidfile))
        devices = self.stack.cluster.job_cgroup_dirs(jobid, "devices")
        listed = read_text(os.path.join(devices[0], "devices.list")).strip() if devices else "(no devices cgroup)"
        env = {k: v for k, v in (line.split("=", 1) for line in read_text(envfile).splitlines() if "=" in line)}
        print("job %d: devices.list %r; SLURM_STEP_GPUS=%r SLURM_JOB_GPUS=%r CUDA_VISIBLE_DEVICES=%r"
              % (jobid, listed, env.get("SLURM_STEP_GPUS"), env.get("SLURM_JOB_GPUS"),
                 env.get("CUDA_VISIBLE_DEVICES")), file=sys.stderr)

        # The GPU Slurm gave the job is its own before any process runs there.
        util = "jobs.%d.n1.gpu.0.util_percent" % jobid
        lib.wait_until(lambda: self.stack.carbon.values(util), 8, util)
        # Now the job's process runs on it and it draws 5 J more.
        self.write_table(energy_mj=1005000, pid=pid)
        self.assertEqual(srun.wait(60), 0)

        self.assertEqual({v for _, v in self.stack.carbon.values(util)}, {3})
        self.assertEqual({v for _, v in self.stack.carbon.values("jobs.%d.n1.gpu.0.memory_used" % jobid)}, {GiB})
        self.assertEqual({v for _, v in self.stack.carbon.values("jobs.%d.n1.gpu.0.power_watts" % jobid)}, {45})
        lib.wait_until(lambda: 5 in [v for _, v in self.stack.carbon.values(
            "jobs.%d.n1.gpu.0.energy_joules" % jobid)], 10, "the job's GPU energy to reach 5 J")
        self.assertEqual(self.stack.carbon.values("jobs.%d.n1.gpu.1.util_percent" % jobid), [])  # not its GPU

        row = lib.wait_until(lambda: self.stack.registry_job(jobid, status="finished"), 60, "job %d finished" % jobid)
        summary = json.loads(row["nodes"][0]["summary"])
        self.assertEqual(summary["gpu_ids"], ["0"], summary)
        self.assertEqual(summary["gpu_util_mean_percent"], 3, summary)
        self.assertEqual(summary["gpu_util_max_percent"], 3, summary)
        self.assertEqual(summary["gpu_memory_peak_bytes"], GiB, summary)
        self.assertEqual(summary["gpu_memory_total_bytes"], 16 * GiB, summary)
        self.assertEqual(summary["gpu_energy_joules"], 5, summary)
        self.assertFalse(summary["gpu_shared"], summary)
        fraction = summary["gpu_process_fraction"]
        self.assertGreater(fraction, 0, summary)  # the samples after the process was listed
        self.assertLess(fraction, 1, summary)     # and not those before

        v = self.stack.verdict(jobid)
        self.assertEqual(v["class"], "gpu-idle", self.show(v))
        self.assertEqual(v["recommendations"]["gpu-idle"],
                         "asked for 1 GPU, used 3% on average: check that the program really runs on the GPU "
                         "(framework device settings), or run it without GPUs")
        self.assertEqual(v["evidence"]["gpu-idle"]["gpu_ids"], ["n1:0"], self.show(v))
        self.assertEqual(v["recommendations"]["gpu-memory-overrequested"],
                         "the job used at most 1.0 GB of its GPU's 16 GB of memory: a smaller GPU or a MIG slice "
                         "(--gres=gpu:<type>) would do and leave this GPU to jobs that need it")
        self.assertEqual("gpu-unused" in v["flags"], fraction < 0.5, self.show(v))


if __name__ == "__main__":
    lib.main()
