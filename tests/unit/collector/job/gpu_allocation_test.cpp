// Which GPUs a job may use: the v1 devices cgroup's list, Slurm's GPU ids, and the job a
// GPU process belongs to.
#include "collector/job/gpu_allocation.h"

#include <gtest/gtest.h>

using namespace fructosa;

TEST(GpuMinorsOfDevicesList, TheNvidiaMinorsOfAWhitelist) {
    EXPECT_EQ(gpu_minors_of_devices_list("c 1:3 rwm\nc 195:255 rwm\nc 195:0 rw\nc 195:2 rwm\nc 511:0 rwm\nb 8:0 r\n"),
              (std::set<unsigned>{0, 2}));  // nvidiactl (255) and nvidia-uvm (another major) are no GPUs
}

TEST(GpuMinorsOfDevicesList, NoGpuLineIsNoGpu) {
    EXPECT_EQ(gpu_minors_of_devices_list("c 1:3 rwm\nc 195:255 rwm\n"), std::set<unsigned>{});
}

TEST(GpuMinorsOfDevicesList, AnAllowAllListCannotTell) {
    EXPECT_EQ(gpu_minors_of_devices_list("a *:* rwm\n"), std::nullopt);
    EXPECT_EQ(gpu_minors_of_devices_list("c 195:* rwm\n"), std::nullopt);
    EXPECT_EQ(gpu_minors_of_devices_list("c *:* rwm\n"), std::nullopt);
}

TEST(ParseGpuIdList, CommaListsAndRanges) {
    EXPECT_EQ(parse_gpu_id_list("0"), (std::set<unsigned>{0}));
    EXPECT_EQ(parse_gpu_id_list("0,3"), (std::set<unsigned>{0, 3}));
    EXPECT_EQ(parse_gpu_id_list("0-2,5"), (std::set<unsigned>{0, 1, 2, 5}));
}

TEST(ParseGpuIdList, EmptyOrMalformedIsNone) {
    EXPECT_EQ(parse_gpu_id_list(""), std::nullopt);
    EXPECT_EQ(parse_gpu_id_list("NoDevFiles"), std::nullopt);
    EXPECT_EQ(parse_gpu_id_list("GPU-aaa"), std::nullopt);
    EXPECT_EQ(parse_gpu_id_list("3-1"), std::nullopt);
    EXPECT_EQ(parse_gpu_id_list("0,,1"), std::nullopt);
}

TEST(JobOfCgroupText, TheJobComponentOfV1AndV2Paths) {
    EXPECT_EQ(job_of_cgroup_text("12:devices:/slurm_n1/uid_0/job_42/step_0/task_0\n4:memory:/slurm_n1/uid_0/job_42/step_0\n"),
              42u);
    EXPECT_EQ(job_of_cgroup_text("0::/system.slice/slurmstepd.scope/job_7/step_batch/user/task_0\n"), 7u);
    EXPECT_EQ(job_of_cgroup_text("0::/system.slice/slurmstepd.scope/job_9\n"), 9u);
}

TEST(JobOfCgroupText, NoJobComponentIsNoJob) {
    EXPECT_EQ(job_of_cgroup_text("0::/user.slice/user-1000.slice/session-3.scope\n"), std::nullopt);
    EXPECT_EQ(job_of_cgroup_text("0::/x/job_abc/y\n"), std::nullopt);
    EXPECT_EQ(job_of_cgroup_text("0::/x/job_12abc\n"), std::nullopt);
}
