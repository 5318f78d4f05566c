// slurm_job_of_proc_cgroup: the job of a process from /proc/<pid>/cgroup.
#include "collector/job/job_of_process.h"

#include <gtest/gtest.h>

using fructosa::slurm_job_of_proc_cgroup;

TEST(JobOfProcess, CgroupV1Layouts) {
    EXPECT_EQ(slurm_job_of_proc_cgroup("12:pids:/\n"
                                       "5:memory:/slurm/uid_1000/job_42/step_0/task_1\n"
                                       "3:cpu,cpuacct:/slurm/uid_1000/job_42/step_0/task_1\n"
                                       "1:name=systemd:/system.slice/slurmd.service\n"),
              42u);
    EXPECT_EQ(slurm_job_of_proc_cgroup("4:freezer:/slurm_n1/uid_0/job_7/step_batch\n"), 7u);
    EXPECT_EQ(slurm_job_of_proc_cgroup("4:freezer:/slurm_n1/uid_0/job_7\n"), 7u);
}

TEST(JobOfProcess, CgroupV2Layouts) {
    EXPECT_EQ(
        slurm_job_of_proc_cgroup("0::/system.slice/slurmstepd.scope/job_99/step_0/user/task_0\n"),
        99u);
    EXPECT_EQ(
        slurm_job_of_proc_cgroup("0::/system.slice/n2_slurmstepd.scope/job_5/step_extern/slurm"),
        5u);
}

TEST(JobOfProcess, OutsideEveryJob) {
    EXPECT_EQ(slurm_job_of_proc_cgroup("0::/user.slice/user-1000.slice/session-3.scope\n"),
              std::nullopt);
    EXPECT_EQ(slurm_job_of_proc_cgroup("0::/user.slice/job_7\n"),
              std::nullopt);  // not Slurm's layout
    EXPECT_EQ(slurm_job_of_proc_cgroup("5:memory:/slurm/job_7/uid_1000\n"),
              std::nullopt);  // no uid_ parent
    EXPECT_EQ(slurm_job_of_proc_cgroup("5:memory:/slurm/uid_1000/job_x\n"), std::nullopt);
    EXPECT_EQ(slurm_job_of_proc_cgroup("0::/system.slice/slurmstepd.scope\n"),
              std::nullopt);  // slurmstepd itself
    EXPECT_EQ(slurm_job_of_proc_cgroup(""), std::nullopt);
}
