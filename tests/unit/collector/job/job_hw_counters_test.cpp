// Per-job instructions per cycle: the job's perf_event cgroup and the counters' life.
#include "collector/job/job_hw_counters.h"

#include "tests/unit/collector/sensors/fake_perf.h"
#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::test;

namespace {

JobCgroupPaths v1_job() {
    JobCgroupPaths p;
    p.version = CgroupVersion::v1;
    p.job_id = 3;
    p.v1 = {{"memory", "/sys/fs/cgroup/memory/slurm/uid_0/job_3"}};
    return p;
}

}  // namespace

TEST(JobHwCounters, PerfEventDirectoryOnV1OnlyWhereItExists) {
    TempTree t;
    auto mounts = default_cgroup_mounts("/sys/fs/cgroup");
    EXPECT_EQ(job_perf_event_dir(t.reader(), mounts, v1_job()), std::nullopt);
    t.write("/sys/fs/cgroup/perf_event/slurm/uid_0/job_3/tasks", "");
    EXPECT_EQ(job_perf_event_dir(t.reader(), mounts, v1_job()),
              "/sys/fs/cgroup/perf_event/slurm/uid_0/job_3");
    JobCgroupPaths v2;
    v2.version = CgroupVersion::v2;
    v2.unified = "/sys/fs/cgroup/system.slice/slurmstepd.scope/job_3";
    EXPECT_EQ(job_perf_event_dir(t.reader(), mounts, v2), v2.unified);
}

TEST(JobHwCounters, IpcOfTheJobsCgroupFromTheSecondSample) {
    TempTree t;
    t.write("/sys/devices/system/cpu/online", "0-1\n")
        .write("/sys/fs/cgroup/perf_event/slurm/uid_0/job_3/tasks", "");
    FakePerf fake;
    JobHwCounterFactory factory(true, fake);
    auto hw = factory.start(t.reader(), default_cgroup_mounts("/sys/fs/cgroup"), v1_job());
    ASSERT_NE(hw, nullptr);
    EXPECT_EQ(fake.targets, (std::vector<std::pair<int, int>>{
                                {0, 7}, {0, 7}, {1, 7}, {1, 7}}));  // the cgroup's fd
    fake.words[101] = {2, 10, 10, 100, 100};
    fake.words[103] = {2, 10, 10, 100, 100};
    EXPECT_EQ(hw->ipc(), std::nullopt);
    fake.words[101] = {2, 20, 20, 300, 500};  // +200 cycles, +400 instructions
    fake.words[103] = {2, 20, 20, 200, 200};  // +100, +100
    EXPECT_EQ(hw->ipc(), 500.0 / 300.0);
    hw.reset();
    EXPECT_EQ(fake.open_fds, 0);
}

TEST(JobHwCounters, NoPmuIsSaidOnceAndNotTriedAgain) {
    TempTree t;
    t.write("/sys/devices/system/cpu/online", "0\n")
        .write("/sys/fs/cgroup/perf_event/slurm/uid_0/job_3/tasks", "");
    FakePerf fake;
    fake.fail_errno = ENOENT;
    JobHwCounterFactory factory(true, fake);
    auto mounts = default_cgroup_mounts("/sys/fs/cgroup");
    EXPECT_EQ(factory.start(t.reader(), mounts, v1_job()), nullptr);
    fake.fail_errno = 0;
    EXPECT_EQ(factory.start(t.reader(), mounts, v1_job()), nullptr);
    EXPECT_EQ(fake.opens, 0);
    EXPECT_EQ(fake.open_fds, 0);
}

TEST(JobHwCounters, OffInTheConfigurationOrWithoutAPerfEventCgroup) {
    TempTree t;
    t.write("/sys/devices/system/cpu/online", "0\n");
    FakePerf fake;
    auto mounts = default_cgroup_mounts("/sys/fs/cgroup");
    EXPECT_EQ(JobHwCounterFactory(true, fake).start(t.reader(), mounts, v1_job()),
              nullptr);  // no perf_event dir
    t.write("/sys/fs/cgroup/perf_event/slurm/uid_0/job_3/tasks", "");
    EXPECT_EQ(JobHwCounterFactory(false, fake).start(t.reader(), mounts, v1_job()), nullptr);
    EXPECT_EQ(fake.opens, 0);
}
