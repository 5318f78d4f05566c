// CPUCount: the kernel's online CPU list, /proc/stat as fallback.
#include "collector/sensors/cpu_count.h"

#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(CpuCount, CountsTheOnlineList) {
    EXPECT_EQ(count_cpu_list("0-3\n", "online"), 4);
    EXPECT_EQ(count_cpu_list("0,2-3,8", "online"), 4);
    EXPECT_EQ(count_cpu_list("5", "online"), 1);
    EXPECT_THROW(count_cpu_list("", "online"), std::runtime_error);
    EXPECT_THROW(count_cpu_list("3-1", "online"), std::runtime_error);
    EXPECT_THROW(count_cpu_list("0-x", "online"), std::runtime_error);
    // The host fixture has cpu1 offline: "0,2".
    EXPECT_EQ(sample_on("CPUCount", "host"), (Readings{{"", 2}}));
}

TEST(CpuCount, FallsBackToProcStatLines) {
    // host_later has no sysfs: three "cpuN" lines.
    EXPECT_EQ(sample_on("CPUCount", "host_later"), (Readings{{"", 3}}));
}
