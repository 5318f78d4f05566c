"""The configuration files of a SlurmCluster (slurm_cluster.py): slurm.conf,
cgroup.conf, plugstack.conf and, for a cluster with GPUs, gres.conf, all under the
cluster's own work directory."""

import os

import fructosa_testlib as lib

CGROUP_V1_ROOT = "/sys/fs/cgroup"


def machine_memory_mb():
    return lib.meminfo_bytes("MemTotal") // (1024 * 1024)


def write_slurm_conf(cluster):
    """slurm.conf of `cluster` (a SlurmCluster): its name, ports, nodes, job id block."""
    def path(*parts):
        return os.path.join(cluster.workdir, *parts)
    cpus = os.cpu_count() or 1
    mem = max(256, machine_memory_mb() - 512)
    lines = [
        "# Written by tests/integration/slurm_config.py for one test run.",
        "ClusterName=%s" % cluster.cluster_name,
        "SlurmctldHost=%s(127.0.0.1)" % cluster.hostname,
        "SlurmctldPort=%d" % cluster.ctld_port,
        "SlurmUser=root",
        "SlurmdUser=root",
        "AuthType=auth/munge",
        "CredType=cred/munge",
        "StateSaveLocation=%s" % path("state"),
        "SlurmdSpoolDir=%s" % path("spool", "%n"),
        "SlurmctldPidFile=%s" % path("run", "slurmctld.pid"),
        "SlurmdPidFile=%s" % path("run", "slurmd-%n.pid"),
        "SlurmctldLogFile=%s" % path("log", "slurmctld.log"),
        "SlurmdLogFile=%s" % path("log", "slurmd-%n.log"),
        "SlurmctldDebug=info",
        "SlurmdDebug=info",
        "ProctrackType=proctrack/cgroup",
        "TaskPlugin=task/cgroup",
        "JobAcctGatherType=jobacct_gather/cgroup",
        "AccountingStorageType=accounting_storage/none",
        "JobCompType=jobcomp/none",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_Core_Memory",
        "DefMemPerCPU=100",
        "SchedulerType=sched/backfill",
        "MpiDefault=none",
        "SwitchType=switch/none",
        "ReturnToService=2",
        "FirstJobId=%d" % cluster.first_job_id,
        "MinJobAge=600",
        "KillWait=5",
        "InactiveLimit=0",
        "SlurmctldTimeout=30",
        "SlurmdTimeout=60",
        "MessageTimeout=20",
        "LaunchParameters=use_interactive_step",
        "PlugStackConfig=%s" % path("plugstack.conf"),
    ]
    if cluster.extern_steps:
        lines.append("PrologFlags=Contain")
    if cluster.gpus:
        lines.append("GresTypes=gpu")
    for node in cluster.nodes:
        gres = " Gres=gpu:%d" % len(cluster.gpus[node]) if cluster.gpus.get(node) else ""
        lines.append("NodeName=%s NodeHostname=%s NodeAddr=127.0.0.1 Port=%d CPUs=%d "
                     "RealMemory=%d%s State=UNKNOWN"
                     % (node, cluster.hostname, cluster.node_ports[node], cpus, mem, gres))
    lines.append("PartitionName=debug Nodes=%s Default=YES MaxTime=%s State=UP"
                 % (",".join(cluster.nodes), cluster.max_time))
    with open(cluster.conf_path, "w") as f:
        f.write("\n".join(lines) + "\n")


def write_gres_conf(path, gpus):
    """gres.conf beside slurm.conf (where slurmd looks for it): each node's GPUs as the
    device files `gpus[node]` lists (no AutoDetect: the tests' GPUs are fake)."""
    with open(path, "w") as f:
        for node, files in sorted(gpus.items()):
            for dev in files:
                f.write("NodeName=%s Name=gpu File=%s\n" % (node, dev))


def write_cgroup_conf(path, constrain_devices=False):
    with open(path, "w") as f:
        f.write("CgroupPlugin=cgroup/v1\nCgroupMountpoint=%s\nConstrainCores=yes\n"
                "ConstrainRAMSpace=yes\n" % CGROUP_V1_ROOT)
        if constrain_devices:
            f.write("ConstrainDevices=yes\n")


def write_plugstack_conf(path, plugin_path, plugin_args, required):
    """One line for the SPANK plugin at plugin_path (none when it is None)."""
    with open(path, "w") as f:
        if plugin_path:
            f.write("%s %s %s\n" % ("required" if required else "optional",
                                    plugin_path, " ".join(plugin_args)))
