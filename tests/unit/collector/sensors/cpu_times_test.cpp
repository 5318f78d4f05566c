// CPUTimes (seconds since boot) and CPUTimesPercent (shares between two samples).
#include "collector/sensors/cpu_times.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(CpuTimes, SecondsFromTicks) {
    auto r = cpu_times_readings(stat_of("host").total, 100);
    ASSERT_EQ(r.size(), 10u);
    EXPECT_EQ(r[0].field, "user");
    EXPECT_DOUBLE_EQ(at(r, "user"), 127.24);
    EXPECT_DOUBLE_EQ(at(r, "system"), 43.07);
    EXPECT_DOUBLE_EQ(at(r, "idle"), 1341.11);
    EXPECT_DOUBLE_EQ(at(r, "steal"), 0.13);
    EXPECT_DOUBLE_EQ(at(r, "guest_nice"), 0);
}

TEST(CpuTimes, SensorUsesUserHz) {
    auto r = sample_on("CPUTimes", "host");
    EXPECT_DOUBLE_EQ(at(r, "iowait"), 338 / clock_ticks_per_second());
}

TEST(CpuTimesPercent, SharesOfTheTimeBetweenTwoSamples) {
    // Deltas: user 70, system 20, idle 280, iowait 20, softirq 10, guest 4 (inside user):
    // 400 ticks in all.
    auto r = cpu_times_percent_readings(stat_of("host").total, stat_of("host_later").total);
    EXPECT_DOUBLE_EQ(at(r, "user"), 17.5);
    EXPECT_DOUBLE_EQ(at(r, "system"), 5);
    EXPECT_DOUBLE_EQ(at(r, "idle"), 70);
    EXPECT_DOUBLE_EQ(at(r, "iowait"), 5);
    EXPECT_DOUBLE_EQ(at(r, "softirq"), 2.5);
    EXPECT_DOUBLE_EQ(at(r, "guest"), 1);
    EXPECT_DOUBLE_EQ(at(r, "nice"), 0);
}

TEST(CpuTimesPercent, NoTimePassedGivesZeros) {
    auto t = stat_of("host").total;
    for (const auto& x : cpu_times_percent_readings(t, t)) EXPECT_EQ(x.value, 0) << x.field;
}

TEST(CpuTimesPercent, SensorPrimesOnFirstSample) {
    auto s = sensor("CPUTimesPercent");
    auto first = s->sample(FixtureSystemReader(fixture_root("host")));
    ASSERT_TRUE(first.has_value());
    EXPECT_TRUE(first->empty());
    auto second = s->sample(FixtureSystemReader(fixture_root("host_later")));
    ASSERT_TRUE(second.has_value());
    EXPECT_DOUBLE_EQ(at(*second, "idle"), 70);
}
