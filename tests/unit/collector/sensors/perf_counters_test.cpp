// Hardware counters: the perf_event_open layer on a fake backend, IPC arithmetic, and the
// HardwareCounters sensor on a machine without a PMU.
#include "collector/sensors/perf_counters.h"

#include <cerrno>
#include <cstring>

#include "collector/sensors/hardware_counters.h"
#include "tests/unit/collector/sensors/fake_perf.h"
#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(PerfCounters, IpcBetweenTotals) {
    EXPECT_EQ(ipc_between({100, 100}, {400, 200}), 3.0);
    EXPECT_EQ(ipc_between({100, 100}, {100, 300}), 0.0);
    EXPECT_EQ(ipc_between({100, 100}, {500, 100}), std::nullopt);  // no cycle passed
    EXPECT_EQ(ipc_between({100, 100}, {50, 200}), std::nullopt);   // an estimate went backwards
}

TEST(PerfCounters, CpuLists) {
    EXPECT_EQ(parse_cpu_list("0-3,8,10-11\n"), (std::vector<int>{0, 1, 2, 3, 8, 10, 11}));
    EXPECT_EQ(parse_cpu_list("0"), (std::vector<int>{0}));
    EXPECT_EQ(parse_cpu_list(""), std::nullopt);
    EXPECT_EQ(parse_cpu_list("3-1"), std::nullopt);
    EXPECT_EQ(parse_cpu_list("a"), std::nullopt);
}

TEST(PerfCounters, OpenErrorsSayWhy) {
    EXPECT_EQ(perf_open_error(ENOENT),
              "no PMU: the kernel exposes no hardware counters here (a virtual machine without a "
              "virtual PMU?)");
    EXPECT_EQ(perf_open_error(EOPNOTSUPP), perf_open_error(ENOENT));
    EXPECT_EQ(perf_open_error(EACCES),
              "not permitted (kernel.perf_event_paranoid, or lagent without CAP_PERFMON)");
}

TEST(PerfCounters, GroupsPerCpuScaledWhenMultiplexedAndAFailedOpenClosesEverything) {
    FakePerf fake;
    {
        CpuCounterGroups g(fake);
        ASSERT_EQ(g.open({0, 1}), "");
        EXPECT_EQ(fake.open_fds, 4);  // cycles leader + instructions per CPU
        EXPECT_EQ(fake.targets,
                  (std::vector<std::pair<int, int>>{{0, -1}, {0, -1}, {1, -1}, {1, -1}}));
        // CPU 0 counted all the time; CPU 1 half of it (multiplexed): its counts are doubled.
        fake.words[101] = {2, 1000, 1000, 500, 1000};
        fake.words[103] = {2, 1000, 500, 100, 300};
        auto t = g.read();
        ASSERT_TRUE(t.has_value());
        EXPECT_EQ(t->cycles, 500 + 200);
        EXPECT_EQ(t->instructions, 1000 + 600);
        fake.words[103] = {2, 1000, 0, 0, 0};  // not on the PMU yet: left out
        EXPECT_EQ(g.read()->cycles, 500);
    }
    EXPECT_EQ(fake.open_fds, 0);
    FakePerf failing;
    failing.fail_errno = EACCES;
    failing.fail_at = 3;  // the second CPU's instructions counter
    CpuCounterGroups g(failing);
    EXPECT_EQ(g.open({0, 1}), perf_open_error(EACCES));
    EXPECT_EQ(failing.open_fds, 0);
    EXPECT_EQ(g.read(), std::nullopt);
}

TEST(PerfCounters, CgroupGroupsOpenTheDirectoryAsTheTarget) {
    FakePerf fake;
    CpuCounterGroups g(fake);
    ASSERT_EQ(g.open({0}, "/sys/fs/cgroup/system.slice/slurmstepd.scope/job_4"), "");
    EXPECT_EQ(fake.targets, (std::vector<std::pair<int, int>>{{0, 7}, {0, 7}}));
    EXPECT_EQ(g.open({0}, "/x/missing"), "/x/missing: " + std::string(std::strerror(ENOENT)));
    EXPECT_EQ(fake.open_fds, 0);
}

TEST(HardwareCounters, IpcAndRatesFromTheSecondSample) {
    FakePerf fake;
    double now = 10;
    auto s = make_hardware_counters_sensor(fake, [&] { return now; });
    TempTree t;
    t.write("/sys/devices/system/cpu/online", "0\n");
    auto reader = t.reader();
    fake.words[101] = {2, 100, 100, 1000, 2000};
    auto first = s->sample(reader);
    ASSERT_TRUE(first.has_value());
    EXPECT_TRUE(first->empty());
    fake.words[101] = {2, 200, 200, 3000, 5000};
    now += 2;
    auto r = s->sample(reader);
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, (Readings{{"ipc", 1.5}, {"instructions_per_s", 1500}, {"cycles_per_s", 1000}}));
}

TEST(HardwareCounters, WithoutAPmuItIsNotAvailableAndTriesNoMore) {
    FakePerf fake;
    fake.fail_errno = ENOENT;
    auto s = make_hardware_counters_sensor(fake, [] { return 0.0; });
    TempTree t;
    t.write("/sys/devices/system/cpu/online", "0-1\n");
    EXPECT_FALSE(s->sample(t.reader()).has_value());
    fake.fail_errno = 0;  // would work now: the sensor does not try again
    EXPECT_FALSE(s->sample(t.reader()).has_value());
    EXPECT_EQ(fake.opens, 0);
}

TEST(HardwareCounters, ThisMachine) {
    // This VM has no PMU: nothing to count, no error. Where a PMU exists the first sample
    // primes the counters.
    auto s = make_sensor("HardwareCounters");
    std::optional<Readings> r;
    EXPECT_NO_THROW(r = s->sample(HostSystemReader{}));
    if (r) {
        EXPECT_TRUE(r->empty());
    }
}
