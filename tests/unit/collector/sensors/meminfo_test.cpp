// /proc/meminfo parsing shared by VirtualMemory and SwapMemory.
#include "collector/sensors/meminfo.h"
#include "tests/unit/collector/sensors/sensor_test_util.h"

using namespace fructosa;
using namespace fructosa::sensors;
using namespace fructosa::test;

TEST(MemInfo, KilobytesBecomeBytesUnitlessStay) {
    auto m = parse_meminfo("MemTotal:  100 kB\nHugePages_Total:       3\n", "mi");
    EXPECT_EQ(meminfo_value(m, "MemTotal"), 102400u);
    EXPECT_EQ(meminfo_value(m, "HugePages_Total"), 3u);
    EXPECT_EQ(meminfo_value(m, "Nope", 7), 7u);
    EXPECT_THROW(parse_meminfo("MemTotal 100 kB\n", "mi"), std::runtime_error);
    EXPECT_THROW(parse_meminfo("MemTotal: lots kB\n", "mi"), std::runtime_error);
    EXPECT_THROW(parse_meminfo("MemTotal: 1 MB\n", "mi"), std::runtime_error);
}
