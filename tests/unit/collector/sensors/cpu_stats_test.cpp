// CPUStats: context switches and interrupts from /proc/stat.
#include "collector/sensors/cpu_stats.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(CpuStats, CountersFromProcStat) {
    auto r = sample_on("CPUStats", "host");
    EXPECT_EQ(r, (Readings{{"ctx_switches", 439099},
                           {"interrupts", 242338},
                           {"soft_interrupts", 166040},
                           {"syscalls", 0}}));
    EXPECT_THROW(cpu_stats_readings(parse_proc_stat("cpu 1 2 3 4\n", "s"), "s"),
                 std::runtime_error);
}

TEST(CpuStats, ReadingsFollowTheCounters) {
    EXPECT_EQ(cpu_stats_readings(stat_of("host_later"), "/proc/stat"),
              (Readings{{"ctx_switches", 440099},
                        {"interrupts", 242338},
                        {"soft_interrupts", 166040},
                        {"syscalls", 0}}));
}

TEST(CpuStats, EachMissingCounterIsNamed) {
    struct Case {
        const char* stat;
        const char* message;
    };
    const Case cases[] = {
        {"cpu 1 2 3 4\nintr 5 0\nsoftirq 6 0\n", "s: no 'ctxt' line"},
        {"cpu 1 2 3 4\nctxt 4\nsoftirq 6 0\n", "s: no 'intr' line"},
        {"cpu 1 2 3 4\nctxt 4\nintr 5 0\n", "s: no 'softirq' line"},
    };
    for (const auto& c : cases) {
        try {
            cpu_stats_readings(parse_proc_stat(c.stat, "s"), "s");
            ADD_FAILURE() << "no error for " << c.stat;
        } catch (const std::runtime_error& e) {
            EXPECT_STREQ(e.what(), c.message);
        }
    }
    EXPECT_EQ(
        cpu_stats_readings(parse_proc_stat("cpu 1 2 3 4\nctxt 4\nintr 5 0\nsoftirq 6 0\n", "s"),
                           "s"),
        (Readings{
            {"ctx_switches", 4}, {"interrupts", 5}, {"soft_interrupts", 6}, {"syscalls", 0}}));
}

TEST(CpuStats, NoProcStatIsNullopt) {
    // The laptop tree has sysfs only.
    EXPECT_FALSE(
        sensor("CPUStats")->sample(FixtureSystemReader(fixture_root("laptop"))).has_value());
}
