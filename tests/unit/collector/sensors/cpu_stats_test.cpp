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
