// CPUPercent: % busy per logical CPU between two samples.
#include "collector/sensors/cpu_percent.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(CpuPercent, BusyPerCpuNamedByItsNumber) {
    // cpu0: 200 ticks, 100 idle + 20 iowait -> 40 % busy; cpu2: 200 ticks, 180 idle -> 10 %.
    // cpu3 came online between the samples: no baseline, not reported yet.
    auto r = cpu_percent_readings(stat_of("host"), stat_of("host_later"));
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].field, "0");
    EXPECT_DOUBLE_EQ(r[0].value, 40);
    EXPECT_EQ(r[1].field, "2");
    EXPECT_DOUBLE_EQ(r[1].value, 10);
}

TEST(CpuPercent, CounterGoingBackwardsCountsAsNoTime) {
    CpuTicks before{100, 0, 0, 100, 0, 0, 0, 0, 0, 0};
    CpuTicks after{90, 0, 0, 150, 0, 0, 0, 0, 0, 0};
    EXPECT_DOUBLE_EQ(cpu_busy_percent(before, after), 0);
    EXPECT_DOUBLE_EQ(cpu_busy_percent(before, before), 0);
}

TEST(CpuPercent, SensorPrimesOnFirstSampleThenReportsDeltas) {
    auto s = sensor("CPUPercent");
    auto first = s->sample(FixtureSystemReader(fixture_root("host")));
    ASSERT_TRUE(first.has_value());
    EXPECT_TRUE(first->empty());
    auto second = s->sample(FixtureSystemReader(fixture_root("host_later")));
    ASSERT_TRUE(second.has_value());
    EXPECT_DOUBLE_EQ(at(*second, "0"), 40);
    EXPECT_DOUBLE_EQ(at(*second, "2"), 10);
    EXPECT_FALSE(has(*second, "1"));
}
